"""Dtype policies: the dtype a layer computes in and the dtype of its weights.

``"float32"`` computes and stores in float32; ``"mixed_float16"`` and
``"mixed_bfloat16"`` compute in half precision and keep float32 weights.

Example:
    >>> policy = DTypePolicy("mixed_float16")
    >>> policy.compute_dtype, policy.variable_dtype
    ('float16', 'float32')
    >>> deserialize(serialize(policy)).name
    'mixed_float16'
"""
from kerastorch import config
from kerastorch.saving.object_registration import register_builtin
from kerastorch.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

_GLOBAL_POLICY = None


@register_builtin("keras.dtype_policies")
@register_builtin("keras")
class DTypePolicy:
    """A named pair (compute dtype, variable dtype).

    A layer's ``dtype`` argument takes a policy (or its name): weights are created in
    ``variable_dtype`` and ``call`` computes in ``compute_dtype``. A dtype name gives a policy that uses
    it for both; ``"mixed_float16"`` and ``"mixed_bfloat16"`` compute in half precision and keep float32
    weights. ``FloatDTypePolicy`` is the same class (Keras 3 keeps that name as an alias).

    Args:
        name: String or None: a dtype name (``"float32"``, ``"bfloat16"`` ...; aliases such as
            ``"float"`` are resolved) or ``"mixed_float16"``/``"mixed_bfloat16"``. Defaults to None
            (``keras.config.floatx()``).

    Raises:
        ValueError: If ``name`` is an unknown dtype or an unsupported ``"mixed_*"`` name.

    >>> policy = DTypePolicy("float64")
    >>> policy.compute_dtype, policy.variable_dtype, policy
    ('float64', 'float64', <DTypePolicy "float64">)
    """

    def __init__(self, name=None):
        name = config.floatx() if name is None else name
        if name.startswith("mixed_"):
            compute = name[len("mixed_"):]
            if compute not in ("float16", "bfloat16"):
                raise ValueError(f"DTypePolicy: expected 'mixed_float16' or 'mixed_bfloat16', received {name!r}")
            self._compute, self._variable = compute, "float32"
        else:
            name = config.standardize_dtype(name)
            self._compute = self._variable = name
        self.name = name

    @property
    def compute_dtype(self):
        return self._compute

    @property
    def variable_dtype(self):
        return self._variable

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'


FloatDTypePolicy = register_builtin("keras", "FloatDTypePolicy")(DTypePolicy)


def get(identifier):
    """A policy from a name, a torch/numpy dtype, a config dict or a policy; None gives the global one.

    Args:
        identifier: None, a :class:`DTypePolicy` (returned as is), a policy or dtype name, a config dict
            (:func:`serialize` output or its inner ``{"name": ...}``), or a torch or NumPy dtype.

    Returns:
        A :class:`DTypePolicy`.

    Raises:
        ValueError: If ``identifier`` names no known dtype or policy.

    >>> import torch
    >>> get("mixed_bfloat16").compute_dtype, get(torch.float16).name, get(None).name
    ('bfloat16', 'float16', 'float32')
    """
    if identifier is None:
        return global_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return DTypePolicy(**identifier.get("config", identifier))
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    return DTypePolicy(config.standardize_dtype(identifier))


def set_global_policy(policy):
    """Set the policy new layers use by default (``"mixed_float16"``, ``"float32"`` ...).

    Layers created afterwards without a ``dtype`` take it; existing layers keep theirs. Also available as
    ``keras.config.set_dtype_policy`` and ``keras.mixed_precision.set_global_policy``.

    Args:
        policy: Anything :func:`get` takes (a name, dtype, config dict or :class:`DTypePolicy`), or None
            to go back to the default (``keras.config.floatx()``).

    Raises:
        ValueError: If ``policy`` names no known dtype or policy.

    >>> set_global_policy("mixed_float16")
    >>> global_policy().compute_dtype
    'float16'
    >>> set_global_policy(None)
    """
    global _GLOBAL_POLICY
    _GLOBAL_POLICY = None if policy is None else get(policy)


def global_policy():
    """The policy new layers use by default (``floatx()`` unless set).

    Returns:
        The :class:`DTypePolicy` set with :func:`set_global_policy`, else one named after
        ``keras.config.floatx()``.

    >>> global_policy()
    <DTypePolicy "float32">
    """
    return _GLOBAL_POLICY or DTypePolicy(config.floatx())


def serialize(policy):
    """The Keras config dict of a dtype policy.

    Args:
        policy: a :class:`DTypePolicy`.

    Returns:
        dict, ``{"module", "class_name", "config", "registered_name"}`` as Keras 3 writes it.

    >>> serialize(DTypePolicy("bfloat16"))["config"]
    {'name': 'bfloat16'}
    """
    return serialize_keras_object(policy)


def deserialize(config, custom_objects=None):
    """A dtype policy from :func:`serialize` output (Keras 3's too) or a name.

    Args:
        config: dict or str, a serialized policy or a policy name (``"mixed_float16"``).
        custom_objects: dict or None, default None: custom classes the config may name.

    Returns:
        A :class:`DTypePolicy`.

    Raises:
        ValueError: If a name or the config's class is unknown.

    >>> deserialize("mixed_float16").variable_dtype
    'float32'
    """
    if isinstance(config, str):
        return get(config)
    return deserialize_keras_object(config, custom_objects=custom_objects, printable_module_name="dtype policy")

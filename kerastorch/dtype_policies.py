"""Dtype policies: the dtype a layer computes in and the dtype of its weights.

``"float32"`` computes and stores in float32; ``"mixed_float16"`` and
``"mixed_bfloat16"`` compute in half precision and keep float32 weights.

Quantized policies (what ``Layer.quantize`` sets, and what a saved quantized layer is rebuilt with) are
named ``"<mode>_from_<source policy>"``: ``QuantizedDTypePolicy`` (``"int8_from_float32"``),
``Int4DTypePolicy`` (``"int4/128_from_float32"``: the block size, -1 for per-channel) and
``QuantizedFloat8DTypePolicy`` (``"float8_from_float32"``, with its amax history length). Compute and
variable dtypes are those of the source policy. ``DTypePolicyMap`` maps layer paths (or regexes) to
policies. Keras's ``GPTQDTypePolicy`` and ``AWQDTypePolicy`` are not implemented (see
``kerastorch.quantizers``); their names are refused with an error that says so.

Example:
    >>> policy = DTypePolicy("mixed_float16")
    >>> policy.compute_dtype, policy.variable_dtype
    ('float16', 'float32')
    >>> deserialize(serialize(policy)).name
    'mixed_float16'
"""

from __future__ import annotations

import collections.abc
import numbers
import re
from typing import Any, Iterator, Union

import torch

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = [
    "DTypePolicy",
    "DTypePolicyMap",
    "FloatDTypePolicy",
    "Int4DTypePolicy",
    "QuantizedDTypePolicy",
    "QuantizedFloat8DTypePolicy",
    "deserialize",
    "get",
    "serialize",
]

_GLOBAL_POLICY: DTypePolicy | None = None


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

    def __init__(self, name: str | None = None) -> None:
        name = config.floatx() if name is None else name
        if name.startswith("mixed_"):
            compute = name[len("mixed_") :]
            if compute not in ("float16", "bfloat16"):
                raise ValueError(f"DTypePolicy: expected 'mixed_float16' or 'mixed_bfloat16', received {name!r}")
            self._compute, self._variable = compute, "float32"
        else:
            name = config.standardize_dtype(name)
            self._compute = self._variable = name
        self.name = name

    @property
    def compute_dtype(self) -> str:
        return self._compute

    @property
    def variable_dtype(self) -> str:
        return self._variable

    @property
    def quantization_mode(self) -> str | None:
        """The quantization mode (``"int8"``, ``"int4"``, ``"float8"``), None for a float policy."""
        return None

    def convert_input(self, x: Any, autocast: bool, dtype: DTypeLike) -> Any:
        """``x`` cast to ``dtype`` when ``autocast`` and ``x`` is a floating tensor of another dtype (Keras's
        input casting), else unchanged.

        >>> import torch
        >>> DTypePolicy("float32").convert_input(torch.ones(2, dtype=torch.float64), True, "float32").dtype
        torch.float32
        """
        target = config.torch_dtype(dtype)
        if autocast and isinstance(x, torch.Tensor) and x.is_floating_point() and x.dtype != target:
            return x.to(target)
        return x

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DTypePolicy:
        return cls(**config)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'


PolicyLike = Union[DTypePolicy, str, dict[str, Any], DTypeLike]
"""What :func:`get` takes: a policy, a policy or dtype name, a config dict, a torch or NumPy dtype, or None."""


FloatDTypePolicy = register_builtin("keras", "FloatDTypePolicy")(DTypePolicy)

_QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")
_UNSUPPORTED = (
    "kerastorch does not implement the calibration-based quantization modes 'gptq' and 'awq' "
    "(GPTQDTypePolicy, AWQDTypePolicy); use 'int8', 'int4' or 'float8'"
)


def _source_policy(who, source_name):
    name = global_policy().name if source_name is None else source_name
    if isinstance(name, DTypePolicy):
        name = name.name
    policy = DTypePolicy(name)
    if not policy.compute_dtype.startswith(("float", "bfloat")):
        raise ValueError(
            f"{who}: source_name must name a float dtype policy ('float32', 'mixed_bfloat16' ...), "
            f"received source_name={source_name!r}"
        )
    return policy


@register_builtin("keras.dtype_policies")
class QuantizedDTypePolicy(DTypePolicy):
    """The policy of a quantized layer: its ``quantization_mode`` and the float policy it was quantized from.

    The name is ``"<mode>_from_<source_name>"``; compute and variable dtypes are the source policy's (the
    quantized weights themselves are int8).

    Args:
        mode: String, ``"int8"`` or ``"int4"`` (int4 per output channel; ``Int4DTypePolicy`` also takes a
            block size), or ``"float8"`` (use ``QuantizedFloat8DTypePolicy`` for its history length).
        source_name: String or None, the float policy quantized from (``"float32"``, ``"mixed_bfloat16"``);
            None: the global policy. Defaults to None.

    Raises:
        ValueError: If ``mode`` is unknown, is ``"gptq"``/``"awq"`` (not implemented), or int8 is combined
            with a float16 compute dtype (int8 products overflow float16's range).

    Example:
        >>> policy = QuantizedDTypePolicy("int8", "mixed_bfloat16")
        >>> policy.name, policy.quantization_mode, policy.compute_dtype, policy.variable_dtype
        ('int8_from_mixed_bfloat16', 'int8', 'bfloat16', 'float32')
    """

    def __init__(self, mode: str, source_name: str | None = None) -> None:
        who = type(self).__name__
        self._check_mode(who, mode)
        source = _source_policy(who, source_name)
        self._compute, self._variable = source.compute_dtype, source.variable_dtype
        self._mode = mode
        self._source_name = source_name
        self.name = f"{mode}_from_{source.name}"
        if self.quantization_mode == "int8" and self._compute == "float16":
            raise ValueError(
                "Quantization mode='int8' doesn't work well with compute_dtype='float16'. Consider "
                "loading model/layer with another dtype policy such as 'mixed_bfloat16' or "
                "'mixed_float16' before calling `quantize()`."
            )

    def _check_mode(self, who, mode):
        if mode in ("gptq", "awq") or (isinstance(mode, str) and mode.startswith(("gptq/", "awq/"))):
            raise ValueError(f"{who}: {_UNSUPPORTED}, received mode={mode!r}")
        if mode not in ("int8", "int4", "float8"):
            raise ValueError(
                f"Invalid quantization mode. Expected one of {_QUANTIZATION_MODES}. Received: mode={mode!r}"
            )

    @property
    def quantization_mode(self) -> str:
        return self._mode

    def get_config(self) -> dict[str, Any]:
        return {"mode": self._mode, "source_name": self._source_name}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, QuantizedDTypePolicy)
            and type(other) is type(self)
            and other.get_config() == self.get_config()
            and other.name == self.name
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))

    def __repr__(self) -> str:
        return f'<{type(self).__name__} "{self.name}">'


@register_builtin("keras.dtype_policies")
class QuantizedFloat8DTypePolicy(QuantizedDTypePolicy):
    """The policy of a float8 layer (delayed scaling), with the length of its amax histories.

    Args:
        mode: String, ``"float8"``.
        source_name: String or None, the float policy quantized from; None: the global policy.
            Defaults to None.
        amax_history_length: Positive int, how many past maxima the scales are computed from.
            Defaults to 1024.

    Raises:
        ValueError: If ``mode`` is not ``"float8"`` or the length is not positive.
        TypeError: If ``amax_history_length`` is not an int.

    Example:
        >>> policy = QuantizedFloat8DTypePolicy("float8", "float32", amax_history_length=16)
        >>> policy.name, policy.get_config()["amax_history_length"]
        ('float8_from_float32', 16)
    """

    default_amax_history_length = 1024

    def __init__(self, mode: str, source_name: str | None = None, amax_history_length: int = 1024) -> None:
        super().__init__(mode, source_name)
        if isinstance(amax_history_length, bool) or not isinstance(amax_history_length, (int, numbers.Integral)):
            raise TypeError(
                f"`amax_history_length` must be an integer. Received: amax_history_length={amax_history_length}"
            )
        if amax_history_length < 1:
            raise ValueError(
                f"QuantizedFloat8DTypePolicy: amax_history_length must be positive, received "
                f"amax_history_length={amax_history_length}"
            )
        self._amax_history_length = int(amax_history_length)

    def _check_mode(self, who, mode):
        if mode != "float8":
            raise ValueError(f"{who}: mode must be 'float8', received mode={mode!r}")

    @property
    def amax_history_length(self) -> int:
        """The length of the amax histories of the layer's float8 scales."""
        return self._amax_history_length

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "amax_history_length": self._amax_history_length}


@register_builtin("keras.dtype_policies")
class Int4DTypePolicy(QuantizedDTypePolicy):
    """The policy of an int4 layer, with its block size: ``mode`` is ``"int4/<block_size>"``, -1 meaning one
    scale per output channel and a positive size groups of that many input rows (scale and zero point each).

    Args:
        mode: String, ``"int4/<block_size>"`` (``"int4/128"``, ``"int4/-1"``).
        source_name: String or None, the float policy quantized from; None: the global policy.
            Defaults to None.

    Raises:
        ValueError: If ``mode`` does not have that form or the block size is invalid.

    Example:
        >>> policy = Int4DTypePolicy("int4/64", "float32")
        >>> policy.name, policy.quantization_mode, policy.block_size
        ('int4/64_from_float32', 'int4', 64)
    """

    def __init__(self, mode: str, source_name: str | None = None) -> None:
        super().__init__(mode, source_name)

    def _check_mode(self, who, mode):
        parts = mode.split("/") if isinstance(mode, str) else []
        if len(parts) != 2 or parts[0] != "int4":
            raise ValueError(
                f"Invalid mode for Int4DTypePolicy. Expected format 'int4/<block_size>', but got {mode!r}."
            )
        try:
            block_size = int(parts[1])
        except ValueError:
            raise ValueError(
                f"Invalid mode for Int4DTypePolicy. <block_size> must be an integer. Expected format "
                f"'int4/<block_size>', but got {mode!r}."
            ) from None
        if block_size != -1 and block_size < 1:
            raise ValueError(
                f"Invalid block_size in mode. Supported values are -1 (per-channel) or a positive "
                f"integer (sub-channel), but got {block_size} from {mode!r}."
            )
        self.block_size = block_size

    @property
    def quantization_mode(self) -> str:
        return "int4"


@register_builtin("keras.dtype_policies")
class DTypePolicyMap(DTypePolicy, collections.abc.MutableMapping):
    """Layer paths (or regular expressions over them) mapped to dtype policies, with a default.

    A layer given a map as its ``dtype`` uses the entry of its path (its name; ``parent/name`` for the
    sublayers of a layer that builds them with its own name as prefix), else the default. Lookup: an exact key
    first, then the keys that match the whole path as a regex; a path matching several is an error.

    Args:
        default_policy: Policy, policy name or None, the policy of unmapped paths; None: the global policy.
            Defaults to None.
        policy_map: Dict or None, ``{path or regex: policy or name}``. Defaults to None.

    Raises:
        TypeError: If ``policy_map`` is not a dict.
        ValueError: If a key is set twice, or a looked-up path matches several regexes.

    Example:
        >>> policies = DTypePolicyMap(default_policy="float32")
        >>> policies["encoder/.*"] = "bfloat16"
        >>> policies["encoder/dense"].name, policies["decoder/dense"].name
        ('bfloat16', 'float32')
    """

    def __init__(self, default_policy: PolicyLike = None, policy_map: dict[str, PolicyLike] | None = None) -> None:
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError(f"DTypePolicyMap: policy_map must be a dict or None, received {policy_map!r}")
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("DTypePolicyMap: default_policy cannot be another DTypePolicyMap")
        self._default_arg = default_policy
        self._default = get(default_policy) if default_policy is not None else global_policy()
        self._map: dict[str, DTypePolicy] = {}
        for key, value in (policy_map or {}).items():
            self[key] = value
        self.name = f"map_{self._default.name}"

    @property
    def default_policy(self) -> DTypePolicy:
        """The policy of the paths no key matches."""
        return self._default

    @property
    def compute_dtype(self) -> str:
        return self._default.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._default.variable_dtype

    @property
    def quantization_mode(self) -> str | None:
        return self._default.quantization_mode

    def __getitem__(self, key: str) -> DTypePolicy:
        if key in self._map:
            return self._map[key]
        matches = [k for k in self._map if re.fullmatch(k, key)]
        if len(matches) > 1:
            raise ValueError(
                f"Path {key!r} matches multiple dtype policy specification keys: {matches}. Please "
                "make sure each path only matches at most one dtype policy specification key in the "
                "DTypePolicyMap."
            )
        return self._map[matches[0]] if matches else self._default

    def __setitem__(self, key: str, policy: PolicyLike) -> None:
        if key in self._map:
            raise ValueError(
                f"{key} already exist in the DTypePolicyMap with value {self._map[key]}. Please make "
                "sure to not use duplicated keys."
            )
        if not isinstance(key, str):
            raise TypeError(f"DTypePolicyMap: keys must be strings (layer paths or regexes), received {key!r}")
        try:
            re.compile(key)
        except re.error as error:
            raise ValueError(f"DTypePolicyMap: key {key!r} is not a valid regular expression ({error})") from None
        policy = get(policy)
        if isinstance(policy, DTypePolicyMap):
            raise ValueError(f"DTypePolicyMap: the value of {key!r} cannot be another DTypePolicyMap")
        self._map[key] = policy

    def __delitem__(self, key: str) -> None:
        del self._map[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def get_config(self) -> dict[str, Any]:
        return {
            "default_policy": self._default_arg,
            "policy_map": {key: serialize(policy) for key, policy in self._map.items()},
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> DTypePolicyMap:
        config = dict(config)
        default = config.get("default_policy")
        if isinstance(default, dict):
            config["default_policy"] = deserialize(default, custom_objects)
        config["policy_map"] = {
            key: deserialize(value, custom_objects) if isinstance(value, dict) else value
            for key, value in (config.get("policy_map") or {}).items()
        }
        return cls(**config)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DTypePolicyMap) and self._default == other._default and self._map == other._map

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        mapping = [(key, policy.name) for key, policy in self._map.items()]
        return f"<DTypePolicyMap at {hex(id(self))} default_policy={self._default.name}, mapping={mapping}>"


_QUANTIZED_CLASSES = {
    cls.__name__: cls for cls in (QuantizedDTypePolicy, QuantizedFloat8DTypePolicy, Int4DTypePolicy, DTypePolicyMap)
}


def _from_name(name):
    """A float policy, or a quantized one for ``"<mode>_from_<source>"``."""
    if "_from_" not in name:
        if name.split("/")[0] in ("gptq", "awq"):
            raise ValueError(f"dtype policy {name!r}: {_UNSUPPORTED}")
        return DTypePolicy(name)
    mode, source = name.split("_from_", 1)
    if mode.split("/")[0] in ("gptq", "awq"):
        raise ValueError(f"dtype policy {name!r}: {_UNSUPPORTED}")
    if mode == "float8":
        return QuantizedFloat8DTypePolicy(mode, source)
    if mode.startswith("int4/"):
        return Int4DTypePolicy(mode, source)
    return QuantizedDTypePolicy(mode, source)


def __getattr__(name):
    if name in ("GPTQDTypePolicy", "AWQDTypePolicy"):
        raise AttributeError(f"keras.dtype_policies.{name} is not available: {_UNSUPPORTED}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get(identifier: PolicyLike) -> DTypePolicy:
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
    >>> get("int4/64_from_bfloat16")  # "<mode>_from_<source>": a quantized policy
    <Int4DTypePolicy "int4/64_from_bfloat16">
    """
    if identifier is None:
        return global_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        if identifier.get("class_name") in _QUANTIZED_CLASSES:
            return deserialize(identifier)
        return DTypePolicy(**identifier.get("config", identifier))
    if isinstance(identifier, str):
        return _from_name(identifier)
    return DTypePolicy(config.standardize_dtype(identifier))


def set_global_policy(policy: PolicyLike) -> None:
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


def global_policy() -> DTypePolicy:
    """The policy new layers use by default (``floatx()`` unless set).

    Returns:
        The :class:`DTypePolicy` set with :func:`set_global_policy`, else one named after
        ``keras.config.floatx()``.

    >>> global_policy()
    <DTypePolicy "float32">
    """
    return _GLOBAL_POLICY or DTypePolicy(config.floatx())


def serialize(policy: DTypePolicy) -> dict[str, Any]:
    """The Keras config dict of a dtype policy.

    Args:
        policy: a :class:`DTypePolicy`.

    Returns:
        dict, ``{"module", "class_name", "config", "registered_name"}`` as Keras 3 writes it.

    >>> serialize(DTypePolicy("bfloat16"))["config"]
    {'name': 'bfloat16'}
    """
    return serialize_keras_object(policy)


def deserialize(config: dict[str, Any] | str, custom_objects: dict[str, Any] | None = None) -> DTypePolicy:
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


def __dir__():
    return sorted(__all__)

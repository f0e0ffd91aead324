"""``keras.mixed_precision``: compute in float16 / bfloat16, keep float32 weights.

Layers created under a mixed policy run their ``call`` under ``torch.autocast``;
``fit`` scales the loss dynamically under ``mixed_float16``.

Example:
    >>> from kerastorch import layers
    >>> set_global_policy("mixed_bfloat16")
    >>> layer = layers.Dense(4)
    >>> layer.compute_dtype, layer.variable_dtype
    ('bfloat16', 'float32')
    >>> set_global_policy("float32")
"""

from __future__ import annotations

from kerastorch.dtype_policies import DTypePolicy, PolicyLike, global_policy, set_global_policy
from kerastorch.optimizers.loss_scale_optimizer import LossScaleOptimizer

Policy = DTypePolicy


def set_dtype_policy(policy: PolicyLike) -> None:
    """Alias of :func:`set_global_policy`: set the policy new layers use by default.

    Args:
        policy: A policy name (``"mixed_float16"``, ``"mixed_bfloat16"``, ``"float32"`` ...), a dtype, a
            config dict or a ``DTypePolicy``; None goes back to the default (``keras.config.floatx()``).

    Raises:
        ValueError: If ``policy`` names no known dtype or policy.

    >>> set_dtype_policy("mixed_float16"); dtype_policy().name
    'mixed_float16'
    >>> set_dtype_policy(None)
    """
    set_global_policy(policy)


def dtype_policy() -> DTypePolicy:
    """Alias of :func:`global_policy`: the policy new layers use by default.

    Returns:
        A ``DTypePolicy`` (named after ``keras.config.floatx()`` unless one was set).

    >>> dtype_policy().name
    'float32'
    """
    return global_policy()


__all__ = [
    "DTypePolicy",
    "LossScaleOptimizer",
    "Policy",
    "dtype_policy",
    "global_policy",
    "set_dtype_policy",
    "set_global_policy",
]


def __dir__():
    return sorted(__all__)

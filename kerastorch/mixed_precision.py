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
from kerastorch.dtype_policies import DTypePolicy, global_policy, set_global_policy
from kerastorch.optimizers.loss_scale_optimizer import LossScaleOptimizer

Policy = DTypePolicy


def set_dtype_policy(policy):
    """Alias of :func:`set_global_policy`."""
    set_global_policy(policy)


def dtype_policy():
    """Alias of :func:`global_policy`."""
    return global_policy()


__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy", "set_dtype_policy", "set_global_policy"]

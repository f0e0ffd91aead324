"""``kerastorch.testing``: gradient checks and hypothesis strategies, for kerastorch's own tests and yours.

- :func:`check_gradients` compares reverse mode, forward mode and finite differences (in float64) on a
  function or a layer and returns a :class:`GradientReport` naming the worst mismatch;
- :mod:`kerastorch.testing.strategies` (needs ``hypothesis``, imported on first use) draws shapes, tensors,
  layer configurations of every built-in family and small random models.

Example:
    >>> import torch
    >>> from kerastorch import layers, testing
    >>> testing.check_gradients(layers.Conv1D(2, 3), torch.randn(1, 5, 2), training=True).ok
    True
"""

from kerastorch.testing.gradient_check import MODES, check_gradients
from kerastorch.testing.hessian_check import check_hessian
from kerastorch.testing.report import Comparison, GradientReport

__all__ = ["MODES", "Comparison", "GradientReport", "check_gradients", "check_hessian", "strategies"]


def __getattr__(name):  # hypothesis is a test dependency: import the strategies only when asked for
    if name == "strategies":
        import importlib

        return importlib.import_module("kerastorch.testing.strategies")
    raise AttributeError(f"module 'kerastorch.testing' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)

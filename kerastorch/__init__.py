"""kerastorch: the Keras API, implemented natively on PyTorch.

    >>> import kerastorch as keras
    >>> from kerastorch import layers
    >>> model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    >>> model(keras.ops.ones((2, 4))).shape
    torch.Size([2, 1])

Keras programs run unchanged with ``python -m kerastorch script.py`` (or ``kerastorch.install_as_keras()``
first in a notebook): ``import keras`` then gives kerastorch.
"""

from __future__ import annotations

from kerastorch import (
    activations,
    applications,
    autodiff,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    distribution,
    dtype_policies,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    preprocessing,
    quantizers,
    random,
    regularizers,
    saving,
    testing,
    tree,
    utils,
    visualization,
    wrappers,
)
from kerastorch.autodiff import GradientTape
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.backend.name_scope import name_scope
from kerastorch.backend.remat import RematScope, remat
from kerastorch.backend.stateless_scope import StatelessScope
from kerastorch.backend.symbolic_scope import SymbolicScope
from kerastorch.backend.variable import Variable
from kerastorch.config import device_scope as device
from kerastorch.dtype_policies import DTypePolicy, FloatDTypePolicy
from kerastorch.initializers import Initializer
from kerastorch.keras_alias import install_as_keras
from kerastorch.layers import Input, InputSpec, Layer
from kerastorch.layers.operation import Operation
from kerastorch.losses import Loss
from kerastorch.metrics import Metric
from kerastorch.models import Functional, Model, Sequential
from kerastorch.models.function import Function
from kerastorch.optimizers import Optimizer
from kerastorch.quantizers import Quantizer
from kerastorch.regularizers import Regularizer

__all__ = [
    "DTypePolicy",
    "FloatDTypePolicy",
    "Function",
    "Functional",
    "GradientTape",
    "Initializer",
    "Input",
    "InputSpec",
    "KerasTensor",
    "Layer",
    "Loss",
    "Metric",
    "Model",
    "Operation",
    "Optimizer",
    "Quantizer",
    "Regularizer",
    "RematScope",
    "Sequential",
    "StatelessScope",
    "SymbolicScope",
    "Variable",
    "activations",
    "applications",
    "autodiff",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "device",
    "distribution",
    "dtype_policies",
    "initializers",
    "install_as_keras",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "name_scope",
    "ops",
    "optimizers",
    "preprocessing",
    "quantizers",
    "random",
    "regularizers",
    "remat",
    "saving",
    "testing",
    "tree",
    "utils",
    "version",
    "visualization",
    "wrappers",
]

from kerastorch._version import __version__

# keras.config's names for the global dtype policy, which lives in dtype_policies (above config in the stack)
config.dtype_policy = dtype_policies.global_policy
config.set_dtype_policy = dtype_policies.set_global_policy


def version() -> str:
    """kerastorch's version string (``keras.version()``).

    Returns:
        String, ``kerastorch.__version__``.

    >>> version() == __version__
    True
    """
    return __version__


def __dir__() -> list[str]:
    return sorted(__all__)

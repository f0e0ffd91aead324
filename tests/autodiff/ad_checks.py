"""Helpers for the autodiff tests: float64 tensors from hypothesis and a few smooth test functions."""

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

F64 = torch.float64


def tensors(shape=None, *, max_dims=2, max_side=3, low=-2.0, high=2.0):
    """A strategy of float64 torch tensors with finite entries in ``[low, high]``."""
    if shape is None:
        shape = hnp.array_shapes(min_dims=1, max_dims=max_dims, max_side=max_side)
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high)).map(torch.from_numpy)


# Smooth functions R^n -> R^m (and scalar ones) with known derivatives, used across the tests.
VECTOR_FUNCTIONS = {
    "tanh_mix": lambda x: torch.tanh(x) * x.sum() + torch.sin(x) ** 2,
    "softmax": lambda x: torch.softmax(x.reshape(-1), 0),
    "outer": lambda x: torch.outer(x.reshape(-1), torch.cos(x.reshape(-1)))[:, :2],
    "exp_cumsum": lambda x: torch.exp(0.3 * x).reshape(-1).cumsum(0),
}
SCALAR_FUNCTIONS = {
    "logsumexp": lambda x: torch.logsumexp(x.reshape(-1), 0),
    "quartic": lambda x: (x**4).sum() - (x.reshape(-1)[0] * x.reshape(-1)[-1]) ** 2,
    "sin_norm": lambda x: torch.sin(x.square().sum() + 1.0),
}

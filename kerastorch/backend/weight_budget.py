"""A cap on the bytes of weights created inside a scope, checked before each weight is allocated.

Loading a model builds it from its config before its weights file is read, and a config is data: a hostile
or broken one can ask for ``Dense(10**12)``. ``load_model`` builds under a :func:`weight_budget` as large as
the weights file can fill, so a layer that asks for more is refused by ``Layer.add_weight`` before any memory
is taken or any initializer runs.

Example:
    >>> with weight_budget(1000, "the 1000 bytes the test allows"):
    ...     charge_weight((10, 10), torch.float32, 'Layer "dense"', "kernel")          # 400 bytes: fine
    ...     charge_weight((100, 10), torch.float32, 'Layer "dense_1"', "kernel")
    Traceback (most recent call last):
    ...
    ValueError: Layer "dense_1": weight 'kernel' of shape (100, 10) needs 4000 bytes, which brings the weights to 4400 bytes, more than the 1000 bytes the test allows
"""

from __future__ import annotations

import contextlib
import math
import threading
from typing import Iterator, Sequence

import torch

__all__ = ["weight_budget", "charge_weight"]

_STATE = threading.local()


class _Budget:
    def __init__(self, limit, reason):
        self.limit, self.reason, self.used = int(limit), reason, 0


@contextlib.contextmanager
def weight_budget(limit_bytes: int, reason: str) -> Iterator[None]:
    """Refuse weights created inside the scope once together they would need more than ``limit_bytes``.

    Args:
        limit_bytes: int: the most bytes the weights created inside may take together.
        reason: str: what the limit is (ends the error message: "more than <reason>").

    Yields:
        None.
    """
    previous = getattr(_STATE, "budget", None)
    _STATE.budget = _Budget(limit_bytes, reason)
    try:
        yield
    finally:
        _STATE.budget = previous


def charge_weight(shape: Sequence[int], dtype: torch.dtype, owner: str, name: str) -> None:
    """Count a weight about to be created against the current budget (a no-op outside :func:`weight_budget`).

    Args:
        shape: tuple of int: the weight's shape.
        dtype: torch.dtype: its dtype.
        owner: str: who creates it (starts the error message, e.g. ``'Layer "dense"'``).
        name: str: the weight's name.

    Raises:
        ValueError: the weight would bring the total over the budget; nothing was allocated.
    """
    budget = getattr(_STATE, "budget", None)
    if budget is None:
        return
    size = math.prod(int(n) for n in shape) * torch.empty((), dtype=dtype, device="meta").element_size()
    if budget.used + size > budget.limit:
        raise ValueError(
            f"{owner}: weight {name!r} of shape {tuple(shape)} needs {size} bytes, which brings the "
            f"weights to {budget.used + size} bytes, more than {budget.reason}"
        )
    budget.used += size

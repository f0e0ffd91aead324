"""NumPy-style ``keras.ops``, one module per family: elementwise math (elementwise.py), comparisons, logic and
bit operations (logic.py), reductions (reductions.py), order statistics (quantiles.py), array creation, shape
manipulation, indexing and sorting, and products (matmul, dot, einsum ...). ``__all__`` is the union of the
modules' ``__all__``, so ``from kerastorch.ops.numpy import *`` exports functions only."""

from __future__ import annotations

from kerastorch.ops.numpy import creation, elementwise, indexing, logic, manipulation, products, quantiles, reductions
from kerastorch.ops.numpy.creation import *  # noqa: F403
from kerastorch.ops.numpy.elementwise import *  # noqa: F403
from kerastorch.ops.numpy.indexing import *  # noqa: F403
from kerastorch.ops.numpy.logic import *  # noqa: F403
from kerastorch.ops.numpy.manipulation import *  # noqa: F403
from kerastorch.ops.numpy.products import *  # noqa: F403
from kerastorch.ops.numpy.quantiles import *  # noqa: F403
from kerastorch.ops.numpy.reductions import *  # noqa: F403

__all__ = sorted(
    {
        name
        for module in (creation, elementwise, indexing, logic, manipulation, products, quantiles, reductions)
        for name in module.__all__
    }
)


def __dir__() -> list[str]:
    return sorted(__all__)

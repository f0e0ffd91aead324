"""``keras.utils.set_random_seed``: one call seeds every generator kerastorch draws from.

Example:
    >>> set_random_seed(1337)
"""

from __future__ import annotations

import numbers
import random

import numpy as np
import torch

__all__ = ["set_random_seed"]


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy and torch (CPU and every accelerator).

    Unseeded kerastorch initializers and ``keras.random`` calls draw from
    torch's global generators, so they repeat after this call.

    Args:
        seed: Int in ``[0, 2**32)``.

    Raises:
        ValueError: If ``seed`` is not an int in that range (a bool is refused).

    Example:
        >>> set_random_seed(0); a = torch.rand(2)
        >>> set_random_seed(0); bool((a == torch.rand(2)).all())
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"set_random_seed: expected an integer seed in [0, 2**32), received {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device

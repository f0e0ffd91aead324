"""Sequence helpers from ``keras.utils``: padding variable-length sequences into one array.

Example:
    >>> pad_sequences([[1], [2, 3], [4, 5, 6]])
    array([[0, 0, 1],
           [0, 2, 3],
           [4, 5, 6]], dtype=int32)
"""

from __future__ import annotations

import numbers
from typing import Any, Iterable

import numpy as np
import numpy.typing as npt

_SIDES = ("pre", "post")


def _check_side(name, side):
    if side not in _SIDES:
        raise ValueError(
            f'{name.capitalize()} type "{side}" not understood: `{name}` must be "pre" or "post". '
            f"Received: {name}={side!r}"
        )


def _as_sample_array(item, index, dtype):
    """``item`` (one sequence) as an array of at least one dimension, or a ValueError naming its index."""
    if isinstance(item, (str, bytes)):
        iterable = False
    else:
        try:
            len(item)
            iterable = True
        except TypeError:  # a number, an iterator, a 0-d array or tensor
            iterable = False
    if not iterable:
        raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable item at index {index}: {item!r}")
    array = np.asarray(item, dtype=dtype)
    if array.ndim == 0:
        raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable item at index {index}: {item!r}")
    return array


def pad_sequences(
    sequences: Iterable[Any],
    maxlen: int | None = None,
    dtype: npt.DTypeLike = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: float | str = 0.0,
) -> np.ndarray:
    """Pads sequences to the same length.

    Turns a list of `num_samples` sequences into one NumPy array of shape `(num_samples, num_timesteps)`,
    where `num_timesteps` is `maxlen` if given, else the length of the longest sequence. Shorter sequences
    are filled up with `value` and longer ones are cut down to `num_timesteps`; `padding` and `truncating`
    say on which side that happens (by default, at the beginning). When the items of the sequences are
    themselves arrays (e.g. one feature vector per timestep), that sample shape is kept:
    the result has shape `(num_samples, num_timesteps) + sample_shape`.

    Args:
        sequences: List (or other iterable) of sequences. Each sequence is a list, tuple, NumPy array or
            tensor of values (or of equally shaped samples); empty sequences are allowed.
        maxlen: Optional int, defaults to `None`. Length of every output sequence; `None` means the
            length of the longest sequence.
        dtype: Optional dtype, defaults to `"int32"`. Dtype of the output (values are cast to it).
            Use `object` (or a NumPy string dtype such as `str`) to pad sequences of strings.
        padding: String, `"pre"` or `"post"`, defaults to `"pre"`. Pad before or after each sequence.
        truncating: String, `"pre"` or `"post"`, defaults to `"pre"`. Remove values from the
            beginning or from the end of sequences longer than `maxlen`.
        value: Float or string, defaults to `0.0`. The padding value.

    Returns:
        NumPy array of shape `(len(sequences), maxlen) + sample_shape` and dtype `dtype`.

    Raises:
        ValueError: if `padding` or `truncating` is neither `"pre"` nor `"post"`, if `maxlen` is negative,
            if `sequences` is not iterable or one of its items is not a sequence, if the samples of the
            sequences do not all have the same shape, or if `value` is a string but `dtype` is not a
            string or object dtype.

    Example:

    >>> sequence = [[1], [2, 3], [4, 5, 6]]
    >>> pad_sequences(sequence, value=-1)
    array([[-1, -1,  1],
           [-1,  2,  3],
           [ 4,  5,  6]], dtype=int32)
    >>> pad_sequences(sequence, maxlen=2, padding="post", truncating="post")
    array([[1, 0],
           [2, 3],
           [4, 5]], dtype=int32)
    >>> pad_sequences([["a", "bc"], ["d"]], dtype=object, value="<pad>")
    array([['a', 'bc'],
           ['<pad>', 'd']], dtype=object)
    """
    _check_side("padding", padding)
    _check_side("truncating", truncating)
    if maxlen is not None:
        if isinstance(maxlen, bool) or not isinstance(maxlen, numbers.Integral):
            raise TypeError(f"`maxlen` must be an integer or None. Received: maxlen={maxlen!r}")
        maxlen = int(maxlen)
        if maxlen < 0:
            raise ValueError(f"`maxlen` must be non-negative. Received: maxlen={maxlen}")
    dtype = np.dtype(dtype)
    if isinstance(value, str) and dtype.kind not in "OUS":
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )
    try:
        sequences = list(sequences)
    except TypeError:
        raise ValueError(f"`sequences` must be iterable. Received: sequences={sequences!r}") from None

    arrays = [_as_sample_array(item, index, dtype) for index, item in enumerate(sequences)]
    sample_shape = next((array.shape[1:] for array in arrays if len(array)), ())
    for index, array in enumerate(arrays):
        if len(array) and array.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {array.shape[1:]} of sequence at position {index} is different "
                f"from expected shape {sample_shape}"
            )
    if maxlen is None:
        maxlen = max((len(array) for array in arrays), default=0)

    out = np.full((len(arrays), maxlen) + sample_shape, value, dtype=dtype)
    for index, array in enumerate(arrays):
        kept = array[max(len(array) - maxlen, 0) :] if truncating == "pre" else array[:maxlen]
        if len(kept) == 0:
            continue
        if padding == "pre":
            out[index, maxlen - len(kept) :] = kept
        else:
            out[index, : len(kept)] = kept
    return out

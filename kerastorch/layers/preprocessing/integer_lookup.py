"""``IntegerLookup``: integer tokens to indices in a vocabulary (or indices back to tokens), on torch tensors.

The vocabulary is held as sorted torch tensors (per device) and looked up with ``torch.searchsorted``, so the
layer runs on any device, inside models built with ``keras.Input(dtype="int64")`` and in ``model.fit``. Lists
and NumPy arrays are accepted as well. See :mod:`kerastorch.layers.preprocessing.index_lookup` for the index
layout and ``adapt``.

Example:
    >>> layer = IntegerLookup()
    >>> layer.adapt(np.array([[12, 1138, 42], [42, 1000, 36]]))
    >>> layer.get_vocabulary()
    [-1, 42, 1138, 1000, 36, 12]
"""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np
import torch

from kerastorch.backend.annotations import TensorLike
from kerastorch.backend.keras_tensor import KerasTensor, real_tensors
from kerastorch.backend.torch_internals import is_fake
from kerastorch.layers.preprocessing.index_lookup import DROP, IndexLookup, skip_checks
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class IntegerLookup(IndexLookup):
    """Maps integer tokens to contiguous indices of a vocabulary (or, with ``invert=True``, indices to tokens).

    The vocabulary is given (``vocabulary``, ``set_vocabulary``) or learnt by ``adapt`` (most frequent tokens
    first, ties broken by the larger token). With ``output_mode="int"`` the indices are: the mask token at 0
    (when ``mask_token`` is set), then ``num_oov_indices`` indices for out-of-vocabulary (OOV) tokens, then the
    vocabulary. The other modes encode the indices (the mask token takes no slot; masked inputs are dropped).

    Args:
        max_tokens: int or None, default None. The most indices (special ones included) ``adapt`` keeps.
        num_oov_indices: int, default 1. Indices shared by OOV tokens: with several, token ``t`` goes to
            ``t % num_oov_indices`` (``oov_method="floormod"``); with 0, OOV inputs raise a ValueError.
        mask_token: int or None, default None. The token of masked inputs (index 0 in ``"int"`` mode).
        oov_token: int, default -1. What ``invert=True`` returns for OOV indices.
        vocabulary: list, tuple, 1D array or tensor of ints, or the path of a text file with one integer per
            line, default None.
        vocabulary_dtype: str, default ``"int64"`` (``"int32"`` also accepted): the dtype of inverse lookups.
        idf_weights: list or 1D array of floats, default None. With ``output_mode="tf_idf"`` and a vocabulary.
        invert: bool, default False. Map indices back to tokens (``output_mode="int"`` only).
        output_mode: str, default ``"int"``. ``"int"`` (indices, int64), ``"one_hot"`` (each element encoded),
            ``"multi_hot"``, ``"count"`` or ``"tf_idf"`` (the last axis of each sample encoded), as float32.
        sparse: bool, default False. Only False is supported (a ValueError otherwise).
        pad_to_max_tokens: bool, default False. Encode over ``max_tokens`` slots whatever the vocabulary size.
        oov_method: str, default ``"floormod"``. ``"farmhash"`` hashes the decimal text of OOV tokens instead.
        salt: int, pair of ints or None, default None. With ``oov_method="farmhash"``: key the hash (SipHash).
        name: str or None, default None. The layer's name.
        **kwargs: base layer arguments (``dtype``...), and the ``vocabulary_size`` / ``has_input_vocabulary``
            keys of Keras's configs.

    Input shape:
        Any shape of integers (a tensor, NumPy array or list).

    Output shape:
        ``"int"``: the input shape. ``"one_hot"``: the input shape plus ``(depth,)`` (a last axis of size 1 is
        replaced). Other modes: the input shape with its last axis replaced by ``(depth,)``; ``depth`` is the
        vocabulary size, or ``max_tokens`` with ``pad_to_max_tokens=True``.

    Raises:
        ValueError: for invalid arguments (``max_tokens`` of 1 or less, a negative ``num_oov_indices``,
            ``pad_to_max_tokens`` without ``max_tokens``, an unknown ``output_mode``, ``invert`` with another mode than
            ``"int"``, ``sparse=True``, ``idf_weights`` without ``"tf_idf"``, an unknown ``oov_method`` or
            ``vocabulary_dtype``, a ``salt`` without ``"farmhash"``); a vocabulary that is empty, not 1D, repeats a
            token, holds a special token or exceeds ``max_tokens``; ``adapt`` on a layer made with a vocabulary; an
            out-of-vocabulary input with ``num_oov_indices=0``.

    Example:
    >>> layer = IntegerLookup(vocabulary=[12, 36, 1138, 42])
    >>> layer(torch.tensor([[12, 1138, 42], [42, 1000, 36]]))
    tensor([[1, 3, 4],
            [4, 0, 2]])
    >>> IntegerLookup(vocabulary=[12, 36, 1138, 42], invert=True)(torch.tensor([[1, 3, 4], [4, 0, 2]]))
    tensor([[  12, 1138,   42],
            [  42,   -1,   36]])
    >>> IntegerLookup(vocabulary=[12, 36], output_mode="multi_hot")(np.array([[12, 12, 7], [36, 36, 36]]))
    tensor([[1., 1., 0.],
            [0., 0., 1.]])
    """

    _token_kind = "int"

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: int | np.integer[Any] | None = None,
        oov_token: int | np.integer[Any] = -1,
        vocabulary: str | os.PathLike[str] | TensorLike | None = None,
        vocabulary_dtype: str = "int64",
        idf_weights: TensorLike | None = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt: int | tuple[int, int] | list[int] | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            vocabulary_dtype=vocabulary_dtype,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            oov_method=oov_method,
            salt=salt,
            name=name,
            **kwargs,
        )

    # ------------------------------------------------------------------ tokens
    def _vocabulary_dtypes(self):
        return ("int64", "int32")

    def _convert_special(self, token, arg):
        if token is None:
            return None
        if isinstance(token, (np.integer, torch.Tensor)):
            token = int(token)
        if not isinstance(token, numbers.Integral) or isinstance(token, bool):
            self._fail(f"{arg} must be an integer or None, received {arg}={token!r}")
        return int(token)

    def _parse_line(self, line):
        try:
            return int(line.strip())
        except ValueError:
            self._fail(f"a vocabulary file line must hold one integer, received {line!r}")

    def _convert_tokens(self, values, what):
        if isinstance(values, torch.Tensor):
            values = values.detach().cpu().numpy()
        try:
            array = np.asarray(values)
        except ValueError:
            self._fail(f"{what} must be rectangular (pad ragged rows), received rows of different lengths")
        if array.size == 0:
            return array.astype("int64")
        if array.dtype.kind not in "iub":
            if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
                return array.astype("int64")
            self._fail(f"{what} must hold integers, received dtype {array.dtype}")
        return array.astype("int64")

    def _as_tensor(self, inputs):
        if isinstance(inputs, torch.Tensor):
            if inputs.dtype.is_floating_point or inputs.dtype == torch.bool:
                inputs = inputs.long()
            elif inputs.dtype.is_complex:
                self._fail(f"expected integer inputs, received a {inputs.dtype} tensor")
            return inputs
        return torch.as_tensor(self._convert_tokens(inputs, "inputs"), device=self._weight_device())

    # ------------------------------------------------------------------ tables
    def _table(self, name, device):
        """A torch table cached per device: ``"keys"`` gives the sorted vocabulary tokens and their indices,
        ``"inverse"`` the token of each index (special tokens included)."""
        key = (name, device)
        if key not in self._tensors:
            with real_tensors():  # real tables, even when first asked for inside a symbolic run
                if name == "inverse":
                    self._tensors[key] = torch.tensor(self.get_vocabulary(), dtype=torch.int64, device=device)
                else:
                    tokens = np.asarray(self._tokens, dtype="int64")
                    order = np.argsort(tokens, kind="stable")
                    indices = np.arange(self._token_start_index(), self.vocabulary_size(), dtype="int64")[order]
                    self._tensors[key] = (
                        torch.as_tensor(tokens[order], device=device),
                        torch.as_tensor(indices, device=device),
                    )
        return self._tensors[key]

    def _lookup(self, x):
        """The indices of an integer tensor (masked tokens: 0 in "int" mode, ``DROP`` otherwise)."""
        if x.dtype != torch.int64:
            x = x.long()
        if is_fake(x):  # shapes only (a symbolic run)
            return torch.zeros_like(x)
        keys, values = self._table("keys", x.device)
        if keys.numel():
            position = torch.searchsorted(keys, x).clamp_max(keys.numel() - 1)
            found = keys[position] == x
            ids = torch.where(found, values[position], self._oov_start_index())
        else:
            found = torch.zeros_like(x, dtype=torch.bool)
            ids = torch.full_like(x, self._oov_start_index())
        oov = ~found
        if self.mask_token is not None:
            masked = x == self.mask_token
            oov = oov & ~masked
            ids = torch.where(masked, 0 if self.output_mode == "int" else DROP, ids)
        if self.num_oov_indices == 0:
            if not skip_checks(x) and bool(oov.any()):  # one host sync: an error must name the inputs
                self._no_oov_error(torch.unique(x[oov]).tolist())
        elif self.num_oov_indices > 1:
            if self.oov_method == "floormod":
                ids = torch.where(oov, x.remainder(self.num_oov_indices) + self._oov_start_index(), ids)
            else:  # hashes of the decimal text: computed on the CPU for the distinct OOV tokens
                unique, inverse = torch.unique(x[oov], return_inverse=True)
                if unique.numel():
                    buckets = torch.as_tensor(self._oov_buckets(unique.tolist()), device=x.device)
                    ids = ids.masked_scatter(oov, buckets[inverse])
        return ids

    def _inverse(self, x):
        """The tokens of a tensor of indices (the OOV token outside the vocabulary)."""
        if x.dtype != torch.int64:
            x = x.long()
        dtype = torch.int32 if self.vocabulary_dtype == "int32" else torch.int64
        if is_fake(x):
            return torch.zeros_like(x, dtype=dtype)
        table = self._table("inverse", x.device)
        size = table.numel()
        if size == 0:
            return torch.full_like(x, self.oov_token, dtype=dtype)
        valid = (x >= 0) & (x < size)
        return torch.where(valid, table[x.clamp(0, size - 1)], self.oov_token).to(dtype)

    # ------------------------------------------------------------------ calling
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(inputs, (torch.Tensor, KerasTensor)):
            inputs = self._as_tensor(inputs)
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs: TensorLike) -> torch.Tensor:
        x = self._as_tensor(inputs)
        if self.invert:
            return self._inverse(x)
        return self._output(self._lookup(x))

    def _output_dtype(self):
        if self.invert:
            return self.vocabulary_dtype
        return super()._output_dtype()

    def set_vocabulary(
        self, vocabulary: str | os.PathLike[str] | TensorLike, idf_weights: TensorLike | None = None
    ) -> None:
        """Set the vocabulary (and ``"tf_idf"`` weights); see :meth:`IndexLookup.set_vocabulary`.

        Args:
            vocabulary: list, 1D array or tensor of ints, or the path of a file with one integer per line.
            idf_weights: list or 1D array of floats (``"tf_idf"`` only).

        >>> layer = IntegerLookup()
        >>> layer.set_vocabulary([-1, 5, 3])       # special tokens first: taken as they are
        >>> layer(torch.tensor([3, 4]))
        tensor([2, 0])
        """
        super().set_vocabulary(vocabulary, idf_weights)

"""``StringLookup``: string tokens to indices in a vocabulary (or indices back to strings), without TensorFlow.

Strings are Python or NumPy strings: inputs are a string, a (nested) list of strings or a NumPy array of
``str`` / ``bytes`` (decoded with ``encoding``); lookups return torch tensors (int64 indices, or float32
encodings) and inverse lookups a NumPy array of ``str``. See
:mod:`kerastorch.layers.preprocessing.index_lookup` for the index layout and ``adapt``.

Where it runs: torch tensors hold no strings, so ``keras.Input(dtype="string")`` does not exist in kerastorch
and the layer cannot sit in a symbolic (functional or Sequential) graph; calling it on a symbolic tensor raises
a ValueError. Use it eagerly, as Keras recommends on its non-TensorFlow backends: preprocess the data
(``x = lookup(strings)`` before ``model.fit(x, y)``, or inside a ``torch.utils.data.Dataset``), and save it
with the model by keeping its config and vocabulary (``get_config`` / ``save_assets``). ``IntegerLookup``
works on tensors and does fit in models.

Example:
    >>> layer = StringLookup(vocabulary=["a", "b", "c", "d"])
    >>> layer([["a", "c", "d"], ["d", "z", "b"]])
    tensor([[1, 3, 4],
            [4, 0, 2]])
"""

from __future__ import annotations

import os
from typing import Any, Callable, NoReturn

import numpy as np
import torch

from kerastorch import tree
from kerastorch.backend.annotations import TensorLike
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.preprocessing.index_lookup import IndexLookup
from kerastorch.serialization.object_registration import register_builtin


def symbolic_string_error(label: str) -> ValueError:
    """The ValueError for a string layer called on symbolic tensors (kerastorch has no string tensors).

    Args:
        label: str, how the layer is named in the message (such as ``'Layer "x"'``).

    Returns:
        ValueError, to raise, explaining that strings must be fed to the layer eagerly.

    >>> str(symbolic_string_error('Layer "x"'))[:60]
    'Layer "x": strings cannot flow through a symbolic model in k'
    """
    return ValueError(
        f"{label}: strings cannot flow through a symbolic model in kerastorch (torch tensors hold no strings, "
        "so there is no keras.Input(dtype='string')). Call the layer eagerly on strings (a list or NumPy "
        "array), e.g. to preprocess the data before model.fit, and feed the model the tensors it returns."
    )


def to_strings(values: Any, encoding: str, fail: Callable[[str], NoReturn], what: str) -> np.ndarray:
    """``values`` (a string, nested lists, a NumPy array of str / bytes / objects) as a NumPy array of ``str``.

    Args:
        values: the strings.
        encoding: str, how bytes are decoded.
        fail: callable raising the layer's error for a message.
        what: str, what ``values`` are, for the messages.

    Returns:
        np.ndarray of dtype ``str``.

    >>> to_strings([[b"a", "bc"]], "utf-8", None, "inputs")
    array([['a', 'bc']], dtype='<U2')
    """
    if isinstance(values, torch.Tensor):
        fail(
            f"{what} must be strings (a list or a NumPy array of str or bytes), received a torch tensor of "
            f"dtype {values.dtype}"
        )
    try:
        array = np.asarray(values)
    except ValueError:
        fail(
            f"{what} must be rectangular: kerastorch has no ragged tensors (pad the rows to one length), "
            "received rows of different lengths"
        )
    kind = array.dtype.kind
    if kind == "U":
        return array
    if kind == "S":
        return np.char.decode(array, encoding)
    if kind == "O":
        flat = []
        for item in array.reshape(-1).tolist():
            if isinstance(item, bytes):
                item = item.decode(encoding)
            elif not isinstance(item, str):
                fail(
                    f"{what} must be strings (or rectangular nested lists of strings), received an element "
                    f"{item!r} of type {type(item).__name__}"
                )
            flat.append(item)
        return np.array(flat, dtype=str).reshape(array.shape)
    if array.size == 0:
        return array.astype(str)
    fail(f"{what} must be strings (str or bytes), received dtype {array.dtype}")


@register_builtin("keras.layers")
class StringLookup(IndexLookup):
    """Maps string tokens to contiguous indices of a vocabulary (or, with ``invert=True``, indices to strings).

    The vocabulary is given (``vocabulary``, ``set_vocabulary``) or learnt by ``adapt`` (most frequent tokens
    first, ties broken by the larger token). With ``output_mode="int"`` the indices are: the mask token at 0
    (when ``mask_token`` is set), then ``num_oov_indices`` indices for out-of-vocabulary (OOV) tokens, then the
    vocabulary. The other modes encode the indices (the mask token takes no slot; masked inputs are dropped).
    The layer runs eagerly only: kerastorch has no string tensors (see the module notes).

    Args:
        max_tokens: int or None, default None. The most indices (special ones included) ``adapt`` keeps.
        num_oov_indices: int, default 1. Indices shared by OOV tokens: with several, a token goes to
            ``Fingerprint64(utf-8 bytes) % num_oov_indices`` (TensorFlow's FarmHash, as Keras); with 0, OOV
            inputs raise a ValueError.
        mask_token: str or None, default None. The token of masked inputs (index 0 in ``"int"`` mode).
        oov_token: str, default ``"[UNK]"``. The OOV entry of the vocabulary; what ``invert=True`` returns for
            OOV indices.
        vocabulary: list, tuple or 1D array of strings, or the path of a text file with one token per line,
            default None.
        idf_weights: list or 1D array of floats, default None. With ``output_mode="tf_idf"`` and a vocabulary.
        invert: bool, default False. Map indices back to strings (``output_mode="int"`` only).
        output_mode: str, default ``"int"``. ``"int"`` (indices, int64), ``"one_hot"`` (each element encoded),
            ``"multi_hot"``, ``"count"`` or ``"tf_idf"`` (the last axis of each sample encoded), as float32.
        pad_to_max_tokens: bool, default False. Encode over ``max_tokens`` slots whatever the vocabulary size.
        sparse: bool, default False. Only False is supported (a ValueError otherwise).
        encoding: str, default ``"utf-8"``. How bytes inputs and vocabulary files are decoded.
        name: str or None, default None. The layer's name.
        salt: int, pair of ints or None, default None. Key the OOV hash with it (SipHash-2-4, as Keras).
        **kwargs: base layer arguments (``dtype``...), and the ``vocabulary_dtype`` (ignored: always strings),
            ``vocabulary_size`` and ``has_input_vocabulary`` keys of Keras's configs.

    Input shape:
        Any shape of strings (a string, nested lists, a NumPy array); with ``invert=True``, integers (a tensor,
        an array or a list).

    Output shape:
        ``"int"``: the input shape (a torch int64 tensor; with ``invert=True`` a NumPy array of str).
        ``"one_hot"``: the input shape plus ``(depth,)`` (a last axis of size 1 is replaced). Other modes: the
        input shape with its last axis replaced by ``(depth,)``; ``depth`` is the vocabulary size, or
        ``max_tokens`` with ``pad_to_max_tokens=True``. Encodings are float32.

    Raises:
        ValueError: for invalid arguments (``max_tokens`` of 1 or less, a negative ``num_oov_indices``,
            ``pad_to_max_tokens`` without ``max_tokens``, an unknown ``output_mode``, ``invert`` with another mode than
            ``"int"``, ``sparse=True``, ``idf_weights`` without ``"tf_idf"``, an ``encoding`` that is not a str); a
            vocabulary that is empty, not 1D, repeats a token, holds a special token or exceeds ``max_tokens``;
            ``adapt`` on a layer made with a vocabulary; an out-of-vocabulary input with ``num_oov_indices=0``.

    Example:
    >>> layer = StringLookup()
    >>> layer.adapt([["a", "c", "d"], ["d", "z", "b"]])
    >>> layer.get_vocabulary()
    ['[UNK]', 'd', 'z', 'c', 'b', 'a']
    >>> StringLookup(vocabulary=["a", "b", "c", "d"], num_oov_indices=2)([["a", "c", "d"], ["m", "z", "b"]])
    tensor([[2, 4, 5],
            [0, 1, 3]])
    >>> StringLookup(vocabulary=["a", "b", "c", "d"], output_mode="count")([["a", "c", "d", "d"], ["d", "z", "b", "z"]])
    tensor([[0., 1., 0., 1., 2.],
            [2., 0., 1., 0., 1.]])
    >>> StringLookup(vocabulary=["a", "b", "c", "d"], invert=True)([[1, 3, 4], [4, 0, 2]])
    array([['a', 'c', 'd'],
           ['d', '[UNK]', 'b']], dtype='<U5')
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: str | bytes | None = None,
        oov_token: str | bytes = "[UNK]",
        vocabulary: str | os.PathLike[str] | TensorLike | None = None,
        idf_weights: TensorLike | None = None,
        invert: bool = False,
        output_mode: str = "int",
        pad_to_max_tokens: bool = False,
        sparse: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        salt: int | tuple[int, int] | list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(encoding, str):
            raise ValueError(
                f'StringLookup layer "{name}": encoding must be a codec name such as "utf-8", '
                f"received encoding={encoding!r}"
            )
        self.__dict__["encoding"] = encoding  # before the vocabulary is read (a file is decoded with it)
        kwargs.pop("vocabulary_dtype", None)  # always "string"
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            vocabulary_dtype="string",
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens,
            sparse=sparse,
            name=name,
            salt=salt,
            **kwargs,
        )

    # ------------------------------------------------------------------ tokens
    def _convert_special(self, token, arg):
        if isinstance(token, bytes):
            token = token.decode(self.encoding)
        if token is not None and not isinstance(token, str):
            self._fail(f"{arg} must be a string or None, received {arg}={token!r}")
        return None if token is None else str(token)

    def _convert_tokens(self, values, what):
        return to_strings(values, self.encoding, self._fail, what)

    def _ids(self, values):
        """The indices of a NumPy array of strings, as a torch int64 tensor (masked outside "int": -1)."""
        return torch.as_tensor(self._ids_of_array(values), device=self._weight_device())

    # ------------------------------------------------------------------ calling
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if any(isinstance(x, KerasTensor) for x in tree.flatten((inputs, args, kwargs))):
            raise symbolic_string_error(self._owner_label or f'StringLookup layer "{self.name}"')
        kwargs.pop("training", None)  # no training behaviour; called eagerly (no torch module hooks)
        return self.call(inputs, *args, **kwargs)

    def call(self, inputs: TensorLike) -> torch.Tensor | np.ndarray:
        if self.invert:
            return self._inverse(inputs)
        return self._output(self._ids(self._convert_tokens(inputs, "inputs")))

    def _inverse(self, inputs):
        if isinstance(inputs, torch.Tensor):
            if inputs.dtype.is_floating_point or inputs.dtype.is_complex:
                self._fail(f"invert=True expects integer indices, received a {inputs.dtype} tensor")
            ids = inputs.detach().cpu().numpy()
        else:
            ids = np.asarray(inputs)
            if ids.size and ids.dtype.kind not in "iu":
                self._fail(f"invert=True expects integer indices, received dtype {ids.dtype}")
        ids = ids.astype("int64")
        table = self._tensors.get("strings")
        if table is None:
            table = self._tensors["strings"] = np.array(self.get_vocabulary(), dtype=str)
        if table.size == 0:
            return np.full(ids.shape, self.oov_token, dtype=str)
        valid = (ids >= 0) & (ids < table.size)
        return np.where(valid, table[np.clip(ids, 0, table.size - 1)], self.oov_token)

    def compute_output_spec(self, inputs: Any) -> NoReturn:
        raise symbolic_string_error(self._owner_label or f'StringLookup layer "{self.name}"')

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["vocabulary_dtype"]  # always strings
        config["encoding"] = self.encoding
        return config

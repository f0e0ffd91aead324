"""``IndexLookup``: the vocabulary lookup shared by ``StringLookup``, ``IntegerLookup`` and ``TextVectorization``.

Index layout, as Keras 3 lays it out: with ``output_mode="int"``, index 0 is the mask token (when
``mask_token`` is set), then come ``num_oov_indices`` out-of-vocabulary (OOV) indices, then the vocabulary.
In the other output modes the mask token takes no index (masked inputs are dropped from the encoding) and the
OOV indices come first. An OOV input goes to the single OOV index; with several OOV indices it goes to bucket
``hash(token) % num_oov_indices`` (TensorFlow's FarmHash ``Fingerprint64`` of the UTF-8 bytes, or SipHash-2-4
keyed with ``salt``, both computed in Python by :mod:`kerastorch.backend.hashing` with the same results; integers
use ``token % num_oov_indices`` unless ``oov_method="farmhash"``, which hashes their decimal text); with none it
is an error.

``adapt`` counts the tokens (the mask and OOV tokens left out) and keeps the most frequent first, ties broken
by the larger token first (Keras's order), cut to ``max_tokens`` minus the special indices. In ``"tf_idf"``
mode each row of the data is a document and a token's weight is ``log(1 + documents / (1 + documents with the
token))``; the OOV indices get the mean weight.

These layers are preprocessing layers: strings are Python / NumPy strings, which torch tensors cannot hold.
See ``StringLookup`` and ``TextVectorization`` for where they run (eagerly, outside symbolic graphs).

Example:
    >>> from kerastorch.layers import StringLookup
    >>> layer = StringLookup(vocabulary=["a", "b"], mask_token="")
    >>> layer.get_vocabulary()
    ['', '[UNK]', 'a', 'b']
    >>> layer([["a", "z", ""]])
    tensor([[2, 1, 0]])
"""

from __future__ import annotations

import collections
import itertools
import numbers
import os
from typing import TYPE_CHECKING, Any, Iterable, Iterator, NoReturn

import numpy as np
import torch
import torch.nn.functional as F

from kerastorch import config as kconfig
from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.hashing import hash_buckets
from kerastorch.backend.keras_tensor import KerasTensor, real_tensors
from kerastorch.backend.torch_internals import is_fake
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization import serialization_lib

if TYPE_CHECKING:
    from typing import TypeGuard

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
VOCABULARY_FILE = "vocabulary.txt"
IDF_FILE = "idf_weights.txt"
DROP = -1  # the id of masked inputs outside "int" mode: no slot in the encoding


# ----------------------------------------------------------------------------------------------- helpers
def listify(value: Any) -> Any:
    """Config form of a vocabulary or idf weights: lists (not tuples, arrays or tensors) of plain values.

    Args:
        value: a list, tuple, NumPy array or tensor (nested too), or a plain value.

    Returns:
        The same values as (nested) lists of Python values.

    >>> listify(np.array([1, 2]))
    [1, 2]
    """
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (tuple, list)):
        return [v.item() if isinstance(v, np.generic) else v for v in value]
    return value


def is_int(value: Any) -> TypeGuard[int | np.integer[Any]]:
    """Whether ``value`` is an integer (a Python or NumPy int), a bool excepted.

    Args:
        value: anything.

    Returns:
        bool.

    >>> is_int(np.int64(3)), is_int(True)
    (True, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _features(batch):
    """The inputs of a batch from a data pipeline: ``x`` of ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(batch, tuple) and batch and not isinstance(batch[0], (str, bytes)):
        return batch[0]
    if (
        isinstance(batch, list)
        and len(batch) in (2, 3)
        and isinstance(batch[-1], torch.Tensor)
        and not isinstance(batch[0], (str, bytes, numbers.Number))
    ):
        return batch[0]  # a DataLoader batch of (x, y) samples: [x batch, y tensor]
    return batch


def adapt_batches(
    data: np.ndarray | torch.Tensor | Iterable[Any] | torch.utils.data.Dataset[Any], steps: int | None = None
) -> Iterator[Any]:
    """The batches ``adapt`` reads from ``data``, as Keras reads them.

    A list, tuple, NumPy array, tensor or string is one batch whose rows are documents (a flat one is a
    column: every element is a document); anything else iterable (a generator, a ``DataLoader``, a
    ``torch.utils.data.Dataset``) yields batches, of which ``steps`` caps the number read. ``(x, y)`` batches
    use ``x``.

    Args:
        data: the data.
        steps: int or None.

    Returns:
        an iterator of batches.

    >>> [np.asarray(b).shape for b in adapt_batches(["a b", "c"])]
    [(2, 1)]
    """
    if isinstance(data, (list, tuple, np.ndarray, torch.Tensor, str, bytes)):
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        if isinstance(data, (list, tuple)) and data and all(isinstance(x, (str, bytes, numbers.Number)) for x in data):
            data = np.asarray(data)
        if isinstance(data, np.ndarray) and data.ndim == 1:
            data = data[:, None]
        return iter([data])
    if isinstance(data, torch.utils.data.Dataset) and not isinstance(data, torch.utils.data.IterableDataset):
        data = torch.utils.data.DataLoader(data, batch_size=256)
    if not hasattr(data, "__iter__"):
        raise TypeError(
            f"adapt() expects a list, a NumPy array, a tensor, a torch Dataset / DataLoader or an "
            f"iterable of batches, received {type(data).__name__}"
        )
    batches = (_features(b) for b in data)
    if steps is not None:
        batches = (b for _, b in zip(range(int(steps)), batches))
    return batches


def _read_lines(path, encoding):
    """The lines of a vocabulary file, as TensorFlow's text-file tables read them ('\\n' or '\\r\\n' ends)."""
    with open(path, "rb") as f:
        text = f.read().decode(encoding)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _safe_mode_loading():
    """Whether a ``load_model`` with ``safe_mode=True`` is running (its scope is set explicitly)."""
    return getattr(serialization_lib._SAFE_MODE, "value", None) is True


# ----------------------------------------------------------------------------------------------- layer
class IndexLookup(Layer):
    """Maps tokens to indices in a vocabulary (or back): the base of ``StringLookup`` and ``IntegerLookup``.

    Not a Keras layer on its own (Keras does not export it either): subclasses say what a token is
    (``_convert_tokens``) and how a lookup runs. The arguments are those of ``StringLookup``.

    Args:
        max_tokens: int or None, default None. The most indices the vocabulary may have, special ones included.
        num_oov_indices: int, default 1. How many indices out-of-vocabulary tokens share (0: they are an error).
        mask_token: token or None. The token that marks masked inputs (index 0 in ``"int"`` mode).
        oov_token: token. What an inverse lookup returns for OOV indices.
        vocabulary_dtype: str. ``"string"``, ``"int64"`` or ``"int32"``.
        vocabulary: list, array or file path, default None. The vocabulary (or call ``adapt``).
        idf_weights: list or array of floats, default None. The ``"tf_idf"`` weights of the vocabulary.
        invert: bool, default False. Map indices to tokens instead.
        output_mode: str, default ``"int"``. ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        sparse: bool, default False. Only False (dense outputs) is supported.
        pad_to_max_tokens: bool, default False. Encode over ``max_tokens`` slots whatever the vocabulary size.
        oov_method: str, default ``"floormod"``. How integers pick one of several OOV indices:
            ``"floormod"`` (``token % num_oov_indices``) or ``"farmhash"`` (the hash of their decimal text).
        salt: int, pair of ints or None, default None. Key the OOV hash (SipHash-2-4) with it.

    Example:
    >>> from kerastorch.layers import IntegerLookup
    >>> layer = IntegerLookup(vocabulary=[7, 9], num_oov_indices=2)
    >>> layer.get_vocabulary(), layer(torch.tensor([9, 7, 4, 5]))
    ([-1, -1, 7, 9], tensor([3, 2, 0, 1]))
    """

    _token_kind = "string"  # or "int": what the subclass's tokens are

    def __init__(
        self,
        max_tokens: int | None,
        num_oov_indices: int,
        mask_token: str | bytes | int | np.integer[Any] | None,
        oov_token: str | bytes | int | np.integer[Any],
        vocabulary_dtype: str,
        vocabulary: str | os.PathLike[str] | TensorLike | None = None,
        idf_weights: TensorLike | None = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt: int | tuple[int, int] | list[int] | None = None,
        vocabulary_size: int | None = None,
        has_input_vocabulary: bool | None = None,
        **kwargs: Any,
    ) -> None:
        owner = kwargs.pop("_owner_label", None)
        super().__init__(**kwargs)
        self._owner_label = owner
        if max_tokens is not None and (not is_int(max_tokens) or max_tokens <= 1):
            self._fail(f"max_tokens must be None or an integer greater than 1, received max_tokens={max_tokens!r}")
        if not is_int(num_oov_indices) or num_oov_indices < 0:
            self._fail(f"num_oov_indices must be an integer >= 0, received num_oov_indices={num_oov_indices!r}")
        if pad_to_max_tokens and max_tokens is None:
            self._fail("pad_to_max_tokens=True needs max_tokens (the size to pad to), received max_tokens=None")
        if output_mode == "binary":  # Keras's deprecated names
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in OUTPUT_MODES:
            self._fail(f"output_mode must be one of {list(OUTPUT_MODES)}, received output_mode={output_mode!r}")
        if invert and output_mode != "int":
            self._fail(f"invert=True needs output_mode='int', received output_mode={output_mode!r}")
        if sparse:
            self._fail(
                f"sparse outputs are not supported by kerastorch (dense tensors only), received sparse={sparse!r}"
            )
        if idf_weights is not None and output_mode != "tf_idf":
            self._fail(
                f"idf_weights is only used with output_mode='tf_idf', received idf_weights with "
                f"output_mode={output_mode!r}"
            )
        if oov_method not in ("floormod", "farmhash"):
            self._fail(f"oov_method must be 'floormod' or 'farmhash', received oov_method={oov_method!r}")
        if vocabulary_dtype not in self._vocabulary_dtypes():
            self._fail(
                f"vocabulary_dtype must be one of {list(self._vocabulary_dtypes())}, received "
                f"vocabulary_dtype={vocabulary_dtype!r}"
            )
        if salt is not None:
            if self._token_kind == "int" and oov_method != "farmhash":
                self._fail(
                    f"salt is only used with oov_method='farmhash', received salt={salt!r} with "
                    f"oov_method={oov_method!r}"
                )
            if is_int(salt):
                salt = [int(salt), int(salt)]
            elif isinstance(salt, (tuple, list)) and len(salt) == 2 and all(is_int(s) for s in salt):
                salt = [int(s) for s in salt]
            else:
                self._fail(f"salt must be an integer or a pair of integers, received salt={salt!r}")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = self._convert_special(mask_token, "mask_token")
        self.oov_token = self._convert_special(oov_token, "oov_token")
        self.vocabulary_dtype = vocabulary_dtype
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.oov_method = oov_method
        self.salt = salt
        self._frozen_vocab_size = vocabulary_size
        self._has_input_vocabulary = (
            (vocabulary is not None) if has_input_vocabulary is None else bool(has_input_vocabulary)
        )
        # The config keeps a vocabulary given as values; one read from a file travels as an asset.
        self.input_vocabulary = None if isinstance(vocabulary, (str, os.PathLike)) else vocabulary
        self.input_idf_weights = idf_weights
        self._tokens: list[Any] = []
        self._index: dict[Any, int] = {}
        self._idf: np.ndarray | None = None
        self._vocabulary_set = False
        # caches made from the vocabulary: lookup tables (per device) and idf tensors
        self._tensors: dict[Any, Any] = {}
        if vocabulary is None and vocabulary_size is not None and vocabulary_size <= self._token_start_index():
            self._frozen_vocab_size = None  # Keras's config of a layer without vocabulary: nothing to keep
        self.reset_state()
        if output_mode == "tf_idf" and self._has_input_vocabulary and vocabulary is not None and idf_weights is None:
            self._fail(
                "output_mode='tf_idf' with a vocabulary needs its idf_weights as well, received idf_weights=None"
            )
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            self._idf = np.asarray(idf_weights, dtype="float32").reshape(-1)
        self.built = True  # nothing to build: the vocabulary is not a weight

    # ------------------------------------------------------------------ subclass hooks
    def _vocabulary_dtypes(self):
        return ("string",)

    def _convert_special(self, token, arg):
        return token

    def _convert_tokens(self, values, what):
        """``values`` as a NumPy array of tokens (str or int64), or a ValueError naming ``what``."""
        raise NotImplementedError

    def _parse_line(self, line):
        return line

    # ------------------------------------------------------------------ errors
    def _fail(self, message: str, error: type[Exception] = ValueError) -> NoReturn:
        raise error(f"{self._owner_label or layer_label(self)}: {message}")

    # ------------------------------------------------------------------ index layout
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The number of indices: the vocabulary with its mask and OOV indices.

        >>> from kerastorch.layers import StringLookup
        >>> StringLookup(vocabulary=["a", "b", "c"], num_oov_indices=2).vocabulary_size()
        5
        """
        return self._token_start_index() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[Any]:
        """The vocabulary, in index order.

        Args:
            include_special_tokens: bool, default True. With the mask and OOV tokens first, so that a token's
                position is its index; without them, the learnt or given tokens only.

        Returns:
            list of tokens (str for strings, int for integers).

        >>> from kerastorch.layers import StringLookup
        >>> layer = StringLookup(vocabulary=["a", "b"], mask_token="[MASK]")
        >>> layer.get_vocabulary(), layer.get_vocabulary(include_special_tokens=False)
        (['[MASK]', '[UNK]', 'a', 'b'], ['a', 'b'])
        """
        if not include_special_tokens:
            return list(self._tokens)
        return (
            [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices + list(self._tokens)
        )

    def _depth(self):
        """The size of the encodings of the non-"int" modes."""
        if self.pad_to_max_tokens:
            return self.max_tokens
        if self._frozen_vocab_size is None:
            self._fail(
                f"output_mode={self.output_mode!r} with pad_to_max_tokens=False needs the vocabulary "
                "before the layer is called: pass vocabulary=... or call adapt(data) first",
                RuntimeError,
            )
        return self._frozen_vocab_size

    def _record_vocabulary_size(self, size):
        """Keras's rule: outside "int" mode (unpadded) the encoding size is fixed once the layer has a vocabulary."""
        frozen = self._frozen_vocab_size
        if self.output_mode != "int" and not self.pad_to_max_tokens and frozen is not None and size != frozen:
            self._fail(
                f"with output_mode={self.output_mode!r} and pad_to_max_tokens=False the vocabulary size "
                f"cannot change once set (it is the encoding size): old size {frozen}, new size {size}",
                RuntimeError,
            )
        self._frozen_vocab_size = size

    def _store(self, tokens, idf):
        self._record_vocabulary_size(self._token_start_index() + len(tokens))
        self._tokens = list(tokens)
        self._index = {token: i for i, token in enumerate(self._tokens, self._token_start_index())}
        if idf is not None:
            self._idf = np.asarray(idf, dtype="float32")
        self._vocabulary_set = True
        self._tensors = {}

    # ------------------------------------------------------------------ vocabulary
    def set_vocabulary(
        self, vocabulary: str | os.PathLike[str] | TensorLike, idf_weights: TensorLike | None = None
    ) -> None:
        """Set the vocabulary (and, for ``"tf_idf"``, the idf weights) directly instead of by ``adapt``.

        A vocabulary that starts with the special tokens in their index order (the mask token in ``"int"``
        mode, then ``num_oov_indices`` OOV tokens: what ``get_vocabulary()`` returns) is taken as it is;
        otherwise they are put in front of it. The idf weights of a vocabulary without its special tokens get
        their mean as the weight of the OOV indices. A file path is read one token per line, every line a
        vocabulary token (as Keras reads files).

        Args:
            vocabulary: list, tuple, 1D NumPy array or tensor of tokens, or the path of a text file.
            idf_weights: list or 1D array of floats, as long as ``vocabulary``; needed with ``"tf_idf"`` only.

        >>> from kerastorch.layers import StringLookup
        >>> layer = StringLookup(output_mode="tf_idf")
        >>> layer.set_vocabulary(["a", "b"], idf_weights=[0.5, 1.5])
        >>> layer([["a", "b", "b", "z"]])   # the OOV slot weighs the mean, 1.0
        tensor([[1.0000, 0.5000, 3.0000]])
        """
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                self._fail("output_mode='tf_idf' needs idf_weights with the vocabulary, received idf_weights=None")
        elif idf_weights is not None:
            self._fail(
                f"idf_weights is only used with output_mode='tf_idf', received idf_weights with "
                f"output_mode={self.output_mode!r}"
            )
        if isinstance(vocabulary, (str, os.PathLike)):
            self._set_vocabulary_file(os.fspath(vocabulary))
        else:
            self._set_vocabulary_values(vocabulary, idf_weights)
        if self.input_vocabulary is not None:  # keep the config in step with the vocabulary
            if isinstance(vocabulary, (str, os.PathLike)):
                self.input_vocabulary = self.input_idf_weights = None
            else:
                self.input_vocabulary, self.input_idf_weights = vocabulary, idf_weights

    def _set_vocabulary_file(self, path):
        if _safe_mode_loading():
            self._fail(
                f"loading a vocabulary file named by a saved model ('{path}') is refused in safe mode (it "
                "could read any file); pass safe_mode=False to load_model if you trust the model"
            )
        if not os.path.isfile(path):
            self._fail(f"vocabulary file '{path}' does not exist")
        if self.output_mode == "tf_idf":
            self._fail(
                "output_mode='tf_idf' cannot read its vocabulary from a file (it needs idf_weights); "
                "pass the vocabulary as a list with idf_weights"
            )
        tokens = [self._parse_line(line) for line in _read_lines(path, getattr(self, "encoding", "utf-8"))]
        self._check_tokens(tokens, tokens)
        self._store(tokens, None)

    def _set_vocabulary_values(self, vocabulary, idf_weights):
        values = self._convert_tokens(vocabulary, "vocabulary")
        if values.ndim != 1:
            self._fail(f"vocabulary must be one-dimensional, received shape {values.shape}")
        if values.size == 0:
            self._fail("vocabulary must not be empty, received an empty vocabulary")
        values = values.tolist()
        start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        has_special = values[:start] == special
        tokens = values[start:] if has_special else values
        self._check_tokens(tokens, values)
        idf = None
        if self.output_mode == "tf_idf":
            weights = np.asarray(listify(idf_weights), dtype="float64")
            if weights.ndim != 1:
                self._fail(f"idf_weights must be one-dimensional, received shape {weights.shape}")
            if len(weights) != len(values):
                self._fail(
                    f"idf_weights must be as long as the vocabulary ({len(values)}), received {len(weights)} weights"
                )
            front = 0 if has_special else start
            back = self.max_tokens - front - len(weights) if self.pad_to_max_tokens else 0
            idf = np.concatenate([np.full(front, weights.mean() if len(weights) else 0.0), weights, np.zeros(back)])
        self._store(tokens, idf)

    def _check_tokens(self, tokens, vocabulary):
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            self._fail(f"the vocabulary must not repeat a token, received repeated tokens {repeated[:10]}")
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        for token, arg, applies in (
            (self.mask_token, "mask_token", self.mask_token is not None),
            (self.oov_token, "oov_token", self.invert and self.oov_token is not None),
        ):
            if applies and token in tokens:
                self._fail(
                    f"the vocabulary holds the {arg} {token!r} at index {vocabulary.index(token)}; the special "
                    f"tokens may only come first, in index order {special}, or be left out"
                )
        size = self._token_start_index() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            self._fail(
                f"the vocabulary has {size} indices (special ones included), more than max_tokens={self.max_tokens}"
            )

    # ------------------------------------------------------------------ adapt
    def adapt(
        self, data: np.ndarray | torch.Tensor | Iterable[Any] | torch.utils.data.Dataset[Any], steps: int | None = None
    ) -> None:
        """Learn the vocabulary from ``data``: the most frequent tokens first, ties broken by the larger token
        first, at most ``max_tokens`` indices in all; in ``"tf_idf"`` mode the idf weights as well.

        Args:
            data: a list (nested lists too), a NumPy array, a tensor, a torch ``Dataset`` / ``DataLoader`` or
                any iterable of batches (``(x, y)`` batches use ``x``). A flat list or array holds one token
                per document; in a batch of rank 2 or more each row is a document (rows of a list may differ
                in length).
            steps: int or None, default None. The most batches read from an iterable.

        >>> from kerastorch.layers import StringLookup
        >>> layer = StringLookup(max_tokens=3)
        >>> layer.adapt([["b", "a"], ["a", "c"], ["c", "d"]])
        >>> layer.get_vocabulary()     # "a" and "c" twice; the tie goes to "c"
        ['[UNK]', 'c', 'a']
        """
        self.reset_state()
        for batch in adapt_batches(data, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: TensorLike) -> None:
        """Count the tokens of one batch (rank 0 or 1: one document; otherwise one document per row; a list of
        rows of different lengths is a list of documents)."""
        self._check_adaptable()
        if (
            isinstance(data, (list, tuple))
            and data
            and all(isinstance(row, (list, tuple, np.ndarray)) for row in data)
            and len({len(row) for row in data}) > 1
        ):
            self._count_documents([self._convert_tokens(row, "adapt() data").reshape(-1).tolist() for row in data])
            return
        values = self._convert_tokens(data, "adapt() data")
        if values.ndim <= 1:
            documents = [values.reshape(-1).tolist()]
        else:
            documents = values.reshape(values.shape[0], -1).tolist()
        self._count_documents(documents)

    def _check_adaptable(self):
        if self._has_input_vocabulary:
            self._fail(
                "cannot adapt a layer made with a vocabulary argument; make it without one to adapt it "
                "(set_vocabulary replaces a vocabulary)"
            )

    def _count_documents(self, documents):
        """Add the token counts (and document counts, for ``"tf_idf"``) of ``documents``, lists of tokens."""
        self._check_adaptable()
        for document in documents:
            self._token_counts.update(document)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(document))
        if self.output_mode == "tf_idf":
            self._num_documents += len(documents)

    def finalize_state(self) -> None:
        """Make the vocabulary from the counts gathered since ``reset_state`` (no counts: no change)."""
        if self._has_input_vocabulary or not self._token_counts:
            return
        counts = dict(self._token_counts)
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[: max(self.max_tokens - self._token_start_index(), 0)]
        tokens = [token for token, _ in ranked]
        idf = None
        if self.output_mode == "tf_idf":
            frequency = np.array([self._document_counts[t] for t in tokens], dtype="float64")
            weights = np.log(1 + self._num_documents / (1 + frequency)).astype("float32")
            mean = np.float32(weights.mean(dtype="float64")) if weights.size else np.float32(0)
            idf = np.concatenate([np.full(self._token_start_index(), mean, dtype="float32"), weights])
            if self.pad_to_max_tokens:
                assert self.max_tokens is not None  # (pad_to_max_tokens needs it: checked by __init__)
                idf = np.concatenate([idf, np.zeros(self.max_tokens - len(idf), dtype="float32")])
        self._store(tokens, idf)
        self.reset_state()

    def reset_state(self) -> None:
        """Forget the counts gathered by ``update_state`` (the vocabulary stays)."""
        self._token_counts: collections.Counter[Any] = collections.Counter()
        self._document_counts: collections.Counter[Any] = collections.Counter()
        self._num_documents = 0

    # ------------------------------------------------------------------ lookups
    def _oov_buckets(self, tokens):
        """The OOV index (from ``_oov_start_index``) of each OOV token, with several OOV indices."""
        n = self.num_oov_indices
        if self._token_kind == "int" and self.oov_method == "floormod":
            buckets = np.asarray([int(t) % n for t in tokens], dtype="int64")
        else:
            buckets = hash_buckets([str(int(t)) if self._token_kind == "int" else t for t in tokens], n, self.salt)
        return buckets + self._oov_start_index()

    def _no_oov_error(self, tokens):
        self._fail(
            f"with num_oov_indices=0 every input must be in the vocabulary; received out-of-vocabulary "
            f"inputs {list(tokens)[:10]} (set num_oov_indices=1 to map them to an OOV index)"
        )

    def _ids_of_tokens(self, tokens):
        """The indices of a list of tokens, as a 1D int64 NumPy array (masked tokens: 0 in "int" mode,
        ``DROP`` otherwise): one dict lookup per token, then the OOV rule on the misses."""
        table = self._tensors.get("table")
        if table is None:  # the vocabulary, and the mask token (never in it) as -2
            table = self._tensors["table"] = dict(self._index)
            if self.mask_token is not None:
                table[self.mask_token] = -2
        ids = np.fromiter(map(table.get, tokens, itertools.repeat(-1)), dtype="int64", count=len(tokens))
        masked, positions = ids == -2, np.flatnonzero(ids == -1)
        ids[masked] = 0 if self.output_mode == "int" else DROP
        if positions.size:
            missing = [tokens[i] for i in positions.tolist()]
            if self.num_oov_indices == 0:
                self._no_oov_error(sorted(set(missing)))
            elif self.num_oov_indices == 1:
                ids[positions] = self._oov_start_index()
            else:
                distinct = list(dict.fromkeys(missing))
                bucket = dict(zip(distinct, self._oov_buckets(distinct).tolist()))
                ids[positions] = [bucket[t] for t in missing]
        return ids

    def _ids_of_array(self, values):
        """The indices of a NumPy array of tokens, in its shape (see :meth:`_ids_of_tokens`)."""
        return self._ids_of_tokens(values.reshape(-1).tolist()).reshape(values.shape)

    def _encode(self, ids):
        """``"int"`` ids (negative: dropped) in the layer's ``output_mode``: a float tensor."""
        depth = self._depth()
        dtype = kconfig.torch_dtype(kconfig.floatx())
        if ids.dim() == 0:
            ids = ids.reshape(1)
        if self.output_mode == "one_hot":
            if ids.dim() > 1 and ids.shape[-1] == 1:
                ids = ids.squeeze(-1)
            return F.one_hot(torch.where(ids >= 0, ids, depth), depth + 1)[..., :depth].to(dtype)
        slots = torch.where(ids >= 0, ids, depth)
        out = torch.zeros(tuple(ids.shape[:-1]) + (depth + 1,), dtype=dtype, device=ids.device)
        if self.output_mode == "multi_hot":
            out.scatter_(-1, slots, 1.0)
        else:
            out.scatter_add_(-1, slots, torch.ones((), dtype=dtype, device=ids.device).expand(slots.shape))
        out = out[..., :depth]
        if self.output_mode == "tf_idf":
            out = out * self._idf_tensor(ids.device, dtype, depth)
        return out

    def _idf_tensor(self, device, dtype, depth):
        if self._idf is None:
            self._fail(
                "output_mode='tf_idf' needs idf weights: pass vocabulary and idf_weights, call "
                "set_vocabulary(vocabulary, idf_weights) or adapt(data) first"
            )
        if len(self._idf) != depth:
            self._fail(f"the idf weights have {len(self._idf)} entries for an encoding of size {depth}")
        key = ("idf", device, dtype)
        if key not in self._tensors:
            with real_tensors():  # a real tensor, even when first asked for inside a symbolic run
                self._tensors[key] = torch.as_tensor(self._idf, dtype=dtype, device=device)
        return self._tensors[key]

    def _output(self, ids):
        return ids if self.output_mode == "int" else self._encode(ids)

    # ------------------------------------------------------------------ shapes
    def compute_output_shape(self, input_shape: Shape) -> Shape:
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        shape = input_shape or (1,)
        if self.output_mode == "one_hot":
            if len(shape) > 1 and shape[-1] == 1:
                shape = shape[:-1]
            return shape + (depth,)
        return shape[:-1] + (depth,)

    def _output_dtype(self):
        return "int64" if self.output_mode == "int" else kconfig.floatx()

    def compute_output_spec(self, inputs: KerasTensor) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), self._output_dtype())

    # ------------------------------------------------------------------ config and assets
    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "invert": self.invert,
                "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices,
                "oov_token": self.oov_token,
                "mask_token": self.mask_token,
                "output_mode": self.output_mode,
                "sparse": self.sparse,
                "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype,
                "idf_weights": listify(self.input_idf_weights),
                "vocabulary": listify(self.input_vocabulary),
                "vocabulary_size": self._frozen_vocab_size,
                "oov_method": self.oov_method,
                "salt": self.salt,
            }
        )
        return config

    def save_assets(self, dir_path: str) -> None:
        """Write the vocabulary to ``dir_path/vocabulary.txt`` (one token per line, special tokens included;
        Keras's asset) and, in ``"tf_idf"`` mode, the idf weights to ``idf_weights.txt``; nothing when the
        config already holds the vocabulary or there is none yet. Saving a model calls it.

        Args:
            dir_path: str, an existing folder.
        """
        if self.input_vocabulary is not None or not self._vocabulary_set:
            return
        with open(os.path.join(dir_path, VOCABULARY_FILE), "w", encoding="utf-8") as f:
            f.write("\n".join(str(token) for token in self.get_vocabulary()))
        if self.output_mode == "tf_idf" and self._idf is not None:
            with open(os.path.join(dir_path, IDF_FILE), "w", encoding="utf-8") as f:
                f.write("\n".join(repr(float(w)) for w in self._idf))

    def load_assets(self, dir_path: str) -> None:
        """Set the vocabulary (and idf weights) that :meth:`save_assets` wrote to ``dir_path``; loading a model
        calls it. Nothing to do when the config holds the vocabulary or the folder has no vocabulary file.

        Args:
            dir_path: str, the folder.
        """
        path = os.path.join(dir_path, VOCABULARY_FILE)
        if self.input_vocabulary is not None or not os.path.isfile(path):
            return
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        while lines and lines[-1] == "":
            lines.pop()
        values = [self._parse_line(line) for line in lines]
        idf: list[float] | np.ndarray | None = None
        if self.output_mode == "tf_idf":
            idf_path = os.path.join(dir_path, IDF_FILE)
            if os.path.isfile(idf_path):
                with open(idf_path, encoding="utf-8") as f:
                    idf = [float(w) for w in f.read().split()]
            else:
                idf = self._idf
            if idf is None:
                self._fail(f"{dir_path} has no {IDF_FILE} for the vocabulary of this 'tf_idf' layer")
            idf = list(idf)[: len(values)]
        self.set_vocabulary(values, idf_weights=idf)


def skip_checks(tensor: torch.Tensor) -> bool:
    """Whether ``tensor`` only stands for shapes (a fake tensor of a symbolic run) or a compiled graph runs.

    Args:
        tensor: torch tensor, the layer's input.

    Returns:
        bool, True when value checks must be skipped (``tensor`` is fake or ``torch.compile`` is tracing).

    >>> skip_checks(torch.zeros(2))
    False
    """
    return is_fake(tensor) or torch.compiler.is_compiling()

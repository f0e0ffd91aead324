"""``TextVectorization``: text to integer sequences or bag-of-words vectors, without TensorFlow.

Each string goes through Keras's steps: standardize (``"lower"`` lowercases ASCII letters only, as TensorFlow's
``tf.strings.lower`` does; ``"strip_punctuation"`` removes the ASCII punctuation ``string.punctuation``), split
(``"whitespace"``: runs of ASCII whitespace, ends stripped; ``"character"``: one token per Unicode code point),
ngrams (the n-grams of each requested width, joined by a space, grouped by width as ``tf.strings.ngrams``
orders them), then a ``StringLookup`` with mask token ``""`` (index 0, the padding) and one OOV index. The
vocabulary, ``adapt``, the index layout and the encodings are the ``StringLookup``'s.

Where it runs: eagerly, on strings (a list or a NumPy array of ``str`` / ``bytes``); kerastorch has no string
tensors, so the layer cannot sit in a symbolic model (calling it on a symbolic tensor raises a ValueError).
Vectorize the text before ``model.fit`` (or in a ``torch.utils.data.Dataset``), as Keras recommends on its
non-TensorFlow backends, and feed the model the integer tensors. Outputs are dense torch tensors: the ``"int"``
sequences of a batch are padded with 0 to the longest one (or cut / padded to ``output_sequence_length``).
A callable ``standardize`` receives a NumPy array of ``str`` and returns one of the same shape; a callable
``split`` receives a 1D NumPy array of ``str`` and returns one sequence of tokens per string.

Example:
    >>> layer = TextVectorization(output_sequence_length=4)
    >>> layer.adapt(["The cat sat.", "The dog sat!"])
    >>> layer.get_vocabulary()
    ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
    >>> layer(["The bird sat", "a cat"])
    tensor([[2, 1, 3, 0],
            [1, 5, 0, 0]])
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Iterable, NoReturn, Sequence

import numpy as np
import torch

from kerastorch import tree
from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.preprocessing.index_lookup import DROP, adapt_batches, is_int, listify
from kerastorch.layers.preprocessing.string_lookup import StringLookup, symbolic_string_error, to_strings
from kerastorch.serialization import serialization_lib
from kerastorch.serialization.object_registration import register_builtin

STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = ("whitespace", "character")
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
_STRIP = {ord(c): None for c in PUNCTUATION}
_TABLES = {"lower": _LOWER, "strip_punctuation": _STRIP, "lower_and_strip_punctuation": {**_LOWER, **_STRIP}}
_TOKEN = re.compile("[^ \t\n\v\f\r]+")  # between runs of ASCII whitespace, as tf.strings.split


def ngrams(tokens: Sequence[str], widths: Iterable[int]) -> list[str]:
    """The n-grams of ``tokens`` for each width in ``widths``, joined by spaces, grouped by width.

    Args:
        tokens: list of str.
        widths: tuple of positive ints.

    Returns:
        list of str.

    >>> ngrams(["a", "b", "c"], (1, 2))
    ['a', 'b', 'c', 'a b', 'b c']
    """
    out: list[str] = []
    for width in widths:
        out.extend(" ".join(tokens[i : i + width]) for i in range(len(tokens) - width + 1))
    return out


def _serialize_function(value):
    return value if value is None or isinstance(value, str) else serialization_lib.serialize_keras_object(value)


@register_builtin("keras.layers")
class TextVectorization(Layer):
    """Maps strings to sequences of token indices, or to multi-hot / count / TF-IDF vectors.

    Each string is standardized, split into tokens, optionally turned into n-grams, then looked up in a
    vocabulary given as ``vocabulary`` or learnt by ``adapt`` (most frequent tokens first). Index 0 is the
    padding (mask) token ``""`` and index 1 the OOV token ``"[UNK]"`` in ``"int"`` mode; the other modes have
    the OOV slot first and no padding slot. Runs eagerly on strings (see the module notes).

    Args:
        max_tokens: int or None, default None. The most vocabulary indices, the padding and OOV ones included.
        standardize: str, callable or None, default ``"lower_and_strip_punctuation"``. Also ``"lower"``,
            ``"strip_punctuation"``, None (no change) or a callable on a NumPy array of str.
        split: str, callable or None, default ``"whitespace"``. Also ``"character"``, None (each input
            string is one token) or a callable from a 1D NumPy array of str to one token sequence per string.
        ngrams: int, tuple of ints or None, default None. ``n``: the n-grams of widths 1 to ``n``; a tuple: of
            those widths.
        output_mode: str, default ``"int"``. ``"int"`` (int64 index sequences), ``"multi_hot"``, ``"count"``
            or ``"tf_idf"`` (float32 vectors, one per string; ``"one_hot"`` is accepted as in Keras).
        output_sequence_length: int or None, default None. ``"int"`` mode: cut or pad every sequence to this
            length (otherwise to the longest of the batch).
        pad_to_max_tokens: bool, default False. Vectors of ``max_tokens`` entries whatever the vocabulary size.
        vocabulary: list or 1D array of strings, or the path of a text file with one token per line, default
            None.
        idf_weights: list or 1D array of floats, default None. With ``output_mode="tf_idf"`` and a vocabulary.
        sparse: bool, default False. Only False is supported (a ValueError otherwise).
        ragged: bool, default False. Only False is supported: kerastorch has no ragged tensors.
        encoding: str, default ``"utf-8"``. How bytes inputs are decoded.
        name: str or None, default None. The layer's name.
        **kwargs: base layer arguments (``dtype``...), and the ``vocabulary_size`` / ``has_input_vocabulary``
            keys of Keras's configs.

    Input shape:
        ``(batch,)`` or ``(batch, 1)`` strings (or one string); with ``split=None``, any shape of strings.

    Output shape:
        ``"int"``: ``(batch, sequence_length)`` int64. Other modes: ``(batch, depth)`` float32, ``depth`` the
        vocabulary size (or ``max_tokens`` with ``pad_to_max_tokens=True``).

    Raises:
        ValueError: for an unknown ``standardize``, ``split`` or ``output_mode``, malformed ``ngrams``, an
            ``output_sequence_length`` that is negative or comes with another mode than ``"int"``,
            ``ragged=True`` or ``sparse=True``, the vocabulary errors of ``StringLookup``, inputs of a shape the
            split cannot take, or a call on a symbolic tensor.

    Example:
    >>> layer = TextVectorization(max_tokens=5000, output_sequence_length=4)
    >>> layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    >>> layer([["foo qux bar"], ["qux baz"]])
    tensor([[4, 1, 3, 0],
            [1, 2, 0, 0]])
    >>> layer = TextVectorization(output_mode="multi_hot", vocabulary=["earth", "wind", "fire"])
    >>> layer.get_vocabulary()
    ['[UNK]', 'earth', 'wind', 'fire']
    >>> layer(["Wind and fire, fire!"])
    tensor([[1., 0., 1., 1.]])
    """

    _lookup_layer: StringLookup  # set in __init__ (kept out of the module tree)

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: str | Callable[[np.ndarray], Any] | None = "lower_and_strip_punctuation",
        split: str | Callable[[np.ndarray], Any] | None = "whitespace",
        ngrams: int | tuple[int, ...] | list[int] | None = None,
        output_mode: str = "int",
        output_sequence_length: int | None = None,
        pad_to_max_tokens: bool = False,
        vocabulary: str | os.PathLike[str] | TensorLike | None = None,
        idf_weights: TensorLike | None = None,
        sparse: bool = False,
        ragged: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        if not (standardize is None or callable(standardize) or standardize in STANDARDIZE):
            self._fail(
                f"standardize must be None, a callable or one of {list(STANDARDIZE)}, received "
                f"standardize={standardize!r}"
            )
        if not (split is None or callable(split) or split in SPLIT):
            self._fail(f"split must be None, a callable or one of {list(SPLIT)}, received split={split!r}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        modes = ("int", "one_hot", "multi_hot", "count", "tf_idf")
        if output_mode not in modes:
            self._fail(f"output_mode must be one of {list(modes)}, received output_mode={output_mode!r}")
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (
            ngrams is None
            or (is_int(ngrams) and ngrams >= 1)
            or (isinstance(ngrams, tuple) and ngrams and all(is_int(n) and n >= 1 for n in ngrams))
        ):
            self._fail(
                f"ngrams must be None, a positive integer or a tuple of positive integers, received ngrams={ngrams!r}"
            )
        if output_sequence_length is not None:
            if output_mode != "int":
                self._fail(
                    f"output_sequence_length is only used with output_mode='int', received "
                    f"output_sequence_length={output_sequence_length!r} with output_mode={output_mode!r}"
                )
            if not is_int(output_sequence_length) or output_sequence_length < 0:
                self._fail(
                    f"output_sequence_length must be None or an integer >= 0, received "
                    f"output_sequence_length={output_sequence_length!r}"
                )
        if ragged:
            self._fail(
                f"ragged outputs are not supported by kerastorch (it has no ragged tensors; 'int' sequences "
                f"are padded with 0), received ragged={ragged!r}"
            )
        if sparse:
            self._fail(
                f"sparse outputs are not supported by kerastorch (dense tensors only), received sparse={sparse!r}"
            )
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if is_int(ngrams) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = None if output_sequence_length is None else int(output_sequence_length)
        self._encoding = encoding
        # The lookup is this layer's state, not a sublayer: kept out of the module tree, so that saving finds
        # one set of assets (this layer's, which are the lookup's).
        self.__dict__["_lookup_layer"] = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode,
            encoding=encoding,
            has_input_vocabulary=has_input_vocabulary,
            vocabulary_size=vocabulary_size,
            name=f"{self.name}_lookup",
            _owner_label=layer_label(self),
        )
        self.built = True

    def _fail(self, message: str) -> NoReturn:
        raise ValueError(f"{layer_label(self)}: {message}")

    # ------------------------------------------------------------------ vocabulary
    def get_vocabulary(self, include_special_tokens: bool = True) -> list[Any]:
        """The vocabulary in index order: with the padding ``""`` and OOV ``"[UNK]"`` tokens first (so that a
        token's position is its index) unless ``include_special_tokens=False``.

        Args:
            include_special_tokens: bool, default True.

        Returns:
            list of str.

        >>> TextVectorization(vocabulary=["a", "b"]).get_vocabulary(include_special_tokens=False)
        ['a', 'b']
        """
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """The number of indices, the padding and OOV ones included.

        >>> TextVectorization(vocabulary=["a", "b"]).vocabulary_size()
        4
        """
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(
        self, vocabulary: str | os.PathLike[str] | TensorLike, idf_weights: TensorLike | None = None
    ) -> None:
        """Set the vocabulary (and, for ``"tf_idf"``, the idf weights) instead of adapting the layer.

        Args:
            vocabulary: list or 1D array of strings (the special tokens first, or left out), or a file path.
            idf_weights: list or 1D array of floats, as long as ``vocabulary``; ``"tf_idf"`` only.

        >>> layer = TextVectorization()
        >>> layer.set_vocabulary(["hello", "world"])
        >>> layer(["Hello, world!"])
        tensor([[2, 3]])
        """
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------------ adapt
    def adapt(
        self,
        data: np.ndarray | torch.Tensor | Iterable[Any] | torch.utils.data.Dataset[Any],
        batch_size: int | None = None,
        steps: int | None = None,
    ) -> None:
        """Learn the vocabulary from texts: the most frequent tokens first, ties broken by the larger token
        first, at most ``max_tokens`` indices in all (and the idf weights in ``"tf_idf"`` mode, each string a
        document).

        Args:
            data: a list or NumPy array of strings, a torch ``Dataset`` / ``DataLoader`` or any iterable of
                batches of strings (``(x, y)`` batches use ``x``).
            batch_size: unused (Keras's argument; arrays are read at once).
            steps: int or None, default None. The most batches read from an iterable.

        >>> layer = TextVectorization(max_tokens=4)
        >>> layer.adapt(["a b b", "c b a", "d"])
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'b', 'a']
        """
        self.reset_state()
        for batch in adapt_batches(data, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: TensorLike) -> None:
        """Count the tokens of one batch of strings."""
        _, dense, documents = self._preprocess(data)
        if documents is None:
            self._lookup_layer.update_state(dense)
        else:
            self._lookup_layer._count_documents(documents)

    def finalize_state(self) -> None:
        """Make the vocabulary from the counts gathered since ``reset_state``."""
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        """Forget the counts gathered by ``update_state``."""
        self._lookup_layer.reset_state()

    # ------------------------------------------------------------------ text processing
    def _standardized(self, strings):
        standardize = self._standardize
        if standardize is None:
            return strings
        if callable(standardize):
            out = to_strings(standardize(strings), self._encoding, self._fail, "the output of standardize")
            if out.shape != strings.shape:
                self._fail(
                    f"standardize must return strings of the shape it receives {strings.shape}, returned "
                    f"shape {out.shape}"
                )
            return out
        table = _TABLES[standardize]
        return np.array([s.translate(table) for s in strings.reshape(-1).tolist()], dtype=str).reshape(strings.shape)

    def _split_strings(self, strings):
        if self._split == "whitespace":
            return [_TOKEN.findall(s) for s in strings.tolist()]
        if self._split == "character":
            return [list(s) for s in strings.tolist()]
        out = self._split(strings)
        if isinstance(out, torch.Tensor) or len(out) != len(strings):
            self._fail(f"split must return one sequence of tokens per string ({len(strings)}), returned {out!r}")
        return [
            to_strings(tokens, self._encoding, self._fail, "the tokens of split").reshape(-1).tolist() for tokens in out
        ]

    def _preprocess(self, inputs):
        """``(scalar, strings, documents)``: the standardized strings and, when split or n-grams apply, the
        token list of each string (None otherwise)."""
        strings = to_strings(inputs, self._encoding, self._fail, "inputs")
        scalar = strings.ndim == 0
        if scalar:
            strings = strings.reshape(1)
        if self._split is None and strings.ndim == 1:
            strings = strings[:, None]  # each string is a one-token document
        strings = self._standardized(strings)
        documents = None
        if self._split is not None:
            if strings.ndim > 1:
                if strings.ndim > 2 or strings.shape[-1] != 1:
                    self._fail(
                        f"to split strings the inputs must have shape (batch,) or (batch, 1), received "
                        f"shape {strings.shape}"
                    )
                strings = strings[:, 0]
            documents = self._split_strings(strings)
        if self._ngrams is not None:
            if documents is None:
                if strings.ndim != 2:
                    self._fail(
                        f"n-grams of unsplit strings need inputs of shape (batch, tokens), received shape "
                        f"{strings.shape}"
                    )
                documents = strings.tolist()
            documents = [ngrams(tokens, self._ngrams) for tokens in documents]
        return scalar, strings, documents

    # ------------------------------------------------------------------ calling
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if any(isinstance(x, KerasTensor) for x in tree.flatten((inputs, args, kwargs))):
            raise symbolic_string_error(layer_label(self))
        kwargs.pop("training", None)  # no training behaviour; called eagerly (no torch module hooks)
        return self.call(inputs, *args, **kwargs)

    def call(self, inputs: TensorLike) -> torch.Tensor:
        scalar, strings, documents = self._preprocess(inputs)
        lookup = self._lookup_layer
        length = self._output_sequence_length if self._output_mode == "int" else None
        if documents is None:
            ids = lookup._ids(strings)
            if length is not None:
                ids = ids[..., :length]
                if ids.shape[-1] < length:
                    ids = torch.nn.functional.pad(ids, (0, length - ids.shape[-1]))
        else:
            lengths = np.array([len(d) for d in documents], dtype="int64")
            flat = [t for d in documents for t in d]
            flat_ids = lookup._ids_of_tokens(flat)
            width = length if length is not None else int(lengths.max(initial=0))
            padded = np.full((len(documents), width), 0 if self._output_mode == "int" else DROP, dtype="int64")
            rows = np.repeat(np.arange(len(documents)), lengths)
            columns = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            keep = columns < width
            padded[rows[keep], columns[keep]] = flat_ids[keep]
            ids = torch.as_tensor(padded, device=lookup._weight_device())
        out = lookup._output(ids)
        return out[0] if scalar else out

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        input_shape = tuple(input_shape)
        if self._output_mode == "int":
            return (input_shape[0] if input_shape else None, self._output_sequence_length)
        if self._split is None:
            shape = input_shape + (1,) if len(input_shape) <= 1 else input_shape
        else:
            shape = input_shape + (None,)
        return self._lookup_layer.compute_output_shape(shape)

    def compute_output_spec(self, inputs: Any) -> NoReturn:
        raise symbolic_string_error(layer_label(self))

    # ------------------------------------------------------------------ config and assets
    def get_config(self) -> dict[str, Any]:
        lookup = self._lookup_layer
        config = super().get_config()
        config.update(
            {
                "max_tokens": lookup.max_tokens,
                "standardize": _serialize_function(self._standardize),
                "split": _serialize_function(self._split),
                "ngrams": self._ngrams_arg,
                "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup.pad_to_max_tokens,
                "sparse": False,
                "ragged": False,
                "vocabulary": listify(lookup.input_vocabulary),
                "idf_weights": listify(lookup.input_idf_weights),
                "encoding": self._encoding,
                "vocabulary_size": lookup._frozen_vocab_size,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Rebuild the layer from :meth:`get_config` (registered callables are deserialized)."""
        config = dict(config)
        for key in ("standardize", "split"):
            if isinstance(config.get(key), dict):
                config[key] = serialization_lib.deserialize_keras_object(config[key])
        return super().from_config(config)

    def save_assets(self, dir_path: str) -> None:
        """Write the vocabulary (``vocabulary.txt``, and ``idf_weights.txt`` in ``"tf_idf"`` mode) to
        ``dir_path`` unless the config holds it; saving a model calls it.

        Args:
            dir_path: str, an existing folder.
        """
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        """Read back what :meth:`save_assets` wrote; loading a model calls it.

        Args:
            dir_path: str, the folder.
        """
        self._lookup_layer.load_assets(dir_path)

"""``Hashing``: strings or integers to ``num_bins`` hash buckets, with Keras 3's (TensorFlow's) bucket numbers.

A value goes to bucket ``Fingerprint64(text) % num_bins`` (FarmHash, TensorFlow's ``to_hash_bucket_fast``), or
``SipHash-2-4(text, salt) % num_bins`` with a ``salt`` (``to_hash_bucket_strong``), where ``text`` is the UTF-8
bytes of a string, or the decimal text of an integer (so ``7`` and ``"7"`` share a bucket); floats are truncated
to integers first and booleans are ``"true"`` / ``"false"``, as TensorFlow's ``as_string`` writes them. With a
``mask_value`` (and ``num_bins > 1``) bucket 0 is kept for it: masked values go to 0 and the others to
``1 + hash % (num_bins - 1)``. The hashes are those of :mod:`kerastorch.backend.hashing`.

Where it runs: integer (and float or bool) tensors are hashed on their device, inside models built on
``keras.Input(dtype="int64")`` too; each call hashes the distinct values in Python (one host sync per call, as
for any preprocessing of integers into strings). Strings, as in ``StringLookup``, are Python or NumPy strings
(a string, nested lists, a NumPy array of ``str`` / ``bytes``, bytes decoded as UTF-8), so the layer hashes
them eagerly and cannot take them through a symbolic model (there is no ``keras.Input(dtype="string")``).

``sparse=True`` (sparse outputs) is not supported and raises a ValueError.

Example:
    >>> layer = Hashing(num_bins=3)
    >>> layer([["A"], ["B"], ["C"], ["D"], ["E"]])
    tensor([[1],
            [0],
            [1],
            [1],
            [2]])
    >>> layer(torch.tensor([0, 1, 2, 3, 4])), layer(["0", "1", "2", "3", "4"])
    (tensor([1, 0, 1, 0, 2]), tensor([1, 0, 1, 0, 2]))
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch

from kerastorch import config as kconfig
from kerastorch import tree
from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.hashing import hash_buckets
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.backend.torch_internals import is_fake
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label, positive_int
from kerastorch.layers.preprocessing.category_encoding import check_output_mode, encode_categorical, encoded_shape
from kerastorch.layers.preprocessing.string_lookup import symbolic_string_error, to_strings
from kerastorch.serialization.object_registration import register_builtin

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def _check_salt(layer, salt):
    """``salt`` as Keras keeps it: None, or a list of two ints (an int ``s`` is ``[s, s]``); else a ValueError."""
    if salt is None:
        return None
    is_int = lambda s: isinstance(s, numbers.Integral) and not isinstance(s, bool)
    if is_int(salt):
        return [int(salt), int(salt)]
    if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(is_int(s) for s in salt):
        return [int(s) for s in salt]
    raise ValueError(
        f"{layer_label(layer)}: salt must be None, an integer or a pair of integers (the SipHash key), "
        f"received salt={salt!r}"
    )


def check_integer_dtype(layer: Layer, output_mode: str) -> None:
    """Raise a ValueError naming ``layer`` when ``output_mode`` is ``"int"`` and its dtype is not an integer one.

    Args:
        layer: the layer (its ``dtype_policy`` is checked).
        output_mode: str, the layer's output mode.

    Example:
        >>> layer = Hashing(num_bins=2, output_mode="one_hot")
        >>> check_integer_dtype(layer, "one_hot")          # float32 encodings: fine
        >>> check_integer_dtype(layer, "int")
        Traceback (most recent call last):
        ...
        ValueError: Hashing layer "hashing...": output_mode='int' returns bucket indices, ... received dtype='float32'
    """
    if output_mode == "int" and layer.dtype_policy.name not in ("int32", "int64"):
        raise ValueError(
            f"{layer_label(layer)}: output_mode='int' returns bucket indices, so dtype must be 'int32' or "
            f"'int64', received dtype={layer.dtype_policy.name!r}"
        )


@register_builtin("keras.layers")
class Hashing(Layer):
    """Hashes strings or integers into ``num_bins`` buckets (FarmHash64, or SipHash-2-4 with a ``salt``).

    The buckets are Keras 3's (TensorFlow's): see the module notes for the rules. Integers are hashed as their
    decimal text, so ``7`` and ``"7"`` share a bucket.

    Args:
        num_bins: int >= 1. The number of buckets, the mask bucket included when ``mask_value`` is set.
        mask_value: str, int or None, default None. The value of masked inputs, sent to bucket 0 (the others
            then share the ``num_bins - 1`` buckets after it). None: no mask bucket.
        salt: int, pair of ints or None, default None. Hash with SipHash-2-4 keyed with it (an int ``s`` is the
            key ``[s, s]``); None hashes with FarmHash's ``Fingerprint64``.
        output_mode: str, default ``"int"``. ``"int"`` (the bucket indices), ``"one_hot"`` (each element
            encoded as a ``num_bins`` vector; a last axis of size 1 is replaced), ``"multi_hot"`` or ``"count"``
            (each sample, the last axis of a 2D input, encoded as one ``num_bins`` vector).
        sparse: bool, default False. Only False (dense outputs) is supported.
        **kwargs: base layer arguments (``name``, ``dtype``...). ``dtype`` defaults to ``"int64"`` with
            ``output_mode="int"`` (which needs ``"int32"`` or ``"int64"``) and to ``floatx()`` otherwise.

    Input shape:
        Any shape: an integer, float or bool tensor (or NumPy array, or list), or strings (a string, nested
        lists, a NumPy array of ``str`` / ``bytes``).

    Output shape:
        ``"int"``: the input shape. ``"one_hot"``: the input shape plus ``(num_bins,)`` (a last axis of size 1 is
        replaced). ``"multi_hot"`` / ``"count"``: ``(num_bins,)`` for a 1D input (one sample), else the input
        shape with axis 1 replaced by ``num_bins`` as the last axis (``(batch, length) -> (batch, num_bins)``).

    Raises:
        ValueError: for a ``num_bins`` that is not a positive int, an unknown ``output_mode``, ``sparse=True``, a
            non-integer ``dtype`` with ``"int"``, a malformed ``mask_value`` or ``salt``, ragged inputs or inputs of
            another dtype, a ``mask_value`` of another kind than the inputs, or symbolic string inputs.

    Example:
    >>> Hashing(num_bins=3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]]).flatten()
    tensor([1, 1, 0, 2, 2])
    >>> Hashing(num_bins=3, salt=[133, 137])([["A"], ["B"], ["C"], ["D"], ["E"]]).flatten()
    tensor([1, 2, 1, 0, 2])
    >>> Hashing(num_bins=3, output_mode="multi_hot")(torch.tensor([[0, 1], [3, 3]]))
    tensor([[1., 1., 0.],
            [1., 0., 0.]])
    """

    def __init__(
        self,
        num_bins: int,
        mask_value: str | bytes | float | np.generic | None = None,
        salt: int | tuple[int, int] | list[int] | None = None,
        output_mode: str = "int",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else kconfig.floatx()
        kwargs.setdefault("autocast", False)  # float inputs are hashed as integers, not cast to the output dtype
        super().__init__(**kwargs)
        self.num_bins = positive_int(self, "num_bins", num_bins)
        self.output_mode = check_output_mode(self, output_mode, OUTPUT_MODES)
        if sparse:
            raise ValueError(
                f"{layer_label(self)}: sparse outputs are not supported by kerastorch (dense tensors only), "
                f"received sparse={sparse!r}"
            )
        check_integer_dtype(self, output_mode)
        if isinstance(mask_value, bytes):
            mask_value = mask_value.decode("utf-8")
        # (float listed for mypy, which does not see float as a numbers.Real)
        if mask_value is not None and not isinstance(mask_value, (str, float, numbers.Real)):
            raise ValueError(
                f"{layer_label(self)}: mask_value must be None, a string or a number, received "
                f"mask_value={mask_value!r}"
            )
        self.mask_value = mask_value.item() if isinstance(mask_value, np.generic) else mask_value
        self.salt = _check_salt(self, salt)
        self.sparse = False
        self.built = True  # no weights

    # ------------------------------------------------------------------ calling
    def _fail(self, message):
        raise ValueError(f"{layer_label(self)}: {message}")

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(inputs, (torch.Tensor, KerasTensor)):
            return super().__call__(inputs, *args, **kwargs)
        if any(isinstance(x, KerasTensor) for x in tree.flatten(inputs)):
            raise symbolic_string_error(layer_label(self))
        values = self._as_array(inputs)
        if values.dtype.kind in "USO":  # strings: hashed eagerly (no torch module hooks), like StringLookup
            kwargs.pop("training", None)
            return self._hash_strings(to_strings(values, "utf-8", self._fail, "inputs"), *args, **kwargs)
        return super().__call__(torch.as_tensor(values, device=self._weight_device()), *args, **kwargs)

    def _as_array(self, inputs):
        try:
            values = np.asarray(inputs)
        except ValueError:
            self._fail(
                "inputs must be rectangular: kerastorch has no ragged tensors (pad the rows to one length), "
                "received rows of different lengths"
            )
        if values.dtype.kind not in "iubfUSO":
            self._fail(f"inputs must be strings, integers, floats or booleans, received dtype {values.dtype}")
        if values.dtype.kind == "u" and values.dtype != np.uint8:
            values = values.astype(np.int64)  # torch's wider unsigned dtypes lack the ops used here
        return values

    def call(self, inputs: TensorLike) -> torch.Tensor:
        if not isinstance(inputs, torch.Tensor):
            values = self._as_array(inputs)
            if values.dtype.kind in "USO":
                return self._hash_strings(to_strings(values, "utf-8", self._fail, "inputs"))
            inputs = torch.as_tensor(values, device=self._weight_device())
        if inputs.dtype.is_complex:
            self._fail(f"inputs must be strings, integers, floats or booleans, received a {inputs.dtype} tensor")
        return self._output(self._hash_tensor(inputs))

    def _mask_bins(self, strings):
        """The number of hash buckets and whether bucket 0 is the mask's; checks the mask's type."""
        if self.mask_value is None or self.num_bins == 1:
            return self.num_bins, False
        if isinstance(self.mask_value, str) != strings:
            kind = "strings" if strings else "numbers"
            self._fail(f"mask_value must be of the inputs' kind ({kind}), received mask_value={self.mask_value!r}")
        return self.num_bins - 1, True

    def _hash_strings(self, values):
        """The bucket indices of a NumPy array of ``str``, encoded in the output mode."""
        bins, masked = self._mask_bins(strings=True)
        ids = hash_buckets(values.reshape(-1).tolist(), bins, self.salt).reshape(values.shape)
        if masked:
            ids = np.where(values == self.mask_value, 0, ids + 1)
        return self._output(torch.as_tensor(ids, device=self._weight_device()))

    def _hash_tensor(self, x):
        """The int64 bucket indices of a numeric tensor: its distinct values hashed as decimal text."""
        bins, masked = self._mask_bins(strings=False)
        mask = x == self.mask_value if masked else None  # before floats are truncated, as in Keras
        if is_fake(x):  # shapes only (a symbolic run)
            return torch.zeros(x.shape, dtype=torch.int64, device=x.device)
        if x.is_floating_point():
            x = x.long()
        unique, inverse = torch.unique(x, return_inverse=True)
        if x.dtype == torch.bool:
            texts = ["true" if v else "false" for v in unique.tolist()]
        else:
            texts = [str(v) for v in unique.tolist()]
        ids = torch.as_tensor(hash_buckets(texts, bins, self.salt), device=x.device)[inverse]
        if masked:
            ids = torch.where(mask, 0, ids + 1)
        return ids

    def _output(self, ids):
        dtype = kconfig.torch_dtype(self.dtype)
        if self.output_mode == "int":
            return ids.to(dtype)
        if self.output_mode == "one_hot" and ids.dim() and ids.shape[-1] == 1:
            ids = ids.squeeze(-1)  # Keras squeezes it before hashing, and the encoding squeezes again
        return encode_categorical(ids, self.output_mode, self.num_bins, dtype)

    # ------------------------------------------------------------------ shapes and config
    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        if self.output_mode == "one_hot" and shape and shape[-1] == 1:
            shape = shape[:-1]
        return encoded_shape(shape, self.output_mode, self.num_bins)

    def compute_output_spec(self, inputs: KerasTensor) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "num_bins": self.num_bins,
                "salt": self.salt,
                "mask_value": self.mask_value,
                "output_mode": self.output_mode,
                "sparse": self.sparse,
            }
        )
        return config

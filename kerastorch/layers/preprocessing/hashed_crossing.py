"""``HashedCrossing``: crosses scalar categorical features into ``num_bins`` buckets (the "hashing trick").

The buckets are Keras 3's, those of TensorFlow's ``tf.sparse.cross_hashed``: a cross of features
``f1, ..., fn`` goes to bucket ``h % num_bins``, where ``h`` starts at the hash key ``0xDECAFCAFFE`` and each
feature in turn folds in as ``h = FingerprintCat64(h, value)``; an integer feature's value is the integer itself
(its 64 bits), a string's is ``Fingerprint64`` of its UTF-8 bytes (so, unlike ``Hashing``, ``7`` and ``"7"``
differ). See :mod:`kerastorch.backend.hashing`.

Inputs are two or more features of one shape: ``()``, ``(batch,)`` or ``(batch, 1)``, each integers or strings
(floats and booleans are refused, as in Keras). Integer tensors are crossed with torch operations on their
device, inside models built on ``keras.Input(dtype="int64")`` too. String features (a string, a list or a NumPy
array of ``str`` / ``bytes``, bytes decoded as UTF-8) are fingerprinted eagerly in Python, so a cross with strings
runs outside symbolic models, like ``StringLookup``.

``sparse=True`` (sparse outputs) is not supported and raises a ValueError.

Example:
    >>> layer = HashedCrossing(num_bins=5)
    >>> layer((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])))
    tensor([1, 4, 1, 1, 3])
"""

from __future__ import annotations

from typing import Any, Sequence, cast

import numpy as np
import torch

from kerastorch import config as kconfig
from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.hashing import fingerprint_cat64, hash64, unsigned_remainder
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.dtype_policies import PolicyLike
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label, positive_int
from kerastorch.layers.preprocessing.category_encoding import check_output_mode, encode_categorical, encoded_shape
from kerastorch.layers.preprocessing.hashing import check_integer_dtype
from kerastorch.layers.preprocessing.string_lookup import symbolic_string_error, to_strings
from kerastorch.serialization.object_registration import register_builtin

HASH_KEY = 0xDECAFCAFFE
"""The hash key ``tf.sparse.cross_hashed`` starts its crosses from (TensorFlow's ``_DEFAULT_HASH_KEY``)."""


@register_builtin("keras.layers")
class HashedCrossing(Layer):
    """Crosses two or more scalar categorical features into ``num_bins`` buckets: a hash of the feature values
    together, modulo ``num_bins`` (Keras 3's buckets; see the module notes for the rule).

    Args:
        num_bins: int >= 1. The number of buckets.
        output_mode: str, default ``"int"``. ``"int"`` (the bucket indices) or ``"one_hot"`` (each cross encoded
            as a ``num_bins`` vector).
        sparse: bool, default False. Only False (dense outputs) is supported.
        name: str or None, default None. The layer's name.
        dtype: str or None, default None. The output dtype: ``"int64"`` for ``output_mode="int"`` (which needs
            ``"int32"`` or ``"int64"``), ``floatx()`` for ``"one_hot"``.
        **kwargs: other base layer arguments.

    Input shape:
        A tuple or list of at least two features of one shape, ``()``, ``(batch,)`` or ``(batch, 1)``: integer
        tensors, NumPy arrays or lists of integers, or strings (a string, a list, a NumPy array).

    Output shape:
        ``"int"``: the feature shape. ``"one_hot"``: ``(batch, num_bins)`` for ``(batch,)`` or ``(batch, 1)``
        features, ``(1, num_bins)`` for scalars.

    Raises:
        ValueError: for a ``num_bins`` that is not a positive int, an unknown ``output_mode``, ``sparse=True``, a
            non-integer ``dtype`` with ``"int"``, or inputs that are not two or more features of one allowed shape and
            an integer or string dtype, or ragged, or symbolic strings.

    Example:
    >>> layer = HashedCrossing(num_bins=5, output_mode="one_hot")
    >>> layer((["A", "B", "A", "B", "A"], [101, 101, 101, 102, 102]))
    tensor([[0., 1., 0., 0., 0.],
            [0., 0., 0., 0., 1.],
            [0., 1., 0., 0., 0.],
            [0., 1., 0., 0., 0.],
            [0., 0., 0., 1., 0.]])
    >>> HashedCrossing(num_bins=10)((torch.tensor([[1], [2]]), torch.tensor([[4], [5]]))).shape
    torch.Size([2, 1])
    """

    def __init__(
        self,
        num_bins: int,
        output_mode: str = "int",
        sparse: bool = False,
        name: str | None = None,
        dtype: PolicyLike = None,
        **kwargs: Any,
    ) -> None:
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        kwargs.setdefault("autocast", False)  # float features are refused, not cast to the output dtype
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.num_bins = positive_int(self, "num_bins", num_bins)
        self.output_mode = check_output_mode(self, output_mode, ("int", "one_hot"))
        if sparse:
            raise ValueError(
                f"{layer_label(self)}: sparse outputs are not supported by kerastorch (dense tensors only), "
                f"received sparse={sparse!r}"
            )
        check_integer_dtype(self, output_mode)
        self.sparse = False
        self.built = True  # no weights

    # ------------------------------------------------------------------ checks
    def _fail(self, message):
        raise ValueError(f"{layer_label(self)}: {message}")

    def _check_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            self._fail(
                f"the layer should be called on a list or tuple of features, received inputs of type "
                f"{type(inputs).__name__}"
            )
        if len(inputs) < 2:
            self._fail(
                f"the layer should be called on at least two inputs (the features to cross), received {len(inputs)}"
            )

    def _check_shapes(self, shapes):
        first = tuple(shapes[0])
        if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
            self._fail(f"all inputs should have shape (), (batch_size,) or (batch_size, 1), received shape {first}")
        if any(tuple(shape) != first for shape in shapes[1:]):
            self._fail(f"all inputs should have equal shape, received shapes {[tuple(s) for s in shapes]}")

    def _dtype_error(self, index, dtype):
        self._fail(f"all inputs should have an integer or string dtype, received input {index} of dtype {dtype}")

    # ------------------------------------------------------------------ features
    def _feature(self, value, index, device):
        """A feature as the int64 tensor of its values (integers) or fingerprints (strings)."""
        if isinstance(value, torch.Tensor):
            if value.is_floating_point() or value.is_complex() or value.dtype == torch.bool:
                self._dtype_error(index, value.dtype)
            return value.long()
        try:
            array = np.asarray(value)
        except ValueError:
            self._fail(
                f"input {index} must be rectangular (kerastorch has no ragged tensors), received rows of "
                "different lengths"
            )
        if array.dtype.kind in "iu":
            return torch.as_tensor(array.astype(np.int64), device=device)  # uint64 keeps its bits, as in TF
        if array.dtype.kind not in "USO":
            self._dtype_error(index, array.dtype)
        strings = to_strings(array, "utf-8", self._fail, f"input {index}")
        fingerprints = hash64(strings.reshape(-1).tolist()).view(np.int64).reshape(strings.shape)
        return torch.as_tensor(fingerprints, device=device)

    def _features(self, inputs):
        self._check_inputs(inputs)
        tensors = [x for x in inputs if isinstance(x, torch.Tensor)]
        device = tensors[0].device if tensors else self._weight_device()
        return tuple(self._feature(x, i, device) for i, x in enumerate(inputs))

    # ------------------------------------------------------------------ calling
    def __call__(self, inputs: Sequence[Any], *args: Any, **kwargs: Any) -> Any:
        self._check_inputs(inputs)
        if any(isinstance(x, KerasTensor) for x in inputs):
            if not all(isinstance(x, KerasTensor) for x in inputs):
                raise symbolic_string_error(layer_label(self))  # arrays beside symbolic inputs: strings, most likely
            return super().__call__(tuple(inputs), *args, **kwargs)
        return super().__call__(self._features(inputs), *args, **kwargs)

    def call(self, inputs: Sequence[TensorLike]) -> torch.Tensor:
        features = self._features(inputs)
        self._check_shapes([f.shape for f in features])
        crossed = torch.full(features[0].shape, HASH_KEY, dtype=torch.int64, device=features[0].device)
        for feature in features:
            crossed = cast(torch.Tensor, fingerprint_cat64(crossed, feature))  # (tensors in: a tensor out)
        ids = unsigned_remainder(crossed, self.num_bins)
        dtype = kconfig.torch_dtype(self.dtype)
        if self.output_mode == "int":
            return ids.to(dtype)
        return encode_categorical(ids, "one_hot", self.num_bins, dtype)

    # ------------------------------------------------------------------ shapes and config
    def compute_output_shape(self, input_shape: Sequence[Shape]) -> Shape:
        self._check_inputs(input_shape)
        if not all(isinstance(shape, (tuple, list)) for shape in input_shape):
            self._fail(f"expected the shapes of two or more features, received input_shape={input_shape}")
        self._check_shapes(input_shape)
        shape = tuple(input_shape[0])
        return shape if self.output_mode == "int" else encoded_shape(shape, "one_hot", self.num_bins)

    def compute_output_spec(self, inputs: Sequence[KerasTensor]) -> KerasTensor:
        for index, x in enumerate(inputs):
            if not kconfig.standardize_dtype(x.dtype).startswith(("int", "uint")):
                self._dtype_error(index, x.dtype)
        return KerasTensor(self.compute_output_shape([x.shape for x in inputs]), self.dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            "num_bins": self.num_bins,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

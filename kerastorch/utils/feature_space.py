"""``keras.utils.FeatureSpace``: one object that preprocesses and encodes the columns of structured data.

A ``FeatureSpace`` maps feature names to feature types (``"float_normalized"``, ``"string_categorical"`` ...
or ``FeatureSpace.integer_categorical(...)`` objects), learns what they need with ``adapt`` (vocabularies,
means and variances, bin boundaries), then encodes a dict of columns: one-hot vectors, normalized floats,
hashed crosses of features, concatenated into one float vector per sample (``output_mode="concat"``) or
returned per feature (``output_mode="dict"``). It is built from kerastorch's own preprocessing layers
(``StringLookup``, ``IntegerLookup``, ``Hashing``, ``HashedCrossing``, ``Normalization``, ``Discretization``,
``CategoryEncoding``, ``Rescaling``) and runs natively, without TensorFlow or ``tf.data``.

Data, where Keras takes a ``tf.data.Dataset``: ``adapt`` takes a dict of columns (NumPy arrays, lists or
tensors; one row per sample), or any iterable of such dict batches: a list of dicts, a generator, a torch
``DataLoader`` over dict samples, a map-style torch ``Dataset`` of dict samples (read in batches of 256);
``(x, y)`` batches use ``x``. It reads the data once and keeps the columns of the features it adapts in
memory. Calling the FeatureSpace takes a dict of columns (a batch) or of scalars (one sample, encoded without
the batch axis), and returns torch tensors.

Encodings, as Keras 3 computes them: each feature is preprocessed by its layer on ``(batch, 1)`` columns;
a cross hashes the *preprocessed* features it names (lookup indices, bin indices, hash buckets) with a
``HashedCrossing`` of ``crossing_dim`` bins; ``"one_hot"`` outputs encode these indices with a
``CategoryEncoding`` as wide as the vocabulary (``vocabulary_size()``), the bins or the hash buckets;
``"concat"`` joins the sorted features, then the sorted crosses, along the last axis.

Symbolic models, and strings: ``get_inputs()`` gives one ``keras.Input`` of shape ``(1,)`` per feature and
``get_encoded_features()`` the encoding of those inputs, computed by the same layers, so that
``keras.Model(feature_space.get_inputs(), outputs)`` takes raw numeric columns and preprocesses them inside
the model (and saves the preprocessing with it). Torch tensors cannot hold strings, so kerastorch has no
``keras.Input(dtype="string")``: the input of a *string* feature is instead the output of its preprocessing
layer (``int64`` lookup indices or hash buckets, shape ``(1,)``), and the strings go through that layer
eagerly, in the data step: :meth:`FeatureSpace.prepare_inputs` turns a dict of raw columns into exactly what
such a model takes (the strings looked up, the numbers as ``(batch, 1)`` tensors of the inputs' dtypes). A
feature space without string features needs no such step. kerastorch's functional models start from
``keras.Input`` tensors only, so Keras's ``keras.Model(inputs=encoded_features, ...)`` (a model whose input is
the encoded vector) is written here as a model on ``keras.Input(shape=encoded.shape[1:])`` fed with
``feature_space(x)``.

Differences from Keras 3.15, all where Keras fails: ``float_discretized(num_bins, bin_boundaries=...)`` works
(Keras passes both to ``Discretization``, which refuses them), preprocessors given a vocabulary or boundaries
are left alone by ``adapt``, and bad feature names, crosses and columns are reported when they are given, with
the feature they concern. Configs are Keras's (the same keys and module paths), so ``from_config`` reads
Keras's and ``save`` writes a ``.keras`` archive that ``keras.models.load_model`` restores, vocabularies and
statistics included.

Example:
    >>> data = {"price": np.array([1.0, 2.0, 3.0, 4.0]), "color": np.array(["red", "blue", "red", "green"]),
    ...         "size": np.array([1, 2, 2, 3])}
    >>> feature_space = FeatureSpace(
    ...     {"price": "float_normalized", "color": "string_categorical", "size": "integer_categorical"},
    ...     crosses=[FeatureSpace.cross(("color", "size"), crossing_dim=4)])
    >>> feature_space.adapt(data)
    >>> feature_space(data).shape          # color 4, price 1, size 4 (sorted), then color_X_size 4
    torch.Size([4, 13])
    >>> feature_space({"price": 2.5, "color": "red", "size": 2})[:4]    # one sample: "red" is index 1
    tensor([0., 1., 0., 0.])
"""

from __future__ import annotations

import collections.abc
import os
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import torch

from kerastorch import config as kconfig
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.input_layer import Input
from kerastorch.layers.preprocessing.category_encoding import CategoryEncoding
from kerastorch.layers.preprocessing.discretization import Discretization
from kerastorch.layers.preprocessing.hashed_crossing import HashedCrossing
from kerastorch.layers.preprocessing.hashing import Hashing
from kerastorch.layers.preprocessing.index_lookup import IndexLookup
from kerastorch.layers.preprocessing.normalization import Normalization
from kerastorch.layers.preprocessing.text_vectorization import TextVectorization
from kerastorch.saving.saving_api import save_model
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.utils.feature_space_specs import (
    FEATURE_TYPES,
    Cross,
    Feature,
    FeatureTypes,
    TFDConcat,
    deserialize_spec,
    serialize_spec,
)

__all__ = ["FeatureSpace"]


# ----------------------------------------------------------------------------------------------- data
def _to_array(value):
    """A column as a NumPy array (tensors copied to the host; lists of strings or numbers converted)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value if isinstance(value, np.ndarray) else np.asarray(value)


def _as_column(value):
    """``value`` with Keras's ranks: a scalar is one sample ``(1, 1)``, a vector a column ``(n, 1)``."""
    if value.ndim == 0:
        return value.reshape(1, 1)
    if value.ndim == 1:
        return value[:, None]
    return value


def _is_string_array(array):
    return array.dtype.kind in "USO"


# ----------------------------------------------------------------------------------------------- FeatureSpace
@register_builtin("keras.utils")
class FeatureSpace(FeatureTypes, Layer):  # type: ignore[misc]  # FeatureTypes.float shadows torch.nn.Module.float
    """One-stop preprocessing and encoding of structured data: a dict of feature columns to a vector per sample.

    Each feature is named with its type: a name from ``FEATURE_TYPES`` (with the default arguments) or a
    feature made by the class methods below. ``adapt`` learns what the features need from data, and calling
    the FeatureSpace on a dict of columns returns their encoding. See the module notes for the data it takes
    and for symbolic models with string features.

    Feature types (class methods; ``name`` names the preprocessing layer ``f"{name}_preprocessor"``):

    - ``FeatureSpace.float(name=None)``: the float values as they are.
    - ``FeatureSpace.float_rescaled(scale=1.0, offset=0.0, name=None)``: ``x * scale + offset`` (``Rescaling``).
    - ``FeatureSpace.float_normalized(name=None)``: standardized with the adapted mean and variance
      (``Normalization``).
    - ``FeatureSpace.float_discretized(num_bins, bin_boundaries=None, output_mode="one_hot", name=None)``: the
      bin index (``Discretization``, quantile bins adapted from data unless ``bin_boundaries`` are given).
    - ``FeatureSpace.integer_categorical(max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None)``
      and ``FeatureSpace.string_categorical(...)``: the vocabulary index (``IntegerLookup`` / ``StringLookup``).
    - ``FeatureSpace.integer_hashed(num_bins, output_mode="one_hot", name=None)`` and
      ``FeatureSpace.string_hashed(...)``: the hash bucket (``Hashing``).
    - ``FeatureSpace.feature(dtype, preprocessor, output_mode)``: your own preprocessing layer.
    - ``FeatureSpace.cross(feature_names, crossing_dim, output_mode="one_hot")``: a feature cross.

    Args:
        features: dict, feature name -> feature type (a name from ``FEATURE_TYPES``, a feature object, or its
            config dict).
        output_mode: str, default ``"concat"``. ``"concat"``: one float vector per sample, the features in
            sorted order then the crosses in sorted order. ``"dict"``: a dict of encoded features and crosses.
        crosses: list or None, default None. Crosses: tuples of feature names (hashed into ``crossing_dim``
            bins, one-hot encoded) or ``FeatureSpace.cross(...)`` objects.
        crossing_dim: int, default 32. The bins of crosses given as tuples of names.
        hashing_dim: int, default 32. The bins of ``"integer_hashed"`` and ``"string_hashed"`` features given by
            name.
        num_discretization_bins: int, default 32. The bins of ``"float_discretized"`` features given by name.
        name: str or None, default None. The layer's name.

    Attributes:
        features: dict, name -> ``Feature``.
        preprocessors: dict, name -> preprocessing layer.
        crosses: list of ``Cross``.
        crossers: dict, cross name -> ``HashedCrossing``.
        one_hot_encoders: dict, name -> ``CategoryEncoding`` (once built).

    Input shape:
        A dict with one column per feature: scalars (one sample), ``(batch,)`` or ``(batch, 1)`` arrays, lists
        or tensors; strings for string features.

    Output shape:
        ``"concat"``: ``(batch, total_width)`` floats (``(total_width,)`` for one sample). ``"dict"``: one
        tensor per feature and cross, ``(batch, width)`` (``(batch, 1)`` indices for ``"int"`` outputs).

    Raises:
        ValueError: for empty ``features``, an unknown feature type, a cross of unknown features, a bad
            ``output_mode``, features left unencoded (``"int"``) in ``"concat"`` mode, or data that lacks a
            feature, names one it does not know, or mixes batch sizes.

    Example:
    >>> feature_space = FeatureSpace(
    ...     {"x": "float_rescaled", "kind": FeatureSpace.integer_categorical(output_mode="int")}, output_mode="dict")
    >>> feature_space.adapt({"x": [0.5, 1.0], "kind": [7, 9]})
    >>> out = feature_space({"x": [1.0, 2.0, 3.0], "kind": [9, 7, 5]})
    >>> out["kind"].flatten().tolist(), out["x"].flatten().tolist()   # ties: the larger first; 5 is OOV (0)
    ([1, 2, 0], [1.0, 2.0, 3.0])
    """

    # ------------------------------------------------------------------ construction
    def __init__(
        self,
        features: Mapping[str, Feature | str | dict[str, Any]],
        output_mode: str = "concat",
        crosses: Iterable[Cross | Sequence[str] | dict[str, Any]] | None = None,
        crossing_dim: int = 32,
        hashing_dim: int = 32,
        num_discretization_bins: int = 32,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        if not features:
            raise ValueError(f"{self._label}: the `features` argument cannot be None or empty.")
        if not isinstance(features, collections.abc.Mapping):
            raise ValueError(
                f"{self._label}: features must be a dict of feature name -> feature type, received "
                f"{type(features).__name__}"
            )
        if output_mode not in ("dict", "concat"):
            raise ValueError(
                f"{self._label}: output_mode must be one of ['dict', 'concat'], received output_mode={output_mode!r}"
            )
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.output_mode = output_mode
        self.features = {}
        for feature_name, value in features.items():
            if not isinstance(feature_name, str) or not feature_name:
                raise ValueError(f"{self._label}: feature names must be non-empty strings, received {feature_name!r}")
            self.features[feature_name] = self._standardize_feature(feature_name, value)
        self.crosses = [self._standardize_cross(cross) for cross in crosses or ()]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        clash = sorted(set(self.crosses_by_name) & set(self.features))
        if clash:
            raise ValueError(f"{self._label}: crosses {clash} have the names of features; rename the features")
        self.preprocessors = {name_: feature.preprocessor for name_, feature in self.features.items()}
        self.crossers = {cross.name: HashedCrossing(cross.crossing_dim, name=cross.name) for cross in self.crosses}
        for index, layer in enumerate(list(self.preprocessors.values()) + list(self.crossers.values())):
            if isinstance(layer, torch.nn.Module):  # tracked: saved, moved and listed with the FeatureSpace
                self.add_module(f"sublayer_{index}", layer)
        self.one_hot_encoders: dict[str, Layer] = {}
        self.concat: TFDConcat | None = None
        self.inputs: dict[str, KerasTensor] | None = None  # made by _build, with the encoded features
        self.encoded_features: KerasTensor | dict[str, KerasTensor] | None = None
        self._is_adapted = False
        self._graph_built = False

    @property
    def _label(self):
        return f'FeatureSpace "{self.name}"'

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            feature = deserialize_spec(feature, f"feature {name!r}")
            if not isinstance(feature, Feature):
                raise ValueError(
                    f"{self._label}: the config of feature {name!r} describes a {type(feature).__name__}, not a Feature"
                )
            return feature
        if feature == "float_discretized":
            return self.float_discretized(num_bins=self.num_discretization_bins, name=name)
        if feature in ("integer_hashed", "string_hashed"):
            return getattr(self, feature)(self.hashing_dim, name=name)
        if isinstance(feature, str) and feature in FEATURE_TYPES:
            return getattr(self, feature)(name=name)
        raise ValueError(
            f"{self._label}: invalid feature type for feature {name!r}: {feature!r}. Expected one of "
            f"{list(FEATURE_TYPES)} or a FeatureSpace.<type>(...) feature"
        )

    def _standardize_cross(self, cross):
        if isinstance(cross, dict):
            cross = deserialize_spec(cross, "cross")
        if not isinstance(cross, Cross):
            if not self.crossing_dim:
                raise ValueError(
                    f"{self._label}: when specifying `crosses`, the argument `crossing_dim` "
                    "(dimensionality of the crossing space) should be specified as well."
                )
            cross = Cross(cross, crossing_dim=self.crossing_dim)
        unknown = [n for n in cross.feature_names if n not in self.features]
        if unknown:
            raise ValueError(
                f"{self._label}: all features referenced in the `crosses` argument should be present "
                f"in the `features` dict. Received unknown features {unknown} in cross "
                f"{cross.feature_names}"
            )
        return cross

    # ------------------------------------------------------------------ adapt
    def _adaptable(self, name):
        preprocessor = self.preprocessors[name]
        if not callable(getattr(preprocessor, "adapt", None)):
            return False
        if isinstance(preprocessor, Normalization):
            return preprocessor.input_mean is None
        if isinstance(preprocessor, Discretization):
            return preprocessor.num_bins is not None
        if isinstance(preprocessor, (IndexLookup, TextVectorization)):
            return preprocessor.get_config().get("vocabulary") is None
        return True

    def _adaptable_names(self):
        return [name for name in self.features if self._adaptable(name)]

    def adapt(self, dataset: Any) -> None:
        """Learn what the features need (vocabularies, statistics, bins) from ``dataset``.

        Args:
            dataset: a dict of columns (arrays, lists or tensors, one row per sample), or an iterable of such
                dict batches (a list, a generator, a torch ``DataLoader`` or map-style ``Dataset`` of dict
                samples; ``(x, y)`` batches use ``x``). Columns of features that need no adapting, and columns
                of names the FeatureSpace does not know, are not read.

        Raises:
            ValueError: for data that is not a dict or an iterable of dicts, a batch that lacks a feature, or no
                data at all.

        >>> feature_space = FeatureSpace({"x": "float_normalized"})
        >>> feature_space.adapt([{"x": [1.0, 2.0]}, {"x": [3.0, 4.0]}])      # two batches
        >>> feature_space.preprocessors["x"].mean.tolist()
        [2.5]
        """
        names = self._adaptable_names()
        columns: dict[str, list[Any]] = {name: [] for name in names}
        count = 0
        for index, batch in enumerate(self._batches(dataset)):
            count += 1
            for name in names:
                if name not in batch:
                    raise ValueError(
                        f"{self._label}: adapt() batch {index} has no column {name!r}; it has "
                        f"{sorted(map(str, batch))[:20]}"
                    )
                columns[name].append(_as_column(_to_array(batch[name])))
            if not names:
                break
        if count == 0:
            raise ValueError(f"{self._label}: adapt() received no data (an empty iterable of batches)")
        for name in names:
            try:
                data = np.concatenate(columns[name]) if len(columns[name]) > 1 else columns[name][0]
            except ValueError as error:
                raise ValueError(f"{self._label}: the batches of column {name!r} do not stack: {error}") from None
            if len(data) == 0:
                raise ValueError(f"{self._label}: adapt() received no rows for feature {name!r}")
            preprocessor = self.preprocessors[name]
            if isinstance(preprocessor, Normalization) and not preprocessor.built:
                preprocessor.build_from_config({"input_shape": [None, *data.shape[1:]]})
            preprocessor.adapt(data)
        self._is_adapted = True
        self._reset_graph()
        self._build()

    def _batches(self, dataset):
        if isinstance(dataset, collections.abc.Mapping):
            return iter([dataset])
        if isinstance(dataset, torch.utils.data.Dataset) and not isinstance(dataset, torch.utils.data.IterableDataset):
            dataset = torch.utils.data.DataLoader(dataset, batch_size=256)
        if isinstance(dataset, (str, bytes, np.ndarray, torch.Tensor)) or not hasattr(dataset, "__iter__"):
            raise ValueError(
                f"{self._label}: adapt() can only be called on a dict of arrays/lists or an iterable "
                f"of such dict batches, received {type(dataset).__name__}"
            )

        def batches():
            for index, batch in enumerate(dataset):
                if isinstance(batch, (tuple, list)) and batch and isinstance(batch[0], collections.abc.Mapping):
                    batch = batch[0]  # (x, y) or (x, y, sample_weight)
                if not isinstance(batch, collections.abc.Mapping):
                    raise ValueError(
                        f"{self._label}: adapt() expects dict batches (feature name -> column), "
                        f"received batch {index} of type {type(batch).__name__}"
                    )
                yield batch

        return batches()

    # ------------------------------------------------------------------ building
    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._adaptable_names():
                raise ValueError(
                    f"{self._label}: you need to call `.adapt(dataset)` on the FeatureSpace before "
                    "you can start using it."
                )
            self._is_adapted = True

    def _reset_graph(self):
        for key in [k for k in self._modules if k.startswith("encoder_")] + ["concat"]:
            self._modules.pop(key, None)
        self.one_hot_encoders = {}
        self.concat = None
        self.inputs = None
        self.encoded_features = None
        self._graph_built = False

    def _build(self):
        """Make the inputs, the encoders and the symbolic encoding (once adapted; checks the output modes)."""
        if self._graph_built:
            return
        self._check_if_adapted()
        inputs = {name: self._feature_to_input(name, feature) for name, feature in self.features.items()}
        preprocessed = {
            name: inputs[name] if feature.dtype == "string" else self.preprocessors[name](inputs[name])
            for name, feature in self.features.items()
        }
        crossed = self._cross_features(preprocessed)
        for index, name in enumerate(self._ordered_names()):
            self._make_encoder(index, name, preprocessed.get(name, crossed.get(name)))
        if self.output_mode == "concat":
            self.concat = TFDConcat(axis=-1)
        self.inputs = inputs
        self.encoded_features = self._merge_features(preprocessed, crossed)
        self._graph_built = True
        self.built = True

    def _feature_to_input(self, name, feature):
        if feature.dtype != "string":
            return Input(shape=(1,), dtype=feature.dtype, name=name)
        shape, dtype = self._preprocessed_string_spec(name)
        return Input(shape=shape, dtype=dtype, name=name)

    def _preprocessed_string_spec(self, name):
        """The per-sample shape and the dtype of a string feature's preprocessed column: what its input holds."""
        preprocessor = self.preprocessors[name]
        vocabulary = preprocessor.get_vocabulary() if callable(getattr(preprocessor, "get_vocabulary", None)) else []
        sample = vocabulary[-1] if vocabulary and isinstance(vocabulary[-1], str) else ""
        out = preprocessor(np.array([[sample]]))
        if not isinstance(out, torch.Tensor):
            raise ValueError(
                f"{self._label}: the preprocessor of string feature {name!r} must return a tensor, "
                f"returned {type(out).__name__}"
            )
        shape = tuple(out.shape[1:])
        try:
            declared = tuple(preprocessor.compute_output_shape((None, 1)))[1:]
        except Exception:  # noqa: BLE001 - a layer of the user's that cannot tell: the sample's shape holds
            declared = shape
        if len(declared) == len(shape):  # sizes the preprocessor leaves open (sequence lengths) stay open
            shape = tuple(None if d is None else s for d, s in zip(declared, shape))
        return shape, kconfig.standardize_dtype(out.dtype)

    def _ordered_names(self):
        return sorted(self.features) + sorted(self.crosses_by_name)

    def _make_encoder(self, index, name, feature):
        spec = self.features.get(name) or self.crosses_by_name[name]
        dtype = kconfig.standardize_dtype(feature.dtype)
        if spec.output_mode == "one_hot":
            if not dtype.startswith(("int", "uint")):
                raise ValueError(
                    f"{self._label}: feature {name!r} has output_mode='one_hot', so its preprocessor "
                    f"should return an integer dtype; it returns {dtype}."
                )
            encoder = CategoryEncoding(num_tokens=self._cardinality(name), output_mode="multi_hot")
            self.one_hot_encoders[name] = encoder
            self.add_module(f"encoder_{index}", encoder)
            dtype = encoder.dtype
        if self.output_mode == "concat" and (dtype.startswith(("int", "uint")) or dtype == "bool"):
            raise ValueError(
                f"{self._label}: cannot concatenate features because feature {name!r} has not been "
                f"encoded (it has dtype {dtype}). Consider using output_mode='dict'."
            )

    def _cardinality(self, name):
        layer = self.preprocessors.get(name) or self.crossers.get(name)
        if isinstance(layer, IndexLookup):
            return layer.vocabulary_size()
        if isinstance(layer, CategoryEncoding):
            return layer.num_tokens
        if isinstance(layer, Discretization):
            return layer.num_bins if layer.num_bins is not None else len(layer.bin_boundaries) + 1
        if isinstance(layer, (HashedCrossing, Hashing)):
            return layer.num_bins
        raise ValueError(
            f"{self._label}: feature {name!r} has output_mode='one_hot', but its preprocessor "
            f"({type(layer).__name__}) is not a standard one and the size of its output space is not "
            "known, so it cannot be one-hot encoded. Try using output_mode='int'."
        )

    # ------------------------------------------------------------------ encoding
    def _cross_features(self, features):
        return {
            cross.name: self.crossers[cross.name]([features[n] for n in cross.feature_names]) for cross in self.crosses
        }

    def _merge_features(self, preprocessed, crossed):
        encoded = {}
        for name in self._ordered_names():
            value = preprocessed[name] if name in preprocessed else crossed[name]
            encoder = self.one_hot_encoders.get(name)
            encoded[name] = encoder(value) if encoder is not None else value
        if self.output_mode == "dict":
            return encoded
        return self.concat(list(encoded.values()))

    def _columns(self, data, what):
        """The columns of ``data`` as ``(batch, ...)`` arrays / tensors, and whether it was one sample."""
        if not isinstance(data, collections.abc.Mapping):
            raise ValueError(
                f"{self._label}: a FeatureSpace can only be called with a dict, received {type(data).__name__}"
            )
        if any(isinstance(v, KerasTensor) for v in data.values()):
            raise ValueError(
                f"{self._label}: {what} takes data (arrays, lists, tensors); for the symbolic encoding "
                "of the inputs use get_inputs() and get_encoded_features()"
            )
        unknown = sorted(map(str, set(data) - set(self.features)))
        missing = [name for name in self.features if name not in data]
        if unknown or missing:
            raise ValueError(
                f"{self._label}: {what} expects one column per feature, {sorted(self.features)}; "
                f"received unknown features {unknown} and no column for {missing}"
            )
        columns, single, sizes = {}, False, {}
        device = self._weight_device()
        for name, feature in self.features.items():
            value = data[name]
            if feature.dtype == "string":
                column = _as_column(_to_array(value))
                single = single or np.ndim(value) == 0
            else:
                column = self._numeric_column(name, feature.dtype, value, device)
                single = single or column.dim() == 0
                if column.dim() <= 1:
                    column = column.reshape(-1, 1)
            columns[name] = column
            sizes[name] = column.shape[0]
        if len(set(sizes.values())) > 1:
            raise ValueError(f"{self._label}: all columns must have the same number of rows, received {sizes}")
        return columns, single

    def _numeric_column(self, name, dtype, value, device):
        if isinstance(value, torch.Tensor):
            tensor = value.to(device)
        else:
            array = _to_array(value)
            if _is_string_array(array) or array.dtype.kind not in "biuf":
                raise ValueError(
                    f"{self._label}: feature {name!r} has dtype {dtype}, received a column of dtype {array.dtype}"
                )
            tensor = torch.as_tensor(array, device=device)
        target = kconfig.torch_dtype(dtype)
        if tensor.dtype == target:
            return tensor
        if not target.is_floating_point and target != torch.bool and tensor.numel():
            if tensor.is_floating_point() and not bool(torch.all(tensor == torch.round(tensor))):
                raise ValueError(f"{self._label}: feature {name!r} has dtype {dtype}, received non-integral values")
            info = torch.iinfo(target)
            low, high = tensor.min().item(), tensor.max().item()
            if low < info.min or high > info.max:
                raise ValueError(
                    f"{self._label}: feature {name!r} has dtype {dtype}, received values in "
                    f"[{low}, {high}] outside its range"
                )
        return tensor.to(target)

    def __call__(self, data: Mapping[str, Any]) -> torch.Tensor | dict[str, torch.Tensor]:
        return self.call(data)

    def call(self, data: Mapping[str, Any]) -> torch.Tensor | dict[str, torch.Tensor]:
        """Encode ``data`` (calling the FeatureSpace runs this).

        Args:
            data: dict, feature name -> column: scalars (one sample), ``(batch,)`` or ``(batch, 1)`` arrays,
                lists or tensors; strings for string features.

        Returns:
            a tensor (``"concat"``) or a dict of tensors (``"dict"``), without the batch axis for one sample.

        Raises:
            ValueError: before ``adapt`` when a feature needs it, or for data that lacks a feature, names one the
                FeatureSpace does not know, mixes batch sizes, or has values the feature's dtype cannot hold.
        """
        self._build()
        columns, single = self._columns(data, "calling a FeatureSpace")
        preprocessed = {name: self.preprocessors[name](columns[name]) for name in self.features}
        merged = self._merge_features(preprocessed, self._cross_features(preprocessed))
        if single:
            if isinstance(merged, dict):
                return {k: v[0] if v.dim() == 2 and v.shape[0] == 1 else v for k, v in merged.items()}
            return merged[0]
        return merged

    def prepare_inputs(self, data: Mapping[str, Any]) -> dict[str, torch.Tensor]:
        """What a model built on :meth:`get_inputs` takes for ``data``: string features looked up (or hashed)
        by their preprocessors, numeric features as ``(batch, 1)`` tensors of their inputs' dtypes.

        Use it in the data step of such a model (``model.fit(feature_space.prepare_inputs(x), y)``). It is
        kerastorch's own: Keras passes strings through models, but torch tensors hold no strings, so string
        features enter kerastorch models preprocessed (see the module notes). A single sample keeps its batch
        axis.

        Args:
            data: dict of columns, as for calling the FeatureSpace.

        Returns:
            dict, feature name -> tensor.

        Raises:
            ValueError: before ``adapt`` when a feature needs it, or for data that lacks a feature, names one the
                FeatureSpace does not know, or mixes batch sizes.

        >>> feature_space = FeatureSpace({"color": FeatureSpace.string_categorical(), "x": "float"})
        >>> feature_space.adapt({"color": ["red", "blue", "red"], "x": [1, 2, 3]})
        >>> prepared = feature_space.prepare_inputs({"color": ["red", "green"], "x": [0.5, 1.5]})
        >>> prepared["color"].tolist(), prepared["x"].tolist()      # "green" is out of vocabulary
        ([[1], [0]], [[0.5], [1.5]])
        """
        self._build()
        assert self.inputs is not None  # made by _build
        columns, _ = self._columns(data, "prepare_inputs()")
        prepared = {}
        for name, feature in self.features.items():
            column = columns[name]
            if feature.dtype == "string":
                dtype = kconfig.torch_dtype(self.inputs[name].dtype)
                column = self.preprocessors[name](column).to(dtype)
            prepared[name] = column
        return prepared

    # ------------------------------------------------------------------ symbolic
    def get_inputs(self) -> dict[str, KerasTensor]:
        """The ``keras.Input`` of each feature: shape ``(1,)`` and the feature's dtype; for string features, the
        preprocessed column (see :meth:`prepare_inputs`).

        Returns:
            dict, feature name -> KerasTensor.

        Raises:
            ValueError: before ``adapt`` when a feature needs it.

        >>> feature_space = FeatureSpace({"x": "float", "n": FeatureSpace.integer_hashed(4)})
        >>> {name: (t.shape, t.dtype) for name, t in feature_space.get_inputs().items()}
        {'x': ((None, 1), 'float32'), 'n': ((None, 1), 'int32')}
        """
        self._build()
        assert self.inputs is not None  # made by _build
        return self.inputs

    def get_encoded_features(self) -> KerasTensor | dict[str, KerasTensor]:
        """The encoding of :meth:`get_inputs`, symbolic: a KerasTensor (``"concat"``) or a dict of them.

        Returns:
            KerasTensor or dict of KerasTensors, made by the FeatureSpace's layers from its inputs, so that
            ``keras.Model(feature_space.get_inputs(), outputs_of(encoded))`` preprocesses inside the model.

        Raises:
            ValueError: before ``adapt`` when a feature needs it, or for ``"int"`` features in ``"concat"`` mode.

        >>> from kerastorch import Model, layers
        >>> feature_space = FeatureSpace({"x": "float_rescaled", "n": FeatureSpace.integer_hashed(4)})
        >>> encoded = feature_space.get_encoded_features()
        >>> encoded.shape
        (None, 5)
        >>> model = Model(feature_space.get_inputs(), layers.Dense(1, kernel_initializer="ones")(encoded))
        >>> model({"x": torch.tensor([[0.5]]), "n": torch.tensor([[3]], dtype=torch.int32)})
        tensor([[1.5000]], grad_fn=<AddmmBackward0>)
        """
        self._build()
        assert self.encoded_features is not None  # made by _build
        return self.encoded_features

    # ------------------------------------------------------------------ config and saving
    def get_config(self) -> dict[str, Any]:
        """Keras's config: the features and crosses serialized, the output mode and the default sizes.

        Returns:
            dict with the keys ``features``, ``output_mode``, ``crosses``, ``crossing_dim``, ``hashing_dim`` and
            ``num_discretization_bins``. Adapted vocabularies and statistics are not in it: ``save`` keeps them.
        """
        return {
            "features": {name: serialize_spec(feature) for name, feature in self.features.items()},
            "output_mode": self.output_mode,
            "crosses": [serialize_spec(cross) for cross in self.crosses],
            "crossing_dim": self.crossing_dim,
            "hashing_dim": self.hashing_dim,
            "num_discretization_bins": self.num_discretization_bins,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> FeatureSpace:
        """A FeatureSpace from :meth:`get_config` (Keras's configs too); adapted state comes with ``load_model``."""
        return cls(**config)

    def get_build_config(self) -> dict[str, Any]:
        """Each preprocessor's build config (Keras's form: feature name -> build config or None)."""
        return {
            name: feature.preprocessor.get_build_config() if hasattr(feature.preprocessor, "get_build_config") else None
            for name, feature in self.features.items()
        }

    # Layer.build_from_config takes None too; a FeatureSpace's build config is always a dict (as in Keras)
    def build_from_config(self, config: dict[str, Any]) -> None:  # type: ignore[override]
        """Build the preprocessors from :meth:`get_build_config` (as loading does); the FeatureSpace then counts as
        adapted, its vocabularies and statistics coming from the saved file."""
        for name, build_config in config.items():
            preprocessor = self.features[name].preprocessor if name in self.features else None
            if build_config and preprocessor is not None and not getattr(preprocessor, "built", True):
                preprocessor.build_from_config(build_config)
        self._is_adapted = True

    def save(self, filepath: str | os.PathLike[str]) -> None:
        """Save the FeatureSpace to a ``.keras`` archive (or a folder); ``keras.models.load_model`` restores it.

        Args:
            filepath: str or path. Where to save.

        >>> from kerastorch.models import load_model
        >>> feature_space = FeatureSpace({"x": "float_normalized"})
        >>> feature_space.adapt({"x": [0.0, 4.0]})
        >>> feature_space.save("feature_space.keras")
        >>> load_model("feature_space.keras")({"x": [2.0, 4.0]})
        tensor([[0.],
                [1.]])
        """
        save_model(self, filepath)

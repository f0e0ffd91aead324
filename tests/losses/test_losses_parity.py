"""Keras 3 parity of kerastorch.losses: every class and function, drawn shapes, values, options, sample
weights and reductions; gradients of the cross-entropies with respect to y_pred."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kerastorch.losses as losses

pytestmark = pytest.mark.parity

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]
LABEL_SMOOTHING = st.sampled_from([0.0, 0.1, 0.35])
NO_OPTIONS = st.just({})
BINARY_OPTIONS = st.fixed_dictionaries(
    {"from_logits": st.booleans(), "label_smoothing": LABEL_SMOOTHING, "axis": st.sampled_from([-1, 0])}
)
FOCAL_OPTIONS = st.fixed_dictionaries(
    {
        "alpha": st.sampled_from([0.25, 0.6]),
        "gamma": st.sampled_from([0.0, 1.0, 2.0]),
        "from_logits": st.booleans(),
        "label_smoothing": LABEL_SMOOTHING,
        "axis": st.sampled_from([-1, 0]),
    }
)
CATEGORICAL_OPTIONS = st.fixed_dictionaries(
    {"from_logits": st.booleans(), "label_smoothing": LABEL_SMOOTHING, "axis": st.sampled_from([-1, 0])}
)
SPARSE_OPTIONS = st.fixed_dictionaries(
    {
        "from_logits": st.booleans(),
        "ignore_class": st.sampled_from([None, None, 0, 1, -1, 255]),
        "axis": st.sampled_from([-1, 0]),
    }
)

# (class name, function name, options strategy (the same keyword arguments for both), kind of inputs)
CASES = [
    ("MeanSquaredError", "mean_squared_error", NO_OPTIONS, "real"),
    ("MeanAbsoluteError", "mean_absolute_error", NO_OPTIONS, "real"),
    ("MeanAbsolutePercentageError", "mean_absolute_percentage_error", NO_OPTIONS, "real"),
    ("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", NO_OPTIONS, "real"),
    ("Huber", "huber", st.fixed_dictionaries({"delta": st.sampled_from([1.0, 0.3, 2.5])}), "real"),
    ("LogCosh", "log_cosh", NO_OPTIONS, "real"),
    ("CosineSimilarity", "cosine_similarity", st.fixed_dictionaries({"axis": st.sampled_from([-1, 0])}), "real"),
    ("BinaryCrossentropy", "binary_crossentropy", BINARY_OPTIONS, "binary"),
    (
        "BinaryFocalCrossentropy",
        "binary_focal_crossentropy",
        FOCAL_OPTIONS.map(lambda o: {**o, "apply_class_balancing": o["alpha"] > 0.5}),
        "binary",
    ),
    ("CategoricalCrossentropy", "categorical_crossentropy", CATEGORICAL_OPTIONS, "categorical"),
    ("CategoricalFocalCrossentropy", "categorical_focal_crossentropy", FOCAL_OPTIONS, "categorical"),
    ("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", SPARSE_OPTIONS, "sparse"),
    ("KLDivergence", "kl_divergence", NO_OPTIONS, "distribution"),
    ("Poisson", "poisson", NO_OPTIONS, "positive"),
    ("Hinge", "hinge", NO_OPTIONS, "hinge"),
    ("SquaredHinge", "squared_hinge", NO_OPTIONS, "hinge"),
    ("CategoricalHinge", "categorical_hinge", NO_OPTIONS, "categorical_hinge"),
]
CROSS_ENTROPIES = [case for case in CASES if "crossentropy" in case[1]]


def _floats(low, high):
    return st.floats(low, high, width=32)


def _one_hot(draw, shape, axis):
    classes = shape[axis]
    label_shape = shape[:axis] + shape[axis + 1 :]
    labels = draw(hnp.arrays(np.int64, label_shape, elements=st.integers(0, classes - 1)))
    return np.moveaxis(np.eye(classes, dtype=np.float32)[labels], -1, axis)


@st.composite
def inputs(draw, kind, options):
    """(y_true, y_pred) NumPy arrays of a drawn shape (batch dims..., classes) suited to ``kind``."""
    batch = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4))
    categorical = kind in ("categorical", "sparse", "categorical_hinge")
    shape = batch + (draw(st.integers(2 if categorical else 1, 5)),)
    axis = options.get("axis", -1) % len(shape)
    if categorical and shape[axis] < 2:
        shape = shape[:axis] + (2,) + shape[axis + 1 :]
    from_logits = options.get("from_logits", False)
    predictions = _floats(-15, 15) if from_logits else _floats(0, 1)
    if kind == "real":
        return tuple(draw(hnp.arrays(np.float32, shape, elements=_floats(-5, 5))) for _ in range(2))
    if kind in ("distribution", "positive"):
        high = 1.0 if kind == "distribution" else 5.0
        return tuple(draw(hnp.arrays(np.float32, shape, elements=_floats(0, high))) for _ in range(2))
    if kind == "binary":
        labels = st.sampled_from([0.0, 1.0]) if draw(st.booleans()) else _floats(0, 1)
        return (
            draw(hnp.arrays(np.float32, shape, elements=labels)),
            draw(hnp.arrays(np.float32, shape, elements=predictions)),
        )
    if kind == "hinge":
        values = draw(st.sampled_from([(0.0, 1.0), (-1.0, 1.0), (-1.0, 0.0, 1.0)]))
        return (
            draw(hnp.arrays(np.float32, shape, elements=st.sampled_from(values))),
            draw(hnp.arrays(np.float32, shape, elements=_floats(-3, 3))),
        )
    if kind == "sparse":
        label_shape = shape[:axis] + shape[axis + 1 :]
        labels = draw(hnp.arrays(np.int64, label_shape, elements=st.integers(0, shape[axis] - 1)))
        if options.get("ignore_class") is not None:
            ignored = draw(hnp.arrays(np.bool_, label_shape))
            labels = np.where(ignored, options["ignore_class"], labels)
        if axis == len(shape) - 1 and draw(st.booleans()):
            labels = labels[..., None]  # (N, 1) labels
        return labels, draw(hnp.arrays(np.float32, shape, elements=predictions))
    y_true = _one_hot(draw, shape, axis)
    if kind == "categorical_hinge":
        return y_true, draw(hnp.arrays(np.float32, shape, elements=_floats(-3, 3)))
    return y_true, draw(hnp.arrays(np.float32, shape, elements=predictions))


@st.composite
def loss_examples(draw, case):
    """Options, inputs, a reduction and a sample weight (None, per sample, per entry or a scalar)."""
    options = draw(case[2])
    y_true, y_pred = draw(inputs(case[3], options))
    values_shape = tuple(getattr(losses, case[1])(torch.from_numpy(y_true), torch.from_numpy(y_pred), **options).shape)
    weight_shape = draw(
        st.sampled_from(
            [None, values_shape, values_shape[:1] + (1,) * (len(values_shape) - 1), values_shape[:1] + (1,), ()]
        )
    )
    sample_weight = keras_weight = None
    if weight_shape is not None:
        sample_weight = keras_weight = draw(hnp.arrays(np.float32, weight_shape, elements=_floats(0, 2)))
        if options.get("ignore_class") is not None and sample_weight.ndim <= len(values_shape):
            # Keras multiplies the weight by the mask in place, which fails unless the weight has the full shape
            keras_weight = np.ascontiguousarray(np.broadcast_to(sample_weight, values_shape))
    return options, y_true, y_pred, draw(st.sampled_from(REDUCTIONS)), sample_weight, keras_weight


def _tensor(x, grad=False):
    return None if x is None else torch.tensor(x, requires_grad=grad)


def _assert_close(ours, theirs):
    ours, theirs = ours.detach().numpy(), np.asarray(theirs.detach())
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def _ids(cases):
    return [case[0] for case in cases]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
@given(data=st.data())
def test_classes_match_keras(keras3, case, data):
    options, y_true, y_pred, reduction, sample_weight, keras_weight = data.draw(loss_examples(case))
    ours = getattr(losses, case[0])(reduction=reduction, **options)
    theirs = getattr(keras3.losses, case[0])(reduction=reduction, **options)
    assert ours.name == theirs.name and ours.reduction == theirs.reduction
    _assert_close(
        ours(_tensor(y_true), _tensor(y_pred), sample_weight=_tensor(sample_weight)),
        theirs(_tensor(y_true), _tensor(y_pred), sample_weight=_tensor(keras_weight)),
    )


@pytest.mark.parametrize("case", CASES, ids=[case[1] for case in CASES])
@given(data=st.data())
def test_functions_match_keras(keras3, case, data):
    options = data.draw(case[2])
    y_true, y_pred = data.draw(inputs(case[3], options))
    ours = getattr(losses, case[1])(_tensor(y_true), _tensor(y_pred), **options)
    theirs = getattr(keras3.losses, case[1])(_tensor(y_true), _tensor(y_pred), **options)
    _assert_close(ours, theirs)
    their_mask = getattr(theirs, "_keras_mask", None)
    if their_mask is not None:
        np.testing.assert_array_equal(ours._keras_mask.numpy(), their_mask.numpy())


@pytest.mark.parametrize("case", CROSS_ENTROPIES, ids=_ids(CROSS_ENTROPIES))
@given(data=st.data())
def test_cross_entropy_gradients_match_keras(keras3, case, data):
    options, y_true, y_pred, reduction, sample_weight, keras_weight = data.draw(loss_examples(case))
    reduction = reduction if reduction not in ("none", None) else "sum"
    gradients = []
    for module, weight in ((losses, sample_weight), (keras3.losses, keras_weight)):
        prediction = _tensor(y_pred, grad=True)
        getattr(module, case[0])(reduction=reduction, **options)(
            _tensor(y_true), prediction, sample_weight=_tensor(weight)
        ).backward()
        gradients.append(prediction.grad)
    _assert_close(*gradients)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (3,), (3, 1)])  # Keras fails on a scalar weight with a mask
def test_keras_mask_on_y_pred_matches_keras(keras3, reduction, weight_shape):
    y_true, y_pred = torch.rand(3, 4), torch.rand(3, 4)
    mask = torch.tensor([True, False, True])
    weight = None if weight_shape is None else torch.rand(weight_shape)
    results = []
    for module in (losses, keras3.losses):
        masked = y_pred.clone()
        masked._keras_mask = mask
        results.append(module.MeanSquaredError(reduction=reduction)(y_true, masked, sample_weight=weight))
    _assert_close(*results)


@pytest.mark.parametrize("dtype", [None, "float64", "float16"])
@pytest.mark.parametrize("input_dtype", [torch.float64, torch.float16])
def test_loss_dtype_matches_keras(keras3, dtype, input_dtype):
    y_true, y_pred = torch.rand(4, 3, dtype=input_dtype), torch.rand(4, 3, dtype=input_dtype)
    ours = losses.BinaryCrossentropy(dtype=dtype)
    theirs = keras3.losses.BinaryCrossentropy(dtype=dtype)
    assert ours.dtype == theirs.dtype
    result, expected = ours(y_true, y_pred), theirs(y_true, y_pred)
    # Keras 3.15 returns float32 from a float64 loss; kerastorch computes and returns float64 as asked
    assert result.dtype == (torch.float64 if dtype == "float64" else expected.dtype)
    np.testing.assert_allclose(result.float().numpy(), expected.float().numpy(), rtol=1e-3)
    assert losses.mean_squared_error(y_true, y_pred).dtype == keras3.losses.mean_squared_error(y_true, y_pred).dtype


def test_configs_match_keras_and_load_in_keras(keras3):
    for name, *_ in CASES:
        ours, theirs = getattr(losses, name)(reduction="sum"), getattr(keras3.losses, name)(reduction="sum")
        config = ours.get_config()
        assert {k: config[k] for k in theirs.get_config()} == theirs.get_config()
        assert getattr(keras3.losses, name).from_config(config).get_config() == theirs.get_config()
        assert losses.serialize(ours)["class_name"] == keras3.losses.serialize(theirs)["class_name"]
        rebuilt = losses.deserialize(keras3.losses.serialize(theirs))
        assert type(rebuilt) is type(ours) and rebuilt.get_config() == config


def test_get_accepts_every_keras_identifier_in_scope(keras3):
    from keras.src.losses import ALL_OBJECTS_DICT

    ours_names = set(dir(losses))
    for name, theirs in ALL_OBJECTS_DICT.items():
        if getattr(theirs, "__name__", name) not in ours_names or name == "LossFunctionWrapper":
            continue  # names kerastorch lacks; Keras cannot get() a wrapper without fn
        expected, result = keras3.losses.get(name), losses.get(name)
        if isinstance(expected, keras3.losses.Loss):
            # names up to Keras's global counter (other tests may have made "loss", "loss_1", ... already)
            unnumbered = re.sub(r"_\d+$", "", expected.name)
            assert type(result).__name__ == type(expected).__name__ and result.name == unnumbered
        else:
            assert result is getattr(losses, expected.__name__)


def test_sparse_loss_out_of_range_label_raises_like_keras(keras3):
    with pytest.raises(IndexError):
        keras3.losses.sparse_categorical_crossentropy(torch.tensor([0, 3]), torch.rand(2, 3), from_logits=True)
    with pytest.raises(ValueError, match=r"labels in \[0, 2\].*3 classes.*received labels in \[0, 3\]"):
        losses.sparse_categorical_crossentropy(torch.tensor([0, 3]), torch.rand(2, 3), from_logits=True)

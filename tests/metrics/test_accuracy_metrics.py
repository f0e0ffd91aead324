"""Tests for the accuracy metrics: Keras 3 parity, resolve_accuracy, shape errors."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from metric_checks import arrays, assert_parity, batches, floats, roundtrip, to_np

from kerastorch import metrics

# few distinct scores, so that ties (and exact matches for Accuracy) are common
SCORES = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])


def binary_pair(draw, shape):
    return draw(arrays(shape, st.sampled_from([0.0, 1.0]))), draw(arrays(shape, floats(0.0, 1.0) | SCORES))


def exact_pair(draw, shape):
    return draw(arrays(shape, st.integers(0, 2).map(float))), draw(arrays(shape, st.integers(0, 2).map(float)))


def categorical_pair(draw, shape):
    labels = draw(arrays(shape[:-1], st.integers(0, shape[-1] - 1), dtype=np.int64))
    return np.eye(shape[-1], dtype=np.float32)[labels], draw(arrays(shape, SCORES | floats(0.0, 1.0)))


def sparse_pair(draw, shape, keep_axis=None):
    labels = draw(arrays(shape[:-1], st.integers(0, shape[-1] - 1), dtype=np.int64))
    if keep_axis if keep_axis is not None else draw(st.booleans()):
        labels = labels[..., None]  # (batch, 1) labels
    return labels, draw(arrays(shape, SCORES | floats(0.0, 1.0)))


CASES = [
    ("Accuracy", {}, exact_pair, (1,)),
    ("Accuracy", {}, exact_pair, (3,)),
    ("BinaryAccuracy", {}, binary_pair, (1,)),
    ("BinaryAccuracy", {"threshold": 0.7}, binary_pair, (2, 3)),
    ("CategoricalAccuracy", {}, categorical_pair, (4,)),
    ("CategoricalAccuracy", {}, categorical_pair, (2, 3)),
    ("SparseCategoricalAccuracy", {}, sparse_pair, (4,)),
    ("SparseCategoricalAccuracy", {}, lambda d, s: sparse_pair(d, s, keep_axis=False), (2, 3)),
    ("TopKCategoricalAccuracy", {"k": 2}, categorical_pair, (4,)),
    ("TopKCategoricalAccuracy", {"k": 1}, categorical_pair, (3,)),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, sparse_pair, (5,)),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, lambda d, s: sparse_pair(d, s, keep_axis=False), (2, 4)),
]


@pytest.mark.parity
@pytest.mark.parametrize("name,kwargs,make_pair,tail", CASES)
@given(data=st.data())
def test_accuracy_metrics_match_keras(keras3, name, kwargs, make_pair, tail, data):
    drawn = data.draw(batches(make_pair, tail=tail, per_sample="Categorical" in name))
    assert_parity(getattr(metrics, name)(**kwargs), getattr(keras3.metrics, name)(**kwargs), drawn)


@pytest.mark.parity
@given(ids=arrays((4, 3), st.integers(0, 4), dtype=np.int64), labels=arrays((4,), st.integers(0, 4), dtype=np.int64))
def test_sparse_top_k_from_sorted_ids_matches_keras(keras3, ids, labels):
    ours = metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    theirs = keras3.metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    assert_parity(ours, theirs, [(labels, ids, None)])
    assert roundtrip(ours).get_config()["from_sorted_ids"] is True


@pytest.mark.parity
@pytest.mark.parametrize(
    "function",
    [
        "binary_accuracy",
        "categorical_accuracy",
        "sparse_categorical_accuracy",
        "top_k_categorical_accuracy",
        "sparse_top_k_categorical_accuracy",
    ],
)
@given(data=st.data())
def test_accuracy_functions_match_keras(keras3, function, data):
    pair = {
        "binary_accuracy": binary_pair,
        "categorical_accuracy": categorical_pair,
        "top_k_categorical_accuracy": categorical_pair,
    }.get(function, sparse_pair)
    y_true, y_pred = pair(data.draw, (data.draw(st.integers(1, 4)), 3))
    kwargs = {"k": 2} if "top_k" in function else {}
    ours = getattr(metrics, function)(torch.from_numpy(y_true), torch.from_numpy(y_pred), **kwargs)
    theirs = getattr(keras3.metrics, function)(y_true, y_pred, **kwargs)
    assert isinstance(ours, torch.Tensor) and ours.dtype == torch.float32
    np.testing.assert_array_equal(to_np(ours).reshape(-1), to_np(theirs).reshape(-1))


def test_known_values_ties_and_large_k():
    y_pred = torch.tensor([[0.5, 0.5, 0.5], [0.0, 1.0, 1.0]])
    # ties with the k-th score count as in the top k; k beyond the classes keeps everything
    np.testing.assert_array_equal(
        to_np(metrics.sparse_top_k_categorical_accuracy(torch.tensor([2, 0]), y_pred, k=1)), [1.0, 0.0]
    )
    np.testing.assert_array_equal(
        to_np(metrics.sparse_top_k_categorical_accuracy(torch.tensor([2, 0]), y_pred, k=10)), [1.0, 1.0]
    )
    m = metrics.BinaryAccuracy(threshold=0.0)  # logits
    assert m(torch.tensor([1.0, 0.0]), torch.tensor([2.0, -1.0])).item() == 1.0


SHAPES = [
    ((8,), (8,)),
    ((8, 1), (8, 1)),
    ((8,), (8, 1)),
    ((8, 1), (8,)),
    ((8,), (8, 3)),
    ((8, 1), (8, 3)),
    ((8, 3), (8, 3)),
    ((8, 2, 3), (8, 2, 3)),
    ((8, 2), (8, 2, 3)),
    ((8, 2, 1), (8, 2, 3)),
    ((8, 4), (8, 3)),
    ((8,), (8, 2, 3)),
    ((8, 2, 3), (8, 3)),
    ((8, 2, 1), (8, 1)),
    ((8, 3), (8,)),
    ((8, 1, 1), (8, 3)),
]


@pytest.mark.parity
@pytest.mark.parametrize("y_true_shape,y_pred_shape", SHAPES)
def test_resolve_accuracy_picks_what_keras_picks(keras3, y_true_shape, y_pred_shape):
    from keras.src.trainers.compile_utils import get_metric

    theirs = get_metric("accuracy", keras3.ops.zeros(y_true_shape), keras3.ops.zeros(y_pred_shape))
    ours = metrics.resolve_accuracy(y_true_shape, y_pred_shape, loss="mse")
    assert ours.__name__ == type(theirs).__name__ and issubclass(ours, metrics.Metric)
    assert ours(name="acc").name == "acc"


def test_resolve_accuracy_with_unknown_dimensions_and_scalars():
    assert metrics.resolve_accuracy((None,), (None, None)) is metrics.SparseCategoricalAccuracy
    assert metrics.resolve_accuracy((None, 10), (None, 10)) is metrics.CategoricalAccuracy
    with pytest.raises(ValueError, match="rank >= 1"):
        metrics.resolve_accuracy((), (3,))


@pytest.mark.parametrize(
    "metric,y_true,y_pred",
    [
        (metrics.Accuracy(), torch.zeros(3), torch.zeros(2)),
        (metrics.BinaryAccuracy(), torch.zeros(3, 2), torch.zeros(3, 4)),
        (metrics.SparseCategoricalAccuracy(), torch.zeros(3), torch.zeros(2, 4)),
        (metrics.CategoricalAccuracy(), torch.zeros(3, 4), torch.zeros(2, 4)),
        (metrics.SparseTopKCategoricalAccuracy(), torch.zeros(3, 2), torch.zeros(3, 4)),
    ],
)
def test_mismatched_shapes_raise_value_errors(metric, y_true, y_pred):
    with pytest.raises(ValueError, match="shape"):
        metric.update_state(y_true, y_pred)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="k must be a positive integer"):
        metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(ValueError, match="threshold"):
        metrics.BinaryAccuracy(threshold="high")


@pytest.mark.parametrize(
    "metric",
    [
        metrics.Accuracy(),
        metrics.BinaryAccuracy(threshold=0.3),
        metrics.CategoricalAccuracy(name="cat"),
        metrics.SparseCategoricalAccuracy(),
        metrics.TopKCategoricalAccuracy(k=3),
        metrics.SparseTopKCategoricalAccuracy(k=2),
    ],
)
def test_configs_round_trip(metric):
    clone = roundtrip(metric)
    assert clone.name == metric.name and "fn" not in clone.get_config()

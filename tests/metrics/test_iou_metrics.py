"""Tests for IoU, MeanIoU, BinaryIoU, OneHotIoU and OneHotMeanIoU: Keras 3 parity (ids out of range, ignore_class,
argmax inputs, int and float state), known values, weights, errors, configs, a training run."""

import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from metric_checks import arrays, assert_parity, batches, floats, roundtrip, to_np

import kerastorch as keras
from kerastorch import metrics

C = 3  # classes in the parity cases


def sparse_pair(draw, shape):
    """Class ids, some out of range (-1, C) so that they are not counted."""
    return draw(arrays(shape, st.integers(-1, C), np.int32)), draw(arrays(shape, st.integers(-1, C), np.int32))


def scored_pair(draw, shape):
    """Class ids and scores over the C classes (a last axis of C)."""
    return draw(arrays(shape[:-1], st.integers(0, C - 1), np.int32)), draw(arrays(shape, floats(0.0, 1.0)))


def one_hot_pair(draw, shape):
    labels = np.eye(C, dtype=np.float32)[draw(arrays(shape[:-1], st.integers(0, C - 1), np.int32))]
    return labels, draw(arrays(shape, floats(0.0, 1.0)))


def one_hot_sparse_pair(draw, shape):
    labels, _ = one_hot_pair(draw, shape)
    return labels, draw(arrays(shape[:-1], st.integers(0, C - 1), np.int32))


def binary_pair(draw, shape):
    scores = st.sampled_from([0.0, 0.3, 0.5, 1.0]) | floats(-1.0, 2.0)
    return draw(arrays(shape, st.sampled_from([0, 1]), np.int32)), draw(arrays(shape, scores))


def int_weights(draw, shape):
    return draw(st.none() | arrays(shape, st.integers(0, 3), np.int32))


def float_weights(draw, shape):
    return draw(st.none() | arrays(shape, floats(0.0, 2.0)))


CASES = [  # name, kwargs, make_pair, tail (of y_pred), weights
    ("IoU", {"num_classes": C, "target_class_ids": [0, 2]}, sparse_pair, (), int_weights),
    ("IoU", {"num_classes": C, "target_class_ids": [1], "dtype": "float32"}, sparse_pair, (2,), float_weights),
    ("IoU", {"num_classes": C, "target_class_ids": (2, 0, 2), "ignore_class": 1}, sparse_pair, (), int_weights),
    ("IoU", {"num_classes": C, "target_class_ids": [0, 1], "sparse_y_pred": False}, scored_pair, (C,), int_weights),
    ("MeanIoU", {"num_classes": C}, sparse_pair, (), int_weights),
    ("MeanIoU", {"num_classes": C, "ignore_class": -1, "dtype": "float64"}, sparse_pair, (2,), float_weights),
    (
        "MeanIoU",
        {"num_classes": C, "sparse_y_true": False, "sparse_y_pred": False, "dtype": "float32"},
        one_hot_pair,
        (C,),
        float_weights,
    ),
    ("BinaryIoU", {}, binary_pair, (), int_weights),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3, "dtype": "float32"}, binary_pair, (2,), float_weights),
    ("OneHotIoU", {"num_classes": C, "target_class_ids": [0, 2]}, one_hot_pair, (C,), int_weights),
    ("OneHotMeanIoU", {"num_classes": C, "dtype": "float32"}, one_hot_pair, (C,), float_weights),
    (
        "OneHotMeanIoU",
        {"num_classes": C, "sparse_y_pred": True, "ignore_class": 0},
        one_hot_sparse_pair,
        (C,),
        int_weights,
    ),
]


@pytest.mark.parity
@pytest.mark.parametrize("name,kwargs,make_pair,tail,weights", CASES)
@given(data=st.data())
def test_iou_metrics_match_keras(keras3, name, kwargs, make_pair, tail, weights, data):
    # Keras flattens the labels (class ids, after argmax) and needs a weight of as many entries
    drawn = [
        (y_true, y_pred, weights(data.draw, y_pred.shape[:-1] if tail == (C,) else y_pred.shape))
        for y_true, y_pred, _ in data.draw(batches(make_pair, tail=tail, weights=False))
    ]
    assert_parity(getattr(metrics, name)(**kwargs), getattr(keras3.metrics, name)(**kwargs), drawn)


def test_known_values():
    # confusion matrix [[1, 1], [1, 1]]: each class's IoU is 1 / 3
    y_true, y_pred = torch.tensor([0, 0, 1, 1]), torch.tensor([0, 1, 0, 1])
    assert metrics.MeanIoU(2)(y_true, y_pred).item() == pytest.approx(1 / 3)
    m = metrics.IoU(2, [0], dtype="float32")
    m.update_state(y_true, y_pred, sample_weight=torch.tensor([0.3, 0.3, 0.3, 0.1]))
    np.testing.assert_allclose(to_np(m.total_cm), [[0.3, 0.3], [0.3, 0.1]], rtol=1e-6)
    assert m.result().item() == pytest.approx(1 / 3)
    assert m.result().dtype == torch.float32 and m.result().shape == ()
    # a class that never occurs does not count in the mean; nothing seen gives 0
    assert metrics.MeanIoU(4)(torch.tensor([0, 1]), torch.tensor([0, 1])).item() == pytest.approx(1.0)
    assert metrics.MeanIoU(2).result().item() == 0.0
    binary = metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    assert binary(torch.tensor([0, 1, 0, 1]), torch.tensor([0.1, 0.2, 0.4, 0.7])).item() == pytest.approx(1 / 3)
    one_hot = metrics.OneHotMeanIoU(3)  # argmax: labels [2, 0, 1, 0], predictions [2, 2, 0, 2]
    scores = torch.tensor([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
    assert one_hot(torch.eye(3)[[2, 0, 1, 0]], scores).item() == pytest.approx((0 + 0 + 1 / 3) / 3)


def test_ids_out_of_range_and_ignored_are_not_counted():
    m = metrics.MeanIoU(3, ignore_class=255)
    m.update_state(torch.tensor([0, 1, 255, 3, -1, 2]), torch.tensor([0, 1, 1, 1, 0, 5]))
    np.testing.assert_array_equal(to_np(m.total_cm), [[1, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert m.total_cm.dtype == torch.int32 and m.result().item() == pytest.approx(1.0)
    m = metrics.IoU(3, [1], dtype="float32")  # float ids are truncated toward zero
    m.update_state(torch.tensor([1.7, 0.2]), torch.tensor([1.2, 2.9]))
    np.testing.assert_array_equal(to_np(m.total_cm), [[0, 0, 1], [0, 1, 0], [0, 0, 0]])


def test_weights_per_entry_and_per_sample():
    y_true = torch.tensor([[0, 1], [1, 1], [2, 0]])
    y_pred = torch.tensor([[0, 1], [0, 1], [2, 2]])
    per_sample = metrics.MeanIoU(3)
    per_sample.update_state(y_true, y_pred, sample_weight=torch.tensor([1, 0, 2]))  # Keras 3 raises here
    per_entry = metrics.MeanIoU(3)
    per_entry.update_state(y_true, y_pred, sample_weight=torch.tensor([[1, 1], [0, 0], [2, 2]]))
    torch.testing.assert_close(per_sample.total_cm, per_entry.total_cm)
    np.testing.assert_array_equal(to_np(per_entry.total_cm), [[1, 0, 2], [0, 1, 0], [0, 0, 2]])
    scalar = metrics.MeanIoU(3)
    scalar.update_state(y_true, y_pred, sample_weight=3)
    np.testing.assert_array_equal(to_np(scalar.total_cm), 3 * to_np(_matrix(y_true, y_pred)))
    with pytest.raises(
        ValueError,
        match=r"mean_io_u_?\d*: sample_weight of shape \(2,\) does not fit labels of "
        r"shape \(3, 2\)",
    ):
        metrics.MeanIoU(3).update_state(y_true, y_pred, sample_weight=torch.tensor([1, 2]))


def _matrix(y_true, y_pred):
    m = metrics.MeanIoU(3)
    m.update_state(y_true, y_pred)
    return m.total_cm


def test_float_weights_with_int_state_are_truncated_with_a_warning():
    m = metrics.MeanIoU(2)
    with pytest.warns(UserWarning, match="float sample weights are truncated"):
        m.update_state(torch.tensor([0, 1]), torch.tensor([0, 1]), sample_weight=torch.tensor([1.9, 2.5]))
    np.testing.assert_array_equal(to_np(m.total_cm), [[1, 0], [0, 2]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics.MeanIoU(2, dtype="float32").update_state([0, 1], [0, 1], sample_weight=[0.5, 0.5])
        metrics.MeanIoU(2).update_state([0, 1], [0, 1], sample_weight=torch.tensor([1, 2]))


def test_state_follows_the_inputs_and_resets():
    m = metrics.OneHotIoU(3, [0, 1], axis=1)  # classes on axis 1 (channels first)
    labels = torch.nn.functional.one_hot(torch.tensor([[0, 1], [2, 1]]), 3).permute(0, 2, 1)  # (2, 3, 2)
    m.update_state(labels, labels.float())
    assert m.result().item() == pytest.approx(1.0)
    m.reset_state()
    assert not m.total_cm.any() and m.result().item() == 0.0


@pytest.mark.parametrize(
    "build,message",
    [
        (lambda: metrics.IoU(0, [0]), "IoU: Argument `num_classes` must be an integer >= 1. Received: num_classes=0"),
        (
            lambda: metrics.MeanIoU(2.5),
            "MeanIoU: Argument `num_classes` must be an integer >= 1. Received: num_classes=2.5",
        ),
        (
            lambda: metrics.IoU(3, [3]),
            "IoU: Argument `target_class_ids` must be a non-empty list of class ids in [0, 3). "
            "Received: target_class_ids=[3]",
        ),
        (lambda: metrics.IoU(3, []), "IoU: Argument `target_class_ids` must be a non-empty list"),
        (lambda: metrics.OneHotIoU(3, 1), "OneHotIoU: Argument `target_class_ids` must be a non-empty list"),
        (
            lambda: metrics.BinaryIoU([0, 2]),
            "BinaryIoU: Argument `target_class_ids` must be a non-empty list of class "
            "ids in [0, 2). Received: target_class_ids=[0, 2]",
        ),
        (
            lambda: metrics.BinaryIoU(threshold="0.5"),
            "BinaryIoU: Argument `threshold` must be a number. Received: threshold='0.5'",
        ),
        (lambda: metrics.MeanIoU(3, ignore_class=0.5), "MeanIoU: Argument `ignore_class` must be None or an integer"),
        (lambda: metrics.MeanIoU(3, sparse_y_true=1), "MeanIoU: Argument `sparse_y_true` must be True or False"),
        (lambda: metrics.OneHotMeanIoU(3, axis=(0, 1)), "OneHotMeanIoU: Argument `axis` must be an integer"),
    ],
)
def test_bad_arguments_raise_value_errors(build, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        build()


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError, match="as many class ids"):
        metrics.MeanIoU(3).update_state(torch.zeros(4), torch.zeros(3))
    with pytest.raises(ValueError, match=r"axis=2 is not an axis of y_true of shape \(4, 3\)"):
        metrics.OneHotMeanIoU(3, axis=2).update_state(torch.zeros(4, 3), torch.zeros(4, 3))


CONFIG_CASES = [
    ("IoU", {"num_classes": 4, "target_class_ids": (1, 3), "ignore_class": 0, "sparse_y_pred": False}),
    ("MeanIoU", {"num_classes": 3, "dtype": "float32", "axis": 1}),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [0], "sparse_y_pred": True}),
    ("OneHotMeanIoU", {"num_classes": 5, "ignore_class": 4}),
]


@pytest.mark.parity
@pytest.mark.parametrize("name,kwargs", CONFIG_CASES)
def test_configs_round_trip_and_match_keras(keras3, name, kwargs):
    ours = roundtrip(getattr(metrics, name)(name="m", **kwargs)).get_config()
    theirs = getattr(keras3.metrics, name)(name="m", **kwargs).get_config()
    assert ours == theirs
    assert getattr(metrics, name).from_config(theirs).get_config() == ours


def test_in_compile_fit_and_evaluate():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 4)).astype("float32")
    labels = np.argmax(x[:, :3], axis=1)
    y = np.eye(3, dtype="float32")[labels]
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(
        optimizer="adam",
        loss="categorical_crossentropy",
        metrics=[keras.metrics.OneHotMeanIoU(3), keras.metrics.OneHotIoU(3, [0], name="iou_0")],
    )
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "one_hot_mean_io_u", "iou_0"}
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    with torch.no_grad():
        predicted = to_np(model(torch.tensor(x))).argmax(1)
    matrix = np.zeros((3, 3))
    np.add.at(matrix, (labels, predicted), 1)
    union = matrix.sum(0) + matrix.sum(1) - np.diag(matrix)
    iou = np.diag(matrix) / union
    assert logs["iou_0"] == pytest.approx(iou[0], abs=1e-6)
    assert logs["one_hot_mean_io_u"] == pytest.approx(iou[union > 0].mean(), abs=1e-6)

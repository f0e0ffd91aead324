"""Tests for Mean, Sum and MeanMetricWrapper: Keras 3 parity with sample weights and masks, configs."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from metric_checks import TOL, arrays, assert_same_state, floats, roundtrip, to_np, weight_for

from kerastorch import losses, metrics


@st.composite
def value_batches(draw):
    """Batches of values sharing their trailing shape, each with an optional weight."""
    tail = draw(st.lists(st.integers(1, 3), max_size=2).map(tuple))
    result = []
    for _ in range(draw(st.integers(1, 3))):
        values = draw(arrays((draw(st.integers(1, 4)), *tail), floats()))
        result.append((values, draw(weight_for(values.shape))))
    return result


@pytest.mark.parity
@pytest.mark.parametrize("name", ["Mean", "Sum"])
@given(data=value_batches())
def test_mean_and_sum_match_keras(keras3, name, data):
    ours, theirs = getattr(metrics, name)(), getattr(keras3.metrics, name)()
    for values, weight in data:
        ours.update_state(torch.from_numpy(values), None if weight is None else torch.from_numpy(weight))
        theirs.update_state(values, sample_weight=weight)
    assert_same_state(ours, theirs)
    ours.reset_state()
    assert ours.result().item() == 0.0
    values, weight = data[0]
    ours.update_state(values, sample_weight=weight)  # numpy in
    theirs.reset_state()
    theirs.update_state(values, sample_weight=weight)
    assert_same_state(ours, theirs)


@pytest.mark.parity
def test_scalar_values_and_weights_match_keras(keras3):
    cases = [
        (np.float32(3.0), None),
        (np.ones((4, 3), "float32"), np.float32(2.0)),
        (np.arange(4, dtype="float32"), np.ones((4, 1), "float32")),
    ]
    for values, weight in cases:
        for name in ("Mean", "Sum"):
            ours, theirs = getattr(metrics, name)(), getattr(keras3.metrics, name)()
            ours.update_state(values, sample_weight=weight)
            theirs.update_state(values, sample_weight=weight)
            assert_same_state(ours, theirs)


@pytest.mark.parity
@given(values=arrays((4, 2), floats()), weight=arrays((4,), floats(0.0, 2.0)))
def test_keras_mask_weights_like_keras(keras3, values, weight):
    """A Keras mask on the values zeroes their weight (Keras 3 applies it only with a sample weight)."""
    mask = np.array([True, False, True, True])
    ours, theirs = metrics.Mean(), keras3.metrics.Mean()
    for sample_weight in (None, weight):
        mine, their_values = torch.from_numpy(values), torch.from_numpy(values)
        mine._keras_mask, their_values._keras_mask = torch.from_numpy(mask), torch.from_numpy(mask)
        ours.update_state(mine, sample_weight=sample_weight)
        theirs.update_state(their_values, sample_weight=sample_weight)
        assert_same_state(ours, theirs)


def test_known_values_and_dtype():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 1.0])
    assert m.result().item() == pytest.approx(2.0)
    assert m.count.item() == pytest.approx(2.0)
    s = metrics.Sum(dtype="float64")
    s.update_state(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert s.result().dtype == torch.float64 and s.result().item() == 10.0
    assert metrics.Mean().result().item() == 0.0  # no data: 0, not NaN


def test_sample_weight_shape_errors():
    with pytest.raises(ValueError, match="cannot be broadcast"):
        metrics.Mean().update_state(torch.ones(4, 3), sample_weight=torch.ones(3))
    with pytest.raises(ValueError, match="cannot be broadcast"):
        metrics.MeanSquaredError().update_state(torch.ones(4), torch.zeros(4), sample_weight=torch.ones(4))


@pytest.mark.parity
@given(y_true=arrays((5, 3), floats()), y_pred=arrays((5, 3), floats()), weight=arrays((5,), floats(0.0, 2.0)))
def test_wrapper_of_a_function_matches_keras(keras3, y_true, y_pred, weight):
    ours = metrics.MeanMetricWrapper(losses.mean_squared_error, name="my_mse")
    theirs = keras3.metrics.MeanMetricWrapper(keras3.losses.mean_squared_error, name="my_mse")
    for sample_weight in (None, weight):
        ours.update_state(torch.from_numpy(y_true), torch.from_numpy(y_pred), sample_weight=sample_weight)
        theirs.update_state(y_true, y_pred, sample_weight=sample_weight)
    assert_same_state(ours, theirs)


def test_wrapper_passes_keyword_arguments_and_round_trips():
    m = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="strict", threshold=0.9)
    y_true, y_pred = torch.tensor([[1.0], [1.0]]), torch.tensor([[0.95], [0.8]])
    np.testing.assert_allclose(to_np(m(y_true, y_pred)), 0.5)
    config = m.get_config()
    assert config["threshold"] == 0.9 and config["name"] == "strict"
    # Keras 3's form for a function (Keras 3 reads a bare name back as a string, not as the function)
    assert config["fn"] == {
        "module": "builtins",
        "class_name": "function",
        "config": "binary_accuracy",
        "registered_name": "function",
    }
    clone = roundtrip(m)
    np.testing.assert_allclose(to_np(clone(y_true, y_pred)), 0.5)
    loss_wrapper = roundtrip(metrics.MeanMetricWrapper(losses.mean_absolute_error))
    np.testing.assert_allclose(to_np(loss_wrapper(torch.zeros(2, 2), torch.ones(2, 2))), 1.0, **TOL)


@pytest.mark.parity
def test_wrapper_config_reads_keras_config(keras3):
    config = keras3.metrics.MeanMetricWrapper(keras3.metrics.binary_accuracy, name="acc", threshold=0.3).get_config()
    m = metrics.MeanMetricWrapper.from_config(config)
    assert m.name == "acc" and m._fn is metrics.binary_accuracy and m._fn_kwargs == {"threshold": 0.3}
    with pytest.raises(ValueError, match="Unknown metric function"):
        metrics.MeanMetricWrapper.from_config({**config, "fn": "not_a_function"})


def test_wrapper_needs_a_callable():
    with pytest.raises(TypeError, match="callable"):
        metrics.MeanMetricWrapper("mse")

"""Tests for the regression metrics and R2Score: Keras 3 parity, known values, errors, configs."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from metric_checks import arrays, assert_parity, batches, floats, roundtrip, to_np

from kerastorch import metrics

# entries 0 or at least 1e-3 in size, so that norms are far from any epsilon
VALUES = floats(-5.0, 5.0).filter(lambda v: v == 0 or abs(v) >= 1e-3)


def pair(low=-5.0, high=5.0):
    def make(draw, shape):
        elements = floats(low, high).filter(lambda v: v == 0 or abs(v) >= 1e-3)
        return draw(arrays(shape, elements)), draw(arrays(shape, elements))

    return make


CASES = [
    ("MeanSquaredError", {}, pair()),
    ("RootMeanSquaredError", {}, pair()),
    ("MeanAbsoluteError", {}, pair()),
    ("MeanAbsolutePercentageError", {}, pair()),
    ("MeanSquaredLogarithmicError", {}, pair(0.0, 5.0)),
    ("LogCoshError", {}, pair()),
    ("CosineSimilarity", {}, pair()),
]


@pytest.mark.parity
@pytest.mark.parametrize("name,kwargs,make_pair", CASES)
@pytest.mark.parametrize("tail", [(1,), (3,), (2, 3)])
@given(data=st.data())
def test_regression_metrics_match_keras(keras3, name, kwargs, make_pair, tail, data):
    per_sample = name != "RootMeanSquaredError"  # the others reduce the last axis first
    drawn = data.draw(batches(make_pair, tail=tail, per_sample=per_sample))
    tol = dict(rtol=1e-4, atol=1e-4) if name == "MeanAbsolutePercentageError" else dict(rtol=1e-5, atol=1e-5)
    assert_parity(getattr(metrics, name)(**kwargs), getattr(keras3.metrics, name)(**kwargs), drawn, tol)


@pytest.mark.parity
@given(y_true=arrays((3, 4), VALUES), y_pred=arrays((3, 4), VALUES))
def test_cosine_similarity_axis_matches_keras(keras3, y_true, y_pred):
    assert_parity(metrics.CosineSimilarity(axis=0), keras3.metrics.CosineSimilarity(axis=0), [(y_true, y_pred, None)])


def test_known_values():
    y_true, y_pred = torch.tensor([[0.0, 1.0], [0.0, 0.0]]), torch.tensor([[1.0, 1.0], [1.0, 0.0]])
    assert metrics.MeanSquaredError()(y_true, y_pred).item() == pytest.approx(0.5)
    assert metrics.RootMeanSquaredError()(y_true, y_pred).item() == pytest.approx(0.5**0.5)
    assert metrics.MeanAbsoluteError()(y_true, y_pred).item() == pytest.approx(0.5)
    cosine = metrics.CosineSimilarity()(torch.tensor([[0.0, 1.0], [1.0, 1.0]]), torch.tensor([[1.0, 0.0], [1.0, 1.0]]))
    assert cosine.item() == pytest.approx(0.5)
    assert metrics.CosineSimilarity()(torch.zeros(1, 2), torch.ones(1, 2)).item() == 0.0  # zero vector: 0
    assert metrics.LogCoshError().name == "logcosh"


def r2_pair(draw, shape):
    return draw(arrays(shape, floats(-3.0, 3.0))), draw(arrays(shape, floats(-3.0, 3.0)))


@pytest.mark.parity
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"class_aggregation": None}, {"class_aggregation": "variance_weighted_average"}, {"num_regressors": 2}],
)
@given(data=st.data())
def test_r2_score_matches_keras(keras3, kwargs, data):
    outputs = data.draw(st.integers(1, 3))
    drawn = data.draw(batches(r2_pair, tail=(outputs,), weights=False, max_batch_size=6))
    weighted = [
        (y_true, y_pred, data.draw(st.one_of(st.none(), arrays((len(y_true),), floats(0.125, 2.0)))))
        for y_true, y_pred, _ in drawn
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_parity(metrics.R2Score(**kwargs), keras3.metrics.R2Score(**kwargs), weighted, dict(rtol=1e-4, atol=1e-4))


def test_r2_known_values_and_adjustment():
    y_true, y_pred = torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([[1.0], [2.0], [4.0]])
    assert metrics.R2Score()(y_true, y_pred).item() == pytest.approx(0.5)
    raw = metrics.R2Score(class_aggregation=None)(
        torch.tensor([[1.0, 0.0], [3.0, 2.0]]), torch.tensor([[1.0, 0.0], [3.0, 1.0]])
    )
    np.testing.assert_allclose(to_np(raw), [1.0, 0.5])
    with pytest.warns(UserWarning, match="num_regressors"):
        score = metrics.R2Score(num_regressors=2)(y_true, y_pred)  # 3 samples: too few to adjust
    assert score.item() == pytest.approx(0.5)
    single = metrics.R2Score()
    single(torch.tensor([[1.0]]), torch.tensor([[2.0]]))
    assert single.result().item() == 0.0  # no variance: 0, as Keras
    assert metrics.R2Score().result().item() == 0.0  # no data yet


def test_r2_errors():
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.R2Score().update_state(torch.zeros(5), torch.zeros(5))
    r2 = metrics.R2Score()
    r2.update_state(torch.zeros(4, 2), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="2 outputs"):
        r2.update_state(torch.zeros(4, 3), torch.zeros(4, 3))
    with pytest.raises(ValueError, match="class_aggregation"):
        metrics.R2Score(class_aggregation="raw_values")
    with pytest.raises(ValueError, match="num_regressors"):
        metrics.R2Score(num_regressors=-1)


@pytest.mark.parametrize(
    "metric,y_true,y_pred",
    [
        (metrics.MeanSquaredError(), torch.zeros(3, 2), torch.zeros(3, 4)),
        (metrics.RootMeanSquaredError(), torch.zeros(3, 2), torch.zeros(3, 4)),
        (metrics.CosineSimilarity(), torch.zeros(3, 2), torch.zeros(2, 2)),
        (metrics.R2Score(), torch.zeros(3, 2), torch.zeros(3, 4)),
    ],
)
def test_mismatched_shapes_raise_value_errors(metric, y_true, y_pred):
    with pytest.raises(ValueError, match="shape"):
        metric.update_state(y_true, y_pred)


@pytest.mark.parity
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("MeanSquaredError", {}),
        ("RootMeanSquaredError", {"name": "rmse"}),
        ("CosineSimilarity", {"axis": 1}),
        ("LogCoshError", {}),
        ("R2Score", {"class_aggregation": None, "num_regressors": 1}),
    ],
)
def test_configs_round_trip_and_match_keras(keras3, name, kwargs):
    ours = roundtrip(getattr(metrics, name)(**kwargs))
    theirs = getattr(keras3.metrics, name)(**kwargs).get_config()
    assert {k: v for k, v in ours.get_config().items() if k != "axis"} == theirs
    assert type(getattr(metrics, name).from_config(theirs)) is getattr(metrics, name)

"""Tests for F1Score and FBetaScore: Keras 3 parity for every average, thresholds, errors, configs."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from metric_checks import arrays, assert_parity, batches, floats, roundtrip, to_np

from kerastorch import metrics

SCORES = st.sampled_from([0.0, 0.25, 0.5, 1.0]) | floats(0.0, 1.0)


def pair(draw, shape):
    return draw(arrays(shape, st.sampled_from([0.0, 1.0]))), draw(arrays(shape, SCORES))


@pytest.mark.parity
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("F1Score", {}),
        ("F1Score", {"average": "micro"}),
        ("F1Score", {"average": "macro", "threshold": 0.5}),
        ("F1Score", {"average": "weighted"}),
        ("FBetaScore", {"beta": 2.0, "threshold": 0.3}),
        ("FBetaScore", {"beta": 0.5, "average": "weighted", "threshold": 1.0}),
    ],
)
@given(data=st.data())
def test_f_scores_match_keras(keras3, name, kwargs, data):
    classes = data.draw(st.integers(1, 4))
    drawn = data.draw(batches(pair, tail=(classes,), weights=False))
    weighted = [
        (y_true, y_pred, data.draw(st.none() | arrays((len(y_true),), floats(0.0, 2.0)))) for y_true, y_pred, _ in drawn
    ]
    assert_parity(getattr(metrics, name)(**kwargs), getattr(keras3.metrics, name)(**kwargs), weighted)


def test_known_values():
    y_true, y_pred = torch.tensor([[1, 0], [0, 1]]), torch.tensor([[0.9, 0.2], [0.6, 0.7]])
    np.testing.assert_allclose(to_np(metrics.F1Score(threshold=0.5)(y_true, y_pred)), [2 / 3, 1.0], rtol=1e-5)
    np.testing.assert_allclose(to_np(metrics.F1Score(average="macro", threshold=0.5)(y_true, y_pred)), 5 / 6, rtol=1e-5)
    # threshold None: the top class of each row is the prediction; an all-zero row predicts nothing
    top = metrics.F1Score(average="micro")(torch.tensor([[1, 0], [0, 1]]), torch.tensor([[0.0, 0.0], [0.1, 0.7]]))
    np.testing.assert_allclose(to_np(top), 2 / 3, rtol=1e-5)
    assert metrics.F1Score().result().item() == 0.0  # nothing seen yet


def test_errors():
    with pytest.raises(ValueError, match="average"):
        metrics.F1Score(average="samples")
    with pytest.raises(ValueError, match="beta"):
        metrics.FBetaScore(beta=0)
    with pytest.raises(ValueError, match="threshold"):
        metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state(torch.zeros(3), torch.zeros(3))
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state(torch.zeros(3, 2), torch.zeros(3, 3))
    f1 = metrics.F1Score()
    f1.update_state(torch.zeros(3, 2), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="2 classes"):
        f1.update_state(torch.zeros(3, 4), torch.zeros(3, 4))


@pytest.mark.parity
@pytest.mark.parametrize(
    "name,kwargs",
    [("F1Score", {"average": "macro", "threshold": 0.4}), ("FBetaScore", {"beta": 2.0, "average": "weighted"})],
)
def test_configs_round_trip_and_match_keras(keras3, name, kwargs):
    ours = roundtrip(getattr(metrics, name)(**kwargs))
    assert ours.get_config() == getattr(keras3.metrics, name)(**kwargs).get_config()

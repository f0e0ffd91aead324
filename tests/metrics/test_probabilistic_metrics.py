"""Tests for the loss-valued metrics (cross-entropies, KL divergence, Poisson, hinges): Keras 3 parity, configs."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from metric_checks import arrays, assert_parity, batches, floats, roundtrip

from kerastorch import metrics

PROBABILITIES = floats(0.0, 1.0)


def binary_pair(draw, shape):
    return draw(arrays(shape, st.sampled_from([0.0, 1.0]))), draw(arrays(shape, PROBABILITIES))


def logit_pair(draw, shape):
    return draw(arrays(shape, st.sampled_from([0.0, 1.0]))), draw(arrays(shape, floats(-5.0, 5.0)))


def distribution_pair(draw, shape):
    def distribution():
        raw = draw(arrays(shape, floats(0.01, 1.0)))
        return raw / raw.sum(-1, keepdims=True)

    return distribution(), distribution()


def one_hot_pair(draw, shape):
    labels = draw(arrays(shape[:-1], st.integers(0, shape[-1] - 1), dtype=np.int64))
    return np.eye(shape[-1], dtype=np.float32)[labels], distribution_pair(draw, shape)[1]


def sparse_pair(draw, shape):
    labels = draw(arrays(shape[:-1], st.integers(0, shape[-1] - 1), dtype=np.int64))
    return labels, distribution_pair(draw, shape)[1]


def count_pair(draw, shape):
    return draw(arrays(shape, floats(0.0, 4.0))), draw(arrays(shape, floats(0.01, 4.0)))


def signed_pair(draw, shape):
    return draw(arrays(shape, st.sampled_from([-1.0, 1.0]))), draw(arrays(shape, floats(-2.0, 2.0)))


CASES = [
    ("BinaryCrossentropy", {}, binary_pair),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, logit_pair),
    ("CategoricalCrossentropy", {}, one_hot_pair),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, logit_pair),
    ("SparseCategoricalCrossentropy", {}, sparse_pair),
    ("KLDivergence", {}, distribution_pair),
    ("Poisson", {}, count_pair),
    ("Hinge", {}, signed_pair),
    ("SquaredHinge", {}, binary_pair),
    ("CategoricalHinge", {}, one_hot_pair),
]


@pytest.mark.parity
@pytest.mark.parametrize("name,kwargs,make_pair", CASES)
@given(data=st.data())
def test_loss_metrics_match_keras(keras3, name, kwargs, make_pair, data):
    tail = data.draw(st.sampled_from([(3,), (2, 3)]))
    drawn = data.draw(batches(make_pair, tail=tail, per_sample=True))
    assert_parity(getattr(metrics, name)(**kwargs), getattr(keras3.metrics, name)(**kwargs), drawn)


@pytest.mark.parity
def test_ignore_class_masks_weighted_entries_like_keras(keras3):
    y_true = np.array([0, 1, 2, 1])
    y_pred = np.array([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4], [0.5, 0.25, 0.25]], "float32")
    weight = np.array([1.0, 2.0, 1.0, 1.0], "float32")
    assert_parity(
        metrics.SparseCategoricalCrossentropy(ignore_class=0),
        keras3.metrics.SparseCategoricalCrossentropy(ignore_class=0),
        [(y_true, y_pred, None), (y_true, y_pred, weight)],
    )


def test_known_values():
    half = torch.tensor([[0.5, 0.5]])
    assert metrics.BinaryCrossentropy()(torch.tensor([[0.0, 1.0]]), half).item() == pytest.approx(np.log(2), rel=1e-5)
    assert metrics.SparseCategoricalCrossentropy()(torch.tensor([1]), half).item() == pytest.approx(np.log(2), rel=1e-5)
    assert metrics.KLDivergence()(half, half).item() == pytest.approx(0.0, abs=1e-7)
    assert metrics.Hinge()(torch.tensor([[1.0]]), torch.tensor([[0.25]])).item() == pytest.approx(0.75)


@pytest.mark.parity
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}),
        ("CategoricalCrossentropy", {"axis": 1}),
        ("SparseCategoricalCrossentropy", {"ignore_class": 3}),
        ("KLDivergence", {}),
        ("Poisson", {"name": "p"}),
        ("Hinge", {}),
        ("SquaredHinge", {}),
        ("CategoricalHinge", {}),
    ],
)
def test_configs_round_trip_and_match_keras(keras3, name, kwargs):
    ours = roundtrip(getattr(metrics, name)(**kwargs))
    assert ours.get_config() == getattr(keras3.metrics, name)(**kwargs).get_config()

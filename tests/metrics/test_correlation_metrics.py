"""Tests for PearsonCorrelation, ConcordanceCorrelation and their functions: Keras 3 parity over axes and weights,
known values, NaN for constant vectors, errors, configs, a training run."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from metric_checks import arrays, assert_parity, batches, roundtrip, to_np

import kerastorch as keras
from kerastorch import metrics

TOL = dict(rtol=1e-4, atol=1e-5)
NAMES = ["PearsonCorrelation", "ConcordanceCorrelation"]
FUNCTIONS = ["pearson_correlation", "concordance_correlation"]
# quarters in [-2, 2]: exact in float32, with ties and constant rows (Pearson's NaN) among them
VALUES = st.integers(-8, 8).map(lambda i: i / 4)


def pair(draw, shape):
    return draw(arrays(shape, VALUES)), draw(arrays(shape, VALUES))


def varied(axis=-1):
    """Pairs whose vectors along ``axis`` start with two different entries: no constant vector, no NaN."""

    def make(draw, shape):
        y_true, y_pred = pair(draw, shape)
        true_view, pred_view = np.moveaxis(y_true, axis, -1), np.moveaxis(y_pred, axis, -1)
        true_view[..., 0], true_view[..., 1] = -2.5, 2.5
        pred_view[..., 0], pred_view[..., 1] = 2.5, -1.5
        return y_true, y_pred

    return make


@pytest.mark.parity
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "tail,kwargs,make_pair",
    [((3,), {}, varied()), ((2, 4), {}, varied()), ((4,), {}, pair), ((2, 3), {"axis": 1}, varied(1))],
)
@given(data=st.data())
def test_metrics_match_keras(keras3, name, tail, kwargs, make_pair, data):
    # one coefficient per (sample, other axes): weights of the shape without the reduced axis
    drawn = data.draw(batches(make_pair, tail=tail, weights=False))
    weighted = []
    for y_true, y_pred, _ in drawn:
        shape = tuple(int(d) for d in np.delete(y_pred.shape, kwargs.get("axis", -1)))
        weighted.append((y_true, y_pred, data.draw(st.none() | arrays(shape, st.integers(0, 3).map(float)))))
    assert_parity(getattr(metrics, name)(**kwargs), getattr(keras3.metrics, name)(**kwargs), weighted, TOL)


@pytest.mark.parity
@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("axis", [-1, 0, (0, 1), [1, 2]])
@given(y_true=arrays((3, 4, 2), VALUES), y_pred=arrays((3, 4, 2), VALUES))
def test_functions_match_keras(keras3, function, axis, y_true, y_pred):
    ours = getattr(metrics, function)(torch.from_numpy(y_true), torch.from_numpy(y_pred), axis=axis)
    theirs = getattr(keras3.metrics, function)(y_true, y_pred, axis=axis)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(to_np(ours), to_np(theirs), **TOL)


def test_known_values():
    y_true, y_pred = [[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]]
    np.testing.assert_allclose(to_np(metrics.pearson_correlation(y_true, y_pred)), [1.0, 0.99339927], rtol=1e-5)
    np.testing.assert_allclose(
        to_np(metrics.concordance_correlation(y_true, y_pred)), [0.97560976, 0.98765432], rtol=1e-5
    )
    assert metrics.PearsonCorrelation()(torch.tensor(y_true), torch.tensor(y_pred)).item() == pytest.approx(
        0.9966996, rel=1e-5
    )
    assert metrics.ConcordanceCorrelation()(torch.tensor(y_true), torch.tensor(y_pred)).item() == pytest.approx(
        0.9816320, rel=1e-5
    )
    # perfect, opposite, shifted: Pearson ignores scale and offset, concordance does not
    x = torch.tensor([[1.0, 2.0, 3.0]])
    assert metrics.pearson_correlation(x, 2 * x + 1).item() == pytest.approx(1.0)
    assert metrics.pearson_correlation(x, -x).item() == pytest.approx(-1.0)
    assert metrics.concordance_correlation(x, x).item() == pytest.approx(1.0, abs=1e-6)
    assert metrics.concordance_correlation(x, x + 1).item() == pytest.approx(4 / 3 / (4 / 3 + 1))
    # integer inputs work (as floats); 1-D inputs give one coefficient
    assert metrics.pearson_correlation([1, 2, 3], [1, 2, 4]).item() == pytest.approx(0.98198, rel=1e-4)
    assert metrics.pearson_correlation(torch.tensor([[1, 2, 3]]), torch.tensor([[1, 2, 4]])).dtype == torch.float32
    # a constant vector has no correlation: NaN (0 / 0), as in Keras 3
    assert torch.isnan(metrics.pearson_correlation(torch.ones(1, 3), x)).all()


def test_weighted_mean_and_reset():
    y_true = torch.tensor([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]])
    y_pred = torch.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])  # coefficients 1 and -1
    m = metrics.PearsonCorrelation(dtype="float64")
    m.update_state(y_true, y_pred, sample_weight=torch.tensor([3.0, 1.0]))
    assert m.result().item() == pytest.approx(0.5) and m.result().dtype == torch.float64
    m.update_state(y_true[1:], y_pred[1:])
    assert m.result().item() == pytest.approx(0.2)
    m.reset_state()
    assert m.result().item() == 0.0


@pytest.mark.parametrize("function", FUNCTIONS)
def test_errors(function):
    name = {"pearson_correlation": "PearsonCorrelation", "concordance_correlation": "ConcordanceCorrelation"}[function]
    for bad in ("last", 1.0, (), (0, "1"), True):
        with pytest.raises(
            ValueError,
            match=rf"{name}: Argument `axis` must be an int or a non-empty tuple of ints\. "
            rf"Received: axis={re.escape(repr(bad))}",
        ):
            getattr(metrics, name)(axis=bad)
        with pytest.raises(ValueError, match=rf"{function}: Argument `axis`"):
            getattr(metrics, function)(torch.ones(2, 3), torch.ones(2, 3), axis=bad)
    with pytest.raises(
        ValueError,
        match=rf"{function}: Argument `axis` must name axes of inputs of rank 2\. "
        r"Received: axis=2",
    ):
        getattr(metrics, function)(torch.ones(2, 3), torch.ones(2, 3), axis=2)
    with pytest.raises(ValueError, match=rf"{function}: y_true and y_pred must have broadcastable shapes"):
        getattr(metrics, name)().update_state(torch.ones(2, 3), torch.ones(2, 4))


@pytest.mark.parity
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kwargs", [{}, {"axis": 1, "name": "c", "dtype": "float64"}, {"axis": (0, 1)}])
def test_configs_round_trip_and_match_keras(keras3, name, kwargs):
    ours = roundtrip(getattr(metrics, name)(**kwargs)).get_config()
    assert ours == getattr(keras3.metrics, name)(**kwargs).get_config()
    assert getattr(metrics, name).from_config(ours).get_config() == ours
    assert type(metrics.get(FUNCTIONS[NAMES.index(name)])) is getattr(metrics, name)  # Keras 3: the class


def test_functions_in_a_wrapper_config_round_trip():
    wrapper = metrics.MeanMetricWrapper(metrics.concordance_correlation, name="ccc", axis=0)
    restored = roundtrip(wrapper)
    x = torch.tensor([[0.0, 1.0], [1.0, 3.0], [2.0, 2.0]])
    torch.testing.assert_close(restored(x, x * 2), wrapper(x, x * 2))


def test_in_compile_fit_and_evaluate():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype("float32")
    y = (x[:, :3] * [1.0, -1.0, 0.5] + 0.1 * rng.normal(size=(40, 3))).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(
        optimizer="adam",
        loss="mse",
        metrics=[keras.metrics.PearsonCorrelation(), keras.metrics.ConcordanceCorrelation(axis=0)],
    )
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "pearson_correlation", "concordance_correlation"}
    logs = model.evaluate(x, y, batch_size=40, verbose=0, return_dict=True)  # one batch: per-column CCC is exact
    with torch.no_grad():
        predicted = model(torch.tensor(x))
    expected = metrics.pearson_correlation(torch.tensor(y), predicted).mean().item()
    assert logs["pearson_correlation"] == pytest.approx(expected, abs=1e-5)
    expected = metrics.concordance_correlation(torch.tensor(y), predicted, axis=0).mean().item()
    assert logs["concordance_correlation"] == pytest.approx(expected, abs=1e-5)

"""Tests for the confusion counts (TruePositives ...), Precision, Recall and AUC: Keras 3 parity over thresholds,
top_k, class_id, curves, labels."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from metric_checks import arrays, assert_parity, batches, floats, roundtrip, to_np

import kerastorch as keras
from kerastorch import metrics

AUC_TOL = dict(rtol=1e-4, atol=1e-4)
# Keras 3 takes ~50 ms per confusion-matrix update on CPU: fewer examples per case keep the file fast
FEW = settings(max_examples=6)
# scores with exact ties on the thresholds (0.5, multiples of 1/4 ...) as well as arbitrary ones
SCORES = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]) | floats(0.0, 1.0)


def binary_pair(draw, shape):
    return draw(arrays(shape, st.sampled_from([0.0, 1.0]))), draw(arrays(shape, SCORES))


def logit_pair(draw, shape):
    return draw(arrays(shape, st.sampled_from([0.0, 1.0]))), draw(arrays(shape, floats(-4.0, 4.0)))


COUNTS = ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"]
COUNT_CASES = [
    ({}, (1,)),
    ({}, (3,)),
    ({"thresholds": 0.25}, (2, 2)),
    ({"thresholds": [0.0, 0.3, 0.5, 0.75, 1.0]}, (2,)),
]


@pytest.mark.parity
@pytest.mark.parametrize("name", COUNTS)
@pytest.mark.parametrize("kwargs,tail", COUNT_CASES)
@FEW
@given(data=st.data())
def test_confusion_counts_match_keras(keras3, name, kwargs, tail, data):
    drawn = data.draw(batches(binary_pair, tail=tail, weights="full" if len(tail) > 1 else True))
    assert_parity(getattr(metrics, name)(**kwargs), getattr(keras3.metrics, name)(**kwargs), drawn)


def test_confusion_count_values():
    y_true, y_pred = torch.tensor([0, 1, 1, 0, 1]), torch.tensor([0.4, 0.7, 0.2, 0.9, 0.5])
    weight = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    expected = {  # at 0.5 (y_pred > 0.5 is positive), and at the thresholds 0.3 and 0.6 with the weights
        "TruePositives": (1, [7, 2]),
        "FalsePositives": (1, [5, 4]),
        "TrueNegatives": (1, [0, 1]),
        "FalseNegatives": (2, [3, 8]),
    }
    for name, (plain, weighted) in expected.items():
        single = getattr(metrics, name)()
        result = single(y_true, y_pred)
        assert result.shape == () and result.item() == plain, name
        several = getattr(metrics, name)(thresholds=[0.3, 0.6])
        several.update_state(y_true, y_pred, sample_weight=weight)
        np.testing.assert_allclose(to_np(several.result()), weighted, err_msg=name)
        several.update_state(y_true, y_pred, sample_weight=weight)  # counts accumulate over batches
        np.testing.assert_allclose(to_np(several.result()), 2 * np.array(weighted), err_msg=name)
    # at every threshold, the four counts share out the total weight
    totals = sum(getattr(metrics, name)(thresholds=[0.0, 0.45, 1.0])(y_true, y_pred, weight) for name in COUNTS)
    np.testing.assert_allclose(to_np(totals), [15.0] * 3)


def test_confusion_count_reset_and_result_is_a_copy():
    m = metrics.FalseNegatives(thresholds=[0.2, 0.8])
    m.update_state(torch.tensor([1.0, 1.0]), torch.tensor([0.5, 0.9]))
    before = m.result()
    m.update_state(torch.tensor([1.0]), torch.tensor([0.0]))
    np.testing.assert_allclose(to_np(before), [0.0, 1.0])  # an earlier result does not follow the state
    np.testing.assert_allclose(to_np(m.result()), [1.0, 2.0])
    m.reset_state()
    np.testing.assert_allclose(to_np(m.result()), [0.0, 0.0])
    assert metrics.TruePositives().result().item() == 0.0


@pytest.mark.parametrize("name", COUNTS)
@pytest.mark.parametrize("thresholds", [None, 0.3, [0.1, 0.9]])
def test_confusion_count_configs_round_trip(name, thresholds):
    m = roundtrip(getattr(metrics, name)(thresholds=thresholds, name="counts", dtype="float64"))
    assert m.get_config() == {"name": "counts", "dtype": "float64", "thresholds": thresholds}
    assert m.thresholds == ([0.5] if thresholds is None else [0.3] if thresholds == 0.3 else [0.1, 0.9])
    assert metrics.get(name).get_config()["thresholds"] is None


@pytest.mark.parametrize("name", COUNTS)
@pytest.mark.parametrize("thresholds", [1.5, -0.1, [0.5, 2.0], []])
def test_confusion_count_rejects_bad_thresholds(name, thresholds):
    with pytest.raises(
        ValueError,
        match=rf"{name}: Threshold values must be in \[0, 1\] \(argument `thresholds`.*"
        rf"Received: thresholds={re.escape(repr(thresholds))}",
    ):
        getattr(metrics, name)(thresholds=thresholds)


def test_confusion_counts_in_compile_fit_and_evaluate():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(
        optimizer="sgd",
        loss="binary_crossentropy",
        metrics=[keras.metrics.TruePositives(), keras.metrics.FalseNegatives(thresholds=[0.3, 0.7])],
    )
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "true_positives", "false_negatives"}
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    with torch.no_grad():
        predicted = to_np(model(torch.tensor(x)))
    assert logs["true_positives"] == float(((predicted > 0.5) & (y == 1)).sum())
    np.testing.assert_allclose(logs["false_negatives"], [((predicted <= t) & (y == 1)).sum() for t in (0.3, 0.7)])


PR_CASES = [
    ({}, (1,)),
    ({}, (3,)),
    ({"thresholds": [0.0, 0.3, 0.5, 0.75, 1.0]}, (2,)),
    ({"thresholds": 0.25}, (2, 2)),
    ({"top_k": 2}, (4,)),
    ({"top_k": 1, "thresholds": 0.6}, (3,)),
    ({"class_id": 1}, (3,)),
    ({"class_id": 2, "top_k": 2}, (4,)),
]


@pytest.mark.parity
@pytest.mark.parametrize("name", ["Precision", "Recall"])
@pytest.mark.parametrize("kwargs,tail", PR_CASES)
@FEW
@given(data=st.data())
def test_precision_and_recall_match_keras(keras3, name, kwargs, tail, data):
    # with class_id, Keras takes one column of the predictions, so weights are per sample
    # Keras gives a per-sample weight a trailing axis: beyond rank 2, only full-shape weights broadcast
    weights = "full" if len(tail) > 1 else True
    drawn = data.draw(batches(binary_pair, tail=tail, per_sample="class_id" in kwargs, weights=weights))
    assert_parity(getattr(metrics, name)(**kwargs), getattr(keras3.metrics, name)(**kwargs), drawn)


AUC_CASES = [
    ({}, (1,), binary_pair),
    ({"num_thresholds": 5}, (3,), binary_pair),
    ({"curve": "PR"}, (2,), binary_pair),
    ({"curve": "pr", "summation_method": "minoring"}, (2,), binary_pair),
    ({"summation_method": "majoring", "num_thresholds": 7}, (1,), binary_pair),
    ({"curve": "PRGAIN", "num_thresholds": 11}, (2,), binary_pair),
    ({"thresholds": [0.25, 0.5, 0.75]}, (2,), binary_pair),  # evenly spaced: bucketed
    ({"thresholds": [0.1, 0.5, 0.8, 0.3]}, (2,), binary_pair),  # uneven: compared one by one
    ({"multi_label": True}, (3,), binary_pair),
    ({"multi_label": True, "num_labels": 2, "curve": "PR"}, (2,), binary_pair),
    ({"multi_label": True, "label_weights": [1.0, 0.0, 2.0], "num_thresholds": 9}, (3,), binary_pair),
    ({"label_weights": [0.5, 2.0], "num_thresholds": 9}, (2,), binary_pair),
    ({"from_logits": True, "num_thresholds": 20}, (2,), logit_pair),
    ({"multi_label": True, "thresholds": [0.2, 0.9], "summation_method": "minoring"}, (2,), binary_pair),
]


@pytest.mark.parity
@pytest.mark.parametrize("kwargs,tail,make_pair", AUC_CASES)
@FEW
@given(data=st.data())
def test_auc_matches_keras(keras3, kwargs, tail, make_pair, data):
    drawn = data.draw(batches(make_pair, tail=tail))
    assert_parity(metrics.AUC(**kwargs), keras3.metrics.AUC(**kwargs), drawn, AUC_TOL)


def test_known_values():
    y_true, y_pred = torch.tensor([0.0, 1.0, 1.0, 1.0]), torch.tensor([1.0, 0.0, 1.0, 1.0])
    assert metrics.Precision()(y_true, y_pred).item() == pytest.approx(2 / 3)
    assert metrics.Recall()(y_true, y_pred).item() == pytest.approx(2 / 3)
    several = metrics.Precision(thresholds=[0.3, 0.6])(torch.tensor([0, 1, 1, 0]), torch.tensor([0.4, 0.7, 0.2, 0.9]))
    np.testing.assert_allclose(to_np(several), [1 / 3, 1 / 2], rtol=1e-6)
    perfect = metrics.AUC()(torch.tensor([0.0, 0.0, 1.0, 1.0]), torch.tensor([0.1, 0.2, 0.8, 0.9]))
    assert perfect.item() == pytest.approx(1.0, abs=1e-6)
    assert metrics.AUC().result().item() == 0.0 and metrics.AUC(multi_label=True).result().item() == 0.0
    assert metrics.Precision().result().item() == 0.0  # no predictions: 0, not NaN


def test_bucketing_agrees_with_comparing_each_threshold():
    """The evenly-spaced fast path counts exactly what the threshold-by-threshold path counts."""
    torch.manual_seed(0)
    y_true = (torch.rand(64, 3) > 0.5).float()
    y_pred = torch.rand(64, 3)
    weight = torch.rand(64)
    for multi_label in (False, True):
        fast = metrics.AUC(num_thresholds=11, multi_label=multi_label)
        slow = metrics.AUC(num_thresholds=11, multi_label=multi_label)
        slow._thresholds_distributed_evenly = False
        fast.update_state(y_true, y_pred, sample_weight=weight)
        slow.update_state(y_true, y_pred, sample_weight=weight)
        for a, b in zip(fast.variables, slow.variables):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
        metrics.Precision(thresholds=1.5)
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="DET")
    with pytest.raises(ValueError, match="summation_method"):
        metrics.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="label_weights"):
        metrics.AUC(label_weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="2 label_weights do not fit"):
        metrics.AUC(label_weights=[1.0, 2.0]).update_state(torch.zeros(3, 3), torch.zeros(3, 3))
    with pytest.raises(ValueError, match="class_id"):
        metrics.Recall(class_id=1).update_state(torch.zeros(3), torch.zeros(3))
    with pytest.raises(ValueError, match="same shape"):
        metrics.Precision().update_state(torch.zeros(3), torch.zeros(2))
    with pytest.raises(ValueError, match="rank 2"):
        metrics.AUC(multi_label=True).update_state(torch.zeros(3), torch.zeros(3))
    auc = metrics.AUC(multi_label=True)
    auc.update_state(torch.zeros(2, 3), torch.zeros(2, 3))
    with pytest.raises(ValueError, match="3 labels"):
        auc.update_state(torch.zeros(2, 4), torch.zeros(2, 4))


@pytest.mark.parity
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("Precision", {}),
        ("Precision", {"thresholds": [0.2, 0.4], "top_k": 2, "class_id": 1}),
        ("Recall", {"top_k": 3}),
        ("AUC", {}),
        ("AUC", {"num_thresholds": 50, "curve": "PR", "summation_method": "majoring", "from_logits": True}),
        ("AUC", {"multi_label": True, "num_labels": 3, "label_weights": [1.0, 2.0, 0.5]}),
        ("AUC", {"thresholds": [0.7, 0.2, 0.5]}),
        ("TruePositives", {}),
        ("FalsePositives", {"thresholds": 0.3}),
        ("TrueNegatives", {"thresholds": [0.2, 0.7]}),
        ("FalseNegatives", {}),
    ],
)
def test_configs_round_trip_and_match_keras(keras3, name, kwargs):
    ours = roundtrip(getattr(metrics, name)(name="m", **kwargs)).get_config()
    theirs = getattr(keras3.metrics, name)(name="m", **kwargs).get_config()
    if theirs.get("label_weights") is not None:
        theirs["label_weights"] = to_np(theirs["label_weights"]).tolist()  # Keras 3 leaves a tensor here
    if "thresholds" in theirs and name == "AUC":
        theirs["thresholds"] = [float(t) for t in theirs["thresholds"]]
    assert ours == theirs
    assert getattr(metrics, name).from_config(theirs).get_config() == ours


AT_NAMES = ["PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity"]
AT_GIVEN = {
    "PrecisionAtRecall": "recall",
    "RecallAtPrecision": "precision",
    "SensitivityAtSpecificity": "specificity",
    "SpecificityAtSensitivity": "sensitivity",
}
AT_CASES = [
    ("PrecisionAtRecall", {"recall": 0.5}, (1,), binary_pair),
    ("RecallAtPrecision", {"precision": 0.7, "num_thresholds": 5}, (3,), binary_pair),
    ("SensitivityAtSpecificity", {"specificity": 0.4, "num_thresholds": 1}, (2,), binary_pair),
    ("SpecificityAtSensitivity", {"sensitivity": 0.8, "class_id": 1}, (3,), binary_pair),
    ("PrecisionAtRecall", {"recall": 1.0, "num_thresholds": 2}, (2, 2), binary_pair),
    ("RecallAtPrecision", {"precision": 0.0, "num_thresholds": 7, "class_id": 0}, (2,), binary_pair),
    ("SensitivityAtSpecificity", {"specificity": 0.9, "num_thresholds": 9}, (2,), logit_pair),  # clipped to [0, 1]
    ("SpecificityAtSensitivity", {"sensitivity": 0.25, "num_thresholds": 3}, (1,), binary_pair),
]


@pytest.mark.parity
@pytest.mark.parametrize("name,kwargs,tail,make_pair", AT_CASES)
@FEW
@given(data=st.data())
def test_rate_at_rate_metrics_match_keras(keras3, name, kwargs, tail, make_pair, data):
    weights = "full" if len(tail) > 1 else True
    drawn = data.draw(batches(make_pair, tail=tail, per_sample="class_id" in kwargs, weights=weights))
    assert_parity(getattr(metrics, name)(**kwargs), getattr(keras3.metrics, name)(**kwargs), drawn)


def test_rate_at_rate_known_values():
    # thresholds 0, 0.5, 1: recall 1, 0.5, 0; precision 0.5, 1, 0; specificity 0, 1, 1
    y_true, y_pred = torch.tensor([0, 0, 1, 1]), torch.tensor([0.1, 0.4, 0.35, 0.8])
    expected = [
        ("PrecisionAtRecall", 0.5, 1.0),
        ("PrecisionAtRecall", 0.9, 0.5),
        ("RecallAtPrecision", 1.0, 0.5),
        ("RecallAtPrecision", 0.4, 1.0),
        ("SensitivityAtSpecificity", 1.0, 0.5),
        ("SensitivityAtSpecificity", 0.0, 1.0),
        ("SpecificityAtSensitivity", 1.0, 0.0),
        ("SpecificityAtSensitivity", 0.5, 1.0),
    ]
    for name, value, result in expected:
        m = getattr(metrics, name)(value, num_thresholds=3)
        assert m(y_true, y_pred).item() == pytest.approx(result), (name, value)
        np.testing.assert_allclose(to_np(m.true_positives), [2, 1, 0])
        np.testing.assert_allclose(to_np(m.true_negatives), [0, 2, 2])
    # a weight of 0 drops the entry; precision 1 is out of reach with a heavy false positive at 0.8
    m = metrics.RecallAtPrecision(1.0, num_thresholds=3)
    assert m(y_true, y_pred, sample_weight=torch.tensor([1.0, 1.0, 0.0, 1.0])).item() == pytest.approx(1.0)
    assert m(torch.tensor([0]), torch.tensor([0.9]), sample_weight=torch.tensor([5.0])).item() == 0.0
    m.reset_state()
    assert m.result().item() == 0.0 and metrics.PrecisionAtRecall(0.5).result().item() == 0.0


def test_rate_at_rate_threshold_zero_is_strict():
    """A prediction of 0 is not above the first threshold (0), unlike AUC's first threshold (-epsilon)."""
    m = metrics.SensitivityAtSpecificity(0.0, num_thresholds=3)
    m.update_state(torch.tensor([1.0, 1.0, 0.0]), torch.tensor([0.0, -2.0, 0.0]))
    np.testing.assert_allclose(to_np(m.true_positives), [0, 0, 0])
    np.testing.assert_allclose(to_np(m.false_negatives), [2, 2, 2])
    auc = metrics.AUC(num_thresholds=3)
    auc.update_state(torch.tensor([1.0, 1.0, 0.0]), torch.tensor([0.0, -2.0, 0.0]))
    np.testing.assert_allclose(to_np(auc.true_positives), [2, 0, 0])


def test_rate_at_rate_bucketing_agrees_with_comparing_each_threshold():
    from kerastorch.metrics.confusion_metrics import bucketed_confusion_counts, confusion_counts

    torch.manual_seed(0)
    y_true = (torch.rand(200) > 0.5).float()
    y_pred = torch.cat([torch.rand(150), torch.tensor([0.0, 1.0, 0.25, 0.5, 0.75] * 10)])  # with exact ties
    weight = torch.rand(200)
    thresholds = torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0])
    fast = bucketed_confusion_counts(y_true, y_pred, 5, weight, with_epsilon=False)
    slow = confusion_counts(y_true, y_pred, thresholds, weight)
    for kind in ("tp", "fp", "tn", "fn"):
        torch.testing.assert_close(fast[kind], slow[kind], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", AT_NAMES)
def test_rate_at_rate_errors(name):
    cls, given = getattr(metrics, name), AT_GIVEN[name]
    for bad in (1.5, -0.1, "0.5", True):
        with pytest.raises(
            ValueError,
            match=rf"{name}: Argument `{given}` must be a number in the range \[0, 1\]\. "
            rf"Received: {given}={re.escape(repr(bad))}",
        ):
            cls(bad)
    for bad in (0, 2.5, True):
        with pytest.raises(
            ValueError,
            match=rf"{name}: Argument `num_thresholds` must be an integer > 0\. "
            rf"Received: num_thresholds={bad!r}",
        ):
            cls(0.5, num_thresholds=bad)
    with pytest.raises(ValueError, match=rf"{name}: Argument `class_id` must be None or an integer >= 0"):
        cls(0.5, class_id=-1)
    with pytest.raises(ValueError, match="class_id=3 is out of range for y_pred with 3 classes"):
        cls(0.5, class_id=3).update_state(torch.zeros(2, 3), torch.zeros(2, 3))
    with pytest.raises(ValueError, match="same shape"):
        cls(0.5).update_state(torch.zeros(3), torch.zeros(2))


@pytest.mark.parity
@pytest.mark.parametrize("name", AT_NAMES)
def test_rate_at_rate_configs_round_trip_and_match_keras(keras3, name):
    for kwargs in ({AT_GIVEN[name]: 0.3}, {AT_GIVEN[name]: 1, "num_thresholds": 7, "class_id": 2, "name": "m"}):
        ours = roundtrip(getattr(metrics, name)(**kwargs)).get_config()
        theirs = getattr(keras3.metrics, name)(**kwargs).get_config()
        assert {**ours, "name": None} == {**theirs, "name": None}
        assert getattr(metrics, name).from_config(theirs).get_config() == {**ours, "name": theirs["name"]}
    assert metrics.get({"class_name": name, "config": {AT_GIVEN[name]: 0.5}}).num_thresholds == 200


def test_rate_at_rate_in_compile_fit_and_evaluate():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x[:, :1] + 0.5 * rng.normal(size=(40, 1)) > 0).astype("float32")
    at = [
        keras.metrics.PrecisionAtRecall(0.6),
        keras.metrics.RecallAtPrecision(0.8, num_thresholds=50),
        keras.metrics.SensitivityAtSpecificity(0.5),
        keras.metrics.SpecificityAtSensitivity(0.5),
    ]
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=at)
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == {
        "loss",
        "precision_at_recall",
        "recall_at_precision",
        "sensitivity_at_specificity",
        "specificity_at_sensitivity",
    }
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    with torch.no_grad():
        predicted = model(torch.tensor(x))
    for metric in at:  # evaluate's value is the metric over the whole data set, batches pooled
        fresh = type(metric).from_config(metric.get_config())
        assert logs[metric.name] == pytest.approx(fresh(torch.tensor(y), predicted).item(), abs=1e-6)

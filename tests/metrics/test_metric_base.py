"""Tests for the Metric base class: state tensors, device following, no host sync, no autograd, naming."""

import copy
import pickle

import numpy as np
import pytest
import torch

from kerastorch import metrics


def inputs(kind, batch=6, classes=3, device="cpu"):
    """``(y_true, y_pred, sample_weight)`` suited to a metric family, on ``device``."""
    generator = torch.Generator().manual_seed(0)
    scores = torch.rand(batch, classes, generator=generator)
    if kind == "sparse":
        y_true = torch.randint(0, classes, (batch,), generator=generator)
    elif kind == "one_hot":
        y_true = torch.eye(classes)[torch.randint(0, classes, (batch,), generator=generator)]
        scores = scores / scores.sum(-1, keepdim=True)
    else:
        y_true = (torch.rand(batch, classes, generator=generator) > 0.5).float()
    weight = torch.rand(batch, generator=generator)
    return y_true.to(device), scores.to(device), weight.to(device)


ALL_METRICS = [
    (metrics.Accuracy, "binary"),
    (metrics.BinaryAccuracy, "binary"),
    (metrics.CategoricalAccuracy, "one_hot"),
    (metrics.SparseCategoricalAccuracy, "sparse"),
    (lambda: metrics.TopKCategoricalAccuracy(k=2), "one_hot"),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=2), "sparse"),
    (metrics.MeanSquaredError, "binary"),
    (metrics.RootMeanSquaredError, "binary"),
    (metrics.MeanAbsoluteError, "binary"),
    (metrics.MeanAbsolutePercentageError, "binary"),
    (metrics.MeanSquaredLogarithmicError, "binary"),
    (metrics.CosineSimilarity, "binary"),
    (metrics.LogCoshError, "binary"),
    (metrics.R2Score, "binary"),
    (metrics.AUC, "binary"),
    (lambda: metrics.AUC(multi_label=True, curve="PR"), "binary"),
    (lambda: metrics.AUC(thresholds=[0.1, 0.7]), "binary"),
    (metrics.Precision, "binary"),
    (lambda: metrics.Recall(top_k=2, class_id=1), "binary"),
    (metrics.F1Score, "binary"),
    (lambda: metrics.FBetaScore(average="weighted", threshold=0.5), "binary"),
    (metrics.BinaryCrossentropy, "binary"),
    (metrics.CategoricalCrossentropy, "one_hot"),
    (metrics.SparseCategoricalCrossentropy, "sparse"),
    (metrics.KLDivergence, "one_hot"),
    (metrics.Poisson, "binary"),
    (metrics.Hinge, "binary"),
    (metrics.SquaredHinge, "binary"),
    (metrics.CategoricalHinge, "one_hot"),
    (metrics.TruePositives, "binary"),
    (lambda: metrics.FalseNegatives(thresholds=[0.3, 0.6]), "binary"),
    (lambda: metrics.PrecisionAtRecall(0.5), "binary"),
    (lambda: metrics.SpecificityAtSensitivity(0.5), "binary"),
    (lambda: metrics.MeanIoU(num_classes=2), "binary"),
    (lambda: metrics.BinaryIoU(), "binary"),
    (lambda: metrics.OneHotMeanIoU(num_classes=3), "one_hot"),
    (metrics.PearsonCorrelation, "binary"),
    (metrics.ConcordanceCorrelation, "binary"),
]
IDS = [f"{i}-{kind}" for i, (_, kind) in enumerate(ALL_METRICS)]


@pytest.mark.parametrize("make,kind", ALL_METRICS, ids=IDS)
def test_updates_never_read_back_to_the_host(make, kind, monkeypatch):
    """On the meta device any host read (``.item()``, ``bool(t)``, ``.tolist()``) raises, so updates and
    results that run there make no host sync; the state follows the inputs there and stays a tensor."""
    is_autocast_enabled = torch.is_autocast_enabled  # binary_crossentropy asks; meta has no autocast
    monkeypatch.setattr(
        torch, "is_autocast_enabled", lambda *device: False if device == ("meta",) else is_autocast_enabled(*device)
    )
    metric = make()
    y_true, y_pred, weight = inputs(kind, device="meta")
    metric.update_state(y_true, y_pred)
    metric.update_state(y_true, y_pred, sample_weight=weight)
    result = metric.result()
    assert isinstance(result, torch.Tensor) and result.device.type == "meta"
    assert metric.device.type == "meta"
    assert all(isinstance(v, torch.Tensor) and v.device.type == "meta" for v in metric.variables)
    metric.reset_state()


@pytest.mark.parametrize("make,kind", ALL_METRICS, ids=IDS)
def test_inference_mode_updates_and_gradient_free_state(make, kind):
    """Updates under ``torch.inference_mode()`` (evaluate) and with inputs that require grad (fit) both
    work, in either order, and leave plain state tensors that record no autograd history."""
    metric = make()
    y_true, y_pred, weight = inputs(kind)
    with torch.inference_mode():
        metric.update_state(y_true, y_pred, sample_weight=weight)
        inside = metric.result()
    assert isinstance(inside, torch.Tensor)
    y_pred = y_pred.clone().requires_grad_(True)
    metric.update_state(y_true, y_pred * 1.0, sample_weight=weight)
    result = metric.result()
    assert not result.requires_grad and result.grad_fn is None
    assert all(not v.requires_grad and not v.is_inference() for v in metric.variables)
    with torch.inference_mode():
        metric.reset_state()
    metric.update_state(y_true, y_pred.detach())


@pytest.mark.parametrize("make,kind", ALL_METRICS, ids=IDS)
def test_call_is_update_then_result_and_reset_zeroes(make, kind):
    first, second = make(), make()
    y_true, y_pred, weight = inputs(kind)
    called = first(y_true, y_pred, sample_weight=weight)
    second.update_state(y_true, y_pred, sample_weight=weight)
    torch.testing.assert_close(called, second.result(), equal_nan=True)
    state = [v for v in first.variables]
    first.reset_state()
    assert [id(v) for v in first.variables] == [id(v) for v in state]  # zeroed in place
    assert all(not v.any() for v in first.variables)


def test_state_moves_with_the_inputs_and_keeps_its_identity():
    m = metrics.Mean()
    total = m.total
    m.update_state(np.array([2.0, 4.0]))  # arrays go to the state's device
    assert m.result().item() == pytest.approx(3.0) and m.device == torch.device("cpu")
    m.update_state(torch.ones(3, device="meta"))
    assert m.total is total and total.device.type == "meta" and m.device == torch.device("meta")
    assert m.variables[0] is m.total and m.variables[1] is m.count
    accuracy = metrics.SparseCategoricalAccuracy()  # labels left on the CPU follow the predictions
    accuracy.update_state(torch.tensor([0, 1]), torch.rand(2, 3, device="meta"), sample_weight=np.ones(2))
    assert accuracy.device.type == "meta" and accuracy.result().device.type == "meta"
    auc = metrics.AUC(thresholds=[0.5]).to("meta")  # constants (thresholds) move too
    assert auc._threshold_tensor.device.type == "meta" and auc.true_positives.device.type == "meta"


class Count(metrics.Metric):
    """A user metric written as in Keras 3, with torch in-place ops for the state."""

    def __init__(self, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.seen = self.add_variable((), name="seen")
        self.ones = self.add_variable((2,), initializer="ones", dtype="int64", name="ones")
        self.half = self.add_weight((2,), initializer=0.5)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.seen.add_(y_pred.shape[0])

    def result(self):
        return self.seen.clone()


def test_custom_metric_state_names_and_config():
    m = Count()
    assert m.name == "count" and Count().name == "count_1" and Count(name="c").name == "c"
    assert m._variable_names == ["seen", "ones", "variable_3"]
    assert m.ones.dtype == torch.int64 and m.ones.tolist() == [1, 1] and m.half.tolist() == [0.5, 0.5]
    x = torch.zeros(4, requires_grad=True)
    assert m(x, x).item() == 4.0 and not m.seen.requires_grad  # update_state runs without autograd
    assert m.get_config() == {"name": "count", "dtype": "float32"}
    assert Count.from_config(m.get_config()).name == "count"
    assert repr(m) == "<Count name=count>"
    with pytest.raises(TypeError, match="name must be a string"):
        Count(name=3)


def test_base_class_methods_must_be_implemented():
    class Bare(metrics.Metric):
        pass

    with pytest.raises(NotImplementedError, match="update_state"):
        Bare().update_state(1)
    with pytest.raises(NotImplementedError, match="result"):
        Bare().result()


@pytest.mark.parametrize("make,kind", ALL_METRICS[:3] + ALL_METRICS[13:16], ids=IDS[:3] + IDS[13:16])
def test_copies_keep_separate_state(make, kind):
    m = make()
    y_true, y_pred, weight = inputs(kind)
    m.update_state(y_true, y_pred, sample_weight=weight)
    state = [v.clone() for v in m.variables]
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        torch.testing.assert_close(clone.result(), m.result(), equal_nan=True)
        clone.reset_state()
        clone.update_state(y_true, y_pred)
        for mine, before in zip(m.variables, state):
            torch.testing.assert_close(mine, before)


def test_dtype_follows_the_metric():
    m = metrics.Mean(dtype="float64")
    m.update_state(torch.tensor([1.0, 2.0], dtype=torch.float32))
    assert m.result().dtype == torch.float64 and m.dtype == "float64"
    auc = metrics.AUC(dtype="float64")
    auc.update_state(torch.tensor([0.0, 1.0]), torch.tensor([0.2, 0.8]))
    assert auc.result().dtype == torch.float64


@pytest.mark.cuda
@pytest.mark.parametrize("make,kind", ALL_METRICS, ids=IDS)
def test_state_follows_cuda_inputs(make, kind):
    metric = make()
    y_true, y_pred, weight = inputs(kind, device="cuda")
    reference = make()
    reference.update_state(*inputs(kind)[:2], sample_weight=inputs(kind)[2])
    metric.update_state(y_true, y_pred)  # the first update moves the state: a copy, allowed to sync
    metric.reset_state()
    torch.cuda.set_sync_debug_mode("error")  # any host synchronization from here on raises
    try:
        metric.update_state(y_true, y_pred, sample_weight=weight)
        result = metric.result()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert result.is_cuda and all(v.is_cuda for v in metric.variables)
    torch.testing.assert_close(result.cpu(), reference.result(), rtol=1e-5, atol=1e-5, equal_nan=True)

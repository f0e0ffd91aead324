"""kerastorch.losses without Keras: known values, reductions and sample weights, masks, get/serialize/deserialize,
error messages, no host syncs."""

import json
import math

import numpy as np
import pytest
import torch

import kerastorch
import kerastorch.losses as losses

CLASSES = [
    "MeanSquaredError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "Huber",
    "LogCosh",
    "CosineSimilarity",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "SparseCategoricalCrossentropy",
    "KLDivergence",
    "Poisson",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
]
NON_DEFAULT = {
    "Huber": {"delta": 2.5},
    "CosineSimilarity": {"axis": 0},
    "BinaryCrossentropy": {"from_logits": True, "label_smoothing": 0.1, "axis": 0},
    "BinaryFocalCrossentropy": {
        "apply_class_balancing": True,
        "alpha": 0.4,
        "gamma": 1.0,
        "from_logits": True,
        "label_smoothing": 0.2,
        "axis": 0,
    },
    "CategoricalCrossentropy": {"from_logits": True, "label_smoothing": 0.1, "axis": 0},
    "CategoricalFocalCrossentropy": {"alpha": 0.5, "gamma": 3.0, "from_logits": True, "label_smoothing": 0.1},
    "SparseCategoricalCrossentropy": {"from_logits": True, "ignore_class": 3, "axis": 0},
}


# --- values -------------------------------------------------------------------------------------------------------


def test_known_values():
    y_true, y_pred = torch.tensor([[0.0, 1.0], [1.0, 1.0]]), torch.tensor([[1.0, 1.0], [1.0, 3.0]])
    assert losses.MeanSquaredError()(y_true, y_pred).item() == pytest.approx(1.25)
    assert losses.MeanAbsoluteError()(y_true, y_pred).item() == pytest.approx(0.75)
    assert losses.Huber(delta=1.0)(y_true, y_pred).item() == pytest.approx((0.5 + 1.5) / 4)
    assert losses.LogCosh()(y_true, y_pred).item() == pytest.approx(
        (math.log(math.cosh(1)) + math.log(math.cosh(2))) / 4, rel=1e-6
    )
    eps = kerastorch.config.epsilon()
    clipped = torch.tensor(1 - eps).item()  # 1 - epsilon in float32
    assert losses.BinaryCrossentropy()(torch.tensor([[1.0]]), torch.tensor([[1.0]])).item() == pytest.approx(
        -math.log(clipped), rel=1e-6
    )  # clipped, so not log(1) = 0
    assert losses.CategoricalCrossentropy()(
        torch.tensor([[0.0, 1.0]]), torch.tensor([[2.0, 2.0]])
    ).item() == pytest.approx(math.log(2))  # probabilities are divided by their sum
    assert losses.SparseCategoricalCrossentropy()(
        torch.tensor([1]), torch.tensor([[1.0, 0.0]])
    ).item() == pytest.approx(-math.log(eps), rel=1e-6)
    assert losses.KLDivergence()(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, 0.5]])).item() == pytest.approx(
        math.log(2) + eps * math.log(eps / 0.5), rel=1e-6
    )  # y_true is clipped to [epsilon, 1] too
    assert losses.CategoricalHinge()(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.5, 2.0]])).item() == 0.5


def test_functions_reduce_the_last_axis_and_aliases():
    y_true, y_pred = torch.rand(3, 4, 5), torch.rand(3, 4, 5)
    for name in ["mse", "mae", "mape", "msle", "kld", "bce", "MSE", "BCE"]:
        fn = getattr(losses, name)
        assert fn is losses.get(name)
        assert fn(y_true, y_pred).shape == (3, 4)
    torch.testing.assert_close(losses.mse(y_true, y_pred), ((y_true - y_pred) ** 2).mean(-1))
    assert losses.cosine_similarity(y_true, y_pred, axis=1).shape == (3, 5)


def test_ranks_are_matched_for_a_trailing_axis_of_one():
    y_true, y_pred = torch.rand(4), torch.rand(4, 1)
    expected = (y_true - y_pred[:, 0]) ** 2
    torch.testing.assert_close(losses.mean_squared_error(y_true, y_pred), expected)
    torch.testing.assert_close(losses.mean_squared_error(y_pred, y_true), expected)
    assert losses.BinaryCrossentropy(reduction="none")(y_true.round(), y_pred).shape == (4,)
    assert losses.binary_crossentropy(y_true.round(), y_pred).shape == (4,)  # Keras's function raises here


def test_inputs_may_be_lists_and_numpy_and_integer_labels():
    y_true, y_pred = [[0, 1], [1, 0]], np.array([[0.2, 0.8], [0.6, 0.4]], dtype=np.float32)
    expected = losses.CategoricalCrossentropy()(torch.tensor(y_true, dtype=torch.float32), torch.from_numpy(y_pred))
    torch.testing.assert_close(losses.CategoricalCrossentropy()(y_true, y_pred), expected)
    torch.testing.assert_close(losses.categorical_crossentropy(y_true, y_pred).mean(), expected)
    sparse = losses.SparseCategoricalCrossentropy()
    for labels in ([1, 0], np.array([[1], [0]], dtype=np.int32), torch.tensor([1.0, 0.0])):
        torch.testing.assert_close(sparse(labels, y_pred), expected)


def test_sparse_labels_keep_their_integer_dtype():
    seen = []

    class Spy(losses.SparseCategoricalCrossentropy):
        def call(self, y_true, y_pred):
            seen.append(y_true.dtype)
            return super().call(y_true, y_pred)

    Spy()(torch.tensor([2, 0]), torch.rand(2, 3))
    assert seen == [torch.int64]

    class FloatSpy(losses.MeanSquaredError):
        def call(self, y_true, y_pred):
            seen.append(y_true.dtype)
            return super().call(y_true, y_pred)

    FloatSpy()(torch.tensor([[2, 0]]), torch.rand(1, 2))
    assert seen[-1] == torch.float32


def test_dtype_argument_and_float64_inputs():
    y64 = torch.rand(3, 2, dtype=torch.float64)
    assert losses.MeanSquaredError()(y64, y64).dtype == torch.float32
    assert losses.MeanSquaredError(dtype="float64")(y64, y64).dtype == torch.float64
    assert losses.mean_squared_error(y64, y64).dtype == torch.float64
    assert losses.MeanSquaredError(dtype="mixed_float16").dtype == "float16"
    assert losses.MeanSquaredError(dtype="float64").get_config()["dtype"] == "float64"


def test_focal_losses_reduce_to_cross_entropy():
    y_true = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.3]])
    torch.testing.assert_close(
        losses.BinaryFocalCrossentropy(gamma=0.0, from_logits=True)(y_true, logits),
        losses.BinaryCrossentropy()(y_true, torch.sigmoid(logits)),
    )
    torch.testing.assert_close(
        losses.CategoricalFocalCrossentropy(alpha=1.0, gamma=0.0, from_logits=True)(y_true, logits),
        losses.CategoricalCrossentropy()(y_true, torch.softmax(logits, -1)),
    )


def test_sparse_and_categorical_cross_entropy_agree():
    labels = torch.tensor([[0, 2], [1, 1]])
    logits = torch.randn(2, 2, 3)
    one_hot = torch.nn.functional.one_hot(labels, 3).float()
    for from_logits in (True, False):
        scores = logits if from_logits else torch.softmax(logits, -1)
        torch.testing.assert_close(
            losses.sparse_categorical_crossentropy(labels, scores, from_logits=from_logits),
            losses.categorical_crossentropy(one_hot, scores, from_logits=from_logits),
        )


def test_hinge_maps_binary_labels_of_the_whole_batch():
    y_pred = torch.tensor([[0.5, -0.5]])
    torch.testing.assert_close(
        losses.hinge(torch.tensor([[1.0, 0.0]]), y_pred), losses.hinge(torch.tensor([[1.0, -1.0]]), y_pred)
    )
    assert losses.hinge(torch.tensor([[1.0, 0.0], [-1.0, 1.0]]), y_pred.expand(2, 2))[0].item() == pytest.approx(0.75)


# --- reductions, sample weights and masks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reduction,expected",
    [
        ("sum_over_batch_size", (1 * 1 + 3 * 2) / 3),
        ("mean", (1 * 1 + 3 * 2) / 3),
        ("sum", 1 * 1 + 3 * 2),
        ("mean_with_sample_weight", (1 * 1 + 3 * 2) / 3),
        ("none", [1.0, 0.0, 6.0]),
        (None, [1.0, 0.0, 6.0]),
    ],
)
def test_reductions_with_sample_weight(reduction, expected):
    y_true, y_pred = torch.zeros(3, 1), torch.tensor([[1.0], [2.0], [3.0]]).sqrt()
    result = losses.MeanSquaredError(reduction=reduction)(y_true, y_pred, sample_weight=torch.tensor([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)


def test_scalar_weighted_values_are_not_reduced_and_empty_batches_give_zero():
    # one sample squeezes against a scalar weight: Keras returns the weighted value whatever the reduction
    for reduction in ("sum_over_batch_size", "mean_with_sample_weight", "sum"):
        result = losses.MeanAbsoluteError(reduction=reduction)(torch.zeros(1, 1), torch.ones(1, 1), sample_weight=2.0)
        assert result.item() == 2.0
    for reduction in ("sum_over_batch_size", "mean_with_sample_weight", "sum"):
        empty = losses.MeanSquaredError(reduction=reduction)(torch.zeros(0, 3), torch.zeros(0, 3))
        assert empty.shape == () and empty.item() == 0.0


def test_zero_total_weight_gives_zero_and_finite_gradients():
    y_pred = torch.tensor([[0.3], [0.6]], requires_grad=True)
    result = losses.MeanSquaredError(reduction="mean_with_sample_weight")(
        torch.zeros(2, 1), y_pred, sample_weight=torch.zeros(2)
    )
    result.backward()
    assert result.item() == 0.0 and torch.isfinite(y_pred.grad).all()


def test_ignore_class_averages_over_the_kept_entries():
    labels = torch.tensor([[0, 2, 1], [2, 2, 0]])
    logits = torch.randn(2, 3, 3, requires_grad=True)
    kept = labels != 2
    per_entry = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True, ignore_class=2)
    assert per_entry._keras_mask.equal(kept) and (per_entry[~kept] == 0).all()
    full = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True, ignore_class=None)
    result = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)(labels, logits)
    torch.testing.assert_close(result, full[kept].mean())
    result.backward()
    assert (logits.grad[~kept] == 0).all() and (logits.grad[kept] != 0).any()
    everything_ignored = losses.SparseCategoricalCrossentropy(ignore_class=0)(
        torch.zeros(2, dtype=torch.long), torch.rand(2, 3)
    )
    assert everything_ignored.item() == 0.0


def test_reduce_weighted_values_is_shared_by_custom_losses():
    class Absolute(losses.Loss):
        def call(self, y_true, y_pred):
            return torch.abs(y_true - y_pred).mean(-1)

    result = Absolute(reduction="sum")(torch.zeros(2, 3), torch.ones(2, 3), sample_weight=[2.0, 1.0])
    assert result.item() == 3.0
    assert Absolute().name == "absolute" and losses.Loss().name == "loss"
    with pytest.raises(NotImplementedError, match="Loss must implement call"):
        losses.Loss()(torch.zeros(1), torch.zeros(1))


# --- get / serialize / deserialize --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLASSES)
def test_config_round_trip(name):
    original = getattr(losses, name)(reduction="sum", name="custom", **NON_DEFAULT.get(name, {}))
    config = json.loads(json.dumps(losses.serialize(original)))
    assert config["class_name"] == name and config["module"] == "keras.losses"
    rebuilt = losses.deserialize(config)
    assert type(rebuilt) is type(original) and rebuilt.get_config() == original.get_config()
    assert rebuilt.get_config()["name"] == "custom" and rebuilt.reduction == "sum"
    for key, value in NON_DEFAULT.get(name, {}).items():
        assert getattr(rebuilt, key) == value
    assert type(losses.get(config)) is type(original)
    assert type(getattr(losses, name).from_config(original.get_config())) is type(original)


def test_get_names_instances_callables():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert losses.get("binary_crossentropy") is losses.binary_crossentropy
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    instance = losses.Huber()
    assert losses.get(instance) is instance and losses.get(None) is None

    def custom(y_true, y_pred):
        return y_pred

    assert losses.get(custom) is custom
    assert losses.deserialize(losses.serialize(losses.mae)) is losses.mean_absolute_error


def test_get_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"loss identifier: 'mean_squred_error'.*'mean_squared_error'.*'mse'"):
        losses.get("mean_squred_error")
    with pytest.raises(ValueError, match="loss identifier: 5"):
        losses.get(5)


def test_loss_function_wrapper_round_trip_and_keras_format():
    wrapper = losses.LossFunctionWrapper(losses.huber, delta=2.0, reduction="sum")
    assert wrapper.delta == 2.0 and wrapper.name == "loss_function_wrapper"
    config = wrapper.get_config()
    assert config["fn"] == "huber" and config["delta"] == 2.0
    rebuilt = losses.deserialize(losses.serialize(wrapper))
    assert rebuilt.fn is losses.huber and rebuilt.get_config() == config
    keras_style = dict(
        config, fn={"module": "builtins", "class_name": "function", "config": "huber", "registered_name": "function"}
    )
    assert losses.LossFunctionWrapper.from_config(keras_style).fn is losses.huber
    y_true, y_pred = torch.zeros(2, 1), torch.tensor([[3.0], [1.0]])
    torch.testing.assert_close(rebuilt(y_true, y_pred), losses.Huber(2.0, reduction="sum")(y_true, y_pred))
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        wrapper.missing


def test_registered_custom_loss_round_trip():
    @kerastorch.saving.register_keras_serializable(package="tests_losses")
    class Scaled(losses.Loss):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, y_true, y_pred):
            return self.factor * losses.mse(y_true, y_pred)

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    rebuilt = losses.get(losses.serialize(Scaled(3.0, reduction="sum")))
    assert isinstance(rebuilt, Scaled) and rebuilt.factor == 3.0 and rebuilt.reduction == "sum"


# --- errors -------------------------------------------------------------------------------------------------------


def test_unknown_reduction():
    with pytest.raises(ValueError, match=r"reduction.*'sum_over_batch_size'.*received reduction='average'"):
        losses.MeanSquaredError(reduction="average")


def test_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"mean_squared_error: .*broadcastable.*\(4, 3\).*\(4, 2\)"):
        losses.MeanSquaredError()(torch.zeros(4, 3), torch.zeros(4, 2))
    with pytest.raises(ValueError, match=r"binary_crossentropy: expected y_true and y_pred of the same shape"):
        losses.binary_crossentropy(torch.zeros(1, 3), torch.zeros(4, 3))


def test_categorical_loss_given_sparse_labels():
    with pytest.raises(
        ValueError,
        match=r"categorical_crossentropy: .*y_true.shape=\(4,\).*y_pred.shape=\(4, 3\)"
        r".*sparse_categorical_crossentropy",
    ):
        losses.CategoricalCrossentropy()(torch.tensor([0, 1, 2, 1]), torch.rand(4, 3))


def test_sparse_loss_given_one_hot_labels():
    with pytest.raises(
        ValueError,
        match=r"sparse_categorical_crossentropy: expected integer labels of shape \(4,\)"
        r".*received y_true.shape=\(4, 3\).*categorical_crossentropy",
    ):
        losses.SparseCategoricalCrossentropy()(torch.eye(3)[[0, 1, 2, 1]], torch.rand(4, 3))


@pytest.mark.parametrize("from_logits", [True, False])
def test_sparse_labels_out_of_range(from_logits):
    loss_fn = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    with pytest.raises(
        ValueError,
        match=r"sparse_categorical_crossentropy: expected integer labels in \[0, 2\] for "
        r"y_pred with 3 classes, received labels in \[-2, 1\]",
    ):
        loss_fn(torch.tensor([0, -2, 1]), torch.rand(3, 3))
    with pytest.raises(ValueError, match=r"received labels in \[0, 7\]"):
        loss_fn(torch.tensor([0, 7, 1]), torch.rand(3, 3))
    ignoring = losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=7)
    assert torch.isfinite(ignoring(torch.tensor([0, 7, 1]), torch.rand(3, 3)))


def test_sample_weight_of_the_wrong_length():
    with pytest.raises(
        ValueError,
        match=r"mean_squared_error: sample_weight must broadcast to the per-sample losses "
        r"of shape \(4,\).*received sample_weight.shape=\(5,\)",
    ):
        losses.MeanSquaredError()(torch.zeros(4, 2), torch.zeros(4, 2), sample_weight=torch.ones(5))
    with pytest.raises(ValueError, match=r"custom_name: sample_weight .* \(2, 3\)"):
        losses.SparseCategoricalCrossentropy(name="custom_name")(
            torch.zeros(2, 3, dtype=torch.long), torch.rand(2, 3, 4), sample_weight=torch.ones(3, 2)
        )


def test_binary_cross_entropy_labels_outside_zero_one():
    # As in Keras, the formula applies to any label value (torch's fused kernel would refuse it).
    value = losses.BinaryCrossentropy()(torch.tensor([[-1.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
    assert value.item() == pytest.approx(float(np.log(2.0)), rel=1e-6)
    nan = losses.BinaryCrossentropy()(torch.tensor([[1.0]]), torch.tensor([[float("nan")]]))
    assert torch.isnan(nan)  # NaN predictions give a NaN loss (TerminateOnNaN relies on it)
    assert torch.isfinite(losses.BinaryCrossentropy(from_logits=True)(torch.tensor([[-1.0]]), torch.tensor([[0.5]])))


def test_invalid_arguments():
    with pytest.raises(ValueError, match=r"huber: delta must be a positive float, received delta=0"):
        losses.Huber(delta=0)
    with pytest.raises(ValueError, match=r"categorical_crossentropy: axis must be an int, received axis=True"):
        losses.categorical_crossentropy(torch.zeros(2, 2), torch.zeros(2, 2), axis=True)
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: axis must be an int in \[-2, 2\)"):
        losses.sparse_categorical_crossentropy(torch.zeros(2, dtype=torch.long), torch.zeros(2, 2), axis=2)
    with pytest.raises(TypeError, match="fn must be callable"):
        losses.LossFunctionWrapper("mse")
    with pytest.warns(UserWarning, match=r"num_classes > 1.*y_pred.shape=\(2, 1\)"):
        losses.categorical_crossentropy(torch.ones(2, 1), torch.ones(2, 1))


# --- speed: no host syncs -----------------------------------------------------------------------------------------


def _refuse(*args, **kwargs):
    raise AssertionError("host sync in the default path")


@pytest.mark.parametrize(
    "name,kwargs,y_true",
    [
        ("SparseCategoricalCrossentropy", {"from_logits": True}, torch.tensor([0, 2, 1])),
        ("SparseCategoricalCrossentropy", {"ignore_class": 1}, torch.tensor([0, 2, 1])),
        ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, torch.eye(3)),
        ("BinaryCrossentropy", {}, torch.eye(3)),
        ("BinaryFocalCrossentropy", {"from_logits": True}, torch.eye(3)),
        ("Hinge", {}, torch.eye(3)),
        ("MeanSquaredError", {}, torch.eye(3)),
        ("Huber", {}, torch.eye(3)),
    ],
)
def test_no_host_sync_in_the_default_path(monkeypatch, name, kwargs, y_true):
    loss_fn = getattr(losses, name)(**kwargs)
    y_pred = torch.rand(3, 3, requires_grad=True)
    for method in ("item", "tolist", "__bool__", "__int__", "__float__", "__index__"):
        monkeypatch.setattr(torch.Tensor, method, _refuse)
    value = loss_fn(y_true, y_pred, sample_weight=torch.tensor([1.0, 2.0, 0.5]))
    value.backward()
    monkeypatch.undo()
    assert torch.isfinite(value) and y_pred.grad.abs().sum() > 0


@pytest.mark.cuda
def test_cuda_losses_without_sync_and_under_autocast():
    device = torch.device("cuda")
    labels, logits = torch.tensor([0, 2, 1], device=device), torch.randn(3, 3, device=device)
    torch.cuda.set_sync_debug_mode("error")
    try:
        losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
        losses.BinaryCrossentropy()(torch.eye(3, device=device), logits.sigmoid())
    finally:
        torch.cuda.set_sync_debug_mode("default")
    with torch.autocast("cuda", dtype=torch.float16):
        value = losses.BinaryCrossentropy()(torch.eye(3, device=device), logits.sigmoid())
    assert value.dtype == torch.float32 and torch.isfinite(value)

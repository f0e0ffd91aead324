"""Global settings and dtype policies."""

import pytest
import torch

import kerastorch as keras
from kerastorch import layers


def test_floatx_controls_new_weights():
    keras.config.set_floatx("float64")
    try:
        layer = layers.Dense(2)
        layer(torch.ones(1, 3, dtype=torch.float64))
        assert layer.kernel.dtype == torch.float64 and layer.dtype == "float64"
    finally:
        keras.config.set_floatx("float32")
    with pytest.raises(ValueError, match="set_floatx: expected one of"):
        keras.config.set_floatx("int32")


def test_layer_dtype_argument():
    layer = layers.Dense(2, dtype="float64")
    out = layer(torch.ones(1, 3))
    assert out.dtype == torch.float64 and layer.compute_dtype == "float64"
    assert layers.Dense.from_config(layer.get_config()).dtype == "float64"


def test_mixed_policy_keeps_float32_weights():
    policy = keras.dtype_policies.DTypePolicy("mixed_bfloat16")
    assert (policy.compute_dtype, policy.variable_dtype) == ("bfloat16", "float32")
    layer = layers.Dense(2, dtype="mixed_bfloat16")
    layer.build((None, 3))
    assert layer.kernel.dtype == torch.float32
    with pytest.raises(ValueError, match="mixed_float16"):
        keras.dtype_policies.DTypePolicy("mixed_int8")


def test_image_data_format_and_epsilon():
    assert keras.config.image_data_format() == "channels_last"
    keras.config.set_image_data_format("channels_first")
    assert keras.config.image_data_format() == "channels_first"
    keras.config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="received 'nhwc'"):
        keras.config.set_image_data_format("nhwc")
    assert keras.config.epsilon() == 1e-7


def test_set_device_places_new_weights():
    keras.config.set_device("meta")
    try:
        model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
        assert model.layers[0].kernel.device.type == "meta"
    finally:
        keras.config.set_device(None)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert keras.config.default_device().type == expected


def test_standardize_dtype_accepts_torch_and_numpy():
    import numpy as np

    assert keras.config.standardize_dtype(torch.float16) == "float16"
    assert keras.config.standardize_dtype(np.dtype("int32")) == "int32"
    with pytest.raises(ValueError, match="Unknown dtype"):
        keras.config.standardize_dtype("float31")


@pytest.mark.cuda
def test_default_device_is_cuda_when_available():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    assert model.layers[0].kernel.is_cuda
    assert model(torch.ones(1, 3, device="cuda")).is_cuda


def test_keras_config_names_beyond_the_settings(caplog):
    import logging

    import numpy as np

    assert keras.config.backend() == "torch" and keras.version() == keras.__version__
    keras.config.set_dtype_policy("mixed_float16")
    assert keras.config.dtype_policy().name == "mixed_float16"
    keras.config.set_dtype_policy("float32")
    assert keras.Loss is keras.losses.Loss and keras.Metric is keras.metrics.Metric
    assert keras.Optimizer is keras.optimizers.Optimizer and keras.Initializer is keras.initializers.Initializer
    assert keras.Regularizer is keras.regularizers.Regularizer and keras.DTypePolicy is keras.dtype_policies.DTypePolicy
    with keras.device("cpu"):
        assert keras.config.default_device() == torch.device("cpu") and torch.zeros(1).device.type == "cpu"
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((64, 2)), np.ones((64, 1))
    keras.config.set_max_epochs(2)
    keras.config.set_max_steps_per_epoch(3)
    keras.config.disable_interactive_logging()
    with caplog.at_level(logging.INFO, logger="keras"):
        history = model.fit(x, y, epochs=5, batch_size=8, verbose=1)
    assert len(history.history["loss"]) == 2
    logged = [r.getMessage().split("/")[0][-1] for r in caplog.records if "step" in r.getMessage()]
    assert logged.count("3") == 2 and set(logged) <= {"1", "2", "3"}  # two epochs of three steps, to the logger
    with pytest.raises(ValueError, match="set_max_epochs: expected a positive int or None, received 0"):
        keras.config.set_max_epochs(0)


@pytest.mark.parity
def test_dtype_policies_serialize_as_in_keras(keras3):
    theirs = keras3.dtype_policies.serialize(keras3.dtype_policies.DTypePolicy("mixed_bfloat16"))
    ours = keras.dtype_policies.serialize(keras.dtype_policies.DTypePolicy("mixed_bfloat16"))
    assert ours == theirs
    assert keras.dtype_policies.deserialize(theirs).name == "mixed_bfloat16"
    assert keras3.dtype_policies.deserialize(ours).name == "mixed_bfloat16"
    assert keras.dtype_policies.deserialize("float64").compute_dtype == "float64"

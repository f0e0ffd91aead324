"""MobileNet, MobileNetV2 and MobileNetV3 (Small, Large): Keras's parameter counts, argument checks, pooling, a
forward pass, the published file names, and Keras 3's predictions (and layer names) from the same weights
file."""

import socket

import numpy as np
import pytest
import torch
from app_checks import assert_pooling_shapes, assert_predicts_what_keras_predicts, forward_runs, parameter_counts

import kerastorch as keras
from kerastorch.applications import mobilenet, mobilenet_v2, mobilenet_v3
from kerastorch.applications.mobilenet import MobileNet
from kerastorch.applications.mobilenet_v2 import MobileNetV2
from kerastorch.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from kerastorch.layers import TensorOp

FUNCTIONS = {fn.__name__: fn for fn in (MobileNet, MobileNetV2, MobileNetV3Small, MobileNetV3Large)}
# Keras 3's parameter counts at the default arguments: (with the top, without)
COUNTS = {
    "MobileNet": (4253864, 3228864),
    "MobileNetV2": (3538984, 2257984),
    "MobileNetV3Small": (2554968, 939120),
    "MobileNetV3Large": (5507432, 2996352),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_parameter_counts_match_keras(name):
    assert parameter_counts(FUNCTIONS[name], input_shape=(224, 224, 3)) == COUNTS[name]


@pytest.mark.parametrize(
    "fn, kwargs",
    [(MobileNet, {"alpha": 0.25}), (MobileNetV2, {"alpha": 0.35}), (MobileNetV3Small, {"minimalistic": True})],
)
def test_pooling_and_a_forward_pass_at_a_small_size(fn, kwargs):
    assert_pooling_shapes(fn, input_shape=(32, 32, 3), **kwargs)
    model = fn(weights=None, input_shape=(32, 32, 3), classes=5, classifier_activation=None, **kwargs)
    assert forward_runs(model, (32, 32, 3)).shape == (2, 5)


def test_default_names_and_input_sides_follow_keras():
    keras.config.set_device("meta")
    assert MobileNet(weights=None, include_top=False).name == "mobilenet_1.00_None"
    assert MobileNet(weights=None, input_shape=(128, 128, 3)).input_shape == (None, 128, 128, 3)
    inputs = keras.Input((96, 96, 3))
    model = MobileNetV2(weights=None, input_tensor=inputs, alpha=0.5)  # the side comes from the tensor
    assert model.name == "mobilenetv2_0.50_96" and model.inputs[0] is inputs
    model = MobileNetV3Large(weights=None, alpha=0.75)  # any side, with the top
    assert model.name == "MobileNetV3Large" and model.input_shape == (None, None, None, 3)
    assert model.output_shape == (None, 1000)
    assert MobileNetV3Small(weights=None, include_preprocessing=False, dropout_rate=0).layers[1].name == "conv"


def test_argument_checks_name_what_is_wrong():
    with pytest.raises(ValueError, match="depth_multiplier must be 1; received depth_multiplier=2"):
        MobileNet(depth_multiplier=2)
    with pytest.raises(ValueError, match="alpha must be one of 0.25, 0.50, 0.75 or 1.0; received alpha=0.3"):
        MobileNet(alpha=0.3)
    with pytest.raises(ValueError, match=r"input_shape should be \(224, 224, 3\); received input_shape=\(96, 96, 3\)"):
        MobileNet(input_shape=(96, 96, 3))  # 96 is a MobileNetV2 size only
    with pytest.raises(ValueError, match="alpha must be one of 0.35, 0.50, 0.75, 1.0, 1.3 or 1.4; received alpha=0.25"):
        MobileNetV2(alpha=0.25, include_top=False)
    with pytest.raises(ValueError, match=r"input_tensor's sides \(64, 64\) differ from input_shape's \(32, 32\)"):
        MobileNetV2(weights=None, input_tensor=keras.Input((64, 64, 3)), input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="input_tensor is not a Keras tensor"):
        MobileNetV3Small(weights=None, input_tensor=torch.ones(1, 32, 32, 3), input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match=r"alpha must be 0.75 or 1.0 .* received alpha=0.75, minimalistic=True"):
        MobileNetV3Large(alpha=0.75, minimalistic=True)
    with pytest.raises(ValueError, match=r"at least 32x32; received input_shape=\(16, 16, 3\)"):
        MobileNetV3Small(weights=None, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="classes should be 1000; received classes=10"):
        MobileNetV3Small(classes=10)
    with pytest.raises(ValueError, match="pooling must be None, 'avg' or 'max'; received pooling='sum'"):
        MobileNet(weights=None, include_top=False, input_shape=(32, 32, 3), alpha=0.25, pooling="sum")


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_imagenet_weights_are_the_published_file_for_alpha_and_side(tmp_path, monkeypatch):
    origin = f"http://127.0.0.1:{_closed_port()}/"
    monkeypatch.setattr(mobilenet, "BASE_WEIGHTS_URL", origin)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    keras.config.set_device("meta")
    with pytest.raises(OSError, match=f"'mobilenet_7_5_160_tf_no_top.h5' from {origin}mobilenet_7_5_160_tf_no_top"):
        MobileNet(alpha=0.75, include_top=False, input_shape=(160, 160, 3))
    with (
        pytest.warns(UserWarning, match=r"the weights for input shape \(224, 224\) are loaded"),
        pytest.raises(OSError, match="'mobilenet_2_5_224_tf_no_top.h5'"),
    ):
        MobileNet(alpha=0.25, include_top=False, input_shape=(100, 100, 3))
    assert mobilenet_v2.weights_file(1.3, 224).file(True)[:2] == (
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_224.h5",
        "https://storage.googleapis.com/tensorflow/"
        "keras-applications/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_224.h5",
    )
    assert mobilenet_v3.WEIGHTS["small_minimalistic_224_1.0_float"].file(False) == (
        "weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
        "weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5",
        "cde8136e733e811080d9fcd8a252f7e4",
    )


def test_preprocess_input():
    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    np.testing.assert_allclose(mobilenet.preprocess_input(x)[0, 0, 0], [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(mobilenet_v2.preprocess_input(x)[0, 0, 0], [-1.0, 0.0, 1.0])
    assert mobilenet_v3.preprocess_input(x) is x  # the model rescales its inputs itself
    assert x[0, 0, 0, 0] == 0.0


def test_mobilenet_v3_config_round_trips():
    model = MobileNetV3Small(weights=None, input_shape=(32, 32, 3), alpha=0.75, classes=3)
    clone = keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    x = torch.rand(2, 32, 32, 3) * 255
    torch.testing.assert_close(clone(x), model(x))


def _assert_parity(keras3, tmp_path, name, **kwargs):
    """Keras 3's predictions from the same weights file, and the same layer names (kerastorch also lists the
    TensorOp layers that the arithmetic of MobileNetV3's hard sigmoid records; Keras 3 records operations)."""
    built = []

    def keras_fn(**kw):
        built.append(getattr(keras3.applications, name)(**kw))
        return built[-1]

    ours = assert_predicts_what_keras_predicts(keras3, tmp_path, FUNCTIONS[name], keras_fn, **kwargs)
    assert [layer.name for layer in ours.layers if not isinstance(layer, TensorOp)] == [
        layer.name for layer in built[0].layers
    ]
    assert ours.name == built[0].name


@pytest.mark.parity
@pytest.mark.parametrize(
    "name, top, no_top",
    [
        (
            "MobileNet",
            {"alpha": 0.5, "depth_multiplier": 2, "input_shape": (32, 40, 3)},
            {"alpha": 0.25, "pooling": "max"},
        ),
        ("MobileNetV2", {"alpha": 0.35, "input_shape": (36, 36, 3)}, {"alpha": 1.4, "pooling": "avg"}),
        ("MobileNetV3Small", {"input_shape": (36, 36, 3)}, {"minimalistic": True, "pooling": "avg"}),
        ("MobileNetV3Large", {"alpha": 0.75, "include_preprocessing": False, "input_shape": (40, 36, 3)}, None),
    ],
)
def test_predicts_what_keras_predicts_from_a_keras_weights_file(keras3, tmp_path, name, top, no_top):
    keras3.backend.clear_session()  # the default layer names count from the start, as in kerastorch
    top.setdefault("input_shape", (32, 32, 3))
    _assert_parity(keras3, tmp_path, name, classes=5, classifier_activation=None, **top)
    if no_top is not None:  # MobileNetV3Large shares the code without the top with MobileNetV3Small
        _assert_parity(keras3, tmp_path, name, include_top=False, input_shape=(32, 32, 3), **no_top)


@pytest.mark.parity
def test_channels_first_predicts_what_keras_predicts(keras3, tmp_path):
    keras3.backend.clear_session()
    keras3.config.set_image_data_format("channels_first")
    keras.config.set_image_data_format("channels_first")
    try:
        _assert_parity(keras3, tmp_path, "MobileNetV3Small", input_shape=(3, 36, 32), alpha=0.75, classes=5)
    finally:
        keras3.config.set_image_data_format("channels_last")

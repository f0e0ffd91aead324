"""VGG16 and VGG19: Keras's parameter counts, layer names, published files, pooling, and Keras 3's predictions
from the same weights file (channels_last and channels_first)."""

import numpy as np
import pytest
from app_checks import assert_pooling_shapes, assert_predicts_what_keras_predicts, forward_runs, parameter_counts

import kerastorch as keras
from kerastorch.applications import vgg16, vgg19
from kerastorch.applications.vgg16 import VGG16
from kerastorch.applications.vgg19 import VGG19

# Keras 3's parameter counts at 224x224: (with the top, without)
COUNTS = {VGG16: (138357544, 14714688), VGG19: (143667240, 20024384)}
BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


@pytest.mark.parametrize("fn", [VGG16, VGG19], ids=["VGG16", "VGG19"])
def test_parameter_counts_match_keras(fn):
    assert parameter_counts(fn) == COUNTS[fn]


def test_layer_names_are_keras_names():
    keras.config.set_device("meta")  # the known state of the next test puts it back
    assert [layer.name for layer in VGG16(weights=None).layers] == [
        "input_layer",
        "block1_conv1",
        "block1_conv2",
        "block1_pool",
        "block2_conv1",
        "block2_conv2",
        "block2_pool",
        "block3_conv1",
        "block3_conv2",
        "block3_conv3",
        "block3_pool",
        "block4_conv1",
        "block4_conv2",
        "block4_conv3",
        "block4_pool",
        "block5_conv1",
        "block5_conv2",
        "block5_conv3",
        "block5_pool",
        "flatten",
        "fc1",
        "fc2",
        "predictions",
    ]
    model = VGG19(weights=None, include_top=False, pooling="avg")
    assert model.name == "vgg19"
    assert [layer.name for layer in model.layers[-3:]] == ["block5_conv4", "block5_pool", "global_average_pooling2d"]


def test_published_weight_files():
    assert vgg16.WEIGHTS["vgg16"].file(True) == (
        "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        BASE_URL + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        "64373286793e3c8b2b4e3219cbf3544b",
    )
    assert vgg16.WEIGHTS["vgg19"].file(False) == (
        "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        BASE_URL + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "253f8cb515780f3b799900260a226db6",
    )


def test_argument_checks():
    with pytest.raises(ValueError, match=r"input_shape should be \(224, 224, 3\)"):
        VGG16(weights="imagenet", input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match=r"at least 32x32"):
        VGG19(weights=None, include_top=False, input_shape=(31, 64, 3))
    with pytest.raises(ValueError, match="pooling must be None, 'avg' or 'max'; received pooling='sum'"):
        VGG16(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="sum")
    with pytest.raises(ValueError, match=r"each of the 5 blocks; received convs_per_block=\(2, 2, 3\)"):
        vgg16.VGG((2, 2, 3), "vgg8", weights=None)


def test_pooling_and_a_forward_pass_at_a_small_size():
    assert_pooling_shapes(VGG19, input_shape=(32, 32, 3))
    model = VGG16(weights=None, input_shape=(32, 32, 3), classes=5, classifier_activation=None)
    assert forward_runs(model, (32, 32, 3)).shape == (2, 5)


@pytest.mark.parity
def test_predicts_what_keras_predicts_without_the_top(keras3, tmp_path):
    assert_predicts_what_keras_predicts(
        keras3, tmp_path, VGG19, keras3.applications.VGG19, input_shape=(32, 32, 3), include_top=False, pooling="max"
    )


@pytest.mark.parity
def test_predicts_what_keras_predicts_with_the_top_in_channels_first(keras3, tmp_path):
    """The top flattens 2x2 features: in channels_first they are flattened in channels_last order, as Keras
    does, so ``fc1`` takes the published weights in either format."""
    previous = keras3.config.image_data_format()
    keras3.config.set_image_data_format("channels_first")
    keras.config.set_image_data_format("channels_first")
    try:
        assert_predicts_what_keras_predicts(
            keras3, tmp_path, VGG16, keras3.applications.VGG16, input_shape=(3, 64, 64), classes=3
        )
    finally:
        keras3.config.set_image_data_format(previous)


def test_preprocess_input_is_caffe_mode():
    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    expected = [255 - 103.939, 127.5 - 116.779, -123.68]
    np.testing.assert_allclose(vgg16.preprocess_input(x)[0, 0, 0], expected, rtol=1e-6)
    np.testing.assert_allclose(
        vgg19.preprocess_input(x.transpose(0, 3, 1, 2), data_format="channels_first")[0, :, 0, 0], expected, rtol=1e-6
    )
    assert x[0, 0, 0, 0] == 0.0  # the input is not modified

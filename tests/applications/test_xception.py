"""Xception: Keras's parameter counts, layer names, published files, pooling, and Keras 3's predictions from the
same weights file (channels_last and channels_first)."""

import numpy as np
import pytest
from app_checks import assert_pooling_shapes, assert_predicts_what_keras_predicts, forward_runs, parameter_counts

import kerastorch as keras
from kerastorch.applications import xception
from kerastorch.applications.xception import Xception


def test_parameter_counts_match_keras():
    assert parameter_counts(Xception) == (22910480, 20861480)  # Keras 3's, at 299x299


def test_layer_names_are_keras_names():
    keras.config.set_device("meta")  # the known state of the next test puts it back
    names = [layer.name for layer in Xception(weights=None, include_top=False, pooling="max").layers]
    assert names[:16] == [
        "input_layer",
        "block1_conv1",
        "block1_conv1_bn",
        "block1_conv1_act",
        "block1_conv2",
        "block1_conv2_bn",
        "block1_conv2_act",
        "block2_sepconv1",
        "block2_sepconv1_bn",
        "block2_sepconv2_act",
        "block2_sepconv2",
        "block2_sepconv2_bn",
        "conv2d",
        "block2_pool",
        "batch_normalization",
        "add",
    ]
    assert names[36:46] == [
        "block5_sepconv1_act",
        "block5_sepconv1",
        "block5_sepconv1_bn",
        "block5_sepconv2_act",
        "block5_sepconv2",
        "block5_sepconv2_bn",
        "block5_sepconv3_act",
        "block5_sepconv3",
        "block5_sepconv3_bn",
        "add_3",
    ]
    assert names[-11:] == [
        "conv2d_3",
        "block13_pool",
        "batch_normalization_3",
        "add_11",
        "block14_sepconv1",
        "block14_sepconv1_bn",
        "block14_sepconv1_act",
        "block14_sepconv2",
        "block14_sepconv2_bn",
        "block14_sepconv2_act",
        "global_max_pooling2d",
    ]
    assert len(names) == 133


def test_published_weight_files():
    base = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
    assert xception.WEIGHTS.file(True) == (
        "xception_weights_tf_dim_ordering_tf_kernels.h5",
        base + "xception_weights_tf_dim_ordering_tf_kernels.h5",
        "0a58e3b7378bc2990ea3b43d5981f1f6",
    )
    assert xception.WEIGHTS.file(False) == (
        "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
        base + "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "b0042744bf5b25fce3cb969f33bebb97",
    )


def test_argument_checks():
    with pytest.raises(ValueError, match=r"input_shape should be \(299, 299, 3\)"):
        Xception(weights="imagenet", input_shape=(224, 224, 3))
    with pytest.raises(ValueError, match=r"at least 71x71; received input_shape=\(70, 71, 3\)"):
        Xception(weights=None, include_top=False, input_shape=(70, 71, 3))
    with pytest.raises(ValueError, match="classes should be 1000"):
        Xception(weights="imagenet", classes=10)


def test_pooling_and_a_forward_pass_at_the_smallest_size():
    assert_pooling_shapes(Xception, input_shape=(71, 71, 3))
    model = Xception(weights=None, input_shape=(71, 71, 3), classes=5, classifier_activation=None)
    assert forward_runs(model, (71, 71, 3)).shape == (2, 5)


def test_the_config_round_trips():
    keras.config.set_device("meta")
    model = Xception(weights=None, input_shape=(71, 71, 3), classes=5)
    rebuilt = keras.Model.from_config(model.get_config())
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]
    assert rebuilt.count_params() == model.count_params()


@pytest.mark.parity
def test_predicts_what_keras_predicts_from_a_keras_weights_file(keras3, tmp_path):
    keras3.backend.clear_session()  # the unnamed shortcut layers get Keras 3's first names: conv2d, add ...
    assert_predicts_what_keras_predicts(
        keras3, tmp_path, Xception, keras3.applications.Xception, input_shape=(71, 71, 3), classes=7
    )


@pytest.mark.parity
def test_predicts_what_keras_predicts_channels_first_without_the_top(keras3, tmp_path):
    """Batch normalization over axis 1, the separable convolutions and poolings in channels_first, and the
    features' pooling."""
    keras3.backend.clear_session()
    previous = keras3.config.image_data_format()
    keras3.config.set_image_data_format("channels_first")
    keras.config.set_image_data_format("channels_first")
    try:
        assert_predicts_what_keras_predicts(
            keras3,
            tmp_path,
            Xception,
            keras3.applications.Xception,
            input_shape=(3, 71, 71),
            include_top=False,
            pooling="avg",
        )
    finally:
        keras3.config.set_image_data_format(previous)


def test_preprocess_input_scales_to_minus_one_one():
    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    np.testing.assert_allclose(xception.preprocess_input(x)[0, 0, 0], [-1.0, 0.0, 1.0])
    assert x[0, 0, 0, 2] == 255.0  # the input is not modified

"""DenseNet121, DenseNet169 and DenseNet201: Keras's parameter counts, pooling, Keras's argument checks, and
Keras 3's predictions from the same weights file."""

import functools
import inspect

import numpy as np
import pytest
from app_checks import assert_pooling_shapes, assert_predicts_what_keras_predicts, forward_runs, parameter_counts

import kerastorch as keras
from kerastorch.applications import densenet
from kerastorch.applications.densenet import DenseNet, DenseNet121, DenseNet169, DenseNet201

# Keras's published parameter counts: (with the top, without)
COUNTS = {DenseNet121: (8062504, 7037504), DenseNet169: (14307880, 12642880), DenseNet201: (20242984, 18321984)}


@pytest.mark.parametrize("fn", list(COUNTS), ids=lambda fn: fn.__name__)
def test_parameter_counts_match_keras(fn):
    assert parameter_counts(fn) == COUNTS[fn]


def test_keras_signatures_and_published_files():
    assert DenseNet121.__name__ == "DenseNet121"
    assert list(inspect.signature(DenseNet169).parameters) == [
        "include_top",
        "weights",
        "input_tensor",
        "input_shape",
        "pooling",
        "classes",
        "classifier_activation",
        "name",
    ]
    assert [inspect.signature(fn).parameters["name"].default for fn in COUNTS] == [
        "densenet121",
        "densenet169",
        "densenet201",
    ]
    name, origin, file_hash = densenet.WEIGHTS[(6, 12, 32, 32)].file(include_top=False)
    assert name == "densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert origin == densenet.BASE_WEIGHTS_URL + name and file_hash == "b8c4d4c20dd625c148057b9ff1c1176b"


def test_pooling_and_a_forward_pass_at_a_small_size():
    model = DenseNet121(weights=None, input_shape=(32, 32, 3), classes=5, classifier_activation=None)
    assert [layer.name for layer in model.layers[:7]] == [
        "input_layer",
        "zero_padding2d",
        "conv1_conv",
        "conv1_bn",
        "conv1_relu",
        "zero_padding2d_1",
        "pool1",
    ]
    assert model.layers[-3].name == "relu" and model.get_layer("conv5_block16_concat").output.shape[-1] == 1024
    assert forward_runs(model, (32, 32, 3)).shape == (2, 5)
    assert_pooling_shapes(DenseNet121)


def test_keras_argument_checks():
    keras.config.set_image_data_format("channels_first")
    with pytest.raises(ValueError, match="channels_first"):
        DenseNet121(weights=None)
    keras.config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="classes should be 1000"):
        DenseNet169(classes=10)
    with pytest.raises(ValueError, match="at least 32"):
        DenseNet201(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="published for the blocks"):
        DenseNet((1, 1, 1, 1), include_top=False)


@pytest.mark.parity
def test_predicts_what_keras_predicts_from_a_keras_weights_file(keras3, tmp_path):
    assert_predicts_what_keras_predicts(
        keras3, tmp_path, DenseNet121, keras3.applications.DenseNet121, input_shape=(32, 32, 3), classes=7
    )


@pytest.mark.parity
def test_builder_without_the_top_predicts_what_keras_predicts(keras3, tmp_path):
    from keras.src.applications.densenet import DenseNet as KerasDenseNet

    blocks = [2, 3, 4, 2]  # fewer building blocks than the published DenseNets: a fast check of the builder
    assert_predicts_what_keras_predicts(
        keras3,
        tmp_path,
        functools.partial(DenseNet, blocks),
        functools.partial(KerasDenseNet, blocks),
        input_shape=(40, 40, 3),
        include_top=False,
        pooling="max",
    )


def test_preprocess_input_is_torch_mode():
    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    np.testing.assert_allclose(
        densenet.preprocess_input(x)[0, 0, 0], [-0.485 / 0.229, (0.5 - 0.456) / 0.224, (1 - 0.406) / 0.225], rtol=1e-5
    )
    assert x[0, 0, 0, 0] == 0.0  # the input is not modified
    assert densenet.decode_predictions is keras.applications.imagenet_utils.decode_predictions

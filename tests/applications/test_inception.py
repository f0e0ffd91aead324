"""InceptionV3 and InceptionResNetV2: Keras's parameter counts, argument checks, pooling, and Keras 3's
predictions from the same weights file."""

import numpy as np
import pytest
from app_checks import assert_pooling_shapes, assert_predicts_what_keras_predicts, forward_runs, parameter_counts

import kerastorch as keras
from kerastorch.applications import inception_resnet_v2, inception_v3
from kerastorch.applications.inception_resnet_v2 import CustomScaleLayer, InceptionResNetV2, inception_resnet_block
from kerastorch.applications.inception_v3 import InceptionV3

SMALLEST = (75, 75, 3)  # the smallest input both architectures take

MODELS = {"InceptionV3": InceptionV3, "InceptionResNetV2": InceptionResNetV2}
# Keras 3's parameter counts: (with the top, without)
COUNTS = {"InceptionV3": (23851784, 21802784), "InceptionResNetV2": (55873736, 54336736)}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_parameter_counts_match_keras(name):
    assert parameter_counts(MODELS[name]) == COUNTS[name]


def test_input_shape_rules():
    keras.config.set_device("meta")
    try:
        assert InceptionV3(weights=None, include_top=False, input_shape=(75, 107, 3)).output_shape == (None, 1, 2, 2048)
    finally:
        keras.config.set_device(None)
    for fn in (InceptionV3, InceptionResNetV2):  # refused before anything is built
        with pytest.raises(ValueError, match="75"):
            fn(weights=None, include_top=False, input_shape=(74, 100, 3))
        with pytest.raises(ValueError, match="classes should be 1000"):
            fn(weights="imagenet", classes=10)
        with pytest.raises(ValueError, match="299"):
            fn(weights="imagenet", input_shape=(150, 150, 3))


def test_pooling_and_a_forward_pass_at_the_smallest_size():
    # InceptionResNetV2 shares InceptionV3's top and pooling code: one build, features max-pooled
    model = InceptionResNetV2(weights=None, input_shape=SMALLEST, include_top=False, pooling="max")
    assert forward_runs(model, SMALLEST).shape == (2, 1536)
    assert model.layers[-1].name == "global_max_pooling2d"  # Keras leaves it unnamed without the top
    assert_pooling_shapes(InceptionV3, input_shape=SMALLEST)
    model = InceptionV3(weights=None, input_shape=SMALLEST, classes=5, classifier_activation=None)
    assert forward_runs(model, SMALLEST).shape == (2, 5)


def test_published_weight_files():
    assert inception_v3.WEIGHTS.file(True) == (
        "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
        "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        "9a0d58056eeedaa3f26cb7ebd46da564",
    )
    assert inception_resnet_v2.WEIGHTS.file(False) == (
        "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
        "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "d19885ff4a710c122648d3b5c3b684e4",
    )


def test_inception_resnet_block_names_and_checks():
    x = keras.Input((5, 5, 32))
    out = inception_resnet_block(x, 0.17, "block35", 3, activation=None)
    model = keras.Model(x, out)
    names = [layer.name for layer in model.layers]
    assert names[-3:] == ["block35_3_mixed", "block35_3_conv", names[-1]]
    assert isinstance(model.layers[-1], CustomScaleLayer) and model.layers[-1].scale == 0.17
    assert model.output_shape == (None, 5, 5, 32)
    with pytest.raises(ValueError, match="block_type='block99'"):
        inception_resnet_block(x, 0.1, "block99", 1)


def test_custom_scale_layer_config_round_trips():
    layer = CustomScaleLayer(0.1, name="scale")
    config = keras.saving.serialize_keras_object(layer)
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is CustomScaleLayer and restored.scale == 0.1 and restored.name == "scale"
    out = restored([np.ones((1, 2), "float32"), np.full((1, 2), 10.0, "float32")])
    np.testing.assert_allclose(np.asarray(out), [[2.0, 2.0]])


@pytest.mark.parity
def test_custom_scale_layer_reads_keras_config(keras3):
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer as KerasCustomScaleLayer

    config = keras3.saving.serialize_keras_object(KerasCustomScaleLayer(0.2, name="scale"))
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is CustomScaleLayer and restored.scale == 0.2 and restored.name == "scale"


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parity
def test_predicts_what_keras_predicts_from_a_keras_weights_file(keras3, tmp_path, name):
    keras3.backend.clear_session()  # both libraries name the layers from fresh counters (conv2d, conv2d_1 ...)
    ours, theirs = MODELS[name], getattr(keras3.applications, name)
    assert_predicts_what_keras_predicts(keras3, tmp_path, ours, theirs, input_shape=SMALLEST, classes=7)
    assert_predicts_what_keras_predicts(
        keras3, tmp_path, ours, theirs, input_shape=SMALLEST, include_top=False, pooling="avg"
    )


@pytest.mark.parity
def test_predicts_what_keras_predicts_channels_first(keras3, tmp_path):
    keras3.backend.clear_session()
    keras3.config.set_image_data_format("channels_first")
    keras.config.set_image_data_format("channels_first")
    try:
        assert_predicts_what_keras_predicts(
            keras3,
            tmp_path,
            InceptionV3,
            keras3.applications.InceptionV3,
            input_shape=(3, 75, 75),
            include_top=False,
            pooling="max",
        )
    finally:
        keras3.config.set_image_data_format("channels_last")


def test_preprocess_input_scales_to_minus_one_one():
    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    for module in (inception_v3, inception_resnet_v2):
        np.testing.assert_allclose(module.preprocess_input(x)[0, 0, 0], [-1.0, 0.0, 1.0])
        assert module.decode_predictions is keras.applications.imagenet_utils.decode_predictions
    assert x[0, 0, 0, 2] == 255.0  # the input is not modified

"""ConvNeXt: Keras's parameter counts, pooling, argument checks, its own layers (LayerScale, StochasticDepth), and
Keras 3's predictions from the same weights file."""

import functools

import numpy as np
import pytest
import torch
from app_checks import assert_pooling_shapes, assert_predicts_what_keras_predicts, forward_runs, parameter_counts

import kerastorch as keras
from kerastorch.applications import convnext
from kerastorch.applications.convnext import ConvNeXt, ConvNeXtTiny, LayerScale, StochasticDepth

# Keras's published parameter counts: (with the top, without)
COUNTS = {
    "ConvNeXtTiny": (28589128, 27820128),
    "ConvNeXtSmall": (50223688, 49454688),
    "ConvNeXtBase": (88591464, 87566464),
    "ConvNeXtLarge": (197767336, 196230336),
    "ConvNeXtXLarge": (350196968, 348147968),
}
SMALL = {"depths": [1, 1, 2, 1], "projection_dims": [8, 16, 24, 32]}  # every code path, a few layers


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_parameter_counts_match_keras(name):
    assert parameter_counts(getattr(convnext, name)) == COUNTS[name]


def test_pooling_and_a_forward_pass_at_a_small_size():
    assert_pooling_shapes(ConvNeXtTiny)
    model = ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), classes=5, classifier_activation=None)
    assert forward_runs(model, (32, 32, 3)).shape == (2, 5)


def _names(model):
    return [layer.name for layer in model.layers]


def test_layers_follow_keras_names_and_options():
    model = ConvNeXt(**SMALL, drop_path_rate=0.3, input_shape=(32, 32, 3), classes=3)
    names = _names(model)
    assert names[1:3] == ["convnext_prestem_normalization", "convnext_stem"]
    assert names[-3:] == ["convnext_head_gap", "convnext_head_layernorm", "convnext_head_dense"]
    assert [layer.name for layer in model.get_layer("convnext_downsampling_block_2").layers] == [
        "convnext_downsampling_layernorm_2",
        "convnext_downsampling_conv_2",
    ]
    # the stochastic depth rates rise linearly from 0 (an identity) to drop_path_rate over the blocks
    assert "convnext_stage_0_block_0_identity" in names
    rates = [layer.drop_path_rate for layer in model.layers if isinstance(layer, StochasticDepth)]
    np.testing.assert_allclose(rates, [0.075, 0.15, 0.225, 0.3])
    depthwise = model.get_layer("convnext_stage_2_block_1_depthwise_conv")
    assert (depthwise.groups, depthwise.kernel_size, depthwise.padding) == (24, (7, 7), "same")
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model.get_layer("convnext_stage_3_block_0_layer_scale").weights[0]),
        np.full(32, 1e-6, "float32"),
    )
    bare = ConvNeXt(
        **SMALL, layer_scale_init_value=None, include_preprocessing=False, include_top=False, input_shape=(32, 32, 3)
    )
    assert not any("layer_scale" in name or "prestem" in name for name in _names(bare))
    assert bare.output_shape == (None, 1, 1, 32)  # no pooling: the features, layer-normalized
    assert "convnext_prestem_normalization" not in _names(ConvNeXt(**SMALL, include_top=False, input_shape=(32, 32, 1)))


def test_input_tensor_builds_on_an_existing_graph():
    inputs = keras.Input((32, 32, 3), name="image")
    x = keras.layers.Rescaling(1.0)(inputs)
    model = ConvNeXt(**SMALL, include_top=False, input_tensor=x, pooling="max")
    assert model.inputs[0] is inputs and model.output_shape == (None, 32)
    assert tuple(model(torch.ones(2, 32, 32, 3)).shape) == (2, 32)


def test_argument_checks_name_what_is_wrong():
    keras.config.set_image_data_format("channels_first")
    with pytest.raises(ValueError, match="ConvNeXt does not support the `channels_first` image data format"):
        ConvNeXtTiny(weights=None, include_top=False, input_shape=(3, 32, 32))
    keras.config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="classes should be 1000; received classes=10"):
        ConvNeXtTiny(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match='Model name "my_model" does not match weights variant "convnext_tiny"'):
        ConvNeXtTiny(name="my_model")
    with pytest.raises(ValueError, match="Architecture configuration does not match convnext_small variant"):
        ConvNeXt(**SMALL, weights="imagenet", weights_name="convnext_small", name="convnext_small")
    with pytest.raises(ValueError, match="weights='imagenet' needs weights_name"):
        ConvNeXt(**SMALL, weights="imagenet")
    with pytest.raises(ValueError, match="pooling must be None, 'avg' or 'max'; received pooling='sum'"):
        ConvNeXt(**SMALL, include_top=False, input_shape=(32, 32, 3), pooling="sum")


def test_published_weight_files():
    base = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
    assert convnext.WEIGHTS["convnext_tiny"].file(True) == (
        "convnext_tiny.h5",
        base + "convnext_tiny.h5",
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
    )
    assert convnext.WEIGHTS["convnext_xlarge"].file(False) == (
        "convnext_xlarge_notop.h5",
        base + "convnext_xlarge_notop.h5",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05",
    )
    assert sorted(convnext.WEIGHTS) == [
        "convnext_base",
        "convnext_large",
        "convnext_small",
        "convnext_tiny",
        "convnext_xlarge",
    ]


def test_preprocess_input_is_a_pass_through():
    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    assert convnext.preprocess_input(x) is x
    assert convnext.decode_predictions is keras.applications.imagenet_utils.decode_predictions


def test_layer_scale_and_stochastic_depth():
    scale = LayerScale(0.5, 3, name="scale")
    np.testing.assert_allclose(scale(torch.ones(2, 3)).detach().numpy(), np.full((2, 3), 0.5))
    assert LayerScale.from_config(scale.get_config()).get_config() == scale.get_config()
    drop = StochasticDepth(0.25, name="drop")
    x = torch.ones(4000, 2, 2)
    assert drop(x) is x
    dropped = drop(x, training=True)
    per_sample = dropped.reshape(4000, -1)
    assert (per_sample == per_sample[:, :1]).all()  # whole samples are dropped or kept
    np.testing.assert_allclose(sorted(set(per_sample[:, 0].tolist())), [0.0, 4 / 3], rtol=1e-6)
    assert abs((per_sample[:, 0] == 0).float().mean().item() - 0.25) < 0.03
    assert StochasticDepth.from_config(drop.get_config()).drop_path_rate == 0.25


def test_the_model_config_round_trips():
    model = ConvNeXt(**SMALL, drop_path_rate=0.2, input_shape=(32, 32, 3), classes=3)
    rebuilt = keras.Model.from_config(model.get_config())
    assert _names(rebuilt) == _names(model)
    rebuilt.set_weights(model.get_weights())
    x = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def _predicts_what_keras_predicts(keras3, tmp_path, ours_fn, keras_fn, **kwargs):
    """assert_predicts_what_keras_predicts with both name counters reset, so that the unnamed layers of the
    features' head get the same names (``layer_normalization``) in Keras 3 and kerastorch."""
    keras3.utils.clear_session()
    keras.backend.clear_session()
    return assert_predicts_what_keras_predicts(keras3, tmp_path, ours_fn, keras_fn, input_shape=(32, 32, 3), **kwargs)


@pytest.mark.parity
def test_convnext_tiny_predicts_what_keras_predicts(keras3, tmp_path):
    _predicts_what_keras_predicts(keras3, tmp_path, ConvNeXtTiny, keras3.applications.ConvNeXtTiny, classes=7)


# The features without the top, and the builder's options, on a small ConvNeXt (the same code as the variants',
# a fraction of the time): Keras's own builder, keras.src.applications.convnext.ConvNeXt, on the other side.
@pytest.mark.parametrize(
    "kwargs",
    [
        {"include_top": False, "pooling": "avg", "layer_scale_init_value": 0.5},
        {"include_top": False, "drop_path_rate": 0.3, "layer_scale_init_value": None, "include_preprocessing": False},
    ],
    ids=["avg-pooling", "features-stochastic-depth-no-layer-scale-no-preprocessing"],
)
@pytest.mark.parity
def test_the_builder_predicts_what_keras_predicts(keras3, tmp_path, kwargs):
    from keras.src.applications import convnext as keras_convnext  # Keras exports only the variants

    _predicts_what_keras_predicts(
        keras3,
        tmp_path,
        functools.partial(ConvNeXt, **SMALL),
        functools.partial(keras_convnext.ConvNeXt, **SMALL),
        **kwargs,
    )

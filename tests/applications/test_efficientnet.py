"""EfficientNet B0 to B7 and EfficientNetV2: Keras's parameter counts, arguments, pooling, the ImageNet weights'
wiring, and Keras 3's predictions from the same weights file."""

import functools

import numpy as np
import pytest
from app_checks import assert_pooling_shapes, assert_predicts_what_keras_predicts, forward_runs, parameter_counts

import kerastorch as keras
from kerastorch.applications import builder, efficientnet, efficientnet_v2
from kerastorch.applications.efficientnet import EfficientNetB0
from kerastorch.applications.efficientnet_v2 import EfficientNetV2B0, EfficientNetV2S

# Keras 3's parameter counts: (with the top, without)
COUNTS = {
    "EfficientNetB0": (5330571, 4049571),
    "EfficientNetB1": (7856239, 6575239),
    "EfficientNetB2": (9177569, 7768569),
    "EfficientNetB3": (12320535, 10783535),
    "EfficientNetB4": (19466823, 17673823),
    "EfficientNetB5": (30562527, 28513527),
    "EfficientNetB6": (43265143, 40960143),
    "EfficientNetB7": (66658687, 64097687),
    "EfficientNetV2B0": (7200312, 5919312),
    "EfficientNetV2B1": (8212124, 6931124),
    "EfficientNetV2B2": (10178374, 8769374),
    "EfficientNetV2B3": (14467622, 12930622),
    "EfficientNetV2S": (21612360, 20331360),
    "EfficientNetV2M": (54431388, 53150388),
    "EfficientNetV2L": (119027848, 117746848),
}


def _application(name):
    return getattr(efficientnet_v2 if name.startswith("EfficientNetV2") else efficientnet, name)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_parameter_counts_match_keras(name):
    assert parameter_counts(_application(name)) == COUNTS[name]


@pytest.mark.parametrize("fn", [EfficientNetB0, EfficientNetV2B0])
def test_pooling_and_a_forward_pass_at_a_small_size(fn):
    assert_pooling_shapes(fn, input_shape=(32, 32, 3))
    model = fn(weights=None, input_shape=(32, 32, 3), classes=5, classifier_activation=None)
    assert forward_runs(model, (32, 32, 3)).shape == (2, 5)


def test_default_sizes_and_the_argument_checks():
    # The ImageNet classifier takes each variant's default size (checked before anything is built).
    for fn, size in (
        (efficientnet.EfficientNetB3, 300),
        (efficientnet.EfficientNetB7, 600),
        (EfficientNetV2S, 384),
        (efficientnet_v2.EfficientNetV2M, 480),
    ):
        with pytest.raises(ValueError, match=rf"should be \({size}, {size}, 3\)"):
            fn(input_shape=(224, 224, 3))
    with pytest.raises(ValueError, match="classes should be 1000"):
        EfficientNetB0(classes=10)
    with pytest.raises(ValueError, match="at least 32x32"):
        EfficientNetB0(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="softmax"):
        EfficientNetV2B0(classifier_activation="sigmoid")
    with pytest.raises(ValueError, match="must be > 0"):
        efficientnet.EfficientNet(
            1.0, 1.0, 224, weights=None, blocks_args=[{**efficientnet.DEFAULT_BLOCKS_ARGS[0], "repeats": 0}]
        )
    with pytest.raises(ValueError, match="blocks_args='default'"):
        efficientnet_v2.EfficientNetV2(1.0, 1.0, 224, weights=None, name="mine")


def test_the_published_weight_files():
    assert efficientnet.WEIGHTS["b7"].file(False) == (
        "efficientnetb7_notop.h5",
        "https://storage.googleapis.com/keras-applications/efficientnetb7_notop.h5",
        "cbcfe4450ddf6f3ad90b1b398090fe4a",
    )
    assert efficientnet_v2.WEIGHTS["-s"].file(True) == (
        "efficientnetv2-s.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-s.h5",
        "e1d88a8495beba45748fedd0cecbe016",
    )


def test_imagenet_weights_use_the_published_file_and_the_extra_rescaling(monkeypatch):
    """weights="imagenet" fetches Keras's file (without the network here) and, for EfficientNet, divides by the
    square roots of the ImageNet deviations once more, as the published weights expect."""
    fetched, loaded = [], []
    monkeypatch.setattr(builder, "get_file", lambda *args, **kwargs: fetched.append((args, kwargs)) or "cached.h5")
    monkeypatch.setattr(keras.Model, "load_weights", lambda model, path: loaded.append((model.name, path)))
    with keras.backend.device("meta"):
        model = EfficientNetB0(include_top=False, input_shape=(32, 32, 3))
        EfficientNetV2B0()
    assert fetched == [
        (
            ("efficientnetb0_notop.h5", "https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5"),
            {"cache_subdir": "models", "file_hash": "50bc09e76180e00e4465e1a485ddc09d"},
        ),
        (
            (
                "efficientnetv2-b0.h5",
                "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b0.h5",
            ),
            {"cache_subdir": "models", "file_hash": "21ecbf6da12460d5c40bb2f29ceb2188"},
        ),
    ]
    assert loaded == [("efficientnetb0", "cached.h5"), ("efficientnetv2-b0", "cached.h5")]
    assert [layer.name for layer in model.layers[1:5]] == ["rescaling", "normalization", "rescaling_1", "stem_conv_pad"]
    np.testing.assert_allclose(model.layers[3].scale, [0.229**-0.5, 0.224**-0.5, 0.225**-0.5])


def test_preprocess_input_passes_through():
    x = np.full((1, 2, 2, 3), 200.0)
    assert efficientnet.preprocess_input(x) is x and efficientnet_v2.preprocess_input(x) is x


def _parity(keras3, tmp_path, ours, theirs, **kwargs):
    """One parity check from fresh layer names in both libraries (the unnamed Normalization has weights)."""
    keras3.backend.clear_session()
    keras.backend.clear_session()
    return assert_predicts_what_keras_predicts(keras3, tmp_path, ours, theirs, **kwargs)


@pytest.mark.parity
def test_the_stages_are_keras_stages(keras3):
    from keras.src.applications import efficientnet as keras_v1
    from keras.src.applications import efficientnet_v2 as keras_v2

    assert efficientnet.DEFAULT_BLOCKS_ARGS == keras_v1.DEFAULT_BLOCKS_ARGS
    assert efficientnet_v2.DEFAULT_BLOCKS_ARGS == keras_v2.DEFAULT_BLOCKS_ARGS


@pytest.mark.parity
def test_efficientnet_predicts_what_keras_predicts(keras3, tmp_path):
    _parity(keras3, tmp_path, EfficientNetB0, keras3.applications.EfficientNetB0, classes=7)


@pytest.mark.parity
def test_efficientnet_without_top_channels_first_predicts_what_keras_predicts(keras3, tmp_path):
    keras.config.set_image_data_format("channels_first")
    keras3.config.set_image_data_format("channels_first")
    try:
        _parity(
            keras3,
            tmp_path,
            EfficientNetB0,
            keras3.applications.EfficientNetB0,
            input_shape=(3, 64, 64),
            include_top=False,
            pooling="avg",
        )
    finally:
        keras3.config.set_image_data_format("channels_last")


@pytest.mark.parity
def test_efficientnet_v2_predicts_what_keras_predicts(keras3, tmp_path):
    ours = _parity(keras3, tmp_path, EfficientNetV2B0, keras3.applications.EfficientNetV2B0, classes=7)
    # B0 to B3 scale to [0, 1] and normalize with the ImageNet statistics (fixed: no weights)
    assert [type(layer).__name__ for layer in ours.layers[1:3]] == ["Rescaling", "Normalization"]
    assert not ours.layers[2].weights
    ours = _parity(
        keras3,
        tmp_path,
        EfficientNetV2B0,
        keras3.applications.EfficientNetV2B0,
        include_top=False,
        pooling="avg",
        include_preprocessing=False,
    )
    assert ours.layers[1].name == "stem_conv"


@pytest.mark.parity
def test_efficientnet_v2_s_stages_predict_what_keras_predicts(keras3, tmp_path):
    """The S, M and L stages (fused blocks without expansion, with their residual; inputs scaled to [-1, 1]),
    on a narrower and shallower copy of V2S to stay fast."""
    from keras.src.applications import efficientnet_v2 as keras_v2

    args = dict(
        width_coefficient=0.5,
        depth_coefficient=0.5,
        default_size=384,
        name="efficientnetv2-s",
        blocks_args=keras_v2.DEFAULT_BLOCKS_ARGS["efficientnetv2-s"],
        classes=5,
    )
    ours = _parity(
        keras3,
        tmp_path,
        functools.partial(efficientnet_v2.EfficientNetV2, **args),
        functools.partial(keras_v2.EfficientNetV2, **args),
    )
    assert (ours.layers[1].scale, ours.layers[1].offset) == (1 / 128, -1.0)
    assert {"block1a_project_activation", "block1a_add"} <= {layer.name for layer in ours.layers}

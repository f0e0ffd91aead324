"""NASNetMobile and NASNetLarge: Keras's parameter counts, pooling, Keras's argument checks, and Keras 3's
predictions from the same weights file.

Keras 3 refuses to build ``NASNetMobile`` on its torch backend (it raises "not available with the torch
backend"), so the parity tests build Keras's NASNet builder with NASNetMobile's configuration, and a small
NASNet with NASNetLarge's wiring (``skip_reduction=True``), which Keras builds on torch.
"""

import functools
import inspect

import numpy as np
import pytest
from app_checks import assert_pooling_shapes, assert_predicts_what_keras_predicts, forward_runs, parameter_counts

import kerastorch as keras
from kerastorch.applications import nasnet
from kerastorch.applications.nasnet import NASNet, NASNetLarge, NASNetMobile

# Keras's published parameter counts: (with the top, without)
COUNTS = {NASNetMobile: (5326716, 4269716), NASNetLarge: (88949818, 84916818)}
MOBILE = dict(penultimate_filters=1056, num_blocks=4, stem_block_filters=32, skip_reduction=False, default_size=224)
SMALL_LARGE = dict(penultimate_filters=96, num_blocks=1, stem_block_filters=8, skip_reduction=True)


@pytest.mark.parametrize("fn", list(COUNTS), ids=lambda fn: fn.__name__)
def test_parameter_counts_match_keras(fn):
    assert parameter_counts(fn) == COUNTS[fn]


def test_keras_signatures_and_published_files():
    assert list(inspect.signature(NASNetLarge).parameters) == [
        "input_shape",
        "include_top",
        "weights",
        "input_tensor",
        "pooling",
        "classes",
        "classifier_activation",
        "name",
    ]
    assert [inspect.signature(fn).parameters["name"].default for fn in COUNTS] == ["nasnet_mobile", "nasnet_large"]
    assert NASNetMobile.__name__ == "NASNetMobile"
    mobile_no_top = nasnet.BASE_WEIGHTS_URL + "NASNet-mobile-no-top.h5"
    assert nasnet.WEIGHTS[224].file(include_top=False) == (
        "nasnet_mobile_no_top.h5",
        mobile_no_top,
        "1ed92395b5b598bdda52abe5c0dbfd63",
    )
    assert nasnet.WEIGHTS[331].file(include_top=True) == (
        "nasnet_large.h5",
        nasnet.BASE_WEIGHTS_URL + "NASNet-large.h5",
        "11577c9a518f0070763c2b964a382f17",
    )


def test_pooling_and_a_forward_pass_at_a_small_size():
    assert_pooling_shapes(NASNetMobile, input_shape=(32, 32, 3))
    model = NASNetMobile(weights=None, input_shape=(32, 32, 3), classes=5, classifier_activation=None)
    assert isinstance(model.layers[-2], keras.layers.GlobalAveragePooling2D) and model.layers[-1].name == "predictions"
    assert forward_runs(model, (32, 32, 3)).shape == (2, 5)


def test_without_the_top_the_default_input_size_is_used():
    # Keras does so for NASNetMobile (and builds a NASNetLarge that cannot run); kerastorch for both.
    keras.config.set_device("meta")
    assert NASNet(**SMALL_LARGE, default_size=224, weights=None, include_top=False).input_shape == (None, 224, 224, 3)
    assert NASNet(**SMALL_LARGE, weights=None, include_top=False).input_shape == (None, 331, 331, 3)


def test_keras_argument_checks():
    keras.config.set_image_data_format("channels_first")
    with pytest.raises(ValueError, match="channels_first"):
        NASNetMobile(weights=None)
    keras.config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="classes should be 1000"):
        NASNetLarge(classes=10)
    with pytest.raises(ValueError, match="must be static"):
        NASNetLarge(include_top=False, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="multiple of 24"):
        NASNet(penultimate_filters=100, weights=None)
    with pytest.raises(ValueError, match="only be loaded with NASNetLarge or NASNetMobile"):
        NASNet(default_size=128, include_top=False)
    with pytest.raises(ValueError, match="known height and width"):  # Keras would build a model that cannot run
        NASNet(**SMALL_LARGE, weights=None, include_top=False, input_shape=(None, None, 3))


@pytest.mark.parity
def test_mobile_predicts_what_keras_predicts_from_a_keras_weights_file(keras3, tmp_path):
    from keras.src.applications.nasnet import NASNet as KerasNASNet

    ours, theirs = functools.partial(NASNet, **MOBILE), functools.partial(KerasNASNet, **MOBILE, name="nasnet_mobile")
    model = assert_predicts_what_keras_predicts(keras3, tmp_path, ours, theirs, input_shape=(32, 32, 3), classes=7)
    assert model.count_params() == NASNetMobile(weights=None, input_shape=(32, 32, 3), classes=7).count_params()


@pytest.mark.parity
def test_large_wiring_predicts_what_keras_predicts_from_a_keras_weights_file(keras3, tmp_path):
    from keras.src.applications.nasnet import NASNet as KerasNASNet

    keras3.backend.clear_session()  # Keras's automatic layer names from the start, as kerastorch's
    ours, theirs = functools.partial(NASNet, **SMALL_LARGE), functools.partial(KerasNASNet, **SMALL_LARGE)
    model = assert_predicts_what_keras_predicts(
        keras3, tmp_path, ours, theirs, input_shape=(45, 45, 3), include_top=False, pooling="max"
    )
    keras3.backend.clear_session()
    theirs_model = theirs(weights=None, input_shape=(45, 45, 3), include_top=False, pooling="max")
    assert [layer.name for layer in model.layers] == [layer.name for layer in theirs_model.layers]


def test_preprocess_input_is_tf_mode():
    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    np.testing.assert_allclose(nasnet.preprocess_input(x)[0, 0, 0], [-1.0, 0.0, 1.0])
    assert x[0, 0, 0, 0] == 0.0  # the input is not modified
    assert nasnet.decode_predictions is keras.applications.imagenet_utils.decode_predictions

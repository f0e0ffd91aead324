"""ResNet v1 and v2: Keras's parameter counts, pooling, and Keras 3's predictions from the same weights file."""

import pytest
from app_checks import assert_pooling_shapes, assert_predicts_what_keras_predicts, forward_runs, parameter_counts

import kerastorch as keras
from kerastorch.applications import resnet, resnet_v2

# Keras's published parameter counts: (with the top, without)
COUNTS = {
    "ResNet50": (25636712, 23587712),
    "ResNet101": (44707176, 42658176),
    "ResNet152": (60419944, 58370944),
    "ResNet50V2": (25613800, 23564800),
    "ResNet101V2": (44675560, 42626560),
    "ResNet152V2": (60380648, 58331648),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_parameter_counts_match_keras(name):
    assert parameter_counts(getattr(keras.applications, name)) == COUNTS[name]


@pytest.mark.parametrize("name", ["ResNet50", "ResNet50V2"])
def test_pooling_and_a_forward_pass_at_a_small_size(name):
    fn = getattr(keras.applications, name)
    assert_pooling_shapes(fn)
    model = fn(weights=None, input_shape=(32, 32, 3), classes=5, classifier_activation=None)
    assert forward_runs(model, (32, 32, 3)).shape == (2, 5)


@pytest.mark.parametrize("name", ["ResNet50", "ResNet50V2"])
@pytest.mark.parity
def test_predicts_what_keras_predicts_from_a_keras_weights_file(keras3, tmp_path, name):
    assert_predicts_what_keras_predicts(
        keras3, tmp_path, getattr(keras.applications, name), getattr(keras3.applications, name), classes=7
    )
    assert_predicts_what_keras_predicts(
        keras3,
        tmp_path,
        getattr(keras.applications, name),
        getattr(keras3.applications, name),
        include_top=False,
        pooling="avg",
    )


def test_preprocess_input_modes():
    import numpy as np

    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    np.testing.assert_allclose(
        resnet.preprocess_input(x)[0, 0, 0], [255 - 103.939, 127.5 - 116.779, -123.68], rtol=1e-6
    )
    np.testing.assert_allclose(resnet_v2.preprocess_input(x)[0, 0, 0], [-1.0, 0.0, 1.0])
    assert x[0, 0, 0, 0] == 0.0  # the input is not modified

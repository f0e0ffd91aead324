"""keras.preprocessing: Keras 3's legacy namespace (image, sequence and the dataset helpers) maps onto the
keras.utils functions, with Keras 3's names, importable as modules (also as ``keras.preprocessing.*`` under
install_as_keras)."""

import importlib
import subprocess
import sys

import numpy as np
import pytest

import kerastorch as keras

EXPECTED = {
    "kerastorch.preprocessing": {
        "image",
        "sequence",
        "image_dataset_from_directory",
        "text_dataset_from_directory",
        "timeseries_dataset_from_array",
    },
    "kerastorch.preprocessing.image": {"array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"},
    "kerastorch.preprocessing.sequence": {"pad_sequences"},
}


def _public(module):
    return {name for name in dir(module) if not name.startswith("_")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_names_and_identity_with_keras_utils(name):
    module = importlib.import_module(name)
    assert _public(module) == EXPECTED[name]
    for attribute in EXPECTED[name] - {"image", "sequence"}:
        assert getattr(module, attribute) is getattr(keras.utils, attribute)


def test_reachable_from_the_top_level():
    assert keras.preprocessing.image.load_img is keras.utils.load_img
    assert keras.preprocessing.sequence.pad_sequences is keras.utils.pad_sequences
    assert not hasattr(keras.preprocessing, "text")  # as in Keras 3


def test_functions_work_through_the_namespace():
    padded = keras.preprocessing.sequence.pad_sequences([[1, 2, 3], [4]], maxlen=2)
    np.testing.assert_array_equal(padded, [[2, 3], [0, 4]])
    resized = keras.preprocessing.image.smart_resize(np.ones((8, 4, 3), "float32"), (2, 2))
    assert resized.shape == (2, 2, 3)
    dataset = keras.preprocessing.timeseries_dataset_from_array(np.arange(10), None, sequence_length=4, batch_size=8)
    batch = next(iter(dataset))
    np.testing.assert_array_equal(np.asarray(batch)[1], [1, 2, 3, 4])


def test_importable_as_keras_modules_under_install_as_keras():
    code = (
        "import kerastorch; kerastorch.install_as_keras(); import keras.preprocessing.image as image; "
        "from keras.preprocessing.sequence import pad_sequences; "
        "print(image.smart_resize is kerastorch.utils.smart_resize, pad_sequences is kerastorch.utils.pad_sequences)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True True"


@pytest.mark.parity
def test_same_public_names_as_keras(keras3):
    for name, expected in EXPECTED.items():
        theirs = importlib.import_module("keras" + name[len("kerastorch") :])
        assert _public(theirs) == expected

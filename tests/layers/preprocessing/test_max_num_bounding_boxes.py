"""MaxNumBoundingBoxes: padding and truncating the boxes of each image to ``max_number``.

Keras 3 parity (batched and unbatched, NumPy and torch inputs, padding and truncation), the same in training and
inference, functional models with dict inputs, config round trips (also through Keras 3), the deliberate
differences (``fill_value`` in the config, no ``bounding_box_format`` needed) and errors."""

import numpy as np
import pytest
import torch
from layer_checks import from_keras, keras_clone, roundtrip, to_np

import kerastorch
from kerastorch import layers

pytestmark = pytest.mark.usefixtures("_cpu_weights")


def _data(batched=True, dtype="int64"):
    boxes = np.array([[10, 20, 100, 150], [50, 60, 200, 250], [0, 0, 50, 50]], dtype=dtype)
    labels = np.array([1, 2, 3])
    images = np.zeros((8, 8, 3), "uint8")
    if batched:
        boxes, labels, images = boxes[None].repeat(2, 0), np.stack([labels, labels + 3]), images[None].repeat(2, 0)
    return {"images": images, "bounding_boxes": {"boxes": boxes, "labels": labels}}


def _assert_same(ours, theirs):
    for key in ("boxes", "labels"):
        a, b = ours["bounding_boxes"][key], theirs["bounding_boxes"][key]
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(to_np(a), to_np(b))


@pytest.mark.parity
@pytest.mark.parametrize("max_number", [1, 3, 5])
@pytest.mark.parametrize("batched", [True, False])
def test_matches_keras(keras3, max_number, batched):
    ours = layers.MaxNumBoundingBoxes(max_number, fill_value=-1, bounding_box_format="xyxy")
    theirs = keras_clone(keras3, ours)
    for dtype in ("int64", "float32"):
        data = _data(batched, dtype)
        _assert_same(ours(data), theirs(data))
        torch_data = {
            "images": torch.tensor(data["images"]),
            "bounding_boxes": {k: torch.tensor(v) for k, v in data["bounding_boxes"].items()},
        }
        _assert_same(ours(torch_data), theirs(torch_data))


def test_pads_truncates_and_passes_the_rest_through():
    layer = layers.MaxNumBoundingBoxes(4, fill_value=0)
    data = _data()
    data["labels"] = np.array([1, 0])
    data["bounding_boxes"]["confidences"] = np.ones((2, 3))
    for training in (False, True):  # not an augmentation: the same in inference
        out = layer(data, training=training)
        boxes, labels = out["bounding_boxes"]["boxes"], out["bounding_boxes"]["labels"]
        assert boxes.dtype == torch.float32 and labels.dtype == torch.int64
        assert boxes[:, 3].tolist() == [[0.0] * 4] * 2 and labels.tolist() == [[1, 2, 3, 0], [4, 5, 6, 0]]
        assert out["labels"].tolist() == [1, 0] and out["bounding_boxes"]["confidences"].shape == (2, 3)
        assert out["images"].shape == (2, 8, 8, 3)
    assert data["bounding_boxes"]["boxes"].shape == (2, 3, 4)  # the input is left as it was
    assert layers.MaxNumBoundingBoxes(2)(data)["bounding_boxes"]["labels"].tolist() == [[1, 2], [4, 5]]
    images = torch.ones(1, 4, 4, 3)
    assert layers.MaxNumBoundingBoxes(2)(images) is images  # no boxes: passes through
    assert layers.MaxNumBoundingBoxes(2, dtype="float64")(data)["bounding_boxes"]["boxes"].dtype == torch.float64


def test_functional_model_with_dict_inputs():
    inputs = {
        "images": kerastorch.Input((8, 8, 3)),
        "bounding_boxes": {"boxes": kerastorch.Input((None, 4)), "labels": kerastorch.Input((None,), dtype="int32")},
    }
    outputs = layers.MaxNumBoundingBoxes(5)(inputs)
    assert tuple(outputs["bounding_boxes"]["boxes"].shape) == (None, 5, 4)
    assert tuple(outputs["bounding_boxes"]["labels"].shape) == (None, 5)
    shapes = layers.MaxNumBoundingBoxes(5).compute_output_shape(
        {"images": (None, 8, 8, 3), "bounding_boxes": {"boxes": (None, 3, 4), "labels": (None, 3)}}
    )
    assert shapes["bounding_boxes"] == {"boxes": (None, 5, 4), "labels": (None, 5)}


@pytest.mark.parity
def test_configs_round_trip_and_load_in_keras(keras3):
    layer = layers.MaxNumBoundingBoxes(7, fill_value=-3, bounding_box_format="yxyx", data_format="channels_first")
    clone = roundtrip(layer)
    assert (clone.max_number, clone.fill_value, clone.bounding_box_format, clone.data_format) == (
        7,
        -3,
        "yxyx",
        "channels_first",
    )
    theirs = keras_clone(keras3, layer)  # Keras takes our config (fill_value included)
    assert theirs.max_number == 7 and theirs.fill_value == -3
    from_theirs = from_keras(keras3.layers.MaxNumBoundingBoxes(4, bounding_box_format="xyxy")).get_config()
    assert from_theirs["max_number"] == 4 and from_theirs["fill_value"] == -1  # Keras leaves fill_value out
    assert set(from_theirs) == set(keras3.layers.MaxNumBoundingBoxes(4, bounding_box_format="xyxy").get_config()) | {
        "fill_value"
    }
    assert "bounding_box_format" not in layers.MaxNumBoundingBoxes(4).get_config()  # as in Keras when unset


def test_errors():
    with pytest.raises(ValueError, match='MaxNumBoundingBoxes layer "m": .*max_number.* must be a positive integer'):
        layers.MaxNumBoundingBoxes(0, name="m")
    with pytest.raises(ValueError, match="fill_value must be a number"):
        layers.MaxNumBoundingBoxes(3, fill_value="pad")
    with pytest.raises(ValueError, match="bounding_box_format must be a format name"):
        layers.MaxNumBoundingBoxes(3, bounding_box_format=4)
    layer = layers.MaxNumBoundingBoxes(3)
    with pytest.raises(ValueError, match="'bounding_boxes' must be a dict with 'boxes' and 'labels'"):
        layer({"bounding_boxes": {"boxes": torch.zeros(1, 2, 4)}})
    with pytest.raises(ValueError, match="'boxes' must be \\(batch, num_boxes, 4\\)"):
        layer({"bounding_boxes": {"boxes": torch.zeros(1, 2, 3), "labels": torch.zeros(1, 2)}})
    with pytest.raises(ValueError, match="'labels' must have one entry per box"):
        layer({"bounding_boxes": {"boxes": torch.zeros(1, 2, 4), "labels": torch.zeros(1, 3)}})

"""keras.utils.bounding_boxes: format conversion, IoU and CIoU, crop / pad / clip, affine transformations and the
anchor deltas.

Keras 3 parity (torch backend) on random boxes: bit for bit for the conversions (every pair of formats, three
dtypes), the IoU tables, the crops, pads and clips and the deltas; to float32 round-off for CIoU and the affine
transformation. Properties where Keras 3.15 refuses the input (other formats for crop / pad / clip / affine,
relative CIoU, numbers as affine parameters, masking with mixed ranks); errors.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kerastorch
from kerastorch.utils import bounding_boxes as bb

FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh")
ABSOLUTE = FORMATS[:5]
H, W = 200, 300


def to_np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def assert_same(ours, theirs):
    """Same dtype, shape and values (bit for bit; -0.0 equals 0.0)."""
    assert ours.dtype == theirs.dtype and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(to_np(ours), to_np(theirs))


def random_boxes(rng, shape, low=-20.0, high=150.0, min_size=-10.0, max_size=80.0, dtype="float32"):
    """``xyxy`` boxes (some flipped when ``min_size`` < 0)."""
    corner = rng.uniform(low, high, tuple(shape) + (2,))
    size = rng.uniform(min_size, max_size, tuple(shape) + (2,))
    return np.concatenate([corner, corner + size], -1).astype(dtype)


# ------------------------------------------------------------ convert_format
@pytest.mark.parity
@pytest.mark.parametrize("dtype", ["float32", "int32", "float64"])
def test_convert_format_matches_keras_for_every_pair(keras3, dtype):
    boxes = np.random.default_rng(0).uniform(-50, 400, (64, 4)).astype("float32")
    for source in FORMATS:
        for target in FORMATS:
            theirs = keras3.utils.bounding_boxes.convert_format(boxes, source, target, height=H, width=W, dtype=dtype)
            assert_same(bb.convert_format(boxes, source, target, height=H, width=W, dtype=dtype), theirs)


@pytest.mark.parity
def test_convert_format_dicts_case_and_batches_like_keras(keras3):
    boxes = np.random.default_rng(1).uniform(0, 100, (2, 3, 4)).astype("float32")
    data = {"boxes": boxes, "labels": np.array([[1, 2, 3], [4, 5, 6]]), "extra": 5}
    ours = bb.convert_format(data, "XYXY", "Center_YXHW")
    theirs = keras3.utils.bounding_boxes.convert_format(dict(data), "XYXY", "Center_YXHW")  # Keras writes into it
    assert_same(ours["boxes"], theirs["boxes"])
    assert ours["labels"] is data["labels"] and ours["extra"] == 5 and data["boxes"] is boxes  # input untouched
    assert_same(
        bb.convert_format(boxes[0, 0], "xywh", "xyxy"),
        keras3.utils.bounding_boxes.convert_format(boxes[0, 0], "xywh", "xyxy"),
    )
    assert bb.convert_format(boxes, "xyxy", "xywh", dtype=None).dtype == torch.float32
    assert bb.convert_format([[1, 2, 3, 4]], "xyxy", "xywh").tolist() == [[1.0, 2.0, 2.0, 2.0]]  # lists too


@settings(max_examples=10)
@given(source=st.sampled_from(FORMATS), target=st.sampled_from(FORMATS), seed=st.integers(0, 99))
def test_convert_format_round_trips(source, target, seed):
    boxes = torch.tensor(random_boxes(np.random.default_rng(seed), (5,), min_size=1.0), dtype=torch.float64)
    there = bb.convert_format(boxes, "xyxy", source, height=H, width=W, dtype="float64")
    back = bb.convert_format(
        bb.convert_format(there, source, target, height=H, width=W, dtype="float64"),
        target,
        "xyxy",
        height=H,
        width=W,
        dtype="float64",
    )
    torch.testing.assert_close(back, boxes)


def test_convert_format_errors():
    boxes = torch.zeros(2, 4)
    with pytest.raises(ValueError, match="source must be one of .*received source='xyhw'"):
        bb.convert_format(boxes, "xyhw", "xyxy")
    with pytest.raises(ValueError, match="target must be one of"):
        bb.convert_format(boxes, "xyxy", None)
    with pytest.raises(ValueError, match="relative format needs the image's height and width.*height=10, width=None"):
        bb.convert_format(boxes, "xyxy", "rel_xyxy", height=10)
    with pytest.raises(ValueError, match="last axis of 4 entries.*shape \\(2, 3\\)"):
        bb.convert_format(torch.zeros(2, 3), "xyxy", "xywh")
    with pytest.raises(ValueError, match="needs a 'boxes' entry"):
        bb.convert_format({"labels": [1]}, "xyxy", "xywh")


# ------------------------------------------------------------ IoU and CIoU
@pytest.mark.parity
@pytest.mark.parametrize("bounding_box_format", ["xyxy", "yxyx", "xywh", "center_xywh", "rel_center_xywh"])
def test_compute_iou_matches_keras(keras3, bounding_box_format):
    rng = np.random.default_rng(2)
    scale = 100.0 if bounding_box_format.startswith("rel") else 1.0
    for shape1, shape2 in [((7,), (5,)), ((3, 7), (5,)), ((7,), (3, 5)), ((3, 7), (3, 5))]:
        a, b = random_boxes(rng, shape1) / scale, random_boxes(rng, shape2) / scale
        a.reshape(-1, 4)[:2] = -1.0  # padding boxes
        masks = [False, True] if len(shape1) == len(shape2) else [False]  # Keras fails on mixed ranks
        for use_masking in masks:
            kwargs = dict(use_masking=use_masking, mask_val=-3, image_shape=(80, 120, 3))
            assert_same(
                bb.compute_iou(a, b, bounding_box_format, **kwargs),
                keras3.utils.bounding_boxes.compute_iou(a, b, bounding_box_format, **kwargs),
            )


def test_compute_iou_values_epsilon_and_masking_with_mixed_ranks():
    a = torch.tensor([[0.0, 0.0, 10.0, 10.0], [-1.0, -1.0, -1.0, -1.0]])
    b = torch.tensor([[[0.0, 0.0, 10.0, 10.0], [5.0, 5.0, 15.0, 15.0]]])
    iou = bb.compute_iou(a, b, "xyxy", use_masking=True, mask_val=-7)
    assert iou.shape == (1, 2, 2)
    torch.testing.assert_close(iou[0], torch.tensor([[1.0, 25 / 175], [-7.0, -7.0]]))
    tiny = torch.tensor([[0.0, 0.0, 1e-3, 1e-3]])
    torch.testing.assert_close(bb.compute_iou(tiny, tiny, "xyxy"), torch.tensor([[1e-6 / (1e-6 + 1e-7)]]))
    kerastorch.config.set_epsilon(1e-3)
    torch.testing.assert_close(bb.compute_iou(tiny * 100, tiny * 100, "xyxy"), torch.tensor([[0.01 / 0.011]]))


@pytest.mark.parity
@pytest.mark.parametrize("epsilon", [1e-7, 1e-2])
def test_compute_ciou_matches_keras(keras3, epsilon):
    rng = np.random.default_rng(3)
    a, b = random_boxes(rng, (40,)), random_boxes(rng, (40,))
    a[:3] = b[:3]
    for bounding_box_format in ABSOLUTE:
        kerastorch.config.set_epsilon(epsilon)
        keras3.config.set_epsilon(epsilon)
        try:
            theirs = keras3.utils.bounding_boxes.compute_ciou(a, b, bounding_box_format)
        finally:
            keras3.config.set_epsilon(1e-7)
        np.testing.assert_allclose(
            to_np(bb.compute_ciou(a, b, bounding_box_format)), to_np(theirs), rtol=1e-6, atol=1e-6
        )


def test_compute_ciou_properties_and_relative_formats():
    box = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
    torch.testing.assert_close(bb.compute_ciou(box, box, "xyxy"), torch.tensor([1.0]), atol=1e-6, rtol=0)
    far = bb.compute_ciou(box, box + 100.0, "xyxy")
    assert -1.0 < far.item() < -0.95  # disjoint and far: towards -1
    wide = torch.tensor([[0.0, 0.0, 4.0, 1.0]])  # same center, other aspect ratio: below the IoU
    assert bb.compute_ciou(box, wide, "xyxy").item() < bb.compute_iou(box, wide, "xyxy").item()
    # relative formats convert with image_shape (Keras 3.15 refuses them whatever image_shape)
    torch.testing.assert_close(
        bb.compute_ciou(box / 4, wide / 4, "rel_xyxy", image_shape=(4, 4, 3)), bb.compute_ciou(box, wide, "xyxy")
    )
    assert bb.compute_ciou(box[0], wide[0], "xyxy").shape == ()
    with pytest.raises(ValueError, match="relative bounding box formats .* need image_shape"):
        bb.compute_ciou(box, box, "rel_xyxy")
    with pytest.raises(ValueError, match="boxes1 and boxes2 must be \\(N, 4\\) or \\(batch, N, 4\\)"):
        bb.compute_iou(box[0], box, "xyxy")
    with pytest.raises(ValueError, match="same batch size"):
        bb.compute_iou(torch.zeros(2, 3, 4), torch.zeros(3, 3, 4), "xyxy")


# ------------------------------------------------------------ crop, pad, clip
@pytest.mark.parity
@pytest.mark.parametrize("dtype", ["float32", "int64", "float64"])
def test_crop_pad_clip_match_keras(keras3, dtype):
    rng = np.random.default_rng(4)
    boxes = random_boxes(rng, (3, 6), dtype=dtype)
    labels = rng.integers(0, 5, (3, 6))
    theirs = keras3.utils.bounding_boxes
    assert_same(bb.crop(boxes, 10, 20, 40, 30), theirs.crop(boxes, 10, 20, 40, 30))
    assert_same(bb.crop(boxes[0], 10.5, 20, 40, 30), theirs.crop(boxes[0], 10.5, 20, 40, 30))
    assert_same(bb.pad(boxes, 10, 20), theirs.pad(boxes, 10, 20))
    assert_same(bb.pad(boxes, 10.5, 20, 300, 400), theirs.pad(boxes, 10.5, 20, 300, 400))
    for data, kwargs in [
        ({"boxes": boxes, "labels": labels}, dict(height=100, width=120)),
        ({"boxes": boxes / 100, "labels": labels}, dict(bounding_box_format="rel_xyxy")),
    ]:
        ours, expected = bb.clip_to_image_size(data, **kwargs), theirs.clip_to_image_size(data, **kwargs)
        assert_same(ours["boxes"], expected["boxes"])
        assert_same(ours["labels"], expected["labels"])


@pytest.mark.parametrize("bounding_box_format", ABSOLUTE[1:])
def test_crop_pad_clip_in_other_formats_agree_with_xyxy(bounding_box_format):
    """Keras 3.15 raises NotImplementedError for these formats; here they go through xyxy."""
    xyxy = torch.tensor(random_boxes(np.random.default_rng(5), (2, 5), min_size=1.0))
    boxes = bb.convert_format(xyxy, "xyxy", bounding_box_format)

    def back(x):
        return bb.convert_format(x, bounding_box_format, "xyxy")

    torch.testing.assert_close(
        back(bb.crop(boxes, 10, 20, 40, 30, bounding_box_format)), bb.crop(xyxy, 10, 20, 40, 30), atol=1e-4, rtol=0
    )
    torch.testing.assert_close(
        back(bb.pad(boxes, 10, 20, bounding_box_format=bounding_box_format)), bb.pad(xyxy, 10, 20), atol=1e-4, rtol=0
    )
    labels = torch.arange(10).reshape(2, 5)
    ours = bb.clip_to_image_size({"boxes": boxes, "labels": labels}, 100, 120, bounding_box_format)
    expected = bb.clip_to_image_size({"boxes": xyxy, "labels": labels}, 100, 120)
    torch.testing.assert_close(back(ours["boxes"]), expected["boxes"], atol=1e-4, rtol=0)
    assert torch.equal(ours["labels"], expected["labels"])


def test_crop_pad_clip_details_and_errors():
    boxes = torch.tensor([[[10, 20, 50, 60]], [[70, 80, 100, 120]]])
    per_image = torch.tensor([[10], [0]])
    assert bb.crop(boxes, per_image, per_image, 40, 30).tolist() == [[[0, 10, 30, 40]], [[30, 40, 30, 40]]]
    assert bb.crop(boxes[0], 10, 20, None, None).tolist() == [[0, 10, 30, 50]]  # no window size: no upper clip
    assert bb.pad(boxes, per_image, 0).tolist() == [[[10, 30, 50, 70]], [[70, 80, 100, 120]]]
    out = bb.clip_to_image_size(
        {
            "boxes": torch.tensor([[50, 40, 40, 30], [-5, -5, -1, -1], [50, 40, 40, 60]]),
            "labels": torch.tensor([[1, 0], [0, 1], [1, 1]]),
            "extra": "kept",
        },
        100,
        120,
    )
    assert out["labels"].tolist() == [[1, 0], [-1, -1], [-1, -1]]  # a flipped box keeps a positive area
    assert out["extra"] == "kept" and out["boxes"][1].tolist() == [0, 0, 0, 0]
    assert bb.clip_to_image_size(torch.tensor([[-1.0, 0.5, 2.0, 0.7]]), bounding_box_format="rel_yxyx").tolist() == [
        [0.0, 0.5, 1.0, 0.699999988079071]
    ]
    for function, args in [(bb.crop, (0, 0, 10, 10)), (bb.pad, (0, 0))]:
        with pytest.raises(ValueError, match="relative bounding box formats are not supported"):
            function(boxes, *args, bounding_box_format="rel_xyxy")
    with pytest.raises(ValueError, match="absolute bounding box formats need the image's height and width"):
        bb.clip_to_image_size({"boxes": boxes}, height=10)
    with pytest.raises(ValueError, match="needs a 'boxes' entry"):
        bb.clip_to_image_size({"labels": boxes}, 10, 10)


# ------------------------------------------------------------ affine_transform
@pytest.mark.parity
@pytest.mark.parametrize("centered", [False, True])
def test_affine_transform_matches_keras(keras3, centered):
    rng = np.random.default_rng(6)
    batch = 6
    boxes = random_boxes(rng, (batch, 5))

    def per_image(low, high):
        return rng.uniform(low, high, batch).astype("float32")

    args = (
        per_image(-40, 40),
        per_image(-0.3, 0.3),
        per_image(-0.3, 0.3),
        per_image(0.5, 2),
        per_image(-20, 20),
        per_image(-20, 20),
        H,
        W,
    )
    kwargs = dict(center_x=per_image(0, 1), center_y=per_image(0, 1)) if centered else {}
    ours = bb.affine_transform(boxes, *args, **kwargs)
    theirs = keras3.utils.bounding_boxes.affine_transform(boxes, *args, **kwargs)
    assert ours.dtype == theirs.dtype == torch.float32
    np.testing.assert_allclose(to_np(ours), to_np(theirs), rtol=1e-5, atol=1e-3)


def test_affine_transform_numbers_formats_and_simple_moves():
    boxes = torch.tensor([[10.0, 20.0, 50.0, 60.0]])
    moved = bb.affine_transform(boxes, 0, 0.1, 0.1, 1, 0, 0, H, W)
    torch.testing.assert_close(moved, boxes + torch.tensor([29.9, 19.9, 29.9, 19.9]))
    zoomed = bb.affine_transform(boxes, 0, 0, 0, 2, 0, 0, H, W, center_x=0, center_y=0)
    torch.testing.assert_close(zoomed, boxes * 2)
    batched = bb.affine_transform(boxes.expand(2, 1, 4), [90.0, 0.0], 0, 0, 1, 0, 0, H, W)  # one angle per image
    torch.testing.assert_close(batched[0, 0], torch.tensor([70.0, 199.0, 110.0, 239.0]), atol=1e-4, rtol=0)
    torch.testing.assert_close(batched[1], boxes)
    for bounding_box_format in ("xywh", "rel_center_xywh", "yxyx"):  # Keras 3.15: NotImplementedError
        converted = bb.convert_format(boxes, "xyxy", bounding_box_format, height=H, width=W)
        out = bb.affine_transform(converted, 30, 0.1, 0, 1.5, 10, 5, H, W, bounding_box_format=bounding_box_format)
        torch.testing.assert_close(
            bb.convert_format(out, bounding_box_format, "xyxy", height=H, width=W),
            bb.affine_transform(boxes, 30, 0.1, 0, 1.5, 10, 5, H, W),
            atol=1e-3,
            rtol=1e-5,
        )
    with pytest.raises(ValueError, match="angle must be a number or hold one value per image \\(2\\)"):
        bb.affine_transform(boxes.expand(2, 1, 4), torch.zeros(3), 0, 0, 1, 0, 0, H, W)
    with pytest.raises(ValueError, match="boxes must be \\(N, 4\\) or \\(batch, N, 4\\)"):
        bb.affine_transform(boxes[0], 0, 0, 0, 1, 0, 0, H, W)


# ------------------------------------------------------------ anchor deltas
@pytest.mark.parity
@pytest.mark.parametrize("encoding_format", ["center_yxhw", "center_xywh"])
def test_deltas_match_keras(keras3, encoding_format):
    rng = np.random.default_rng(7)
    anchors = torch.tensor(random_boxes(rng, (20,), min_size=0.0))
    boxes = torch.tensor(random_boxes(rng, (2, 20), min_size=0.0))
    boxes[0, :2] = 0.0  # empty boxes: sizes kept at epsilon
    deltas = torch.tensor(rng.normal(size=(2, 20, 4)).astype("float32"))
    theirs = keras3.utils.bounding_boxes
    for anchor_format, box_format in [("xyxy", "xyxy"), ("xywh", "yxyx"), ("center_xywh", "rel_xyxy")]:
        for variance in [None, [0.1, 0.1, 0.2, 0.2]]:
            kwargs = dict(variance=variance, image_shape=(100, 200, 3))
            rel_boxes = bb.convert_format(boxes, "xyxy", box_format, height=100, width=200)
            assert_same(
                bb.encode_box_to_deltas(anchors, rel_boxes, anchor_format, box_format, encoding_format, **kwargs),
                theirs.encode_box_to_deltas(anchors, rel_boxes, anchor_format, box_format, encoding_format, **kwargs),
            )
            assert_same(
                bb.decode_deltas_to_boxes(anchors, deltas, anchor_format, box_format, encoding_format, **kwargs),
                theirs.decode_deltas_to_boxes(anchors, deltas, anchor_format, box_format, encoding_format, **kwargs),
            )


def test_deltas_round_trip_dicts_and_errors():
    anchors = torch.tensor([[0.0, 0.0, 10.0, 10.0], [5.0, 5.0, 25.0, 15.0]])
    boxes = torch.tensor([[1.0, 2.0, 12.0, 9.0], [4.0, 6.0, 20.0, 20.0]])
    deltas = bb.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", variance=[0.1, 0.1, 0.2, 0.2])
    torch.testing.assert_close(
        deltas[0], torch.tensor([0.5, 1.5, np.log(0.7) / 0.2, np.log(1.1) / 0.2], dtype=torch.float32)
    )
    decoded = bb.decode_deltas_to_boxes(
        {"p3": anchors, "p4": anchors[:1]},
        {"p3": deltas, "p4": deltas[:1]},
        "xyxy",
        "xyxy",
        variance=np.array([0.1, 0.1, 0.2, 0.2]),
    )
    torch.testing.assert_close(decoded["p3"], boxes)
    torch.testing.assert_close(decoded["p4"], boxes[:1])
    with pytest.raises(ValueError, match="variance must hold 4 numbers"):
        bb.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", variance=[0.1, 0.1, 0.2])
    with pytest.raises(ValueError, match="encoding_format must be 'center_xywh' or 'center_yxhw'"):
        bb.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", encoding_format="xyxy")
    with pytest.raises(ValueError, match="encoded_format must be"):
        bb.decode_deltas_to_boxes(anchors, deltas, "xyxy", "xyxy", encoded_format="xywh")
    with pytest.raises(ValueError, match="relative bounding box formats need image_shape"):
        bb.decode_deltas_to_boxes(anchors, deltas, "xyxy", "rel_xyxy")
    with pytest.raises(ValueError, match="both be dicts with the same keys"):
        bb.decode_deltas_to_boxes({"p3": anchors}, deltas, "xyxy", "xyxy")
    with pytest.raises(ValueError, match="anchor_format must be one of"):
        bb.encode_box_to_deltas(anchors, boxes, "corners", "xyxy")


def test_namespace_matches_keras_names():
    assert sorted(bb.__all__) == [
        "affine_transform",
        "clip_to_image_size",
        "compute_ciou",
        "compute_iou",
        "convert_format",
        "crop",
        "decode_deltas_to_boxes",
        "encode_box_to_deltas",
        "pad",
    ]
    assert kerastorch.utils.bounding_boxes is bb

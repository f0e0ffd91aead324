"""keras.visualization: drawing boxes and masks on images, and the matplotlib galleries.

Keras 3 parity for ``draw_segmentation_masks`` (where Keras 3.15 runs: masks with a channel axis) and for one
pixel box outlines (Keras draws with OpenCV: that test needs ``cv2``); exact pixels of outlines, thick lines and
labels; the galleries on matplotlib's Agg backend (skipped without matplotlib): grids, titles, saved files,
legends, panels; the ImportError without matplotlib; errors.
"""

import sys

import numpy as np
import pytest
import torch

import kerastorch
from kerastorch import visualization
from kerastorch.visualization import font


def _boxes(boxes, labels, **extra):
    return {"boxes": np.asarray(boxes, dtype="float32"), "labels": np.asarray(labels), **extra}


def _ink(image):
    """Where a channels-last image is not black, as 0/1 rows."""
    return (np.asarray(image).max(-1) > 0).astype(int)


# ------------------------------------------------------------ draw_segmentation_masks
@pytest.mark.parity
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_segmentation_masks_match_keras(keras3, dtype):
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (3, 9, 11, 3)).astype(dtype)
    masks = rng.integers(-1, 5, (3, 9, 11, 1)).astype("int32")
    palette = {i: tuple(int(v) for v in rng.integers(0, 256, 3)) for i in range(5)}
    for kwargs in [{}, dict(alpha=0.37), dict(ignore_index=2), dict(color_mapping=palette)]:
        ours = visualization.draw_segmentation_masks(images, masks, num_classes=5, **kwargs)
        theirs = keras3.visualization.draw_segmentation_masks(images, masks, num_classes=5, **kwargs)
        assert ours.dtype == theirs.dtype == np.uint8
        np.testing.assert_array_equal(ours, theirs)
    theirs = np.asarray(keras3.visualization.draw_segmentation_masks(images, masks, num_classes=5, blend=False))
    np.testing.assert_array_equal(
        visualization.draw_segmentation_masks(images, masks, num_classes=5, blend=False), theirs.astype("uint8")
    )


def test_segmentation_masks_shapes_layouts_and_classes():
    images = np.full((1, 2, 3, 3), 100, dtype="uint8")
    masks = np.array([[[0, 1, 2], [-1, 2, 1]]])
    out = visualization.draw_segmentation_masks(images, masks, blend=False)  # num_classes from the masks: 3
    assert out[0, 0].tolist() == [[0, 0, 0], [1, 127, 31], [2, 254, 62]] and out[0, 1, 0].tolist() == [100] * 3
    first = visualization.draw_segmentation_masks(
        np.moveaxis(images, -1, 1), torch.tensor(masks)[:, None], num_classes=3, data_format="channels_first"
    )
    np.testing.assert_array_equal(
        np.moveaxis(first, 1, -1), visualization.draw_segmentation_masks(images, masks, num_classes=3)
    )
    partial = visualization.draw_segmentation_masks(
        images, masks, num_classes=3, color_mapping={2: (9, 8, 7)}, blend=False, ignore_index=1
    )
    assert partial[0, 0].tolist() == [[0, 0, 0], [100, 100, 100], [9, 8, 7]]  # class 1 ignored, 0 by default
    gray = visualization.draw_segmentation_masks(images[..., :1], masks, num_classes=3, alpha=0.0)
    assert gray.shape == (1, 2, 3, 3) and (gray == 100).all()
    with pytest.raises(ValueError, match="has class 2, not below num_classes=2"):
        visualization.draw_segmentation_masks(images, masks, num_classes=2)
    with pytest.raises(TypeError, match="segmentation_masks must have an integer dtype"):
        visualization.draw_segmentation_masks(images, masks.astype("float32"))
    with pytest.raises(ValueError, match="must be \\(batch, height, width\\)"):
        visualization.draw_segmentation_masks(images, masks[:, :1])
    with pytest.raises(ValueError, match="alpha must be a number in \\[0, 1\\]"):
        visualization.draw_segmentation_masks(images, masks, alpha=1.5)
    with pytest.raises(ValueError, match="images must be a batch of rank 4"):
        visualization.draw_segmentation_masks(images[0], masks[0])


# ------------------------------------------------------------ draw_bounding_boxes
def test_bounding_box_outlines_exact_pixels():
    images = np.zeros((1, 8, 9, 3), dtype="uint8")
    data = _boxes([[[1, 2, 6, 5], [0, 0, 8, 7]]], [[0, -1]])  # the second is padding: not drawn
    out = visualization.draw_bounding_boxes(images, data, "xyxy", color=(255, 0, 0), line_thickness=1)
    assert out.dtype == np.uint8 and out.shape == images.shape
    expected = np.zeros((8, 9), dtype=int)
    expected[2, 1:7] = expected[5, 1:7] = expected[2:6, 1] = expected[2:6, 6] = 1
    np.testing.assert_array_equal(_ink(out[0]), expected)
    assert out[0, 2, 1].tolist() == [255, 0, 0] and images.max() == 0  # the input is left as it was
    thick = visualization.draw_bounding_boxes(images, data, "xyxy", color=(255, 0, 0), line_thickness=2)
    expected = np.zeros((8, 9), dtype=int)
    expected[1:3, 0:7] = expected[4:6, 0:7] = expected[1:6, 0:2] = expected[1:6, 5:7] = 1  # 2 px, extra outside
    np.testing.assert_array_equal(_ink(thick[0]), expected)
    relative = visualization.draw_bounding_boxes(
        images, _boxes([[[1 / 9, 0.25, 6 / 9, 5 / 8]]], [[0]]), "rel_xyxy", color=(255, 0, 0), line_thickness=1
    )
    np.testing.assert_array_equal(_ink(relative[0])[2:6], _ink(out[0])[2:6])  # truncated like OpenCV


@pytest.mark.parity
def test_one_pixel_outlines_match_keras_with_opencv(keras3):
    pytest.importorskip("cv2")  # Keras 3 draws boxes with OpenCV
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 255, (2, 20, 30, 3)).astype("uint8")
    corners = rng.uniform(-5, 25, (2, 6, 2))
    boxes = np.concatenate([corners, corners + rng.uniform(-3, 15, (2, 6, 2))], -1).astype("float32")
    data = _boxes(boxes, rng.integers(-1, 3, (2, 6)))
    for bounding_box_format in ("xyxy", "center_yxhw"):
        ours = visualization.draw_bounding_boxes(images, data, bounding_box_format, color=(255, 0, 7), line_thickness=1)
        theirs = keras3.visualization.draw_bounding_boxes(
            images, data, bounding_box_format, color=(255, 0, 7), line_thickness=1
        )
        np.testing.assert_array_equal(ours, theirs)


def test_bounding_box_labels_layouts_and_errors():
    images = np.zeros((1, 40, 80, 3), dtype="float32")
    data = _boxes([[[10, 20, 50, 35], [5, 1, 20, 10]]], [[1, 2]], confidences=np.array([[0.9, 0.5]]))
    plain = visualization.draw_bounding_boxes(images, data, "xyxy", line_thickness=1)
    named = visualization.draw_bounding_boxes(
        images, data, "xyxy", class_mapping={1: "cat"}, font_scale=0.34, line_thickness=1
    )
    text = _ink(named[0]) - _ink(plain[0])
    assert text.min() == 0 and text[:20].sum() > 0  # "cat | 0.90" written, above the first box
    rows, cols = np.nonzero(text)
    assert rows.max() < 20 and cols.min() == 10 and cols.max() - cols.min() + 1 == font.text_size("cat | 0.90")[0]
    inside = visualization.draw_bounding_boxes(
        images, data, "xyxy", class_mapping={2: "dog"}, font_scale=0.34, line_thickness=1
    )
    rows, _ = np.nonzero(_ink(inside[0]) - _ink(plain[0]))
    assert rows.min() > 1  # no room above the box at row 1: written inside it
    first = visualization.draw_bounding_boxes(
        torch.zeros(1, 3, 40, 80), data, "xyxy", line_thickness=1, data_format="channels_first"
    )
    np.testing.assert_array_equal(np.moveaxis(first, 1, -1), plain)
    gray = visualization.draw_bounding_boxes(
        np.zeros((1, 40, 80, 1)), data, "xyxy", color=(200, 0, 0), line_thickness=1
    )
    assert gray.shape == (1, 40, 80, 1) and gray.max() == 200
    assert (
        visualization.draw_bounding_boxes(
            np.full((1, 4, 4, 3), 300.0), _boxes(np.zeros((1, 0, 4)), np.zeros((1, 0))), "xyxy"
        ).max()
        == 255
    )  # clipped to [0, 255]
    with pytest.raises(TypeError, match="bounding_boxes must be a dict"):
        visualization.draw_bounding_boxes(images, data["boxes"], "xyxy")
    with pytest.raises(ValueError, match="must have 'boxes' and 'labels' entries"):
        visualization.draw_bounding_boxes(images, {"boxes": data["boxes"]}, "xyxy")
    with pytest.raises(ValueError, match="images must be a batch of rank 4"):
        visualization.draw_bounding_boxes(images[0], data, "xyxy")
    with pytest.raises(ValueError, match="boxes must be \\(batch, num_boxes, 4\\)"):
        visualization.draw_bounding_boxes(images, _boxes(data["boxes"][0], data["labels"][0]), "xyxy")
    with pytest.raises(ValueError, match="labels must hold one value per box, shape \\(1, 2\\)"):
        visualization.draw_bounding_boxes(images, _boxes(data["boxes"], [[1, 2, 3]]), "xyxy")
    with pytest.raises(ValueError, match="color must hold one value per image channel"):
        visualization.draw_bounding_boxes(images, data, "xyxy", color=(1, 2))
    with pytest.raises(ValueError, match="line_thickness must be a positive integer"):
        visualization.draw_bounding_boxes(images, data, "xyxy", line_thickness=0)


def test_font_sizes_and_glyphs():
    assert font.text_size("ab", scale=3, thickness=2) == (34, 22) and font.text_size("") == (0, 0)
    assert font.glyph("\u00e9").tolist() == font.glyph("?").tolist()  # outside ASCII: "?"
    mask = font.text_mask("I", scale=2, thickness=2)
    assert mask.shape == (15, 11) and mask[:, 4:7].all()  # the stem: 2 px, widened by 1
    assert mask[:, 2:9].all(axis=1).tolist() == [True] * 3 + [False] * 9 + [True] * 3  # the bars


# ------------------------------------------------------------ galleries
@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    pyplot.close("all")
    yield pyplot
    pyplot.close("all")


def _shown_images(figure):
    return [np.asarray(ax.get_images()[0].get_array()) for ax in figure.get_axes() if ax.get_images()]


def test_image_gallery_grid_titles_and_files(plt, tmp_path, monkeypatch):
    images = np.random.default_rng(2).uniform(0, 255, (5, 8, 10, 3))
    visualization.plot_image_gallery(
        images, y_true=np.array([0, 1, 2, 0, 1]), y_pred=[1, 1, 2, 0, 0], label_map={0: "a", 1: "b", 2: "c"}, show=False
    )
    figure = plt.gcf()
    assert len(figure.get_axes()) == 6 and tuple(figure.get_size_inches()) == (4.0, 6.0)  # 3 rows of 2
    assert [ax.get_title() for ax in figure.get_axes()][:2] == ["Label: a  Pred: b", "Label: b  Pred: b"]
    shown = _shown_images(figure)
    assert len(shown) == 5 and shown[0].dtype == np.uint8  # every image, the spare cell blank
    np.testing.assert_array_equal(shown[4], images[4].astype("uint8"))
    plt.close("all")
    visualization.plot_image_gallery(images, rows=1, show=False, scale=3)
    assert len(plt.gcf().get_axes()) == 5 and tuple(plt.gcf().get_size_inches()) == (15.0, 3.0)
    plt.close("all")
    scaled = np.linspace(-0.5, 1.5, 2 * 4 * 4 * 3).reshape(2, 3, 4, 4)  # channels first, outside its range
    visualization.plot_image_gallery(torch.tensor(scaled), value_range=(0, 1), data_format="channels_first", show=False)
    shown = _shown_images(plt.gcf())
    assert shown[0].shape == (4, 4, 3) and shown[0].min() == 0 and shown[1].max() == 255  # clipped, not wrapped
    plt.close("all")
    path = tmp_path / "gallery.png"
    visualization.plot_image_gallery(images[:2, ..., :1], path=path)
    assert path.read_bytes()[:4] == b"\x89PNG" and plt.get_fignums() == []  # saved, then closed
    shown_calls = []
    monkeypatch.setattr(plt, "show", lambda: shown_calls.append(True))
    visualization.plot_image_gallery(images)
    assert shown_calls == [True] and plt.get_fignums() == []
    with pytest.raises(ValueError, match="pass either path .* or show=True, not both"):
        visualization.plot_image_gallery(images, path=path, show=True)
    with pytest.raises(ValueError, match="need a label_map"):
        visualization.plot_image_gallery(images, y_pred=[0] * 5)
    with pytest.raises(ValueError, match="images must be a batch of rank 4"):
        visualization.plot_image_gallery(images[0], show=False)
    with pytest.raises(ValueError, match="value_range must be \\(low, high\\) with low < high"):
        visualization.plot_image_gallery(images, value_range=(1, 0), show=False)


def test_bounding_box_gallery_draws_both_kinds_and_legends(plt):
    images = np.zeros((2, 30, 40, 3), "float32")
    y_true = _boxes([[[2, 3, 20, 25]], [[5, 5, 10, 10]]], [[1], [0]])
    y_pred = _boxes([[[4, 4, 30, 20]], [[6, 6, 12, 12]]], [[1], [1]], confidences=np.array([[0.5], [0.7]]))
    visualization.plot_bounding_box_gallery(
        images,
        "xyxy",
        y_true=y_true,
        y_pred=y_pred,
        legend=True,
        class_mapping={0: "a", 1: "b"},
        font_scale=0.3,
        show=False,
    )
    figure = plt.gcf()
    colors = {tuple(c) for c in _shown_images(figure)[0].reshape(-1, 3).tolist()}
    assert colors == {(0, 0, 0), (0, 188, 212), (255, 235, 59)}
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["Ground Truth", "Prediction"]
    plt.close("all")
    visualization.plot_bounding_box_gallery(
        images / 255.0, "xyxy", y_pred=y_pred, value_range=(0, 1), legend=True, show=False
    )
    figure = plt.gcf()
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["Prediction"]
    assert (255, 235, 59) in {tuple(c) for c in _shown_images(figure)[1].reshape(-1, 3).tolist()}
    with pytest.raises(ValueError, match="pass legend=True or legend_handles, not both"):
        visualization.plot_bounding_box_gallery(images, "xyxy", legend=True, legend_handles=[])


def test_segmentation_mask_gallery_panels(plt):
    images = np.full((2, 6, 8, 3), 100, "float32")
    masks = np.zeros((2, 6, 8), "int32")
    masks[0, :3] = 1
    visualization.plot_segmentation_mask_gallery(images, 3, y_true=masks, y_pred=masks[::-1, ..., None], show=False)
    figure = plt.gcf()
    shown = _shown_images(figure)
    assert len(shown) == 6 and tuple(figure.get_size_inches()) == (6.0, 4.0)  # a row per image, 3 panels
    assert {tuple(c) for c in shown[1].reshape(-1, 3).tolist()} == {(20, 20, 20), (20, 121, 44)}
    np.testing.assert_array_equal(shown[2], shown[4])  # image 0's prediction is image 1's truth
    np.testing.assert_array_equal(shown[0], images[0].astype("uint8"))
    with pytest.raises(ValueError, match="rows and cols cannot be set"):
        visualization.plot_segmentation_mask_gallery(images, 3, y_true=masks, cols=2)


def test_galleries_need_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    images = np.zeros((1, 4, 4, 3))
    with pytest.raises(ImportError, match="plot_image_gallery needs matplotlib.*pip install matplotlib"):
        visualization.plot_image_gallery(images, show=False)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        visualization.plot_bounding_box_gallery(images, "xyxy", legend=True, show=False)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        visualization.plot_segmentation_mask_gallery(images, 2, show=False)
    # drawing needs no matplotlib
    assert visualization.draw_segmentation_masks(images, np.zeros((1, 4, 4), "int64")).shape == (1, 4, 4, 3)


def test_namespace():
    assert kerastorch.visualization is visualization
    assert sorted(visualization.__all__) == [
        "draw_bounding_boxes",
        "draw_segmentation_masks",
        "plot_bounding_box_gallery",
        "plot_image_gallery",
        "plot_segmentation_mask_gallery",
    ]

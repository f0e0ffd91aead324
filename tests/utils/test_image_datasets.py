"""image_dataset_from_directory, text_dataset_from_directory and the image file helpers: Keras's file order,
labels and splits (checked against Keras 3's own indexing), lazy loading in worker processes, fit on them."""

import os
import sys

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.utils import dataset_utils, image_utils

CLASSES = ("cats", "dogs", "zebra")


@pytest.fixture
def image_folder(tmp_path):
    rng = np.random.default_rng(0)
    for c, name in enumerate(CLASSES):
        (tmp_path / name / "sub").mkdir(parents=True)
        for i in range(4):
            keras.utils.save_img(str(tmp_path / name / f"{i}.png"), np.full((10 + i, 12, 3), 60.0 * c + i), scale=False)
        keras.utils.save_img(str(tmp_path / name / "sub" / "x.jpg"), rng.uniform(0, 255, (8, 8, 3)))
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    return tmp_path


@pytest.mark.parity
@pytest.mark.parametrize("shuffle, seed", [(False, None), (True, 1), (True, 7)])
def test_files_labels_and_splits_are_keras_s(keras3, image_folder, shuffle, seed):
    from keras.src.utils import dataset_utils as theirs

    formats = (".png", ".jpg")
    ours = dataset_utils.index_directory(
        str(image_folder), "inferred", formats, shuffle=shuffle, seed=seed, verbose=False
    )
    expected = theirs.index_directory(str(image_folder), "inferred", formats, shuffle=shuffle, seed=seed, verbose=False)
    assert ours[0] == list(expected[0]) and ours[1].tolist() == list(expected[1]) and ours[2] == list(expected[2])
    for subset in ("training", "validation"):
        mine = dataset_utils.split_for_subset(ours[0], ours[1], 0.25, subset, verbose=False)
        keras_split = theirs.get_training_or_validation_split(expected[0], expected[1], 0.25, subset)
        assert mine[0] == list(keras_split[0]) and mine[1].tolist() == list(keras_split[1])


def test_batches_labels_and_class_names(image_folder, capsys):
    loader = keras.utils.image_dataset_from_directory(
        str(image_folder), image_size=(6, 7), batch_size=4, shuffle=False, label_mode="categorical", num_workers=0
    )
    assert capsys.readouterr().out == "Found 15 files belonging to 3 classes.\n"
    assert loader.class_names == list(CLASSES) and len(loader.file_paths) == 15
    images, labels = next(iter(loader))
    assert tuple(images.shape) == (4, 6, 7, 3) and images.dtype == torch.float32
    assert labels.tolist() == [[1.0, 0.0, 0.0]] * 4
    assert float(images[0].mean()) == pytest.approx(0.0) and float(images[3].mean()) == pytest.approx(3.0)
    batches = list(loader)
    assert [len(b[0]) for b in batches] == [4, 4, 4, 3]


def test_split_both_is_disjoint_and_complete(image_folder):
    train, val = keras.utils.image_dataset_from_directory(
        str(image_folder),
        image_size=(4, 4),
        batch_size=None,
        seed=3,
        validation_split=0.2,
        subset="both",
        verbose=False,
        num_workers=0,
    )
    assert len(train.file_paths) == 12 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    image, label = next(iter(val))
    assert tuple(image.shape) == (4, 4, 3) and label.dtype == torch.int32


@pytest.mark.parametrize("color_mode, channels", [("grayscale", 1), ("rgba", 4)])
def test_color_modes_and_channels_first(image_folder, color_mode, channels):
    keras.config.set_image_data_format("channels_first")
    loader = keras.utils.image_dataset_from_directory(
        str(image_folder),
        image_size=(5, 5),
        color_mode=color_mode,
        label_mode=None,
        batch_size=2,
        verbose=False,
        seed=0,
        num_workers=0,
    )
    assert tuple(next(iter(loader)).shape) == (2, channels, 5, 5)


def test_worker_processes_give_the_same_batches(image_folder):
    kwargs = dict(image_size=(8, 8), batch_size=5, shuffle=False, verbose=False, crop_to_aspect_ratio=True)
    in_process = list(keras.utils.image_dataset_from_directory(str(image_folder), num_workers=0, **kwargs))
    in_workers = list(keras.utils.image_dataset_from_directory(str(image_folder), num_workers=2, **kwargs))
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(in_process, in_workers))


def test_fit_on_an_image_folder(image_folder):
    loader = keras.utils.image_dataset_from_directory(
        str(image_folder), image_size=(8, 8), batch_size=5, seed=0, verbose=False, num_workers=0
    )
    model = keras.Sequential(
        [keras.Input((8, 8, 3)), keras.layers.Rescaling(1 / 255.0), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(loader, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3


def test_argument_errors_name_the_argument(image_folder):
    make = keras.utils.image_dataset_from_directory
    with pytest.raises(ValueError, match="exactly 2 class_names; received 3 classes"):
        make(str(image_folder), label_mode="binary", verbose=False, num_workers=0)
    with pytest.raises(ValueError, match="you must provide a seed"):
        make(str(image_folder), validation_split=0.2, subset="training", verbose=False)
    with pytest.raises(ValueError, match="Only one of crop_to_aspect_ratio and pad_to_aspect_ratio"):
        make(str(image_folder), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match=r"class_names passed do not match .* received class_names=\['cats'\]"):
        make(str(image_folder), class_names=["cats"], verbose=False)
    with pytest.raises(ValueError, match='format must be "tf" or "torch"'):
        make(str(image_folder), format="grain")
    with pytest.raises(ValueError, match="Could not find directory"):
        make(str(image_folder / "missing"))


def test_text_dataset(tmp_path):
    for label, texts in (("neg", ["bad movie", "awful"]), ("pos", ["great fun", "loved it", "fine"])):
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text)
    loader = keras.utils.text_dataset_from_directory(
        str(tmp_path), batch_size=2, shuffle=False, label_mode="binary", max_length=5, verbose=False
    )
    texts, labels = next(iter(loader))
    assert texts == ("bad m", "awful") and labels.tolist() == [[0.0], [0.0]] and loader.class_names == ["neg", "pos"]
    unlabeled = keras.utils.text_dataset_from_directory(
        str(tmp_path), labels=None, batch_size=None, shuffle=False, verbose=False
    )
    assert sorted(unlabeled) == sorted(["bad movie", "awful", "great fun", "loved it", "fine"])


def test_image_round_trips(tmp_path):
    x = np.arange(2 * 3 * 3, dtype="float32").reshape(2, 3, 3) * 10
    path = str(tmp_path / "x.png")
    keras.utils.save_img(path, x, scale=False)
    np.testing.assert_array_equal(keras.utils.img_to_array(keras.utils.load_img(path)), x)
    first = keras.utils.img_to_array(keras.utils.load_img(path), data_format="channels_first")
    assert first.shape == (3, 2, 3)
    assert keras.utils.array_to_img(torch.tensor(x), scale=True).getextrema()[0] == (0, 225)  # channel 0's 150 of 170
    assert keras.utils.load_img(path, target_size=(4, 4), keep_aspect_ratio=True).size == (4, 4)
    assert keras.utils.smart_resize(torch.ones(2, 10, 20, 3), (4, 4)).shape == (2, 4, 4, 3)
    with pytest.raises(ValueError, match="expected 1, 3 or 4 channels, received 2"):
        keras.utils.array_to_img(np.zeros((2, 2, 2)))


def test_without_pillow_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r'needs Pillow: pip install "kerastorch\[image\]"'):
        image_utils.load_img(os.fspath(tmp_path / "x.png"))

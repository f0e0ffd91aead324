"""audio_dataset_from_directory and read_wav: PCM decoding of every sample width, Keras's file order, labels and
splits (checked against Keras 3's own indexing), padding and truncation, shuffling, fit on the batches, and the
errors."""

import struct
import wave

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.utils.audio_dataset_utils import read_wav

CLASSES = ("down", "go", "up")


def write_wav(path, samples, width=2, rate=16000):
    """Integer PCM ``samples`` (frames, channels) as a WAV file of ``width`` bytes per sample."""
    samples = np.asarray(samples)
    samples = samples.reshape(len(samples), -1)
    if width == 1:
        data = samples.astype("uint8").tobytes()
    elif width == 3:
        data = b"".join(int(v).to_bytes(3, "little", signed=True) for v in samples.reshape(-1))
    else:
        data = samples.astype(f"<i{width}").tobytes()
    with wave.open(str(path), "wb") as f:
        f.setnchannels(samples.shape[1])
        f.setsampwidth(width)
        f.setframerate(rate)
        f.writeframes(data)


@pytest.fixture
def audio_folder(tmp_path):
    """Three classes of mono 16-bit files of 50 to 140 samples; file ``i`` of class ``c`` holds the constant
    ``1000 * (c + 1) + i`` (as an int16), so that a batch shows which files it holds."""
    for c, name in enumerate(CLASSES):
        (tmp_path / name / "sub").mkdir(parents=True)
        for i in range(3):
            write_wav(tmp_path / name / f"{i}.wav", np.full(50 + 30 * i, 1000 * (c + 1) + i))
        write_wav(tmp_path / name / "sub" / "x.wav", np.full(140, 1000 * (c + 1) + 9))
    (tmp_path / "go" / "notes.txt").write_text("not audio")
    return tmp_path


@pytest.mark.parametrize(
    "width, ints, expected",
    [
        (1, [0, 64, 128, 192, 255], [-1.0, -0.5, 0.0, 0.5, 127 / 128]),
        (2, [-32768, -16384, 0, 16384, 32767], [-1.0, -0.5, 0.0, 0.5, 32767 / 32768]),
        (3, [-(1 << 23), -(1 << 22), 0, 1 << 22, (1 << 23) - 1], [-1.0, -0.5, 0.0, 0.5, ((1 << 23) - 1) / (1 << 23)]),
        (4, [-(1 << 31), -(1 << 30), 0, 1 << 30, (1 << 31) - 1], [-1.0, -0.5, 0.0, 0.5, 1.0]),
    ],
)
def test_every_pcm_width_decodes_to_unit_floats(tmp_path, width, ints, expected):
    write_wav(tmp_path / "x.wav", ints, width=width, rate=8000)
    audio, rate = read_wav(str(tmp_path / "x.wav"))
    assert audio.dtype == np.float32 and audio.shape == (5, 1) and rate == 8000
    np.testing.assert_allclose(audio[:, 0], np.float32(expected), rtol=0, atol=0)


def test_channels_are_interleaved_frames(tmp_path):
    write_wav(tmp_path / "stereo.wav", [[16384, -16384], [8192, 0], [0, 32767]], width=2)
    audio, _ = read_wav(str(tmp_path / "stereo.wav"))
    assert audio.tolist() == [[0.5, -0.5], [0.25, 0.0], [0.0, 32767 / 32768]]


def test_non_pcm_files_are_refused_with_the_path(tmp_path):
    path = tmp_path / "float.wav"
    body = struct.pack("<4sIHHIIHH", b"fmt ", 16, 3, 1, 8000, 32000, 4, 32) + struct.pack("<4sI", b"data", 4)
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(body) + 4) + b"WAVE" + body + struct.pack("<f", 0.5))
    with pytest.raises(ValueError, match=r"Could not decode '.*float.wav' as a WAV file of integer PCM samples"):
        read_wav(str(path))
    (tmp_path / "text.wav").write_text("not a wav file")
    loader = keras.utils.audio_dataset_from_directory(str(tmp_path), labels=None, shuffle=False, verbose=False)
    with pytest.raises(ValueError, match="Could not decode"):
        next(iter(loader))


@pytest.mark.parity
@pytest.mark.parametrize("shuffle, seed", [(False, None), (True, 5)])
def test_files_labels_and_split_are_keras_s(keras3, audio_folder, shuffle, seed):
    from keras.src.utils import dataset_utils as theirs

    kwargs = dict(batch_size=4, shuffle=shuffle, seed=seed, verbose=False)
    if shuffle:
        kwargs.update(validation_split=0.25, subset="training")
    loader = keras.utils.audio_dataset_from_directory(str(audio_folder), **kwargs)
    paths, labels, class_names = theirs.index_directory(
        str(audio_folder), "inferred", (".wav",), shuffle=shuffle, seed=seed, verbose=False
    )
    if shuffle:
        paths, labels = theirs.get_training_or_validation_split(paths, labels, 0.25, "training")
    assert loader.file_paths == list(paths) and loader.class_names == list(class_names) == list(CLASSES)
    if not shuffle:  # the loader keeps this order: batches show the labels in it
        assert torch.cat([y for _, y in loader]).tolist() == list(labels)


def test_batches_are_padded_to_their_longest_file(audio_folder, capsys):
    loader = keras.utils.audio_dataset_from_directory(str(audio_folder), batch_size=4, shuffle=False)
    assert capsys.readouterr().out == "Found 12 files belonging to 3 classes.\n"
    batches = list(loader)
    assert [tuple(a.shape) for a, _ in batches] == [(4, 140, 1), (4, 140, 1), (4, 140, 1)]
    audio, labels = batches[0]
    assert audio.dtype == torch.float32 and labels.dtype == torch.int32 and labels.tolist() == [0, 0, 0, 0]
    assert audio[0, :50, 0].eq(1000 / 32768).all() and audio[0, 50:].eq(0).all()
    assert audio[2, :110, 0].eq(1002 / 32768).all() and audio[2, 110:].eq(0).all()
    unbatched = keras.utils.audio_dataset_from_directory(
        str(audio_folder), batch_size=3, shuffle=False, verbose=False, class_names=["up", "go", "down"]
    )
    first, labels = next(iter(unbatched))
    assert tuple(first.shape) == (3, 110, 1) and labels.tolist() == [0, 0, 0] and first[0, 0, 0] == 3000 / 32768


def test_output_sequence_length_truncates_and_pads(audio_folder):
    loader = keras.utils.audio_dataset_from_directory(
        str(audio_folder),
        batch_size=None,
        shuffle=False,
        output_sequence_length=80,
        label_mode="categorical",
        verbose=False,
    )
    samples = list(loader)
    assert len(samples) == 12 and all(tuple(a.shape) == (80, 1) for a, _ in samples)
    short, label = samples[0]
    assert short[:50, 0].eq(1000 / 32768).all() and short[50:].eq(0).all() and label.tolist() == [1.0, 0.0, 0.0]
    assert samples[2][0].eq(1002 / 32768).all()  # 110 samples cut to 80
    free = keras.utils.audio_dataset_from_directory(
        str(audio_folder), batch_size=None, shuffle=False, label_mode=None, verbose=False
    )
    assert [len(a) for a in free][:4] == [50, 80, 110, 140]


def test_labels_given_or_none_and_binary(tmp_path):
    for i in range(4):
        write_wav(tmp_path / f"{i}.wav", np.full(10 + i, 100 * i), width=1 + i % 2)
    given = keras.utils.audio_dataset_from_directory(
        str(tmp_path), labels=[1, 0, 1, 1], label_mode="binary", batch_size=4, shuffle=False, verbose=False
    )
    audio, labels = next(iter(given))
    assert tuple(audio.shape) == (4, 13, 1) and labels.tolist() == [[1.0], [0.0], [1.0], [1.0]]
    assert given.class_names == []
    plain = keras.utils.audio_dataset_from_directory(
        str(tmp_path), labels=None, batch_size=2, shuffle=False, verbose=False
    )
    batch = next(iter(plain))
    assert isinstance(batch, torch.Tensor) and tuple(batch.shape) == (2, 11, 1)


def test_splits_and_shuffling_are_seeded(audio_folder):
    make = keras.utils.audio_dataset_from_directory
    train, val = make(str(audio_folder), batch_size=2, seed=3, validation_split=0.25, subset="both", verbose=False)
    assert len(train.file_paths) == 9 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    again = make(str(audio_folder), batch_size=2, seed=3, validation_split=0.25, subset="training", verbose=False)
    assert again.file_paths == train.file_paths
    first = [y.tolist() for _, y in train]
    assert first == [y.tolist() for _, y in again]  # the same seed draws the same batches
    second = [y.tolist() for _, y in train]
    assert second != first and sorted(sum(second, [])) == sorted(sum(first, []))  # reshuffled every epoch
    assert [y.tolist() for _, y in val] == [y.tolist() for _, y in val]  # validation batches keep their order


def test_fit_on_an_audio_folder(audio_folder):
    loader = keras.utils.audio_dataset_from_directory(
        str(audio_folder), batch_size=4, output_sequence_length=128, seed=0, verbose=False
    )
    model = keras.Sequential(
        [
            keras.Input((128, 1)),
            keras.layers.STFTSpectrogram("magnitude", frame_length=32),
            keras.layers.Flatten(),
            keras.layers.Dense(3),
        ]
    )
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert len(model.fit(loader, epochs=2, verbose=0).history["loss"]) == 2


def test_sampling_rate_is_checked(audio_folder):
    make = keras.utils.audio_dataset_from_directory
    assert len(make(str(audio_folder), sampling_rate=16000, verbose=False).file_paths) == 12
    write_wav(audio_folder / "up" / "fast.wav", np.zeros(20), rate=44100)
    with pytest.raises(
        ValueError,
        match=r"fast.wav' is sampled at 44100 Hz, not at sampling_rate=16000; "
        "kerastorch does not resample",
    ):
        make(str(audio_folder), sampling_rate=16000, verbose=False)
    with pytest.raises(ValueError, match="sampling_rate should have an integer value; received sampling_rate=16000.0"):
        make(str(audio_folder), sampling_rate=16000.0)
    with pytest.raises(ValueError, match="sampling_rate should be higher than 0; received sampling_rate=0"):
        make(str(audio_folder), sampling_rate=0)


def test_argument_errors_name_the_argument(audio_folder, tmp_path):
    make = keras.utils.audio_dataset_from_directory
    with pytest.raises(ValueError, match="ragged=True is not supported: torch has no ragged batches"):
        make(str(audio_folder), ragged=True)
    with pytest.raises(ValueError, match="Cannot set both ragged and output_sequence_length"):
        make(str(audio_folder), ragged=True, output_sequence_length=10)
    with pytest.raises(ValueError, match="output_sequence_length must be a positive integer or None"):
        make(str(audio_folder), output_sequence_length=0)
    with pytest.raises(
        ValueError,
        match='label_mode must be one of "int", "categorical", "binary" or None; received label_mode=\'sparse\'',
    ):
        make(str(audio_folder), label_mode="sparse")
    with pytest.raises(ValueError, match="exactly 2 class_names; received 3 classes"):
        make(str(audio_folder), label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match='labels must be "inferred", None, or a list'):
        make(str(audio_folder), labels="folders")
    with pytest.raises(ValueError, match='class_names can only be given with labels="inferred"'):
        make(str(audio_folder), labels=[0] * 12, class_names=["a"])
    with pytest.raises(ValueError, match="you must provide a seed"):
        make(str(audio_folder), validation_split=0.2, subset="training")
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(
        ValueError,
        match=r"No audio files found in directory .*empty. Allowed format\(s\): "
        r"\('.wav',\)",
    ):
        make(str(tmp_path / "empty"), verbose=False)
    with pytest.raises(ValueError, match="No validation audio files found"):
        make(str(audio_folder), validation_split=0.01, subset="validation", seed=1, verbose=False)


def test_mixed_channel_counts_cannot_share_a_batch(tmp_path):
    write_wav(tmp_path / "a.wav", np.zeros((5, 1)))
    write_wav(tmp_path / "b.wav", np.zeros((5, 2)))
    loader = keras.utils.audio_dataset_from_directory(str(tmp_path), labels=None, shuffle=False, verbose=False)
    with pytest.raises(ValueError, match=r"different numbers of channels \(\[1, 2\]\)"):
        next(iter(loader))
    single = keras.utils.audio_dataset_from_directory(
        str(tmp_path), labels=None, shuffle=False, batch_size=None, verbose=False
    )
    assert [tuple(a.shape) for a in single] == [(5, 1), (5, 2)]

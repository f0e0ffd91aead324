"""``keras.utils.audio_dataset_from_directory``: a folder of class sub-folders of ``.wav`` files as batches of
audio and labels.

Where Keras returns a ``tf.data.Dataset``, kerastorch returns a ``torch.utils.data.DataLoader`` (with Keras's
``class_names`` and ``file_paths``) that decodes the files lazily, batch by batch. Files, labels, order and the
validation split are Keras's (:mod:`~kerastorch.utils.dataset_utils`). The files are decoded with Python's
``wave`` module: integer PCM of 8 (unsigned), 16, 24 or 32 bits, as float32 in ``[-1, 1)`` (divided by
``2 ** (bits - 1)``, after removing the 128 offset of 8-bit files), of shape ``(samples, channels)``.
``tf.audio.decode_wav``, which Keras uses, reads 16-bit files only; it gives the same values for them.

As in Keras, ``output_sequence_length`` truncates longer files and zero-pads shorter ones to that length;
without it, each batch is zero-padded at the end to its longest file. Keras resamples files to
``sampling_rate`` with ``tensorflow_io``; kerastorch does not resample: it checks (when the loader is made)
that every file has that rate and refuses those that do not. ``ragged=True`` is refused: torch has no ragged
batches (Keras's ``tf.RaggedTensor``).

Example:
    >>> import os, wave
    >>> for i, name in enumerate(["no", "no", "yes"]):
    ...     os.makedirs(name, exist_ok=True)
    ...     with wave.open(f"{name}/{i}.wav", "wb") as f:
    ...         f.setnchannels(1); f.setsampwidth(2); f.setframerate(16000)
    ...         f.writeframes(np.full(100 * (i + 1), 8192, dtype="<i2").tobytes())
    >>> loader = audio_dataset_from_directory(".", batch_size=3, shuffle=False, sampling_rate=16000)
    Found 3 files belonging to 2 classes.
    >>> audio, labels = next(iter(loader))
    >>> tuple(audio.shape), audio[0, :2, 0].tolist(), audio[0, -1, 0].item(), labels.tolist()
    ((3, 300, 1), [0.25, 0.25], 0.0, [0, 0, 1])
"""

from __future__ import annotations

import numbers
import os
import wave
from typing import Any, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader

from kerastorch.utils import dataset_utils

__all__ = ["ALLOWED_FORMATS", "AudioFiles", "audio_dataset_from_directory", "read_wav"]

ALLOWED_FORMATS = (".wav",)


def read_wav(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """A PCM ``.wav`` file as float32 samples in ``[-1, 1)`` and its sampling rate.

    Args:
        path: str, the file.

    Returns:
        ``(audio, sampling_rate)``: a float32 NumPy array of shape ``(samples, channels)`` and an int.

    Raises:
        ValueError: for a file that is not an integer PCM WAV file of 8, 16, 24 or 32 bits.

    >>> with wave.open("tone.wav", "wb") as f:
    ...     f.setnchannels(2); f.setsampwidth(1); f.setframerate(8000)
    ...     f.writeframes(bytes([0, 255, 128, 192]))
    >>> audio, rate = read_wav("tone.wav")
    >>> audio.tolist(), rate
    ([[-1.0, 0.9921875], [0.0, 0.5]], 8000)
    """
    try:
        with wave.open(str(path), "rb") as f:
            channels, width, rate = f.getnchannels(), f.getsampwidth(), f.getframerate()
            data = f.readframes(f.getnframes())
    except (wave.Error, EOFError) as error:
        raise ValueError(
            f"Could not decode {path!r} as a WAV file of integer PCM samples (8, 16, 24 or 32 bits; "
            f"float or compressed WAV files are not supported): {error}"
        ) from None
    if width not in (1, 2, 3, 4):
        raise ValueError(
            f"Could not decode {path!r}: expected 8, 16, 24 or 32-bit samples, received {8 * width}-bit samples"
        )
    usable = len(data) - len(data) % (width * channels)  # a truncated last frame is dropped
    raw = np.frombuffer(data[:usable], dtype="uint8")
    if width == 1:
        samples = (raw.astype("float32") - 128.0) / 128.0
    elif width == 3:
        triplets = raw.reshape(-1, 3).astype("int32")
        values = triplets[:, 0] | (triplets[:, 1] << 8) | (triplets[:, 2] << 16)
        samples = (np.where(values >= 1 << 23, values - (1 << 24), values) / float(1 << 23)).astype("float32")
    else:
        samples = (np.frombuffer(raw.tobytes(), dtype=f"<i{width}") / float(1 << (8 * width - 1))).astype("float32")
    return samples.reshape(-1, channels), rate


def _wav_rate(path):
    try:
        with wave.open(str(path), "rb") as f:
            return f.getframerate()
    except (wave.Error, EOFError) as error:
        raise ValueError(f"Could not decode {path!r} as a WAV file of integer PCM samples: {error}") from None


class AudioFiles(torch.utils.data.Dataset):
    """WAV files (and their labels) decoded on access, as a map-style torch ``Dataset``.

    Args:
        paths: list of str, the ``.wav`` files.
        labels: array or None, one label per file (already encoded).
        output_sequence_length: int or None: truncate or zero-pad every file to this many samples.
    """

    def __init__(self, paths: Sequence[str], labels: np.ndarray | None, output_sequence_length: int | None) -> None:
        self.paths, self.labels, self.output_sequence_length = list(paths), labels, output_sequence_length

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        audio = torch.from_numpy(read_wav(self.paths[index])[0])
        length = self.output_sequence_length
        if length is not None:
            audio = audio[:length]
            if audio.shape[0] < length:
                audio = torch.nn.functional.pad(audio, (0, 0, 0, length - audio.shape[0]))
        return audio if self.labels is None else (audio, torch.as_tensor(self.labels[index]))


def _pad_batch(samples):
    """Stack ``(samples, channels)`` audio, zero-padded at the end to the longest; labels stacked."""
    labelled = isinstance(samples[0], tuple)
    audio = [s[0] for s in samples] if labelled else list(samples)
    channels = {a.shape[1] for a in audio}
    if len(channels) > 1:
        raise ValueError(
            f"Cannot batch audio files with different numbers of channels ({sorted(channels)}); "
            "use batch_size=None or files with the same number of channels"
        )
    batch = torch.nn.utils.rnn.pad_sequence(audio, batch_first=True)
    if not labelled:
        return batch
    return batch, torch.stack([s[1] for s in samples])


def _check_arguments(labels, label_mode, class_names, sampling_rate, output_sequence_length, ragged):
    inferred = isinstance(labels, str) and labels == "inferred"
    if not inferred and labels is not None:
        if not isinstance(labels, (list, tuple, np.ndarray)):
            raise ValueError(
                f'labels must be "inferred", None, or a list or tuple of integer labels (one per audio '
                f"file); received labels={labels!r}"
            )
        if class_names:
            raise ValueError(
                f'class_names can only be given with labels="inferred"; received labels={labels!r}, '
                f"class_names={class_names!r}"
            )
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(
            f'label_mode must be one of "int", "categorical", "binary" or None; received label_mode={label_mode!r}'
        )
    if ragged and output_sequence_length is not None:
        raise ValueError(
            "Cannot set both ragged and output_sequence_length; received ragged=True, "
            f"output_sequence_length={output_sequence_length!r}"
        )
    if ragged:
        raise ValueError(
            "ragged=True is not supported: torch has no ragged batches. Use ragged=False (each batch "
            "zero-padded to its longest file), output_sequence_length, or batch_size=None"
        )
    if output_sequence_length is not None and (
        isinstance(output_sequence_length, bool)
        or not isinstance(output_sequence_length, numbers.Integral)
        or output_sequence_length < 1
    ):
        raise ValueError(
            f"output_sequence_length must be a positive integer or None; received "
            f"output_sequence_length={output_sequence_length!r}"
        )
    if sampling_rate is not None:
        if isinstance(sampling_rate, bool) or not isinstance(sampling_rate, numbers.Integral):
            raise ValueError(f"sampling_rate should have an integer value; received sampling_rate={sampling_rate!r}")
        if sampling_rate <= 0:
            raise ValueError(f"sampling_rate should be higher than 0; received sampling_rate={sampling_rate!r}")


def audio_dataset_from_directory(
    directory: str | os.PathLike[str],
    labels: str | Sequence[int] | None = "inferred",
    label_mode: str | None = "int",
    class_names: Sequence[str] | None = None,
    batch_size: int | None = 32,
    sampling_rate: int | None = None,
    output_sequence_length: int | None = None,
    ragged: bool = False,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    verbose: bool = True,
) -> DataLoader[Any] | tuple[DataLoader[Any], DataLoader[Any]]:
    """Batches of audio (and labels) from a folder of ``.wav`` files: one sub-folder per class, or any files
    with ``labels=None`` or explicit labels.

    Args:
        directory: str, the folder.
        labels: ``"inferred"`` (default: from the sub-folders, sorted), None, or a list of integer labels (one
            per file, in the sorted order of the paths).
        label_mode: ``"int"`` (default), ``"categorical"`` (one-hot), ``"binary"`` (0/1 floats, 2 classes) or
            None (audio only).
        class_names: list of str or None: the sub-folders to use, in this label order (``labels="inferred"``
            only).
        batch_size: int or None, default 32 (None: single files, each of its own length).
        sampling_rate: int or None: the sampling rate every file must have (kerastorch does not resample; None:
            any).
        output_sequence_length: int or None: truncate or zero-pad every file to this many samples (None: pad each
            batch to its longest file).
        ragged: bool, default False: Keras's ragged batches; True is refused (torch has no ragged tensors).
        shuffle: bool, default True: shuffle the files once (Keras's order), and the batches every epoch.
        seed: int or None: the shuffling seed (needed with ``validation_split``).
        validation_split: float in (0, 1) or None: the share of files held out for validation.
        subset: ``"training"``, ``"validation"``, ``"both"`` (a pair) or None.
        follow_links: bool, default False: follow symbolic links to folders.
        verbose: bool, default True: print how many files were found and used.

    Returns:
        A ``torch.utils.data.DataLoader`` yielding ``(audio, labels)`` (audio only without labels), audio being
        float32 of shape ``(batch, samples, channels)``, with ``class_names`` and ``file_paths``; a pair of them
        with ``subset="both"``. Labels are int32 ``(batch,)``, or float32 ``(batch, num_classes)``
        (categorical) or ``(batch, 1)`` (binary).

    Raises:
        ValueError: for inconsistent arguments (see the messages), ``ragged=True``, a folder (or subset) without
            ``.wav`` files, or a file whose sampling rate is not ``sampling_rate``; when iterating, for a file
            that is not integer PCM WAV, or a batch mixing numbers of channels.
    """
    _check_arguments(labels, label_mode, class_names, sampling_rate, output_sequence_length, ragged)
    if labels is None or label_mode is None:
        labels, label_mode = (None, None) if labels is None else (labels, None)
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1_000_000) if seed is None and shuffle else seed
    paths, label_ids, class_names = dataset_utils.index_directory(
        directory,
        labels,
        ALLOWED_FORMATS,
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
        verbose=verbose,
    )
    if not paths:
        raise ValueError(f"No audio files found in directory {directory}. Allowed format(s): {ALLOWED_FORMATS}")
    if sampling_rate is not None:
        for path in paths:
            rate = _wav_rate(path)
            if rate != sampling_rate:
                raise ValueError(
                    f"{path!r} is sampled at {rate} Hz, not at sampling_rate={sampling_rate}; "
                    "kerastorch does not resample audio (Keras does it with tensorflow_io): resample "
                    "the files, or pass sampling_rate=None"
                )
    num_classes = len(class_names) if class_names else (int(label_ids.max()) + 1 if label_ids is not None else 0)
    encoded = dataset_utils.encode_labels(label_ids, label_mode, num_classes)

    def make(subset_name):
        subset_paths, subset_labels = dataset_utils.split_for_subset(
            paths, encoded, validation_split, subset_name, verbose
        )
        if not subset_paths:
            which = f"{subset_name} " if subset_name else ""
            raise ValueError(
                f"No {which}audio files found in directory {directory}. Allowed format(s): {ALLOWED_FORMATS}"
            )
        files = AudioFiles(subset_paths, subset_labels, output_sequence_length)
        generator = torch.Generator().manual_seed(int(seed)) if seed is not None else None
        collate = _pad_batch if batch_size is not None else None
        loader = torch.utils.data.DataLoader(
            files,
            batch_size=batch_size,
            collate_fn=collate,
            generator=generator,
            shuffle=shuffle and subset_name != "validation",
        )
        loader.class_names, loader.file_paths = list(class_names), list(subset_paths)
        return loader

    if subset == "both":
        return make("training"), make("validation")
    return make(subset)

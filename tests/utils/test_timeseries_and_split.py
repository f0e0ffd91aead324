"""timeseries_dataset_from_array (windows and targets checked against a direct NumPy computation, shuffling,
Keras's argument errors), split_dataset (sizes, fractions, shuffling on arrays, tuples, dicts and torch
datasets), the re-exported keras.utils names, and fit on each."""

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.utils import split_dataset, timeseries_dataset_from_array


def _expected_windows(data, targets, length, stride, rate, start, end):
    """Keras's windows, computed directly: every start s = start + i * stride whose window ends before end
    (and, with targets, whose target exists)."""
    start = start or 0
    end = len(data) if end is None else end
    windows, window_targets = [], []
    s = start
    while s + (length - 1) * rate < end and (targets is None or s < len(targets)):
        windows.append(data[s : s + (length - 1) * rate + 1 : rate])
        if targets is not None:
            window_targets.append(targets[s])
        s += stride
    return windows, window_targets


def _collect(loader, with_targets):
    xs, ys, sizes = [], [], []
    for batch in loader:
        x, y = batch if with_targets else (batch, None)
        sizes.append(len(x))
        xs += list(x.numpy())
        if with_targets:
            ys += list(y.numpy())
    return xs, ys, sizes


@pytest.mark.parametrize(
    "length, stride, rate, start, end, batch_size",
    [
        (5, 1, 1, None, None, 7),
        (3, 2, 1, None, None, 4),
        (4, 1, 3, 2, None, 5),
        (6, 3, 2, 5, 40, 3),
        (1, 1, 1, None, 10, 128),
        (10, 5, 4, 0, 47, 2),
        (2, 7, 1, 3, 30, 1),
    ],
)
@pytest.mark.parametrize("with_targets", [True, False])
def test_windows_and_targets_match_numpy(length, stride, rate, start, end, batch_size, with_targets):
    data = np.arange(50 * 2, dtype="float32").reshape(50, 2)
    targets = np.arange(100, 150) if with_targets else None
    loader = timeseries_dataset_from_array(
        data,
        targets,
        length,
        sequence_stride=stride,
        sampling_rate=rate,
        batch_size=batch_size,
        start_index=start,
        end_index=end,
    )
    windows, window_targets = _expected_windows(data, targets, length, stride, rate, start, end)
    xs, ys, sizes = _collect(loader, with_targets)
    assert len(windows) > 0 and len(xs) == len(windows) and len(loader) == len(sizes)
    np.testing.assert_array_equal(np.stack(xs), np.stack(windows))
    if with_targets:
        np.testing.assert_array_equal(np.array(ys), np.array(window_targets))
    expected_sizes = [batch_size] * (len(windows) // batch_size) + (
        [len(windows) % batch_size] * bool(len(windows) % batch_size)
    )
    assert sizes == expected_sizes  # the last partial batch is kept


def test_next_step_targets_shorter_targets_and_dtypes():
    series = np.arange(20, dtype="int64")
    loader = timeseries_dataset_from_array(series, series[4:], sequence_length=4, batch_size=None)
    pairs = [(x.tolist(), int(y)) for x, y in loader]
    assert pairs == [(list(range(s, s + 4)), s + 4) for s in range(16)]  # shorter targets bound the windows
    x, y = next(iter(timeseries_dataset_from_array(torch.ones(10, 3, dtype=torch.float64), torch.arange(10), 2)))
    assert x.shape == (9, 2, 3) and x.dtype == torch.float64 and y.dtype == torch.int64
    assert len(timeseries_dataset_from_array(np.zeros(5), None, sequence_length=10)) == 0


def test_windows_are_gathered_lazily():
    loader = timeseries_dataset_from_array(np.zeros((1000, 4)), None, sequence_length=100, batch_size=10)
    assert loader.dataset.data.shape == (1000, 4) and len(loader.dataset) == 901  # starts only, no copies


def test_shuffle_is_a_reproducible_permutation():
    data, targets = np.arange(60), np.arange(60) * 10
    ordered = _collect(timeseries_dataset_from_array(data, targets, 5, batch_size=8), True)

    def epochs(seed):
        loader = timeseries_dataset_from_array(data, targets, 5, batch_size=8, shuffle=True, seed=seed)
        return [_collect(loader, True) for _ in range(2)]

    first, again = epochs(3), epochs(3)
    for (xs, ys, sizes), (xs2, ys2, _) in zip(first, again):
        np.testing.assert_array_equal(np.stack(xs), np.stack(xs2))  # same seed, same orders
        assert sorted(map(tuple, xs)) == sorted(map(tuple, ordered[0])) and sizes == ordered[2]
        np.testing.assert_array_equal(np.array(ys), np.stack(xs)[:, 0] * 10)  # targets follow their windows
    assert [x[0] for x in first[0][0]] != [x[0] for x in first[1][0]]  # a new order every epoch
    assert [x[0] for x in first[0][0]] != [x[0] for x in epochs(4)[0][0]]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"start_index": -1}, "`start_index` must be 0 or greater. Received: start_index=-1"),
        ({"start_index": 20}, "`start_index` must be lower than the length of the data. Received: start_index=20"),
        ({"start_index": 5, "end_index": 5}, "`end_index` must be higher than `start_index`"),
        ({"end_index": 20}, "`end_index` must be lower than the length of the data. Received: end_index=20"),
        ({"end_index": -3}, "`end_index` must be higher than 0. Received: end_index=-3"),
        ({"sampling_rate": 0}, "`sampling_rate` must be higher than 0. Received: sampling_rate=0"),
        ({"sampling_rate": 20}, "`sampling_rate` must be lower than the length of the data"),
        ({"sequence_stride": -2}, "`sequence_stride` must be higher than 0. Received: sequence_stride=-2"),
        ({"sequence_stride": 25}, "`sequence_stride` must be lower than the length of the data"),
        ({"sequence_length": 0}, "`sequence_length` must be a positive integer. Received: sequence_length=0"),
        ({"batch_size": 0}, "`batch_size` must be a positive integer or None. Received: batch_size=0"),
    ],
)
def test_argument_errors(kwargs, match):
    arguments = {"sequence_length": 3, **kwargs}
    with pytest.raises(ValueError, match=match.replace("(", r"\(").replace("[", r"\[")):
        timeseries_dataset_from_array(np.zeros((20, 2)), None, **arguments)


def test_fit_on_timeseries_windows():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(64, 3)).astype("float32")
    loader = timeseries_dataset_from_array(data, data[4:, 0], sequence_length=4, batch_size=16, shuffle=True, seed=0)
    model = keras.Sequential([keras.Input((4, 3)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(loader, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    assert model.predict(timeseries_dataset_from_array(data, None, 4, batch_size=16), verbose=0).shape == (61, 1)


def _rows(split, key=None):
    return [int(split[i] if key is None else split[i][key]) for i in range(len(split))]


@pytest.mark.parametrize(
    "left_size, right_size, expected",
    [
        (6, None, (6, 4)),
        (None, 3, (7, 3)),
        (0.8, None, (8, 2)),
        (None, 0.25, (8, 2)),
        (0.5, 0.3, (5, 3)),
        (4, 0.2, (4, 2)),
        (2, 3, (2, 3)),
        (0.15, None, (2, 8)),
        (0.25, None, (2, 8)),  # round() as Keras: half to even
    ],
)
def test_split_sizes_on_an_array(left_size, right_size, expected):
    left, right = split_dataset(np.arange(10), left_size=left_size, right_size=right_size)
    assert (len(left), len(right)) == expected
    assert _rows(left) == list(range(expected[0])) and _rows(right) == list(range(10 - expected[1], 10))


def test_split_shuffle_is_reproducible_and_keras_torch_s():
    data = np.arange(30)
    left, right = split_dataset(data, left_size=0.6, shuffle=True, seed=5)
    again = split_dataset(data, left_size=0.6, shuffle=True, seed=5)
    assert _rows(left) == _rows(again[0]) and _rows(right) == _rows(again[1])
    assert sorted(_rows(left) + _rows(right)) == list(range(30)) and _rows(left) != list(range(18))
    # Keras on its torch backend: torch's random_split with a generator seeded with seed
    theirs = torch.utils.data.random_split(range(30), [18, 12], generator=torch.Generator().manual_seed(5))
    assert _rows(left) == list(theirs[0]) and _rows(right) == list(theirs[1])
    assert _rows(split_dataset(data, left_size=0.6, shuffle=True, seed=6)[0]) != _rows(left)


def test_split_tuples_lists_dicts_and_nested_structures():
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10) * 10
    for dataset in ((x, y), [x, y]):
        left, right = split_dataset(dataset, right_size=0.3)
        sample = right[0]
        assert isinstance(sample, tuple) and sample[0].tolist() == [14.0, 15.0] and int(sample[1]) == 70
    left, right = split_dataset({"a": x, "b": y}, left_size=4, shuffle=True, seed=0)
    assert len(left) == 4 and len(right) == 6 and set(left[0]) == {"a", "b"}
    assert sorted(_rows(left, "b") + _rows(right, "b")) == list(y)
    assert all(int(s["a"][0]) * 5 == int(s["b"]) for s in list(left) + list(right))  # rows stay together
    left, _ = split_dataset(({"a": x, "b": torch.arange(10)}, y), left_size=2)
    (inputs, target) = left[1]
    assert inputs["a"].tolist() == [2.0, 3.0] and int(inputs["b"]) == 1 and int(target) == 10


def test_split_torch_datasets():
    dataset = torch.utils.data.TensorDataset(torch.arange(12.0).reshape(6, 2), torch.arange(6))
    left, right = split_dataset(dataset, left_size=0.5, shuffle=True, seed=2)
    assert isinstance(left, torch.utils.data.Dataset) and left.dataset is dataset and len(left) == len(right) == 3
    assert sorted(int(y) for _, y in list(left) + list(right)) == list(range(6))

    class Stream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(5))

    left, right = split_dataset(Stream(), left_size=2)
    assert list(left) == [0, 1] and list(right) == [2, 3, 4]


@pytest.mark.parametrize(
    "dataset, kwargs, error, match",
    [
        (np.arange(10), {}, ValueError, "At least one of the `left_size` or `right_size` must be specified"),
        (np.arange(10), {"left_size": 0, "right_size": 0}, ValueError, "Both `left_size` and `right_size` are zero"),
        (np.arange(10), {"left_size": 10}, ValueError, "positive integer smaller than 10.*Received: left_size=10"),
        (np.arange(10), {"right_size": 1.5}, ValueError, "float within the range.*Received: right_size=1.5"),
        (
            np.arange(10),
            {"left_size": 0.7, "right_size": 0.5},
            ValueError,
            "The sum of `left_size` and `right_size` is",
        ),
        (np.arange(10), {"left_size": 6, "right_size": 5}, ValueError, "should be smaller than the 10"),
        (np.arange(10), {"left_size": 0.01}, ValueError, "Resulting left side dataset split will be empty"),
        (np.arange(10), {"left_size": "5"}, TypeError, "Invalid `left_size` Type"),
        (np.arange(10), {"right_size": True}, TypeError, "Invalid `right_size` Type"),
        ("abc", {"left_size": 1}, TypeError, "The `dataset` argument must be"),
        ((np.zeros(4), np.zeros(5)), {"left_size": 1}, ValueError, "different lengths. Mismatch found at index 1"),
        ((np.zeros(4), [1, 2, 3, 4]), {"left_size": 1}, ValueError, "Expected a tuple of `numpy.ndarray` objects"),
        ((), {"left_size": 1}, ValueError, "Received an empty tuple dataset"),
    ],
)
def test_split_errors(dataset, kwargs, error, match):
    with pytest.raises(error, match=match):
        split_dataset(dataset, **kwargs)


@pytest.mark.parametrize("kind", ["array", "tuple", "dict", "torch"])
def test_fit_on_splits(kind):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 3)).astype("float32"), rng.normal(size=(40, 1)).astype("float32")
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    if kind == "array":  # x only: predict on it
        left, right = split_dataset(x, left_size=0.75)
        assert model.predict(right, verbose=0).shape == (10, 1)
        return
    dataset = {
        "tuple": (x, y),
        "dict": ({"x": x}, y),
        "torch": torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
    }[kind]
    left, right = split_dataset(dataset, left_size=0.75, shuffle=True, seed=0)
    history = model.fit(left, validation_data=right, batch_size=8, epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_reexported_names():
    x, y, w = torch.ones(2), torch.zeros(2), torch.ones(2)
    assert keras.utils.pack_x_y_sample_weight(x) is x
    assert keras.utils.pack_x_y_sample_weight((x,)) == ((x,),)
    assert keras.utils.pack_x_y_sample_weight(x, y) == (x, y)
    assert keras.utils.unpack_x_y_sample_weight(keras.utils.pack_x_y_sample_weight(x, y, w)) == (x, y, w)
    assert keras.utils.unpack_x_y_sample_weight([x, y]) == (x, y, None)
    assert keras.utils.is_keras_tensor(keras.Input((2,))) and not keras.utils.is_keras_tensor(x)
    assert keras.utils.standardize_dtype(np.float64) == "float64" and keras.utils.standardize_dtype(int) == "int32"
    keras.utils.clear_session()
    assert keras.layers.Dense(1).name == "dense"

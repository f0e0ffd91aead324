"""Data adapters: every input kind becomes (x, y, sample_weight) batches on a device."""

import numpy as np
import pytest
import torch

from kerastorch.trainers.data_adapters import PyDataset, get_data_adapter
from kerastorch.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
from kerastorch.trainers.data_adapters.batching import unpack_x_y_sample_weight

CPU = torch.device("cpu")


def test_array_batches_cover_every_sample_once_when_shuffled():
    x = np.arange(10, dtype="float64").reshape(10, 1)
    y = np.arange(10)
    adapter = get_data_adapter(x, y, batch_size=4, shuffle=True)
    assert len(next(adapter.batches(CPU))) == 2
    assert isinstance(adapter, ArrayDataAdapter) and adapter.num_batches == 3
    batches = list(adapter.batches(CPU))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    xs = torch.cat([b[0] for b in batches]).flatten()
    ys = torch.cat([b[1] for b in batches])
    assert sorted(xs.tolist()) == list(range(10)) and torch.equal(xs.long(), ys)
    assert batches[0][0].dtype == torch.float32  # float64 arrays become floatx once


def test_unshuffled_batches_are_views_in_order():
    x = torch.arange(6.0).reshape(6, 1)
    batches = list(get_data_adapter(x, batch_size=4).batches(CPU))
    assert batches[0][0].data_ptr() == x.data_ptr() and batches[1][0].flatten().tolist() == [4.0, 5.0]


def test_batch_shuffle_keeps_batches_whole():
    x = np.arange(8).reshape(8, 1)
    batches = list(get_data_adapter(x, batch_size=2, shuffle="batch").batches(CPU))
    assert all(int(b[0][1]) - int(b[0][0]) == 1 and int(b[0][0]) % 2 == 0 for b in batches)


def test_dict_and_list_inputs_and_validation_split():
    x = {"a": np.zeros((10, 2)), "b": np.ones((10, 3))}
    adapter = get_data_adapter(x, np.arange(10), batch_size=3)
    train, (vx, vy, _) = adapter.split(0.2)
    assert train.num_samples == 8 and vx["a"].shape == (2, 2) and vy.tolist() == [8, 9]
    first = next(train.batches(CPU))
    assert len(first) == 2  # (x, y): no sample weights
    assert set(first[0]) == {"a", "b"} and first[0]["b"].shape == (3, 3)


def test_cardinality_error_names_sizes():
    with pytest.raises(ValueError, match=r"x: \[5\], y: \[4\]"):
        get_data_adapter(np.zeros((5, 2)), np.zeros(4))


def test_class_weight_becomes_sample_weight():
    adapter = get_data_adapter(np.zeros((4, 1)), np.array([0, 1, 1, 2]), class_weight={0: 0.5, 1: 2.0, 2: 1.0})
    _, _, weights = next(adapter.batches(CPU))
    assert weights.tolist() == [0.5, 2.0, 2.0, 1.0]


def test_torch_dataset_generator_and_pydataset():
    dataset = torch.utils.data.TensorDataset(torch.arange(10.0), torch.arange(10))
    assert get_data_adapter(dataset, batch_size=4).num_batches == 3

    def generator():
        for i in range(3):
            yield np.full((2, 1), i), np.full(2, i)

    adapter = get_data_adapter(generator())
    assert [int(b[1][0]) for b in adapter.batches(CPU)] == [0, 1, 2]
    assert list(adapter.batches(CPU)) == []  # exhausted

    class Batches(PyDataset):
        epochs_ended = 0

        def __len__(self):
            return 2

        def __getitem__(self, index):
            return np.full((3, 1), index, dtype="float32"), np.zeros(3)

        def on_epoch_end(self):
            self.epochs_ended += 1

    data = Batches()
    assert [float(b[0][0, 0]) for b in get_data_adapter(data).batches(CPU)] == [0.0, 1.0]
    assert data.epochs_ended == 1
    with pytest.raises(ValueError, match="y and sample_weight must be None"):
        get_data_adapter(data, np.zeros(3))


def test_unpack():
    assert unpack_x_y_sample_weight((1, 2)) == (1, 2, None)
    assert unpack_x_y_sample_weight(5) == (5, None, None)
    with pytest.raises(ValueError, match="tuple of 4 items"):
        unpack_x_y_sample_weight((1, 2, 3, 4))


@pytest.mark.cuda
def test_batches_reach_cuda_from_pinned_memory():
    adapter = get_data_adapter(np.zeros((8, 2), dtype="float32"), np.zeros(8), batch_size=4, shuffle=True)
    x, y = next(adapter.batches(torch.device("cuda")))
    assert x.is_cuda and y.is_cuda and adapter.x.is_pinned()

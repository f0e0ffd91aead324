"""model.fit against a hand-written PyTorch loop: same model, data, batch size, optimizer.

One epoch of each, alternating, several repeats, in one process; prints the ratio of
median epoch times kerastorch / PyTorch for an MLP and a small CNN (channels_last
input), both with an accuracy metric. With the ``keras`` package installed it also
prints Keras 3 (torch backend) / kerastorch.

Run: python bench/fit_overhead.py [repeats]
"""
import os
import statistics
import sys
import time

import numpy as np
import torch

import kerastorch as keras

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
BATCH = 32


def digits(channels):
    (x, y), _ = keras.datasets.digits.load_data()
    x = np.tile(x, (4, 1, 1)).astype("float32") / 16.0  # 5.7k samples, 180 batches an epoch
    y = np.tile(y, 4).astype("int64")
    return (x[..., None] if channels else x), y


def mlp(k):
    return [k.layers.Flatten(), k.layers.Dense(128, activation="relu"), k.layers.Dense(64, activation="relu"),
            k.layers.Dense(10)]


def cnn(k):
    return [k.layers.Conv2D(16, 3, padding="same", activation="relu"), k.layers.MaxPooling2D(2),
            k.layers.Conv2D(32, 3, padding="same", activation="relu"), k.layers.MaxPooling2D(2),
            k.layers.Flatten(), k.layers.Dense(10)]


def torch_mlp():
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 128), torch.nn.ReLU(),
                               torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))


def torch_cnn():
    # Input NHWC as for kerastorch; permuted once per batch to NCHW (a channels_last view).
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(
                torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                torch.nn.Flatten(), torch.nn.Linear(32 * 2 * 2, 10))

        def forward(self, x):
            return self.body(x.permute(0, 3, 1, 2))

    return Net()


def kerastorch_epoch(k, layer_fn, x, y):
    model = k.Sequential([k.Input(x.shape[1:])] + layer_fn(k))
    model.compile(optimizer=k.optimizers.Adam(1e-3), metrics=["accuracy"],
                  loss=k.losses.SparseCategoricalCrossentropy(from_logits=True))

    def run():
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=True)
    return run


def torch_epoch(net, x, y):
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, foreach=True)

    def run():
        order = torch.randperm(len(x))
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.long)
        for start in range(0, len(x), BATCH):
            index = order[start:start + BATCH]
            xb, yb = x.index_select(0, index), y.index_select(0, index)
            optimizer.zero_grad(set_to_none=True)
            logits = net(xb)
            loss = torch.nn.functional.cross_entropy(logits, yb)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                loss_sum += loss.detach() * len(index)
                correct += (logits.argmax(-1) == yb).sum()
        return float(loss_sum) / len(x), int(correct) / len(x)
    return run


def median_epoch(runs):
    times = {name: [] for name in runs}
    for fn in runs.values():
        fn()  # warm-up epoch
    for _ in range(REPEATS):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main():
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {BATCH}, {REPEATS} repeats")
    keras3 = None
    try:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras as keras3  # noqa: F811 - optional comparison
        if keras3.backend.backend() != "torch":
            keras3 = None
    except ImportError:
        pass
    for name, layer_fn, torch_fn, channels in (("MLP", mlp, torch_mlp, False), ("small CNN", cnn, torch_cnn, True)):
        x, y = digits(channels)
        runs = {"kerastorch": kerastorch_epoch(keras, layer_fn, x, y), "torch": torch_epoch(torch_fn(), x, y)}
        if keras3 is not None:
            runs["keras3"] = kerastorch_epoch(keras3, layer_fn, x, y)
        medians = median_epoch(runs)
        line = (f"{name:<10} fit / torch loop: {medians['kerastorch'] / medians['torch']:.2f}   "
                f"(epoch: kerastorch {medians['kerastorch'] * 1e3:.0f} ms, torch {medians['torch'] * 1e3:.0f} ms")
        if keras3 is not None:
            line += f", keras3 {medians['keras3'] * 1e3:.0f} ms)   keras3 / kerastorch: " \
                    f"{medians['keras3'] / medians['kerastorch']:.2f}"
        else:
            line += ")"
        print(line)


if __name__ == "__main__":
    main()

"""model.fit and model.predict against hand-written PyTorch loops: same model, data, batch size, optimizer.

Three models on the digits (8x8) images: an MLP, a small CNN (channels_last input) and an LSTM
reading each image as 8 timesteps of 8 features (LSTM(32) -> Dense(10)); the torch modules get
Keras's default initializers, Adam(1e-3, eps=1e-7) and the same accuracy metric. For each model,
with the candidates run in alternation (one warm-up call each, then the repeats), it prints the
median over the rounds of the ratio of the round's two times:

- fit: one ``model.fit`` epoch / one epoch of the torch loop (shuffled batches, loss and accuracy
  accumulated on the device, read once at the end of the epoch);
- predict: ``model.predict(x, batch_size=...)`` / a ``torch.inference_mode()`` loop over the same
  batches returning a numpy array;
- compiled: a ``jit_compile=True`` model's epoch in the steady state / the eager torch loop and / our
  eager fit. Its first two fits (the first compiles, the second may recompile) are timed on their own;
  what they take beyond two steady epochs is reported as compile seconds, with the number of graphs
  dynamo compiled in each.

With the ``keras`` package installed (KERAS_BACKEND=torch) Keras 3 runs eagerly beside kerastorch and
the table gives Keras 3 / kerastorch for fit and predict. Each figure comes with the spread of its
repeats ((slowest - fastest) / median), the noise of the machine.

Run: python bench/fit_overhead.py [--repeats N] [--threads N] [--quick]
(--quick: 256 samples, 2 repeats and torch.compile's "eager" backend (dynamo without code generation),
a smoke run of seconds whose timings mean nothing.)
"""

import argparse
import os
import statistics
import time
import warnings

import numpy as np
import torch
from timing import compile_backend, interleaved, paired_ratio, spread

import kerastorch as keras

BATCH = 32
PREDICT_BATCH = 128


# ------------------------------------------------------------------ models
def mlp(k, shape):
    return k.Sequential(
        [
            k.Input(shape),
            k.layers.Flatten(),
            k.layers.Dense(128, activation="relu"),
            k.layers.Dense(64, activation="relu"),
            k.layers.Dense(10),
        ]
    )


def cnn(k, shape):
    return k.Sequential(
        [
            k.Input(shape),
            k.layers.Conv2D(16, 3, padding="same", activation="relu"),
            k.layers.MaxPooling2D(2),
            k.layers.Conv2D(32, 3, padding="same", activation="relu"),
            k.layers.MaxPooling2D(2),
            k.layers.Flatten(),
            k.layers.Dense(10),
        ]
    )


def lstm(k, shape):
    return k.Sequential([k.Input(shape), k.layers.LSTM(32), k.layers.Dense(10)])


def torch_mlp():
    return torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(64, 128),
        torch.nn.ReLU(),
        torch.nn.Linear(128, 64),
        torch.nn.ReLU(),
        torch.nn.Linear(64, 10),
    )


class NHWC(torch.nn.Module):
    """A torch.nn image model fed NHWC batches as kerastorch is: permuted once to an NCHW view
    (torch's channels_last memory format)."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return self.body(x.permute(0, 3, 1, 2))


def torch_cnn():
    return NHWC(
        torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
            torch.nn.Linear(32 * 2 * 2, 10),
        )
    )


class LastState(torch.nn.Module):
    """torch.nn.LSTM(batch_first=True) whose last hidden state feeds a Linear head: Keras's LSTM(units) -> Dense."""

    def __init__(self, features, units, classes):
        super().__init__()
        self.lstm = torch.nn.LSTM(features, units, batch_first=True)
        self.head = torch.nn.Linear(units, classes)

    def forward(self, x):
        _, (hidden, _) = self.lstm(x)
        return self.head(hidden[-1])


def torch_lstm():
    return LastState(8, 32, 10)


def keras_init(net):
    """Keras's default initializers on a torch module, in place: glorot_uniform kernels, zero biases;
    LSTM recurrent kernels orthogonal and forget-gate biases 1 (unit_forget_bias). Returns ``net``."""
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, (torch.nn.Linear, torch.nn.Conv2d)):
                torch.nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    module.bias.zero_()
            elif isinstance(module, torch.nn.LSTM):
                for name, parameter in module.named_parameters():
                    if name.startswith("weight_ih"):
                        torch.nn.init.xavier_uniform_(parameter)
                    elif name.startswith("weight_hh"):
                        torch.nn.init.orthogonal_(parameter)
                    else:
                        parameter.zero_()
                        if name.startswith("bias_ih"):  # torch's gates i, f, g, o are Keras's i, f, c, o
                            parameter[module.hidden_size : 2 * module.hidden_size] = 1.0
    return net


# ------------------------------------------------------------------- loops
def keras_model(k, build, shape, jit_compile=False):
    """``build(k, shape)`` compiled with Adam(1e-3), sparse categorical cross-entropy on logits, accuracy."""
    model = build(k, shape)
    model.compile(
        optimizer=k.optimizers.Adam(1e-3),
        metrics=["accuracy"],
        jit_compile=jit_compile,
        loss=k.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def keras_fit_epoch(model, x, y, batch_size):
    def run():
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)

    return run


def keras_predict(model, x, batch_size):
    def run():
        return model.predict(x, batch_size=batch_size, verbose=0)

    return run


def torch_fit_epoch(net, x, y, batch_size, device="cpu", autocast_dtype=None, compiled=False):
    """One epoch of the hand-written loop, a callable: shuffled batches (moved to ``device`` from pinned
    memory off the CPU), Adam, the loss and accuracy accumulated on the device and read once at the end.
    ``autocast_dtype`` runs the forward pass under ``torch.autocast`` (float16 with a GradScaler);
    ``compiled`` wraps the step (forward, backward, optimizer update) in ``torch.compile``."""
    device = torch.device(device)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    if device.type == "cuda":
        x, y = x.pin_memory(), y.pin_memory()
    net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, foreach=True)
    scaler = torch.amp.GradScaler(device.type, enabled=autocast_dtype == torch.float16)

    def step(xb, yb):
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
            logits = net(xb).float()
            loss = torch.nn.functional.cross_entropy(logits, yb)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        return loss.detach(), (logits.argmax(-1) == yb).sum()

    step_fn = torch.compile(step) if compiled else step

    def run():
        net.train()
        order = torch.randperm(len(x))
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), dtype=torch.long, device=device)
        for start in range(0, len(x), batch_size):
            index = order[start : start + batch_size]
            xb = x.index_select(0, index).to(device, non_blocking=True)
            yb = y.index_select(0, index).to(device, non_blocking=True)
            loss, hits = step_fn(xb, yb)
            loss_sum += loss * len(index)
            correct += hits
        return float(loss_sum) / len(x), int(correct) / len(x)

    return run


def torch_predict(net, x, batch_size, device="cpu", autocast_dtype=None):
    """``torch.inference_mode()`` forward passes over the batches of ``x`` in order; a numpy array."""
    device = torch.device(device)

    def run():
        net.eval()
        inputs = torch.from_numpy(x)
        outputs = []
        with (
            torch.inference_mode(),
            torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None),
        ):
            for start in range(0, len(inputs), batch_size):
                outputs.append(net(inputs[start : start + batch_size].to(device, non_blocking=True)))
        return torch.cat(outputs).cpu().numpy()

    return run


def compiled_fit(model, x, y, batch_size, sync=None):
    """Seconds of one ``fit`` epoch of a ``jit_compile=True`` model, the graphs dynamo compiled meanwhile and
    a note: "" when all went well, else what went wrong (an exception, or the library's eager-fallback
    warning); None seconds when it raised."""
    graphs = graphs_compiled()
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            keras_fit_epoch(model, x, y, batch_size)()
        except Exception as error:  # noqa: BLE001 - a bench reports the failure and goes on
            return None, 0, f"failed: {type(error).__name__}: {str(error).splitlines()[0][:120]}"
    if sync is not None:
        sync()
    seconds = time.perf_counter() - start
    fallback = [str(w.message) for w in caught if "jit_compile" in str(w.message)]
    graphs = graphs_compiled() - graphs if graphs is not None else 0
    return seconds, graphs, (f"eager fallback: {fallback[0][:120]}" if fallback else "")


def graphs_compiled():
    """Graphs dynamo has compiled in this process (its statistics counter), None where torch has no such counter."""
    try:
        from torch._dynamo.utils import counters
    except ImportError:
        return None
    return counters["stats"]["unique_graphs"]


def medians(times):
    return {name: statistics.median(values) for name, values in times.items()}


def worst_spread(*time_dicts):
    return max(spread(values) for times in time_dicts for values in times.values())


def import_keras3():
    """Keras 3 on its torch backend, or None where it is not installed."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras as keras3
    except ImportError:
        return None
    return keras3 if keras3.backend.backend() == "torch" else None


# -------------------------------------------------------------------- main
def digits(layout, samples):
    """Digits as float32 in [0, 1], tiled (or cut) to ``samples`` rows: (n, 8, 8) or, for "image", (n, 8, 8, 1)."""
    (x, y), _ = keras.datasets.digits.load_data()
    tiles = -(-samples // len(x))
    x = np.tile(x, (tiles, 1, 1))[:samples].astype("float32") / 16.0
    y = np.tile(y, tiles)[:samples].astype("int64")
    return (x[..., None] if layout == "image" else x), y


CASES = (
    ("MLP", mlp, torch_mlp, "flat"),
    ("small CNN", cnn, torch_cnn, "image"),
    ("LSTM", lstm, torch_lstm, "sequence"),
)


def bench_case(name, build, torch_build, layout, samples, repeats, keras3):
    x, y = digits(layout, samples)
    shape = x.shape[1:]
    ours = keras_model(keras, build, shape)
    net = keras_init(torch_build())
    fit_runs = {"kerastorch": keras_fit_epoch(ours, x, y, BATCH), "torch": torch_fit_epoch(net, x, y, BATCH)}
    predict_runs = {"kerastorch": keras_predict(ours, x, PREDICT_BATCH), "torch": torch_predict(net, x, PREDICT_BATCH)}
    if keras3 is not None:
        theirs = keras_model(keras3, build, shape)
        fit_runs["keras3"] = keras_fit_epoch(theirs, x, y, BATCH)
        predict_runs["keras3"] = keras_predict(theirs, x, PREDICT_BATCH)
    fit = interleaved(fit_runs, repeats)
    predict = interleaved(predict_runs, repeats)

    torch._dynamo.reset()  # each model compiles afresh, under dynamo's per-function recompile limit
    compiled = keras_model(keras, build, shape, jit_compile=True)
    first, first_graphs, note = compiled_fit(compiled, x, y, BATCH)
    steady = None
    if first is not None:
        second, second_graphs, _ = compiled_fit(compiled, x, y, BATCH)
        graphs = graphs_compiled()
        steady = interleaved(
            {
                "compiled": keras_fit_epoch(compiled, x, y, BATCH),
                "torch": fit_runs["torch"],
                "kerastorch": fit_runs["kerastorch"],
            },
            repeats,
            warmup=0,
        )
        later_graphs = graphs_compiled() - graphs if graphs is not None else 0
        first = (first, second)
        note = (note + "; " if note else "") + (
            f"graphs compiled: {first_graphs} in the first fit, {second_graphs} in the second, {later_graphs} after"
        )
    return fit, predict, first, steady, note


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed calls of each candidate (default 7)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 256 samples, 2 repeats, eager compile backend")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch intra-op threads (default torch's); 1 keeps a busy machine from stalling OpenMP barriers",
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    samples, repeats = (256, 2) if args.quick else (4 * 1438, args.repeats)
    keras3 = import_keras3()
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {samples} samples, batch {BATCH} "
        f"(predict {PREDICT_BATCH}), {repeats} repeats"
        + (", compile backend eager" if args.quick else "")
        + (f", keras {keras3.__version__}" if keras3 is not None else ", keras not installed")
    )
    rows = []
    with compile_backend("eager" if args.quick else None):
        for name, build, torch_build, layout in CASES:
            fit, predict, first, steady, note = bench_case(name, build, torch_build, layout, samples, repeats, keras3)
            fit_m, predict_m = medians(fit), medians(predict)
            print(
                f"{name:<10} fit      "
                + "  ".join(f"{who} {fit_m[who] * 1e3:7.1f} ms ±{spread(fit[who]):4.0%}" for who in fit)
            )
            print(
                f"{name:<10} predict  "
                + "  ".join(f"{who} {predict_m[who] * 1e3:7.1f} ms ±{spread(predict[who]):4.0%}" for who in predict)
            )
            row = {
                "model": name,
                "fit": paired_ratio(fit, "kerastorch", "torch"),
                "predict": paired_ratio(predict, "kerastorch", "torch"),
                "note": note,
            }
            noise = [fit, predict]
            if steady is not None:
                steady_m = medians(steady)
                # compile seconds: what the first two fits took beyond two steady-state epochs
                row.update(
                    compiled_torch=paired_ratio(steady, "compiled", "torch"),
                    compiled_ours=paired_ratio(steady, "compiled", "kerastorch"),
                    compile_s=max(sum(first) - 2 * steady_m["compiled"], 0.0),
                )
                noise.append(steady)
                print(
                    f"{name:<10} compiled first fit {first[0]:.1f} s, second {first[1]:.2f} s, then "
                    f"{steady_m['compiled'] * 1e3:7.1f} ms ±{spread(steady['compiled']):4.0%} an epoch "
                    f"(torch {steady_m['torch'] * 1e3:.1f} ms, our eager {steady_m['kerastorch'] * 1e3:.1f} ms)"
                )
            if note:
                print(f"{name:<10} compiled: {note}")
            if keras3 is not None:
                row.update(
                    keras3_fit=paired_ratio(fit, "keras3", "kerastorch"),
                    keras3_predict=paired_ratio(predict, "keras3", "kerastorch"),
                )
            row["spread"] = worst_spread(*noise)
            rows.append(row)
    print_table(rows, keras3 is not None)


def print_table(rows, with_keras3):
    def cell(row, key, fmt="{:.2f}"):
        return fmt.format(row[key]) if key in row else "n/a"

    header = ["model", "fit / torch", "predict / torch", "compiled / torch eager", "compiled / our eager", "compile s"]
    if with_keras3:
        header += ["keras3 / ours fit", "keras3 / ours predict"]
    header.append("worst spread")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        cells = [
            row["model"],
            cell(row, "fit"),
            cell(row, "predict"),
            cell(row, "compiled_torch"),
            cell(row, "compiled_ours"),
            cell(row, "compile_s", "{:.1f}"),
        ]
        if with_keras3:
            cells += [cell(row, "keras3_fit"), cell(row, "keras3_predict")]
        cells.append(cell(row, "spread", "{:.0%}"))
        print("| " + " | ".join(cells) + " |")
    print(
        "(kerastorch time / reference time: the median over interleaved rounds of the ratio of the round's two "
        "calls; worst spread: the largest (slowest - fastest) / median among the row's timings; n/a: the "
        "compiled run failed, see above)"
    )


if __name__ == "__main__":
    main()

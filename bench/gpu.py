"""Fit speed on an NVIDIA GPU: kerastorch against hand-written PyTorch loops (and Keras 3), with peak memory.

Three models on synthetic data: an MLP (784 -> 512 -> 512 -> 10), a ResNet-style CNN on 32x32x3 images
(a stem convolution, then three stages of two residual blocks with BatchNormalization, 1x1 projection
shortcuts where the shape changes, global average pooling) and an LSTM (32 steps of 32 features,
LSTM(128) -> Dense(10)). Each runs under the dtype policies float32, mixed_float16 and mixed_bfloat16
(``torch.autocast`` in the torch loop, a GradScaler for float16) and in two modes:

- eager: ``model.fit`` / the eager torch loop (and Keras 3 on its torch backend / kerastorch where the
  ``keras`` package is installed);
- compiled: a ``jit_compile=True`` model / the torch loop with its step (forward, backward, Adam
  update) in ``torch.compile``, in the steady state: the first two epochs of each are timed apart and
  what they take beyond two steady epochs is reported as compile seconds.

The torch loop is ``fit_overhead.torch_fit_epoch``: shuffled batches moved from pinned memory with
``non_blocking``, the loss and accuracy accumulated on the device and read once an epoch, the same
initializers, Adam(1e-3, eps=1e-7) and batch size. The candidates of a configuration run in alternation
(CUDA synchronized around each epoch; times are medians of the repeats, ratios the median over the rounds
of the ratio of the round's two times); then one more epoch of each measures
``torch.cuda.max_memory_allocated`` after ``torch.cuda.reset_peak_memory_stats`` (the other candidates'
weights and optimizer states, a few MiB, stay resident). Last it prints a markdown table, headed with
the card's name and the date, ready for bench/RESULTS.md.

Run: python bench/gpu.py [--repeats N] [--models mlp,resnet,lstm] [--policies float32,mixed_float16,...]
     [--modes eager,compiled] [--compiled-policies float32,...]
     python bench/gpu.py --cpu   (the same code paths on the CPU with tiny sizes, 1 repeat, the compiled
     mode in float32 only and torch.compile's "eager" backend: a smoke test of seconds whose timings mean
     nothing; torch's own CPU LSTM refuses float16, so those rows fail in both loops)
"""

import argparse
import datetime
import gc
import os
import platform
import statistics
import time
import warnings

import numpy as np
import torch
from fit_overhead import NHWC, LastState, import_keras3, keras_fit_epoch, keras_init, keras_model, torch_fit_epoch
from timing import compile_backend, interleaved, paired_ratio, spread

import kerastorch as keras

POLICIES = {"float32": None, "mixed_float16": torch.float16, "mixed_bfloat16": torch.bfloat16}
GPU_SIZES = {
    "samples": 8192,
    "batch": 128,
    "features": 784,
    "hidden": 512,
    "image": 32,
    "widths": (32, 64, 128),
    "blocks": 2,
    "steps": 32,
    "step_features": 32,
    "units": 128,
}
CPU_SIZES = {
    "samples": 64,
    "batch": 32,
    "features": 16,
    "hidden": 16,
    "image": 8,
    "widths": (4, 8),
    "blocks": 1,
    "steps": 4,
    "step_features": 4,
    "units": 8,
}


# ------------------------------------------------------------------ models
def mlp(sizes):
    def build(k, shape):
        return k.Sequential(
            [
                k.Input(shape),
                k.layers.Dense(sizes["hidden"], activation="relu"),
                k.layers.Dense(sizes["hidden"], activation="relu"),
                k.layers.Dense(10),
            ]
        )

    return build


def torch_mlp(sizes):
    return torch.nn.Sequential(
        torch.nn.Linear(sizes["features"], sizes["hidden"]),
        torch.nn.ReLU(),
        torch.nn.Linear(sizes["hidden"], sizes["hidden"]),
        torch.nn.ReLU(),
        torch.nn.Linear(sizes["hidden"], 10),
    )


def resnet(sizes):
    """Functional ResNet: stem conv-BN-ReLU, ``blocks`` residual blocks a stage (the first of each later
    stage with stride 2), projection shortcuts (1x1 conv + BN) where the shape changes."""

    def build(k, shape):
        layers = k.layers

        def conv_bn(h, width, kernel, stride=1):
            h = layers.Conv2D(width, kernel, strides=stride, padding="same", use_bias=False)(h)
            return layers.BatchNormalization()(h)

        inputs = k.Input(shape)
        h = layers.ReLU()(conv_bn(inputs, sizes["widths"][0], 3))
        channels = sizes["widths"][0]
        for stage, width in enumerate(sizes["widths"]):
            for block in range(sizes["blocks"]):
                stride = 2 if stage > 0 and block == 0 else 1
                branch = conv_bn(layers.ReLU()(conv_bn(h, width, 3, stride)), width, 3)
                shortcut = conv_bn(h, width, 1, stride) if stride != 1 or channels != width else h
                h = layers.ReLU()(layers.Add()([branch, shortcut]))
                channels = width
        outputs = layers.Dense(10)(layers.GlobalAveragePooling2D()(h))
        return k.Model(inputs, outputs)

    return build


class _Block(torch.nn.Module):
    def __init__(self, channels, width, stride):
        super().__init__()
        self.branch = torch.nn.Sequential(
            _conv_bn(channels, width, 3, stride), torch.nn.ReLU(), _conv_bn(width, width, 3, 1)
        )
        self.shortcut = _conv_bn(channels, width, 1, stride) if stride != 1 or channels != width else None

    def forward(self, x):
        return torch.relu(self.branch(x) + (x if self.shortcut is None else self.shortcut(x)))


def _conv_bn(channels, width, kernel, stride):
    return torch.nn.Sequential(
        torch.nn.Conv2d(channels, width, kernel, stride, padding=kernel // 2, bias=False),
        torch.nn.BatchNorm2d(width, eps=1e-3, momentum=0.01),
    )


def torch_resnet(sizes):
    widths = sizes["widths"]
    modules = [_conv_bn(3, widths[0], 3, 1), torch.nn.ReLU()]
    channels = widths[0]
    for stage, width in enumerate(widths):
        for block in range(sizes["blocks"]):
            modules.append(_Block(channels, width, 2 if stage > 0 and block == 0 else 1))
            channels = width
    modules += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(channels, 10)]
    return NHWC(torch.nn.Sequential(*modules))


def lstm(sizes):
    def build(k, shape):
        return k.Sequential([k.Input(shape), k.layers.LSTM(sizes["units"]), k.layers.Dense(10)])

    return build


def torch_lstm(sizes):
    return LastState(sizes["step_features"], sizes["units"], 10)


def data(model, sizes, seed=0):
    rng = np.random.default_rng(seed)
    shape = {
        "mlp": (sizes["features"],),
        "resnet": (sizes["image"], sizes["image"], 3),
        "lstm": (sizes["steps"], sizes["step_features"]),
    }[model]
    x = rng.standard_normal((sizes["samples"],) + shape, dtype=np.float32)
    y = rng.integers(0, 10, sizes["samples"]).astype("int64")
    return x, y


MODELS = {"mlp": (mlp, torch_mlp), "resnet": (resnet, torch_resnet), "lstm": (lstm, torch_lstm)}


# ----------------------------------------------------------------- running
class Device:
    def __init__(self, name):
        self.device = torch.device(name)
        self.cuda = self.device.type == "cuda"

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize(self.device)

    def release(self):
        """Free what earlier configurations left (Keras models hold reference cycles) so peaks are their own."""
        gc.collect()
        if self.cuda:
            torch.cuda.empty_cache()

    def peak_mib(self, fn):
        """Peak memory allocated on the GPU during one call of ``fn`` (MiB), None on the CPU."""
        if not self.cuda:
            return None
        self.sync()
        torch.cuda.reset_peak_memory_stats(self.device)
        fn()
        self.sync()
        return torch.cuda.max_memory_allocated(self.device) / 2**20


def _first_epochs(fn, device):
    """Seconds of two calls of ``fn`` (compilation or warm-up) and a note: "" or what went wrong."""
    seconds = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            device.sync()
            start = time.perf_counter()
            try:
                fn()
            except Exception as error:  # noqa: BLE001 - a bench reports the failure and goes on
                return None, f"failed: {type(error).__name__}: {str(error).splitlines()[0][:100]}"
            device.sync()
            seconds.append(time.perf_counter() - start)
    fallback = [str(w.message) for w in caught if "jit_compile" in str(w.message)]
    return seconds, (f"eager fallback: {fallback[0][:100]}" if fallback else "")


def _set_policy(k, policy):
    if k is not None:
        k.mixed_precision.set_global_policy(policy)


def run_config(model, policy, mode, sizes, device, keras3, repeats):
    """Times, compile seconds, peak memory and notes of each candidate of one configuration."""
    build, net = (make(sizes) for make in MODELS[model])
    compiled = mode == "compiled"
    x, y = data(model, sizes)
    batch = sizes["batch"]
    device.release()
    if compiled:
        torch._dynamo.reset()  # each configuration compiles afresh, under dynamo's per-function recompile limit
    candidates = {}
    _set_policy(keras, policy)
    try:
        candidates["kerastorch"] = keras_fit_epoch(
            keras_model(keras, build, x.shape[1:], jit_compile=compiled), x, y, batch
        )
    finally:
        _set_policy(keras, "float32")
    candidates["torch"] = torch_fit_epoch(
        keras_init(net), x, y, batch, device.device, autocast_dtype=POLICIES[policy], compiled=compiled
    )
    if keras3 is not None and not compiled:
        _set_policy(keras3, policy)
        try:
            candidates["keras3"] = keras_fit_epoch(keras_model(keras3, build, x.shape[1:]), x, y, batch)
        finally:
            _set_policy(keras3, "float32")
    result = {
        "model": model,
        "policy": policy,
        "mode": mode,
        "notes": {},
        "first": {},
        "times": {},
        "median": {},
        "spread": {},
        "peak": {},
    }
    running = {}
    for name, fn in candidates.items():
        first, note = _first_epochs(fn, device)
        if note:
            result["notes"][name] = note
        if first is not None:
            result["first"][name] = first
            running[name] = fn
    if running:
        times = result["times"] = interleaved(running, repeats, warmup=0, sync=device.sync)
        for name, values in times.items():
            result["median"][name] = statistics.median(values)
            result["spread"][name] = spread(values) if len(values) > 1 else 0.0
            result["peak"][name] = device.peak_mib(running[name])
    return result


def ratio(result, ours, reference):
    times = result["times"]
    return paired_ratio(times, ours, reference) if ours in times and reference in times else None


def compile_seconds(result, name):
    if result["mode"] != "compiled" or name not in result["median"]:
        return None
    return max(sum(result["first"][name]) - 2 * result["median"][name], 0.0)


def describe(result):
    medians = result["median"]
    parts = [f"{result['model']:<7}{result['policy']:<15}{result['mode']:<9}"]
    parts += [f"{name} {medians[name] * 1e3:8.1f} ms ±{result['spread'][name]:4.0%}" for name in medians]
    kt_torch, k3_kt = ratio(result, "kerastorch", "torch"), ratio(result, "keras3", "kerastorch")
    if kt_torch is not None:
        parts.append(f"kerastorch/torch {kt_torch:.2f}")
    if k3_kt is not None:
        parts.append(f"keras3/kerastorch {k3_kt:.2f}")
    for name in ("kerastorch", "torch"):
        seconds = compile_seconds(result, name)
        if seconds is not None:
            parts.append(f"compile {name} {seconds:.1f} s")
    peaks = [f"{name} {peak:.0f}" for name, peak in result["peak"].items() if peak is not None]
    if peaks:
        parts.append("peak MiB " + " ".join(peaks))
    line = "  ".join(parts)
    for name, note in result["notes"].items():
        line += f"\n{'':<31}{name}: {note}"
    return line


def table(results, title):
    def fmt(value, spec):
        return "n/a" if value is None else format(value, spec)

    lines = [
        f"### {title}",
        "",
        "| model | policy | mode | kerastorch ms/epoch | torch ms/epoch | kerastorch / torch | keras3 / kerastorch "
        "| compile s (ours / torch) | peak MiB (ours / torch / keras3) | worst spread |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        medians = r["median"]
        ms = {name: (medians[name] * 1e3 if name in medians else None) for name in ("kerastorch", "torch")}
        compile_cell = (
            "-"
            if r["mode"] == "eager"
            else f"{fmt(compile_seconds(r, 'kerastorch'), '.1f')} / {fmt(compile_seconds(r, 'torch'), '.1f')}"
        )
        peak_cell = " / ".join(
            fmt(r["peak"].get(name), ".0f")
            for name in ("kerastorch", "torch", "keras3")
            if name != "keras3" or "keras3" in r["peak"]
        )
        worst = max(r["spread"].values()) if r["spread"] else None
        lines.append(
            f"| {r['model']} | {r['policy']} | {r['mode']} | {fmt(ms['kerastorch'], '.1f')} | "
            f"{fmt(ms['torch'], '.1f')} | {fmt(ratio(r, 'kerastorch', 'torch'), '.2f')} | "
            f"{fmt(ratio(r, 'keras3', 'kerastorch'), '.2f')} | {compile_cell} | {peak_cell} | "
            f"{fmt(worst, '.0%')} |"
        )
    failures = [
        f"{r['model']} {r['policy']} {r['mode']}, {name}: {note}" for r in results for name, note in r["notes"].items()
    ]
    if failures:
        lines += ["", "Notes: " + "; ".join(failures)]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu", action="store_true", help="smoke run on the CPU: tiny sizes, 1 repeat")
    parser.add_argument("--repeats", type=int, default=None, help="timed epochs of each candidate (default 5)")
    parser.add_argument("--models", default="mlp,resnet,lstm")
    parser.add_argument("--policies", default="float32,mixed_float16,mixed_bfloat16")
    parser.add_argument("--modes", default="eager,compiled")
    parser.add_argument(
        "--compiled-policies",
        default=None,
        help="the policies of the compiled mode (default: --policies; float32 with --cpu)",
    )
    args = parser.parse_args()
    models, policies, modes = (value.split(",") for value in (args.models, args.policies, args.modes))
    compiled_policies = (args.compiled_policies or ("float32" if args.cpu else args.policies)).split(",")
    for chosen, known, what in (
        (models, MODELS, "--models"),
        (policies, POLICIES, "--policies"),
        (modes, ("eager", "compiled"), "--modes"),
        (compiled_policies, POLICIES, "--compiled-policies"),
    ):
        unknown = sorted(set(chosen) - set(known))
        if unknown:
            parser.error(f"{what}: unknown {unknown}; expected names from {sorted(known)}")
    if args.cpu:
        os.environ["KERAS_TORCH_DEVICE"] = "cpu"  # Keras 3 on the CPU too
        keras.config.set_device("cpu")
        device, sizes, repeats = Device("cpu"), CPU_SIZES, args.repeats or 1
    else:
        if not torch.cuda.is_available():
            parser.error("no CUDA device: run on a GPU machine, or pass --cpu for the smoke run")
        device, sizes, repeats = Device("cuda"), GPU_SIZES, args.repeats or 5
    keras3 = import_keras3()
    card = (
        torch.cuda.get_device_name(device.device)
        if device.cuda
        else f"CPU ({platform.processor() or 'cpu'}, {torch.get_num_threads()} threads)"
    )
    title = (
        f"{card}, torch {torch.__version__}"
        + (f", keras {keras3.__version__}" if keras3 else "")
        + f", {datetime.date.today().isoformat()}: {sizes['samples']} samples, batch {sizes['batch']}, "
        f"{repeats} repeats"
    )
    print(title + (" (smoke run, compile backend eager)" if args.cpu else ""), flush=True)
    results = []
    with compile_backend("eager" if args.cpu else None):
        for model in models:
            for policy in policies:
                for mode in modes:
                    if mode == "compiled" and policy not in compiled_policies:
                        continue
                    results.append(run_config(model, policy, mode, sizes, device, keras3, repeats))
                    print(describe(results[-1]), flush=True)
    print()
    print(table(results, title))


if __name__ == "__main__":
    main()

"""Interleaved timing: both candidates run in alternation, so machine noise hits both.

Example:
    >>> ratio, ours, ref = compare(lambda: model(x), lambda: torch_model(x))
    >>> times = interleaved({"ours": fit_epoch, "torch": torch_epoch}, repeats=7)
    >>> paired_ratio(times, "ours", "torch"), spread(times["ours"])
"""

import contextlib
import functools
import statistics
import time

import torch


def _median_time(fn, number):
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def compare(ours, reference, number=50, rounds=15, warmup=10):
    """Median seconds per call of ``ours`` and ``reference`` and their ratio."""
    for _ in range(warmup):
        ours()
        reference()
    ours_times, ref_times = [], []
    for _ in range(rounds):
        ours_times.append(_median_time(ours, number))
        ref_times.append(_median_time(reference, number))
    ours_median, ref_median = statistics.median(ours_times), statistics.median(ref_times)
    return ours_median / ref_median, ours_median, ref_median


def interleaved(runs, repeats, warmup=1, sync=None):
    """Seconds per call of each named callable in ``runs``, called in alternation ``repeats`` times
    after ``warmup`` untimed calls each: ``{name: [seconds, ...]}``. ``sync`` (e.g.
    ``torch.cuda.synchronize``) is called before starting and before stopping each clock."""
    for _ in range(warmup):
        for fn in runs.values():
            fn()
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            if sync is not None:
                sync()
            start = time.perf_counter()
            fn()
            if sync is not None:
                sync()
            times[name].append(time.perf_counter() - start)
    return times


def paired_ratio(times, ours, reference):
    """Median over the rounds of ``interleaved`` of ours / reference, each round's two calls run back to back:
    steadier than the ratio of the medians where the machine's load drifts."""
    return statistics.median(a / b for a, b in zip(times[ours], times[reference]))


def spread(values):
    """The noise of repeated timings: (slowest - fastest) / median."""
    return (max(values) - min(values)) / statistics.median(values)


@contextlib.contextmanager
def compile_backend(backend):
    """Inside the block ``torch.compile`` (ours and the library's) uses ``backend``; None leaves it alone.

    ``"aot_eager"`` traces with dynamo and AOTAutograd but skips inductor's code generation: the
    compiled code paths in seconds instead of minutes, for smoke runs whose timings do not matter."""
    if backend is None:
        yield
        return
    original = torch.compile
    torch.compile = functools.partial(original, backend=backend)
    try:
        yield
    finally:
        torch.compile = original


def report(name, ratio, ours, reference):
    print(f"{name:<40} ratio {ratio:5.2f}   (kerastorch {ours * 1e6:8.1f} us, torch {reference * 1e6:8.1f} us)")

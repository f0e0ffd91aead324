"""Interleaved timing: both candidates run in alternation, so machine noise hits both.

Example:
    >>> ratio, ours, ref = compare(lambda: model(x), lambda: torch_model(x))
"""
import statistics
import time


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


def report(name, ratio, ours, reference):
    print(f"{name:<40} ratio {ratio:5.2f}   (kerastorch {ours * 1e6:8.1f} us, torch {reference * 1e6:8.1f} us)")

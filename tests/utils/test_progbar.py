"""Progbar: Keras's output byte for byte (under a fake clock), and device values read only on redraw."""

import time

import numpy as np
import pytest
import torch

from kerastorch.callbacks.progbar import Progbar, fetch_to_host

BOLD, GREEN, WHITE, END = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


class Touches(torch.Tensor):
    """Records the torch operations applied to it."""

    log = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        Touches.log.append(getattr(func, "__name__", str(func)))
        return super().__torch_function__(func, types, args, kwargs or {})


def drive(progbar_factory, clock, steps_and_seconds, values_for):
    bar = progbar_factory()
    for step, seconds in steps_and_seconds:
        clock[0] += seconds
        bar.update(step, values_for(step))
    return bar


def test_fetch_to_host_converts_scalars_and_keeps_the_rest():
    out = fetch_to_host(
        [
            torch.tensor(0.25),
            torch.tensor([1, 2]),
            np.float32(2.5),
            3,
            "text",
            torch.tensor(7),
            np.array([1.5]),
            np.array([3, 4]),
        ]
    )
    assert out[0] == 0.25 and isinstance(out[0], float)
    np.testing.assert_array_equal(out[1], [1, 2])
    assert out[2:7] == [2.5, 3.0, "text", 7.0, 1.5]
    np.testing.assert_array_equal(out[7], [3, 4])


@pytest.mark.cuda
def test_fetch_to_host_cuda_values():
    values = [torch.tensor(0.5, device="cuda"), torch.tensor(3, device="cuda"), torch.tensor(1.5)]
    assert fetch_to_host(values) == [0.5, 3.0, 1.5]


def test_verbose_1_line_format(clock, capsys):
    bar = Progbar(10)
    bar._dynamic_display = True
    clock[0] += 0.3
    bar.update(3, [("loss", 0.30123), ("acc", 2e-5)])
    out = capsys.readouterr().out
    green, white = "━" * 6, "━" * 14
    assert out == (
        f"\r{BOLD} 3/10{END} {GREEN}{green}{END}{WHITE}{white}{END} {BOLD}0s{END} 100ms/step"
        " - loss: 0.3012 - acc: 2.0000e-05"
    )


def test_verbose_1_finishes_with_total_time_and_newline(clock, capsys):
    bar = Progbar(4)
    bar._dynamic_display = True
    for step in range(1, 5):
        clock[0] += 0.5
        bar.update(step, [("loss", 1.0)])
    last = capsys.readouterr().out.split("\r")[-1]
    assert last == f"{BOLD}4/4{END} {GREEN}{'━' * 20}{END}{WHITE}{END} {BOLD}2s{END} 500ms/step - loss: 1.0000\n"


def test_eta_formats(clock, capsys):
    for seconds_per_step, eta in ((5.0, "45s"), (10.0, "1:30"), (1000.0, "2:30:00")):
        bar = Progbar(10)
        clock[0] += seconds_per_step
        bar.update(1)
        assert f"{BOLD}{eta}{END}" in capsys.readouterr().out


def test_stateless_values_are_averaged_over_steps(clock, capsys):
    bar = Progbar(10, verbose=1, interval=0)
    bar.update(2, [("loss", 1.0)])
    bar.update(4, [("loss", 4.0)])  # (1*2 + 4*2) / 4
    assert capsys.readouterr().out.endswith("loss: 2.5000")
    kept = Progbar(10, interval=0, stateful_metrics=["loss"])
    kept.update(2, [("loss", 1.0)])
    kept.update(4, [("loss", 4.0)])
    assert capsys.readouterr().out.endswith("loss: 4.0000")


def test_verbose_2_prints_one_line_when_done(clock, capsys):
    drive(
        lambda: Progbar(50, verbose=2),
        clock,
        [(i, 0.012) for i in range(1, 51)],
        lambda step: [("loss", torch.tensor(0.25)), ("neg", -1.5)],
    )
    # Keras prints negatives in e-notation here (it compares the signed value).
    assert capsys.readouterr().out == "50/50 - 1s - 12ms/step - loss: 0.2500 - neg: -1.5000e+00\n"


def test_unknown_target(clock, capsys):
    bar = Progbar(None)
    bar._dynamic_display = True
    clock[0] += 0.06
    bar.update(1, [("loss", 0.5)])
    bar.update(1, [("loss", 0.25)], finalize=True)
    out = capsys.readouterr().out
    assert out.startswith(f"\r      1/Unknown {BOLD}0s{END} 60ms/step - loss: 0.5000")
    assert out.endswith("\r      1/Unknown \x1b[1m0s\x1b[0m 60ms/step - loss: 0.2500\n")


def test_redraws_at_most_every_interval_and_reads_values_only_then(clock, capsys):
    bar = Progbar(100, interval=0.05, stateful_metrics=["loss"])
    Touches.log.clear()
    draws = []
    for step in range(1, 100):
        clock[0] += 0.01
        value = torch.tensor(float(step)).as_subclass(Touches)
        before = len(Touches.log)
        bar.update(step, [("loss", value)])
        drew = bool(capsys.readouterr().out)
        draws.append(drew)
        assert (len(Touches.log) > before) == drew, f"step {step}: read without redraw or redraw without read"
    assert 15 <= sum(draws) <= 25  # every 5th step of 10 ms


def test_non_dynamic_display_starts_each_redraw_on_a_new_line(clock, capsys):
    bar = Progbar(3, interval=0)
    bar._dynamic_display = False
    for step in range(1, 4):
        bar.update(step, [("loss", 1.0)])
    out = capsys.readouterr().out
    assert "\r" not in out and "\b" not in out and out.count("\n") == 4


def test_add_advances_from_the_steps_seen(clock, capsys):
    bar = Progbar(5, verbose=2)
    bar.add(2)
    bar.add(3, [("loss", 0.5)])
    assert capsys.readouterr().out.startswith("5/5 - ")


@pytest.mark.parity
@pytest.mark.parametrize(
    "kwargs",
    [
        {"target": 7},
        {"target": 7, "verbose": 2},
        {"target": 7, "stateful_metrics": ["acc"]},
        {"target": 12, "width": 30, "interval": 0.2},
        {"target": None},
    ],
)
def test_output_matches_keras_byte_for_byte(keras3, clock, capsys, kwargs):
    seconds = [0.01, 0.02, 0.3, 0.01, 70, 4000, 0.5]

    def run(progbar_class):
        clock[0] = 1000.0
        bar = progbar_class(**kwargs)
        for step, dt in zip(range(1, 8), seconds):
            clock[0] += dt
            bar.update(step, [("loss", 0.5 / step), ("acc", 1e-5 * step), ("neg", -2.0)])
        bar.update(7, [("loss", 0.1)], finalize=True)
        return capsys.readouterr().out

    assert run(Progbar) == run(keras3.utils.Progbar)

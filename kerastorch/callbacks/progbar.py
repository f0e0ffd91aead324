"""``keras.utils.Progbar``: Keras's text progress bar, reading device values only when it redraws.

The output is Keras 3's, byte for byte: the ``12/50 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - loss: 0.3012``
line rewritten in place with ``\\b``/``\\r`` (``verbose=1``), or one ``50/50 - 1s - 12ms/step - loss: ...``
line when the bar finishes (``verbose=2``).

Values may be torch tensors on any device. They are held by reference and converted to Python numbers
only when a line is actually printed, all in one transfer per device (:func:`fetch_to_host`), so a
training loop that updates the bar every batch synchronises with the device at most once per redraw.

Like Keras, the bar rewrites its line in place whenever stdout is a terminal, a notebook or PyCharm, or
the platform is POSIX (Keras checks ``"posix" in sys.modules``, so Linux and macOS always rewrite, even
into a pipe or a file); elsewhere each redraw starts a new line.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from typing import Any, Iterable, Sequence

import numpy as np
import torch

from kerastorch import config
from kerastorch.distribution.data_parallel import is_chief_process

__all__ = ["Progbar", "fetch_to_host", "print_msg"]


def fetch_to_host(values: Iterable[Any]) -> list[Any]:
    """Convert values to Python numbers with at most one device-to-host copy per device.

    Single-element tensors (any device, any dtype) and numpy scalars become ``float``; larger tensors
    become numpy arrays; anything else goes through ``float()`` when it can and is kept as is otherwise.

    Args:
        values: iterable of tensors (any device), NumPy values, Python numbers or other objects.

    Returns:
        list, the converted values in order.

    >>> fetch_to_host([torch.tensor(0.5), 2, "text"])
    [0.5, 2.0, 'text']
    """
    values = list(values)
    out = list(values)
    on_device: dict[torch.device, list[int]] = {}
    for i, v in enumerate(values):
        if isinstance(v, torch.Tensor):
            if v.numel() != 1:
                out[i] = v.detach().cpu().numpy()
            elif v.device.type == "cpu":
                out[i] = float(v.detach().reshape(()).item())
            else:
                on_device.setdefault(v.device, []).append(i)
        elif isinstance(v, np.ndarray):
            if v.size == 1 and v.dtype.kind in "biuf":
                out[i] = float(v.reshape(()))
        else:
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                pass
    for device, indices in on_device.items():
        # float64 keeps every value exactly; MPS has no float64, float32 is what it offers.
        dtype = torch.float32 if device.type == "mps" else torch.float64
        stacked = torch.stack([values[i].detach().reshape(()).to(dtype) for i in indices])
        for i, number in zip(indices, stacked.cpu().tolist()):
            out[i] = number
    return out


def _dynamic_display():
    stdout = sys.stdout
    return (
        (hasattr(stdout, "isatty") and stdout.isatty())
        or "ipykernel" in sys.modules
        or "posix" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _format_eta(seconds):
    if seconds > 3600:
        return "%d:%02d:%02d" % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def _format_time_per_unit(seconds, unit_name):
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


class Progbar:
    """Displays a progress bar.

    Args:
        target: Int or None, the total number of steps expected; None if unknown.
        width: Int, the width of the bar on screen, in characters. Defaults to ``20``.
        verbose: Int, 0 (silent), 1 (bar rewritten in place), 2 (one line when finished).
            Defaults to ``1``.
        interval: Float, the minimum time between two redraws, in seconds. Defaults to ``0.05``.
        stateful_metrics: Iterable of names or None: values shown as given; every other value is
            averaged over the steps seen (weighted by the number of steps each update covers), except at
            the final update, which shows the value given then. Defaults to None.
        unit_name: String, the display name for a step (``"step"``, ``"sample"``). Defaults to ``"step"``.
        stateless_metrics: Iterable of names or None, the opposite selection (Keras 3): only these names
            are averaged, every other value is shown as given. ``stateless_metrics=()`` shows everything
            as given, which is what ``ProgbarLogger`` uses, since a model's metrics are already running
            averages. Defaults to None.

    Raises:
        ValueError: If both ``stateful_metrics`` and ``stateless_metrics`` are given.

    Example:
        >>> bar = Progbar(3, verbose=2)
        >>> for step in range(1, 4):
        ...     bar.update(step, [("loss", 1.0 / step)])
        3/3 - ... - loss: 0.3333
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
        stateless_metrics: Iterable[str] | None = None,
    ) -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: pass `stateful_metrics` or `stateless_metrics`, not both.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self._dynamic_display = _dynamic_display() and config.is_interactive_logging_enabled()
        self._seen_so_far = 0
        self._values: dict[str, list[Any]] = {}  # name -> [sum or value (may be a device tensor), count]
        self._values_order: list[str] = []
        self._start = time.time()
        self._last_update: float = 0
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def update(
        self, current: int, values: Sequence[tuple[str, Any]] | None = None, finalize: bool | None = None
    ) -> None:
        """Record step ``current`` (1-based) with ``values``, a list of ``(name, value)``; redraw if it is time.

        ``finalize`` (default: ``current >= target``) marks the last update: the bar is drawn whatever the
        interval, with the total time instead of the ETA, and averaged values show the value given here.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or ():
            self._record(name, value, current, finalize)
        self._seen_so_far = current

        now = time.time()
        time_per_unit = self._time_per_unit(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw_bar(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target is not None and self.target > 0:
            self._print_summary(current, now, time_per_unit)
        self._last_update = now

    def add(self, n: int, values: Sequence[tuple[str, Any]] | None = None) -> None:
        """Advance by ``n`` steps: ``update(steps_seen + n, values)``."""
        self.update(self._seen_so_far + n, values)

    def _record(self, name, value, current, finalize):
        if name not in self._values:
            self._values_order.append(name)
        if self.stateless_metrics is None:
            averaged = name not in self.stateful_metrics
        else:
            averaged = name in self.stateless_metrics
        if not averaged or finalize:
            self._values[name] = [value, 1]
            return
        # Steps covered by this update; at least 1 (a finalizing call may repeat the last step).
        steps = max(current - self._seen_so_far, 1)
        entry = self._values.get(name)
        if entry is None:
            self._values[name] = [value * steps, steps]
        else:
            entry[0] = entry[0] + value * steps
            entry[1] += steps

    def _averages(self):
        """The displayed value of every metric, fetched from the device together (the one host sync)."""
        totals = fetch_to_host(self._values[name][0] for name in self._values_order)
        averages = []
        for name, total in zip(self._values_order, totals):
            if not isinstance(total, float):
                total = float(np.mean(total))
            averages.append(total / max(1, self._values[name][1]))
        return averages

    def _time_per_unit(self, current, now):
        """Seconds per step, leaving out the first step (compilation, warm-up) once there are others."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit

    def _count(self, current):
        digits = int(math.log10(self.target)) + 1
        return f"%{digits}d/%d" % (current, self.target)

    def _draw_bar(self, current, now, time_per_unit, finalize):
        message = "\b" * self._prev_total_width + "\r" if self._dynamic_display else "\n"
        hidden = 0  # characters of terminal escape codes, which take no width on screen
        known_target = self.target is not None and self.target > 0
        if known_target:
            bar = f"\x1b[1m{self._count(current)}\x1b[0m "
            filled = int(self.width * float(current) / self.target)
            hidden += 8
            if filled > 0:
                bar += f"\x1b[32m{'━' * filled}\x1b[0m"
                hidden += 9
            bar += f"\x1b[37m{'━' * (self.width - filled)}\x1b[0m"
            hidden += 9
        else:
            bar = "%7d/Unknown" % current
        if known_target and not finalize:
            info = f" \x1b[1m{_format_eta(time_per_unit * (self.target - current))}\x1b[0m"
        else:
            info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
        hidden += 8
        info += _format_time_per_unit(time_per_unit, self.unit_name)
        for name, average in zip(self._values_order, self._averages()):
            info += f" - {name}: {average:.4f}" if abs(average) > 1e-3 else f" - {name}: {average:.4e}"
        message += bar + info
        total_width = len(bar) + len(info) - hidden
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        print_msg(message, line_break=False)
        self._prev_total_width = total_width

    def _print_summary(self, current, now, time_per_unit):
        line = f"{self._count(current)} - {now - self._start:.0f}s -"
        line += _format_time_per_unit(time_per_unit, self.unit_name)
        for name, average in zip(self._values_order, self._averages()):
            # Keras compares the signed value here (not its magnitude), so negatives print in e-notation.
            line += f" - {name}: {average:.4f}" if average > 1e-3 else f" - {name}: {average:.4e}"
        print_msg(line)


def print_msg(message: object, line_break: bool = True) -> None:
    """Write ``message`` (plus a newline) to the current ``sys.stdout`` and flush it; with interactive logging
    disabled (``keras.config.disable_interactive_logging()``), log it to the ``keras`` logger instead. In
    data-parallel training only process 0 prints (``keras.distribution.DataParallel``).

    Args:
        message: object, what to print (``str()`` of it).
        line_break: bool, default True: whether a newline follows.

    >>> print_msg("epoch 1 done")
    epoch 1 done
    """
    if not is_chief_process():
        return
    if not config.is_interactive_logging_enabled():
        text = str(message).replace("\b", "").strip("\r\n")
        if text:
            logging.getLogger("keras").info(text)
        return
    message = f"{message}\n" if line_break else str(message)
    stream = sys.stdout
    try:
        stream.write(message)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write(message.replace("━", "=").encode(encoding, errors="ignore").decode(encoding))
    stream.flush()

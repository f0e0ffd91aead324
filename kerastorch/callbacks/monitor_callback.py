"""``MonitorCallback``: the monitored-quantity logic shared by EarlyStopping, ModelCheckpoint and
ReduceLROnPlateau.

``mode="auto"`` picks the direction as Keras 3 does, with Keras 2's name rules as the fallback:
``loss``, ``val_loss`` and ``*_loss`` are minimised; a compiled metric of that name that declares a
direction (``_direction == "up"``/``"down"``) decides; otherwise a name with an accuracy/AUC-like word
(a ``_``-separated part starting with ``acc``, ``auc``, ``precision``, ``recall``, ``f1``, ``fbeta``,
``iou``, ``r2``, ``similarity``) is maximised and one with an error-like word (``error``, ``mse``,
``mae``, ``crossentropy``, ``hinge``, ...) minimised. A name that
fits none of these raises ``ValueError`` asking for ``mode="min"`` or ``"max"``, as Keras 3 does.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

from kerastorch.callbacks.callback import Callback

__all__ = ["MonitorCallback"]

_MAXIMISED = ("acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2", "similarity", "fmeasure")
_MINIMISED = (
    "loss",
    "error",
    "mse",
    "mae",
    "mape",
    "msle",
    "crossentropy",
    "hinge",
    "divergence",
    "kld",
    "poisson",
    "logcosh",
    "huber",
)


def _less(a, b):
    return a < b


def _greater(a, b):
    return a > b


def _model_metrics(model):
    """The model's compiled metrics, looking inside metric containers (objects with a ``metrics`` list)."""
    pending = list(getattr(model, "metrics", None) or ())  # an uncompiled model has only its own metrics
    found = []
    while pending:
        metric = pending.pop(0)
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)) and inner is not metric:
            pending.extend(inner)
        else:
            found.append(metric)
    return found


class MonitorCallback(Callback):
    """Base for callbacks that watch ``logs[monitor]`` and ask whether it improved.

    Args:
        monitor: String, the logged quantity, e.g. ``"val_loss"``. Defaults to ``"val_loss"``.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (see the module docstring); an unknown mode warns and
            falls back to ``"auto"``. Defaults to ``"auto"``.
        baseline: Number or None, the initial best value (``self.best``); None takes the first value
            seen. Defaults to None.
        min_delta: Number, the smallest change (in absolute value) that counts as an improvement.
            Defaults to ``0``.

    Raises:
        ValueError: From ``_is_improvement``, when ``mode="auto"`` cannot tell the direction of
            ``monitor`` from its name.

    Example:
        A callback that reports each epoch whose loss beats both the best so far and the ``baseline``:

        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 8, dtype="float32").reshape(8, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
        >>> class ReportBest(keras.callbacks.MonitorCallback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         if self._is_improvement(logs[self.monitor], self.best):
        ...             self.best = logs[self.monitor]
        ...             print(f"epoch {epoch}: {self.monitor} improved")
        >>> report = ReportBest(monitor="loss", baseline=1.0)
        >>> history = model.fit(x, y, epochs=3, verbose=0, callbacks=[report])
        epoch 1: loss improved
        epoch 2: loss improved
        >>> history.history["loss"][0] > 1.0  # the first epoch did not beat the baseline
        True

        ``mode="auto"`` maximises accuracy-like names and minimises losses and errors; a name it cannot
        place needs ``mode``:

        >>> ReportBest(monitor="val_accuracy")._is_improvement(0.9, 0.8)
        True
        >>> ReportBest(monitor="val_loss")._is_improvement(0.9, 0.8)
        False
        >>> ReportBest(monitor="speed")._is_improvement(2.0, 1.0)
        Traceback (most recent call last):
        ...
        ValueError: ReportBest callback received monitor=speed, but Keras isn't able to automatically ...
        >>> ReportBest(monitor="speed", mode="max")._is_improvement(2.0, 1.0)
        True
    """

    def __init__(
        self, monitor: str = "val_loss", mode: str = "auto", baseline: float | None = None, min_delta: float = 0
    ) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Callable[[Any, Any], Any] | None = None

    def _direction(self):
        if self.mode != "auto":
            return self.mode
        name = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
        if name == "loss" or name.endswith("_loss"):
            return "min"
        for metric in _model_metrics(self.model):
            if getattr(metric, "name", None) == name and getattr(metric, "_direction", None) in ("up", "down"):
                return "max" if metric._direction == "up" else "min"
        words = name.lower().split("_")
        if any(word.startswith(_MAXIMISED) for word in words):
            return "max"
        if any(word.startswith(_MINIMISED) for word in words):
            return "min"
        raise ValueError(
            f"{type(self).__name__} callback received monitor={self.monitor}, but Keras isn't able to "
            "automatically determine whether that metric should be maximized or minimized. Pass `mode='max'` "
            "in order to monitor based on the highest metric value, or pass `mode='min'` in order to use the "
            "lowest value."
        )

    def _set_monitor_op(self):
        self.monitor_op = _greater if self._direction() == "max" else _less
        # The delta is subtracted from the value before comparing: negative when minimising.
        self._signed_delta = self.min_delta if self.monitor_op is _greater else -self.min_delta

    def _is_improvement(self, monitor_value, reference_value):
        """Whether ``monitor_value`` beats ``reference_value`` by more than ``min_delta`` (None: always)."""
        if self.monitor_op is None:
            self._set_monitor_op()
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self._signed_delta, reference_value))

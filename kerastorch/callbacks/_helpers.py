"""Small pieces shared by several callbacks: learning-rate access, batch-frequency counting."""

from __future__ import annotations

from typing import Any

__all__ = ["SaveFrequency", "get_learning_rate", "set_learning_rate"]


def get_learning_rate(optimizer: Any) -> float:
    """The optimizer's learning rate as a float: ``optimizer.learning_rate``, else a torch optimizer's
    first ``param_groups[0]["lr"]``."""
    if hasattr(optimizer, "learning_rate"):
        return float(optimizer.learning_rate)
    if hasattr(optimizer, "param_groups"):
        return float(optimizer.param_groups[0]["lr"])
    raise ValueError(f'The optimizer must have a "learning_rate" attribute; received {optimizer!r}.')


def set_learning_rate(optimizer: Any, value: float) -> None:
    """Set ``optimizer.learning_rate`` (or every ``param_groups[i]["lr"]`` of a torch optimizer)."""
    if hasattr(optimizer, "learning_rate"):
        optimizer.learning_rate = value
    elif hasattr(optimizer, "param_groups"):
        for group in optimizer.param_groups:
            group["lr"] = value
    else:
        raise ValueError(f'The optimizer must have a "learning_rate" attribute; received {optimizer!r}.')


class SaveFrequency:
    """Counts training batches for callbacks that act every ``save_freq`` batches (or once per epoch).

    ``save_freq`` is ``"epoch"`` or a positive int; ``tick(batch)`` returns True on the batches where an
    integer frequency is reached. A batch index that does not grow means a new epoch started.
    """

    def __init__(self, save_freq: str | int, owner: str) -> None:
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"{owner}: `save_freq` must be 'epoch' or a positive integer; received {save_freq!r}.")
        self.save_freq = save_freq
        self._since_last = 0
        self._last_batch: int | None = None

    @property
    def per_epoch(self) -> bool:
        return self.save_freq == "epoch"

    def tick(self, batch: int) -> bool:
        save_freq = self.save_freq
        if isinstance(save_freq, str):  # "epoch"
            return False
        if self._last_batch is None or batch <= self._last_batch:
            self._since_last += batch + 1
        else:
            self._since_last += batch - self._last_batch
        self._last_batch = batch
        if self._since_last >= save_freq:
            self._since_last = 0
            return True
        return False

"""What a weights load found: :class:`LoadStatus`, and the keys weights are stored under (:func:`weight_keys`).

Shared by the weights formats (safetensors in :mod:`kerastorch.saving.weights_file`, tf.keras 2 checkpoints in
:mod:`kerastorch.saving.tf_checkpoint`).

Example:
    >>> import kerastorch
    >>> model = kerastorch.Sequential([kerastorch.Input((2,)), kerastorch.layers.Dense(1)])
    >>> [key for key, _ in weight_keys(model)]
    ['dense/kernel', 'dense/bias']
"""

from __future__ import annotations

import warnings
from typing import Iterable

import torch

from kerastorch.layers.base import Layer

__all__ = ["LoadStatus", "NAMES_SHOWN", "shown_names", "weight_keys"]

NAMES_SHOWN = 5  # how many names an error message lists


def shown_names(keys: Iterable[str]) -> str:
    """The first ``NAMES_SHOWN`` of ``keys``, comma-separated, and how many more there are (for error messages).

    Args:
        keys: Iterable of strings, the names to list.

    Returns:
        A string: the first ``NAMES_SHOWN`` names joined by ``", "``, followed by ``" and N more"`` when
        there are more.

    >>> shown_names(["a", "b"])
    'a, b'
    """
    keys = list(keys)
    more = f" and {len(keys) - NAMES_SHOWN} more" if len(keys) > NAMES_SHOWN else ""
    return ", ".join(keys[:NAMES_SHOWN]) + more


class LoadStatus:
    """What :func:`load_weights` did: ``loaded`` (model key -> file key), ``missing`` (model
    weights the file did not provide), ``unused`` (file weights the model did not take),
    ``skipped`` (model keys skipped for a shape or dtype mismatch), ``by_position``.

    Args:
        model_name: String, the name of the model the weights were loaded into (for messages).
        source: String, the file (or other source) the weights came from (for messages).
        loaded: Dict or None, ``{model key: file key}`` of the weights loaded. Defaults to None
            (nothing loaded).
        missing: Iterable of strings, model weight keys the source did not provide. Defaults to ``()``.
        unused: Iterable of strings, source weight keys the model did not take. Defaults to ``()``.
        skipped: Iterable of strings, model weight keys skipped for a shape or dtype mismatch.
            Defaults to ``()``.
        by_position: Bool, whether weights were matched by position rather than by key.
            Defaults to False.

    >>> status = LoadStatus("model", "w.safetensors", loaded={"dense/kernel": "dense/kernel"},
    ...                     unused=["dense_9/bias"])
    >>> status.expect_partial().assert_consumed()
    >>> LoadStatus("model", "w.safetensors", missing=["dense/bias"]).assert_consumed()
    Traceback (most recent call last):
    ...
    ValueError: load_weights: model "model" has 1 weight(s) that w.safetensors did not provide: dense/bias
    """

    def __init__(
        self,
        model_name: str,
        source: str,
        loaded: dict[str, str] | None = None,
        missing: Iterable[str] = (),
        unused: Iterable[str] = (),
        skipped: Iterable[str] = (),
        by_position: bool = False,
    ) -> None:
        self.model_name = model_name
        self.source = source
        self.loaded = dict(loaded or {})
        self.missing = tuple(missing)
        self.unused = tuple(unused)
        self.skipped = tuple(skipped)
        self.by_position = by_position
        self._checked: bool | str = False  # True once checked; "partial" after expect_partial()

    @property
    def consumed(self) -> bool:
        """True when every model weight was loaded and every file weight used."""
        return not (self.missing or self.unused or self.skipped)

    def _problems(self, model_side=True, file_side=True):
        problems = []
        if model_side and (self.missing or self.skipped):
            keys = self.missing + self.skipped
            problems.append(
                f'model "{self.model_name}" has {len(keys)} weight(s) that {self.source} did not '
                f"provide: {shown_names(keys)}"
            )
        if file_side and self.unused:
            problems.append(
                f'{self.source} has {len(self.unused)} weight(s) that model "{self.model_name}" '
                f"did not use: {shown_names(self.unused)}"
            )
        return problems

    def assert_consumed(self) -> None:
        """Raise ``ValueError`` unless the load was complete both ways (or ``expect_partial()`` was called)."""
        if self._checked == "partial":
            return None
        self._checked = True
        problems = self._problems()
        if problems:
            raise ValueError("load_weights: " + "; ".join(problems))
        return None

    def assert_existing_objects_matched(self) -> LoadStatus:
        """Raise ``ValueError`` unless every model weight was loaded (file weights may be left over)."""
        if self._checked == "partial":
            return self
        self._checked = True
        problems = self._problems(file_side=False)
        if problems:
            raise ValueError("load_weights: " + "; ".join(problems))
        return self

    def expect_partial(self) -> LoadStatus:
        """Declare a partial load intended: no warning, and ``assert_consumed()`` passes. Returns ``self``."""
        self._checked = "partial"
        return self

    def __repr__(self):
        return (
            f"<LoadStatus {self.source} -> {self.model_name}: {len(self.loaded)} loaded, "
            f"{len(self.missing)} missing, {len(self.unused)} unused, {len(self.skipped)} skipped"
            f"{', by position' if self.by_position else ''}>"
        )

    def __del__(self):
        try:
            if not self._checked and self.unused:
                warnings.warn(
                    "load_weights: "
                    + self._problems(model_side=False)[0]
                    + ". Call expect_partial() on the returned status to silence this.",
                    stacklevel=2,
                )
        except Exception:  # noqa: BLE001 - interpreter shutdown: never raise from __del__
            pass


def weight_keys(model: Layer) -> list[tuple[str, torch.Tensor]]:
    """``(key, weight)`` pairs in ``model.weights`` order; repeated paths get ``#n`` suffixes.

    Args:
        model: The ``Layer`` or model whose weights to list.

    Returns:
        A list of ``(key, weight)`` tuples: ``key`` is the weight's ``path`` (``"weight"`` when it has
        none), with ``#1``, ``#2``, ... appended to repeats; ``weight`` is the tensor itself.
    """
    seen: dict[str, int] = {}
    pairs: list[tuple[str, torch.Tensor]] = []
    for weight in model.weights:
        key = getattr(weight, "path", None) or "weight"
        count = seen.get(key, 0)
        seen[key] = count + 1
        pairs.append((key if count == 0 else f"{key}#{count}", weight))
    return pairs

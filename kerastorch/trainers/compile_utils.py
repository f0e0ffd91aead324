"""What ``compile`` keeps: the losses and metrics, matched to the model's outputs.

Losses and metrics may be given once (applied to every output), as a list (by output
position) or as a dict (by output name). Strings resolve through ``keras.losses`` and
``keras.metrics``; ``"accuracy"`` becomes the binary, categorical or sparse
categorical accuracy that fits the first batch's shapes and the loss, as in Keras.

The built-in losses that compare ``y_true`` with ``y_pred`` element by element (``mse``, ``mae``,
``binary_crossentropy``, ``hinge`` ...) refuse targets whose shape cannot match the output's, where Keras
broadcasts them silently into a wrong loss (targets ``(N, 5)`` against an output ``(N, 1)``); Keras's
rank matching still applies: ``(N,)`` targets against an ``(N, 1)`` output (and the reverse) are fine.
Sparse losses, custom losses and metrics are not checked.

Example:
    >>> import torch
    >>> compiled = CompileLoss({"score": "mse", "label": "sparse_categorical_crossentropy"},
    ...                        loss_weights={"score": 0.5}, output_names=["label", "score"])
    >>> y_true = {"label": torch.tensor([1]), "score": torch.tensor([[1.0]])}
    >>> y_pred = {"label": torch.tensor([[0.5, 0.5]]), "score": torch.tensor([[3.0]])}
    >>> total, per_output = compiled(y_true, y_pred)
    >>> per_output  # in output_names order: label, score
    [tensor(0.6931), tensor(4.)]
    >>> total  # 0.6931 + 0.5 * 4
    tensor(2.6931)
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from kerastorch import losses as losses_module
from kerastorch import metrics as metrics_module
from kerastorch import tree
from kerastorch.backend.annotations import Identifier


def _by_output(value, output_names, what):
    """A list with one entry per output from a single value, a list or a dict."""
    count = len(output_names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(output_names))
        if unknown:
            raise ValueError(
                f"compile: {what} names outputs {unknown} that the model does not have; its outputs are {output_names}"
            )
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)) and count > 1:
        if len(value) != count:
            raise ValueError(
                f"compile: the model has {count} outputs {output_names}, but {what} has {len(value)} entries"
            )
        return list(value)
    if isinstance(value, (list, tuple)) and count == 1 and what == "loss":
        if len(value) != 1:
            raise ValueError(f"compile: the model has one output, but loss has {len(value)} entries")
        return list(value)
    return [value] * count


_SAME_SHAPE_LOSSES = frozenset(
    (
        losses_module.mean_squared_error,
        losses_module.mean_absolute_error,
        losses_module.mean_absolute_percentage_error,
        losses_module.mean_squared_logarithmic_error,
        losses_module.huber,
        losses_module.log_cosh,
        losses_module.cosine_similarity,
        losses_module.binary_crossentropy,
        losses_module.binary_focal_crossentropy,
        losses_module.categorical_crossentropy,
        losses_module.categorical_focal_crossentropy,
        losses_module.kl_divergence,
        losses_module.poisson,
        losses_module.hinge,
        losses_module.squared_hinge,
        losses_module.categorical_hinge,
    )
)


def _compares_elementwise(loss):
    """Whether ``loss`` is a built-in loss that needs ``y_true`` of ``y_pred``'s shape."""
    function = getattr(loss, "fn", None)
    return function is not None and function in _SAME_SHAPE_LOSSES


def check_target_shape(loss: str, output_name: str, y_true: torch.Tensor, y_pred: torch.Tensor) -> None:
    """A ValueError unless the targets ``y_true`` can match the shape of the output ``y_pred``: equal shapes,
    or shapes that differ by one trailing axis of size 1 (Keras squeezes or adds it).

    >>> check_target_shape("mean_squared_error", "dense", torch.zeros(4), torch.zeros(4, 1))
    >>> check_target_shape("mean_squared_error", "dense", torch.zeros(4, 5), torch.zeros(4, 1))
    Traceback (most recent call last):
    ...
    ValueError: compile loss "mean_squared_error" of output "dense": argument `y` must be targets of the model output's shape (4, 1) (or (4,)); received targets of shape (4, 5), which would broadcast against the output into a wrong loss
    """
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    if true_shape == pred_shape:
        return
    if len(true_shape) == len(pred_shape) + 1 and true_shape[-1:] == (1,) and true_shape[:-1] == pred_shape:
        return
    if len(pred_shape) == len(true_shape) + 1 and pred_shape[-1:] == (1,) and pred_shape[:-1] == true_shape:
        return
    accepted = f" (or {pred_shape[:-1]})" if pred_shape[-1:] == (1,) else ""
    raise ValueError(
        f'compile loss "{loss}" of output "{output_name}": argument `y` must be targets of the model '
        f"output's shape {pred_shape}{accepted}; received targets of shape {true_shape}, which would "
        "broadcast against the output into a wrong loss"
    )


class CompileLoss:
    """The total training loss: each output's loss, weighted, summed."""

    def __init__(
        self,
        loss: Identifier | Sequence[Identifier],
        loss_weights: float | Sequence[float] | dict[str, float] | None = None,
        output_names: Sequence[str] | None = None,
    ) -> None:
        self.output_names = list(output_names or ["output"])
        entries = _by_output(loss, self.output_names, "loss")
        self.losses: list[losses_module.Loss | None] = [None if entry is None else _as_loss(entry) for entry in entries]
        self._check_shapes = [loss is not None and _compares_elementwise(loss) for loss in self.losses]
        if all(entry is None for entry in self.losses):
            raise ValueError(f"compile: no loss given for any of the outputs {self.output_names}")
        weights = _by_output(loss_weights, self.output_names, "loss_weights") if loss_weights is not None else None
        self.weights = [1.0 if w is None else float(w) for w in (weights or [None] * len(self.output_names))]
        self.multi_output = len(self.output_names) > 1

    def __call__(
        self, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> tuple[torch.Tensor, list[torch.Tensor | None]]:
        """``(total_loss, [loss of each output or None])``."""
        if not self.multi_output and isinstance(y_pred, torch.Tensor) and isinstance(y_true, torch.Tensor):
            first = self.losses[0]
            assert first is not None  # one output: __init__ refused a model without any loss
            if self._check_shapes[0]:
                check_target_shape(first.name, self.output_names[0], y_true, y_pred)
            value = first(y_true, y_pred, sample_weight=sample_weight)  # the one-output fast path
            return (value if self.weights[0] == 1.0 else value * self.weights[0]), [value]
        trues, preds = (
            _flat_outputs(y_true, self.output_names, "y"),
            _flat_outputs(y_pred, self.output_names, "model output"),
        )
        weights = _flat_sample_weights(sample_weight, self.output_names)
        total = None
        per_output: list[torch.Tensor | None] = []
        for loss, weight, t, p, sw, name, check in zip(
            self.losses, self.weights, trues, preds, weights, self.output_names, self._check_shapes
        ):
            if loss is None or t is None:
                per_output.append(None)
                continue
            if check and isinstance(t, torch.Tensor) and isinstance(p, torch.Tensor):
                check_target_shape(loss.name, name, t, p)
            value = loss(t, p, sample_weight=sw)
            per_output.append(value)
            value = value * weight if weight != 1.0 else value
            total = value if total is None else total + value
        if total is None:
            raise ValueError("The targets y are missing for every output that has a loss")
        return total, per_output

    def get_config(self) -> dict[str, Any]:
        return {
            "losses": [None if loss is None else losses_module.serialize(loss) for loss in self.losses],
            "loss_weights": self.weights,
        }


def _as_loss(identifier):
    loss = losses_module.get(identifier)
    if isinstance(loss, losses_module.Loss):
        return loss
    if callable(loss):
        return losses_module.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))
    raise ValueError(f"compile: could not interpret loss {identifier!r}")


class CompileMetrics:
    """The compiled metrics of every output, built from the first batch.

    It is one entry of ``model.metrics`` (named ``compile_metrics``, as in Keras 3), so a custom ``train_step``
    that updates every metric in ``self.metrics`` updates these too; its ``result()`` is a dict of their results.
    """

    name = "compile_metrics"

    def __init__(
        self,
        metrics: Sequence[Identifier | Sequence[Identifier]]
        | dict[str, Identifier | Sequence[Identifier]]
        | None = None,
        weighted_metrics: Sequence[Identifier | Sequence[Identifier]]
        | dict[str, Identifier | Sequence[Identifier]]
        | None = None,
        output_names: Sequence[str] | None = None,
        losses: Sequence[losses_module.Loss | None] | None = None,
    ) -> None:
        self.output_names = list(output_names or ["output"])
        self._metrics_spec = metrics
        self._weighted_spec = weighted_metrics
        self._losses = losses or [None] * len(self.output_names)
        self.built = False
        # (output index, log name, metric, weighted)
        self.entries: list[tuple[int, str, metrics_module.Metric, bool]] = []

    def build(self, y_true: Any, y_pred: Any) -> None:
        trues = _flat_outputs(y_true, self.output_names, "y")
        preds = _flat_outputs(y_pred, self.output_names, "model output")
        for spec, weighted in ((self._metrics_spec, False), (self._weighted_spec, True)):
            if not spec:
                continue
            for index, output_spec in enumerate(_metric_lists(spec, self.output_names)):
                for identifier in output_spec or []:
                    metric = self._resolve(identifier, trues[index], preds[index], self._losses[index])
                    self.entries.append((index, self._log_name(metric.name, index, weighted), metric, weighted))
        self.built = True

    def _log_name(self, name, index, weighted):
        """Keras's log name: ``<output>_<name>`` for several outputs; a name already taken gets ``_1``, ``_2`` ...,
        or, for a weighted metric, ``weighted_`` before the metric's name first."""
        prefix = f"{self.output_names[index]}_" if len(self.output_names) > 1 else ""
        taken = {entry[1] for entry in self.entries}
        candidate = prefix + name
        if candidate in taken and weighted:
            candidate = f"{prefix}weighted_{name}"
        base, count = candidate, 1
        while candidate in taken:
            candidate, count = f"{base}_{count}", count + 1
        return candidate

    @staticmethod
    def _resolve(identifier, y_true, y_pred, loss):
        if identifier in ("accuracy", "acc"):
            cls = metrics_module.resolve_accuracy(tuple(y_true.shape), tuple(y_pred.shape), loss)
            return cls(name=identifier)
        metric = metrics_module.get(identifier)
        if isinstance(identifier, str):
            metric.name = identifier  # Keras logs a metric under the string it was compiled with ("mae")
        return metric

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        if not self.entries:
            return
        if len(self.output_names) == 1 and isinstance(y_pred, torch.Tensor) and isinstance(y_true, torch.Tensor):
            for _, _, metric, weighted in self.entries:  # the one-output fast path
                metric.update_state(y_true, y_pred, sample_weight=sample_weight if weighted else None)
            return
        trues = _flat_outputs(y_true, self.output_names, "y")
        preds = _flat_outputs(y_pred, self.output_names, "model output")
        weights = _flat_sample_weights(sample_weight, self.output_names)
        for index, _, metric, weighted in self.entries:
            if trues[index] is not None:
                metric.update_state(trues[index], preds[index], sample_weight=weights[index] if weighted else None)

    def results(self) -> dict[str, Any]:
        return {name: metric.result() for _, name, metric, _ in self.entries}

    result = results

    @property
    def specified(self) -> bool:
        """Whether ``compile`` was given any metric."""
        return bool(self._metrics_spec or self._weighted_spec)

    def reset_state(self) -> None:
        for _, _, metric, _ in self.entries:
            metric.reset_state()

    @property
    def metrics(self) -> list[metrics_module.Metric]:
        return [metric for _, _, metric, _ in self.entries]


def _metric_lists(spec, output_names):
    """Per-output lists of metric identifiers."""
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - set(output_names))
        if unknown:
            raise ValueError(
                f"compile: metrics name outputs {unknown} that the model does not have; its outputs are {output_names}"
            )
        return [_as_list(spec.get(name)) for name in output_names]
    if (
        isinstance(spec, (list, tuple))
        and len(output_names) > 1
        and spec
        and all(isinstance(s, (list, tuple)) or s is None for s in spec)
    ):
        if len(spec) != len(output_names):
            raise ValueError(f"compile: the model has {len(output_names)} outputs but metrics has {len(spec)} lists")
        return [_as_list(s) for s in spec]
    return [_as_list(spec)] * len(output_names)


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _flat_outputs(structure, output_names, what):
    """Targets or predictions as a list aligned with ``output_names``."""
    if structure is None:
        return [None] * len(output_names)
    if isinstance(structure, dict):
        missing = [name for name in output_names if name not in structure]
        if len(output_names) > 1 and missing and what == "model output":
            raise ValueError(f"The {what} has no entries for {missing}")
        return [structure.get(name) for name in output_names]
    if isinstance(structure, torch.Tensor):
        if len(output_names) != 1:
            raise ValueError(f"The model has {len(output_names)} outputs {output_names}, but {what} is a single tensor")
        return [structure]
    flat = list(structure) if isinstance(structure, (list, tuple)) else tree.flatten(structure)
    if len(flat) != len(output_names):
        raise ValueError(
            f"The model has {len(output_names)} outputs {output_names}, but {what} has {len(flat)} entries"
        )
    return flat


def _flat_sample_weights(sample_weight, output_names):
    if sample_weight is None or isinstance(sample_weight, torch.Tensor):
        return [sample_weight] * len(output_names)
    return _flat_outputs(sample_weight, output_names, "sample_weight")

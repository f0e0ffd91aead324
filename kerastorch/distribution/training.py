"""The steps of ``fit`` and ``evaluate`` that differ under a ``DataParallel`` of several processes.

The trainer calls these only when :func:`~kerastorch.distribution.data_parallel.active_data_parallel`
returns a distribution (a job of several processes); see :mod:`kerastorch.distribution.data_parallel` for
the behaviour they add up to.

- :func:`place_model`: the model moves to this process's device (before ``fit`` reads it for the data).
- :func:`start_training`: after ``on_train_begin``, every process takes process 0's weights (trainable or
  not, and torch buffers), optimizer state (the optimizer is built first, so that its state exists
  everywhere) and starting epoch; it returns the train step wrapped by :func:`averaged_step`. A model that
  builds itself on its first batch is built by a forward pass on that batch (``training=False``), then
  synchronized, before the first step.
- :func:`averaged_step`: while the step runs, the optimizer's ``apply`` (or a ``torch.optim`` optimizer's
  ``step``) first averages the gradients over the processes, weighted by each one's number of samples. It
  is set on the optimizer instance for the duration of the step only, so a custom ``train_step`` that calls
  ``self.optimizer.apply(...)`` is averaged too; nothing of it stays on the optimizer.
- :func:`global_logs`: the logs recomputed from the metric states summed over the processes (the states
  themselves stay this process's own, so the next batches add to them as usual).
- :func:`end_epoch`: non-trainable weights take process 0's values.
- :func:`agree_on_overflow`: under ``mixed_float16`` loss scaling, a step is skipped in every process when
  it overflowed in any one.

Example:
    >>> import torch
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    >>> logs = model.train_on_batch(torch.ones(4, 2), torch.zeros(4, 1), return_dict=True)
    >>> sorted(global_logs(model, logs))  # one process: the sums are its own states
    ['loss', 'mae']
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Callable

import torch

from kerastorch import tree
from kerastorch.distribution import collectives
from kerastorch.distribution.data_parallel import active_data_parallel
from kerastorch.distribution.environment import process_count

if TYPE_CHECKING:
    from kerastorch.distribution.data_parallel import DataParallel
    from kerastorch.trainers.trainer import Trainer

__all__ = ["agree_on_overflow", "averaged_step", "end_epoch", "global_logs", "place_model", "start_training"]


def _has_weights(model):
    return next(iter(model.parameters()), None) is not None


def place_model(model: Trainer, device: torch.device) -> None:
    """Move ``model`` to ``device`` (this process's), unless it is there already.

    Args:
        model: The model.
        device: ``torch.device``.

    Raises:
        ValueError: If the model must move but its optimizer already holds state on the old device.

    >>> import torch
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> place_model(model, torch.device("cpu"))
    >>> model.layers[0].kernel.device
    device(type='cpu')
    """
    if all(p.device == device for p in model.parameters()):
        return
    if _optimizer_tensors(getattr(model, "optimizer", None)):
        raise ValueError(
            f'Model "{model.name}" fit: its weights are on '
            f"{next(iter(model.parameters())).device} but this process trains on {device}, and its "
            "optimizer already holds state there. Create the model after "
            "keras.distribution.set_distribution(...) (or inside distribution.scope())"
        )
    model.to(device)


def _optimizer_tensors(optimizer):
    """The optimizer's state tensors, in an order that is the same in every process."""
    if optimizer is None:
        return []
    if isinstance(optimizer, torch.optim.Optimizer):
        tensors = []
        for group in optimizer.param_groups:
            for parameter in group["params"]:
                state = optimizer.state.get(parameter, {})
                tensors.extend(state[key] for key in sorted(state) if isinstance(state[key], torch.Tensor))
        return tensors
    if not getattr(optimizer, "built", False):
        return []
    return [value for value in optimizer.state_dict().values() if isinstance(value, torch.Tensor)]


def _synchronize_state(model):
    """Every process takes process 0's weights and optimizer state."""
    optimizer = getattr(model, "optimizer", None)
    if (
        optimizer is not None
        and not isinstance(optimizer, torch.optim.Optimizer)
        and hasattr(optimizer, "build")
        and not getattr(optimizer, "built", True)
        and model.trainable_weights
    ):
        optimizer.build(model.trainable_weights)  # as its first step would: its state then exists everywhere
    weights = list(model.parameters()) + list(model.buffers())
    state = _optimizer_tensors(optimizer)
    mine = [len(weights), sum(t.numel() for t in weights), len(state), sum(t.numel() for t in state)]
    everyone = collectives.gather_ints(mine)
    if any(other != mine for other in everyone):
        raise ValueError(
            f'Model "{model.name}" fit: the processes hold different models or optimizer states '
            "([weights, values, optimizer tensors, optimizer values] per process: "
            f"{everyone}); every process must build the same model and compile it the same way"
        )
    collectives.broadcast_(weights)
    collectives.broadcast_(state)
    if state and not isinstance(optimizer, torch.optim.Optimizer):
        optimizer.load_state_dict(optimizer.state_dict())  # its host-side copies (step count, rate) follow


def _rows(batch):
    leaves = tree.flatten(batch)
    shape = getattr(leaves[0], "shape", None) if leaves else None
    return int(shape[0]) if shape else 1


@contextlib.contextmanager
def _averaging(optimizer, weight):
    """While the step runs, the optimizer's update first averages the gradients over the processes."""
    name = "step" if isinstance(optimizer, torch.optim.Optimizer) else "apply"
    original = getattr(optimizer, name)

    def torch_step(*args, **kwargs):
        parameters = [p for group in optimizer.param_groups for p in group["params"]]
        grads = collectives.average_gradients([p.grad for p in parameters], parameters, weight)
        for parameter, grad in zip(parameters, grads):
            parameter.grad = grad
        return original(*args, **kwargs)

    def apply(grads, trainable_variables=None):
        variables = None if trainable_variables is None else list(trainable_variables)
        return original(collectives.average_gradients(list(grads), variables, weight), variables)

    replacement = torch_step if name == "step" else apply
    own = vars(optimizer)
    shadowed, previous = name in own, own.get(name)
    setattr(optimizer, name, replacement)
    try:
        yield
    finally:
        if shadowed:
            setattr(optimizer, name, previous)
        else:
            delattr(optimizer, name)


def averaged_step(model: Trainer, step: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``step`` (a train step) made to average the gradients over the processes before the optimizer's update:
    while it runs, ``model.optimizer.apply`` (or a ``torch.optim`` optimizer's ``step``) first replaces each
    gradient by its mean over the processes, weighted by each process's number of samples in the batch.

    Args:
        model: The compiled model.
        step: The train step function, ``step(batch) -> logs``.

    Returns:
        The wrapped step function.

    >>> import torch
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> step = averaged_step(model, model.train_step)
    >>> sorted(step((torch.ones(4, 2), torch.zeros(4, 1))))
    ['loss']
    """

    def run(batch):
        with _averaging(model.optimizer, _rows(batch)):
            return step(batch)

    return run


def start_training(
    model: Trainer, initial_epoch: int, step: Callable[[Any], Any], parallel: DataParallel
) -> tuple[int, Callable[[Any], Any]]:
    """Start a data-parallel ``fit``: process 0's state everywhere, and the train step that averages gradients.

    Args:
        model: The model being trained (compiled, on this process's device: :func:`place_model`).
        initial_epoch: Int, the epoch this process would start at (``BackupAndRestore`` may have set it).
        step: The train step function, ``step(batch) -> logs``.
        parallel: The ``DataParallel``.

    Returns:
        ``(initial_epoch, step)``: process 0's starting epoch, and the wrapped step (:func:`averaged_step`).

    Raises:
        ValueError: If the processes hold different models or optimizer states.

    >>> import numpy as np
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> epoch, step = start_training(model, 0, model.train_step, keras.distribution.DataParallel())
    >>> epoch, model.optimizer.built  # its state exists now, as in every process
    (0, True)
    >>> sorted(step((np.ones((4, 2), "float32"), np.zeros((4, 1), "float32"))))
    ['loss']
    """
    synchronized = {"done": _has_weights(model)}
    if synchronized["done"]:
        _synchronize_state(model)
    initial_epoch = collectives.broadcast_int(initial_epoch)
    averaged = averaged_step(model, step)

    def synchronized_step(batch):
        if not synchronized["done"]:  # a model that builds itself on its first batch
            with torch.no_grad():
                model(batch[0] if isinstance(batch, tuple) else batch, training=False)
            place_model(model, parallel.device)
            _synchronize_state(model)
            synchronized["done"] = True
        return averaged(batch)

    return initial_epoch, synchronized_step


def _metric_objects(metrics):
    found = []
    for metric in metrics:
        if hasattr(metric, "variables"):
            found.append(metric)
        elif isinstance(getattr(metric, "metrics", None), list):  # the compiled metrics' container
            found.extend(_metric_objects(metric.metrics))
    return found


def _copy(value):
    return value.detach().clone() if isinstance(value, torch.Tensor) else value


def global_logs(model: Trainer, logs: dict[str, Any]) -> dict[str, Any]:
    """The logs over all processes: the model's metric results from the states summed over the processes;
    values a custom ``train_step`` logged under other names are averaged over the processes instead.

    Args:
        model: The model; its metrics' states are summed (and left as they were afterwards).
        logs: Dict of this process's logs (flat: ``{name: value}``).

    Returns:
        A new dict of the global values (tensors where the results are tensors).

    >>> import torch
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> logs = model.test_on_batch(torch.ones(2, 1), torch.ones(2, 1), return_dict=True)
    >>> {name: float(value) for name, value in global_logs(model, logs).items()}
    {'loss': 1.0}
    """
    states = [state for metric in _metric_objects(model.metrics) for state in metric.variables]
    with torch.no_grad():
        saved = [state.clone() for state in states]
        collectives.all_reduce_(states)
        try:
            results = {name: _copy(value) for name, value in model.get_metrics_result().items()}
        finally:
            for state, value in zip(states, saved):
                state.copy_(value)
    if isinstance(logs, dict) and set(results) != set(logs):
        return _mean_logs(logs)
    return results


def _mean_logs(logs):
    names = [
        name
        for name, value in logs.items()
        if isinstance(value, (int, float)) or (isinstance(value, torch.Tensor) and value.numel() == 1)
    ]
    if not names:
        return dict(logs)
    values = [torch.as_tensor(logs[name]).detach().reshape(()).to("cpu", torch.float64) for name in names]
    total = torch.stack(values)
    summed = [total]
    collectives.all_reduce_(summed)
    means = (summed[0] / process_count()).tolist()
    return {**logs, **dict(zip(names, means))}


def end_epoch(model: Trainer, logs: dict[str, Any]) -> dict[str, Any]:
    """At the end of an epoch: the non-trainable weights (and torch buffers) take process 0's values.

    Args:
        model: The model being trained.
        logs: Dict, the global logs of the epoch's last batch (:func:`global_logs`).

    Returns:
        A new dict, the epoch's logs.

    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.BatchNormalization()])
    >>> end_epoch(model, {"loss": 0.5})
    {'loss': 0.5}
    """
    collectives.broadcast_([p for p in model.parameters() if not p.requires_grad] + list(model.buffers()))
    return dict(logs)


def agree_on_overflow(found_inf: torch.Tensor) -> None:
    """Under a ``DataParallel`` of several processes: ``found_inf`` becomes its maximum over the processes,
    so that loss scaling skips a step (and halves its scale) in every process or in none.

    Args:
        found_inf: 0-d float tensor, nonzero when this process's gradients hold an inf or a nan (updated
            in place).

    >>> import torch
    >>> found_inf = torch.tensor(0.0)
    >>> agree_on_overflow(found_inf)
    >>> found_inf
    tensor(0.)
    """
    if active_data_parallel() is not None:
        collectives.all_reduce_([found_inf], op="max")

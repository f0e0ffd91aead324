"""The training API of ``Model``: compile, fit, evaluate, predict and the step functions.

The hot path of ``fit`` is ``train_step`` per batch: forward, loss, backward, one
multi-tensor optimizer update, metric updates. Nothing in it reads a value back to
the host: the loss and metric results stay on the device as tensors, and only the
progress bar (when it redraws) and the end of each epoch read them. Array inputs are
turned into tensors once per call, not per batch; evaluate and predict run under
``torch.inference_mode()``.

Example:
    >>> import kerastorch as keras
    >>> (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    >>> x_train, x_test = x_train.reshape(-1, 64) / 16.0, x_test.reshape(-1, 64) / 16.0
    >>> model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
    ...                           keras.layers.Dense(10, activation="softmax")])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> history = model.fit(x_train, y_train, batch_size=32, epochs=5, validation_split=0.1, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    >>> loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    >>> accuracy > 0.8
    True
    >>> probabilities = model.predict(x_test, verbose=0)
    >>> probabilities.shape
    (359, 10)
"""

from __future__ import annotations

import inspect
import sys
import warnings
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, cast

import torch

from kerastorch import config, optimizers, tree
from kerastorch import metrics as metrics_module
from kerastorch.backend.annotations import Identifier, TensorLike
from kerastorch.backend.torch_internals import compile_failure_errors
from kerastorch.callbacks import CallbackList
from kerastorch.distribution.data_parallel import active_data_parallel
from kerastorch.distribution.training import averaged_step, end_epoch, global_logs, place_model, start_training
from kerastorch.metrics import Metric
from kerastorch.optimizers.base import Optimizer
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object
from kerastorch.trainers import arguments
from kerastorch.trainers.compile_utils import CompileLoss, CompileMetrics
from kerastorch.trainers.data_adapters import get_data_adapter
from kerastorch.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
from kerastorch.trainers.data_adapters.batching import unpack_x_y_sample_weight
from kerastorch.trainers.data_adapters.py_dataset_adapter import PyDataset
from kerastorch.trainers.data_adapters.sharding import shard_adapter
from kerastorch.trainers.epoch_iterator import EpochIterator
from kerastorch.trainers.optimizer_step import make_optimizer_step

if TYPE_CHECKING:
    from kerastorch.callbacks import Callback, History
    from kerastorch.layers.base import Layer
    from kerastorch.models.model import Model
    from kerastorch.trainers.data_adapters import DataAdapter

    # Trainer is only ever mixed into Model, beside Layer: its methods use the layer's attributes (and hand
    # callbacks the model itself, cast("Model", self)).
    _TrainerBase = Layer
else:
    _TrainerBase = object


class Trainer(_TrainerBase):
    """Mixed into ``Model``: Keras's training, evaluation and prediction API."""

    compiled = False
    optimizer: Optimizer | torch.optim.Optimizer | None = None
    stop_training = False
    history: History | None = None
    jit_compile = False
    run_eagerly = False
    compiled_loss: CompileLoss | None = None
    compiled_metrics: CompileMetrics | None = None

    def __getstate__(self):
        # The step functions are caches of closures (rebuilt on the next fit/evaluate/predict): a fitted model
        # pickles (and deep-copies) like an unfitted one.
        state = dict(super().__getstate__())
        state["_step_functions"], state["_optimizer_step"] = {}, None
        return state

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer: str | dict[str, Any] | Optimizer | torch.optim.Optimizer = "rmsprop",
        loss: Identifier | Sequence[Identifier] = None,
        loss_weights: float | Sequence[float] | dict[str, float] | None = None,
        metrics: Sequence[Identifier | Sequence[Identifier]]
        | dict[str, Identifier | Sequence[Identifier]]
        | None = None,
        weighted_metrics: Sequence[Identifier | Sequence[Identifier]]
        | dict[str, Identifier | Sequence[Identifier]]
        | None = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: bool | str = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Configure the model for training.

        >>> import numpy as np
        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        >>> model.evaluate(np.zeros((4, 3)), np.ones((4, 1)), verbose=0)  # loss, mae
        [1.0, 1.0]
        """
        arguments.check_compile(
            f'Model "{self.name}" compile',
            loss,
            loss_weights,
            metrics,
            weighted_metrics,
            run_eagerly,
            steps_per_execution,
            jit_compile,
            auto_scale_loss,
        )
        if isinstance(optimizer, torch.optim.Optimizer):
            self.optimizer = optimizer
        else:
            self.optimizer = optimizers.get(optimizer)
        self._compile_spec = {
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
        }
        self._compile_options = {
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile is True,
        }
        self.compiled_loss = None
        self.compiled_metrics = None
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._output_loss_trackers: list[tuple[int, Metric]] = []
        self.run_eagerly = run_eagerly
        self.jit_compile = jit_compile is True
        self.steps_per_execution = steps_per_execution
        self.auto_scale_loss = auto_scale_loss
        self._step_functions: dict[str, Callable[[Any], Any]] = {}
        self._optimizer_step: Callable[[torch.Tensor], None] | None = None
        self._loss_sources: tuple[list[Layer], list[tuple[torch.nn.Parameter, Callable[..., Any]]]] | None = None
        self.compiled = True
        if loss is not None:
            names = self._known_output_names()
            if names is not None:
                self._build_compiled(names)

    def get_compile_config(self) -> dict[str, Any] | None:
        """The arguments of the last :meth:`compile`, serialized as Keras 3 does (``None`` when the
        model is not compiled, or is compiled with a ``torch.optim`` optimizer, which has no config).

        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="adam", loss="mse")
        >>> config = model.get_compile_config()
        >>> config["loss"], config["optimizer"]["class_name"]
        ('mse', 'Adam')
        """
        if not self.compiled or not isinstance(self.optimizer, Optimizer):
            return None
        config = {"optimizer": serialize_keras_object(self.optimizer)}
        config.update({key: serialize_keras_object(value) for key, value in self._compile_spec.items()})
        config.update(self._compile_options)
        return config

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compile from :meth:`get_compile_config` output (or Keras 3's); a built model also builds
        its optimizer, so that a saved optimizer state can be loaded into it.

        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        >>> model.compile_from_config({"optimizer": "adam", "loss": "mse"})
        >>> model.compiled, type(model.optimizer).__name__, model.optimizer.built
        (True, 'Adam', True)
        """
        if not isinstance(config, dict):
            raise TypeError(
                f'Model "{self.name}" compile_from_config: expected a dict, received {type(config).__name__}'
            )
        known = (
            "optimizer",
            "loss",
            "loss_weights",
            "metrics",
            "weighted_metrics",
            "run_eagerly",
            "steps_per_execution",
            "jit_compile",
        )
        unknown = sorted(set(config) - set(known))
        if unknown:  # e.g. written by a newer Keras: compile with what is known
            warnings.warn(
                f'Model "{self.name}" compile_from_config: ignoring unknown keys {unknown}; '
                f"known keys are {list(known)}",
                stacklevel=2,
            )
        kwargs = {key: config[key] for key in known if key in config}
        optimizer = kwargs.get("optimizer", "rmsprop")
        if isinstance(optimizer, dict):
            optimizer = optimizers.deserialize(optimizer)
        kwargs["optimizer"] = optimizer
        for key in ("loss", "metrics", "weighted_metrics"):
            if key in kwargs:
                kwargs[key] = _deserialize_nested(kwargs[key], deserialize_keras_object)
        self.compile(**kwargs)
        optimizer = self.optimizer
        if self.built and self.trainable_weights and optimizer is not None and hasattr(optimizer, "build"):
            optimizer.build(self.trainable_weights)

    def _known_output_names(self):
        """Output names of a functional model (dict keys, else the output layers' names)."""
        graph = getattr(self, "_graph", None)
        if graph is None:
            return None
        structure = graph.outputs_struct
        if isinstance(structure, dict):
            return sorted(structure)
        return [t._keras_history[0].name for t in tree.flatten(structure)]

    def _build_compiled(self, output_names):
        spec = self._compile_spec
        if spec["loss"] is not None:
            self.compiled_loss = CompileLoss(spec["loss"], spec["loss_weights"], output_names)
            if self.compiled_loss.multi_output:
                self._output_loss_trackers = [
                    (i, metrics_module.Mean(name=f"{name}_loss"))
                    for i, (name, loss) in enumerate(zip(output_names, self.compiled_loss.losses))
                    if loss is not None
                ]
        losses = self.compiled_loss.losses if self.compiled_loss else None
        self.compiled_metrics = CompileMetrics(spec["metrics"], spec["weighted_metrics"], output_names, losses)

    def _ensure_compiled_for(self, y_pred):
        if self.compiled_metrics is None:
            names = self._known_output_names()
            if names is None:  # subclassed models: name outputs after the structure of their predictions
                if isinstance(y_pred, dict):
                    names = sorted(y_pred)
                elif isinstance(y_pred, (list, tuple)):
                    names = [f"output_{i}" for i in range(len(y_pred))]
                else:
                    names = ["output"]
            self._build_compiled(names)

    def _assert_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(
                f'Model "{self.name}" must be compiled before {what}: call '
                "model.compile(optimizer=..., loss=...) first."
            )

    # ----------------------------------------------------------- losses/metrics
    def compute_loss(
        self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None, training: bool = True
    ) -> torch.Tensor:
        """The compiled loss plus the model's own losses (regularization, ``add_loss``)."""
        self._ensure_compiled_for(y_pred)
        total = None
        if self.compiled_loss is not None and y is not None:
            total, per_output = self.compiled_loss(y, y_pred, sample_weight)
            if self._output_loss_trackers:
                batch = _batch_size(y_pred)
                for index, tracker in self._output_loss_trackers:
                    output_loss = per_output[index]
                    if output_loss is not None:
                        tracker.update_state(output_loss.detach(), sample_weight=batch)
        extra = self._model_losses()
        if extra:
            penalty = torch.stack([torch.as_tensor(v).reshape(()) for v in extra]).sum()
            total = penalty if total is None else total + penalty
        if total is None:
            raise ValueError(
                f'Model "{self.name}" has no loss to optimize: pass loss= to compile() '
                "and targets y to fit(), or add losses in call() with add_loss()."
            )
        return total

    def _compute_loss(self, x, y, y_pred, sample_weight, training):
        """``compute_loss``, without ``training`` for an override written before Keras added it."""
        accepts = self.__dict__.get("_compute_loss_takes_training")
        if accepts is None:
            parameters = inspect.signature(self.compute_loss).parameters
            accepts = self.__dict__["_compute_loss_takes_training"] = "training" in parameters or any(
                p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters.values()
            )
        if accepts:
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def _model_losses(self):
        """``self.losses``, from a list of loss sources gathered once per fit (walking the layer
        tree on every step costs more than the losses themselves)."""
        sources = self.__dict__.get("_loss_sources")
        if sources is None:
            layers = self._flatten_layers()
            regularized = [
                (p, p.regularizer)
                for layer in layers
                for p in layer._own_parameters()
                if getattr(p, "regularizer", None) is not None
            ]
            sources = self.__dict__["_loss_sources"] = (layers, regularized)
        layers, regularized = sources
        losses = [loss for layer in layers for loss in layer._losses]
        losses.extend(regularizer(p) for p, regularizer in regularized)
        return losses

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict[str, Any]:
        """Update the compiled metrics; return the current results (tensors on the device)."""
        self._ensure_compiled_for(y_pred)
        if y is not None:
            assert self.compiled_metrics is not None  # built by _ensure_compiled_for
            with torch.no_grad():
                self.compiled_metrics.update_state(y, tree.map_structure(_detach, y_pred), sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, Any]:
        """``{name: tensor}`` for every tracked metric (no host sync)."""
        results: dict[str, Any] = {}
        tracked = self.__dict__.get("_metrics_cache")
        if tracked is None:  # gathered once per fit / evaluate: scanning attributes every step is slow
            tracked = self.__dict__["_metrics_cache"] = self.metrics
        for metric in tracked:
            result = metric.result()
            if isinstance(result, dict):
                results.update(result)
            else:
                results[metric.name] = result
        return results

    def _metrics_result_or_logs(self, logs):
        """The metrics' results, unless a custom step returned logs under other names (then those, as Keras)."""
        results = dict(self.get_metrics_result())
        if not isinstance(logs, dict) or set(logs) == set(results):
            return results
        return dict(logs)

    @property
    def metrics(self) -> list[Metric | CompileMetrics]:
        """The loss trackers, the compiled metrics (one entry, ``compile_metrics``, whose result is a dict of
        their output-qualified names, as in Keras 3) and the metrics the model holds as attributes."""
        tracked: list[Metric | CompileMetrics] = []
        if self.compiled:
            tracked.append(self._loss_tracker)
            tracked.extend(tracker for _, tracker in self._output_loss_trackers)
            if self.compiled_metrics is None and self._known_output_names() is not None:
                self._build_compiled(self._known_output_names())
            if self.compiled_metrics is not None and self.compiled_metrics.specified:
                tracked.append(self.compiled_metrics)
        tracked.extend(v for v in self.__dict__.values() if isinstance(v, Metric) and v not in tracked)
        return tracked

    @property
    def metrics_names(self) -> list[str]:
        return list(self.get_metrics_result())

    def reset_metrics(self) -> None:
        """Zero every metric's state (the start of each epoch and of evaluate)."""
        self.__dict__["_metrics_cache"] = None
        for metric in self.metrics:
            metric.reset_state()

    # ------------------------------------------------------------------- steps
    def train_step(self, data: Any) -> dict[str, Any]:
        """One optimization step on a batch; returns the metric results. Override for
        custom training logic (call ``self.compute_loss`` / ``self.compute_metrics``)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        loss = self._compute_loss(x, y, y_pred, sample_weight, training=True)
        self._loss_tracker.update_state(loss.detach(), sample_weight=_batch_size(y_pred))
        self._apply_optimizer(loss)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, Any]:
        """Loss and metrics on one batch, without updating weights."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        if self.compiled_loss is not None or self._model_losses() or self.compiled_metrics is None:
            loss = self._compute_loss(x, y, y_pred, sample_weight, training=False)
            self._loss_tracker.update_state(loss, sample_weight=_batch_size(y_pred))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's outputs on one batch."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _apply_optimizer(self, loss):
        if self._optimizer_step is None:
            self._optimizer_step = make_optimizer_step(self)
        self._optimizer_step(loss)

    def _step_function(self, kind):
        functions = self.__dict__.setdefault("_step_functions", {})
        function = functions.get(kind)
        if function is None:
            step = {"train": self.train_step, "test": self.test_step, "predict": self.predict_step}[kind]
            function = _maybe_compiled(step, self.jit_compile and not self.run_eagerly, kind)
            functions[kind] = function
        return function

    # -------------------------------------------------------------------- fit
    def fit(
        self,
        x: TensorLike
        | dict[str, TensorLike]
        | torch.utils.data.Dataset
        | torch.utils.data.DataLoader
        | PyDataset
        | Iterator[Any]
        | None = None,
        y: TensorLike | dict[str, TensorLike] | None = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: str | int = "auto",
        callbacks: Callback | Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool | str = True,
        class_weight: dict[int, float] | None = None,
        sample_weight: TensorLike | dict[str, TensorLike] | None = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int | Sequence[int] = 1,
    ) -> History:
        """Train the model; returns a ``History`` whose ``history`` dict holds the per-epoch logs.

        >>> import numpy as np
        >>> import kerastorch as keras
        >>> x = np.linspace(0, 1, 10, dtype="float32").reshape(10, 1)
        >>> y = 2 * x + 1
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        >>> history = model.fit(x, y, epochs=10, validation_split=0.2, verbose=0)
        >>> sorted(history.history), len(history.history["val_loss"])
        (['loss', 'val_loss'], 10)
        >>> history.history["val_loss"][-1] < history.history["val_loss"][0]
        True
        """
        self._assert_compiled("fit")
        arguments.check_fit(
            f'Model "{self.name}" fit',
            x,
            y,
            batch_size,
            epochs,
            verbose,
            callbacks,
            validation_split,
            validation_data,
            shuffle,
            class_weight,
            sample_weight,
            initial_epoch,
            steps_per_epoch,
            validation_steps,
            validation_batch_size,
            validation_freq,
        )
        epochs = _capped(epochs, config.max_epochs())  # keras.config.set_max_epochs: quick runs of a program
        adapter: DataAdapter = get_data_adapter(x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight)
        validation: DataAdapter | None = None
        if validation_split and validation_data is None:
            if not isinstance(adapter, ArrayDataAdapter):
                raise ValueError(
                    "validation_split is only supported for array inputs (numpy arrays or tensors); "
                    f"received x of type {type(x).__name__}. Pass validation_data instead."
                )
            adapter, validation_data = adapter.split(validation_split)
        if validation_data is not None:
            val_x, val_y, val_sw = unpack_x_y_sample_weight(validation_data)
            validation = get_data_adapter(val_x, val_y, val_sw, validation_batch_size or batch_size)
        parallel = active_data_parallel()  # keras.distribution.DataParallel over several processes
        if parallel is not None:  # this process's device, and its share of every global batch
            place_model(self, parallel.device)
            adapter, validation = shard_adapter(adapter, parallel), shard_adapter(validation, parallel)
        device = self._data_device()
        if config.max_steps_per_epoch() is not None:
            steps_per_epoch = _capped(steps_per_epoch or adapter.num_batches, config.max_steps_per_epoch())
            validation_steps = _capped(validation_steps, config.max_steps_per_epoch())
        steps = steps_per_epoch or adapter.num_batches
        verbose = _resolve_verbose(verbose)
        callback_list = CallbackList(
            callbacks,
            add_history=True,
            add_progbar=verbose != 0,
            verbose=verbose,
            epochs=epochs,
            steps=steps,
            model=cast("Model", self),
        )
        self.stop_training = False
        train = self._step_function("train")
        self._optimizer_step = None
        self.__dict__["_loss_sources"] = None  # layers or regularizers may have changed since the last fit
        callback_list.on_train_begin()
        initial_epoch = callback_list.resolve_initial_epoch(initial_epoch)  # BackupAndRestore resumes here
        if parallel is not None:  # process 0's weights, optimizer state and epoch; gradients averaged per step
            initial_epoch, train = start_training(self, initial_epoch, train, parallel)
        epoch_batches = EpochIterator(adapter, device, steps_per_epoch)
        epoch_logs: dict[str, Any] = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            logs = None
            for step, batch in enumerate(epoch_batches.epoch(epoch)):
                callback_list.on_train_batch_begin(step)
                logs = _flat_logs(train(batch))
                if parallel is not None:
                    logs = global_logs(self, logs)  # every process logs the metrics over all processes
                callback_list.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if logs is None:
                raise ValueError(_empty_data_message("fit", epoch))
            epoch_logs = self._metrics_result_or_logs(logs) if parallel is None else end_epoch(self, logs)
            if validation is not None and _validates(epoch, validation_freq):
                val_logs = self._evaluate_adapter(validation, device, validation_steps, callback_list)
                epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        optimizer = self.optimizer
        if optimizer is not None and hasattr(optimizer, "finalize_variable_values") and epochs > 0:
            optimizer.finalize_variable_values(self.trainable_weights)  # use_ema: the averages become the weights
        callback_list.on_train_end(epoch_logs)
        history = callback_list.history
        assert history is not None  # add_history=True
        return history

    # --------------------------------------------------------------- evaluate
    def evaluate(
        self,
        x: TensorLike
        | dict[str, TensorLike]
        | torch.utils.data.Dataset
        | torch.utils.data.DataLoader
        | PyDataset
        | Iterator[Any]
        | None = None,
        y: TensorLike | dict[str, TensorLike] | None = None,
        batch_size: int | None = None,
        verbose: str | int = "auto",
        sample_weight: TensorLike | dict[str, TensorLike] | None = None,
        steps: int | None = None,
        callbacks: Callback | Sequence[Callback] | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """Loss and metric values on data: a scalar, a list, or a dict with ``return_dict``.

        >>> import numpy as np
        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)),
        ...                           keras.layers.Dense(2, activation="softmax", kernel_initializer="zeros")])
        >>> model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> x_test, y_test = np.ones((4, 3)), np.array([0, 0, 0, 1])
        >>> loss, accuracy = model.evaluate(x_test, y_test, verbose=0)  # p = 0.5 everywhere; ties go to class 0
        >>> round(loss, 4), accuracy
        (0.6931, 0.75)
        >>> model.evaluate(x_test, y_test, verbose=0, return_dict=True)
        {'loss': 0.693..., 'accuracy': 0.75}
        """
        self._assert_compiled("evaluate")
        arguments.check_evaluate(
            f'Model "{self.name}" evaluate', x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict
        )
        adapter: DataAdapter = get_data_adapter(x, y, sample_weight, batch_size)
        parallel = active_data_parallel()
        if parallel is not None:  # each process evaluates its share; the results are the global ones
            place_model(self, parallel.device)
            adapter = shard_adapter(adapter, parallel)
        verbose = _resolve_verbose(verbose)
        callback_list = CallbackList(
            callbacks,
            add_history=False,
            add_progbar=verbose != 0,
            verbose=verbose,
            epochs=1,
            steps=steps or adapter.num_batches,
            model=cast("Model", self),
        )
        logs = self._evaluate_adapter(adapter, self._data_device(), steps, callback_list)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _evaluate_adapter(self, adapter, device, steps, callback_list):
        test = self._step_function("test")
        self.reset_metrics()
        callback_list.on_test_begin()
        logs = None
        with torch.inference_mode():
            for step, batch in enumerate(adapter.batches(device, steps)):
                callback_list.on_test_batch_begin(step)
                logs = _flat_logs(test(batch))
                callback_list.on_test_batch_end(step, logs)
        if logs is None:
            raise ValueError(_empty_data_message("evaluate"))
        results = self._metrics_result_or_logs(logs) if active_data_parallel() is None else global_logs(self, logs)
        logs = {name: _to_float(value) for name, value in results.items()}
        callback_list.on_test_end(logs)
        return logs

    # ---------------------------------------------------------------- predict
    def predict(
        self,
        x: TensorLike
        | dict[str, TensorLike]
        | torch.utils.data.Dataset
        | torch.utils.data.DataLoader
        | PyDataset
        | Iterator[Any],
        batch_size: int | None = None,
        verbose: str | int = "auto",
        steps: int | None = None,
        callbacks: Callback | Sequence[Callback] | None = None,
    ) -> Any:
        """The model's outputs on ``x`` as numpy arrays (same structure as the outputs).

        >>> import numpy as np
        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
        >>> probabilities = model.predict(np.ones((1000, 3)), batch_size=256, verbose=0)
        >>> probabilities.shape, probabilities.dtype
        ((1000, 2), dtype('float32'))
        """
        arguments.check_predict(f'Model "{self.name}" predict', x, batch_size, verbose, steps, callbacks)
        adapter = get_data_adapter(x, batch_size=batch_size)
        verbose = _resolve_verbose(verbose)
        callback_list = CallbackList(
            callbacks,
            add_history=False,
            add_progbar=verbose != 0,
            verbose=verbose,
            epochs=1,
            steps=steps or adapter.num_batches,
            model=cast("Model", self),
        )
        predict = self._step_function("predict")
        device = self._data_device()
        outputs = []
        callback_list.on_predict_begin()
        with torch.inference_mode():
            for step, batch in enumerate(adapter.batches(device, steps)):
                callback_list.on_predict_batch_begin(step)
                batch_outputs = predict(batch)
                outputs.append(batch_outputs)
                callback_list.on_predict_batch_end(step, {"outputs": batch_outputs})
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError(_empty_data_message("predict"))
        flat = [tree.flatten(o) for o in outputs]
        joined = [torch.cat([batch[i] for batch in flat]).cpu().numpy() for i in range(len(flat[0]))]
        return tree.pack_sequence_as(outputs[0], joined)

    # -------------------------------------------------------------- on_batch
    def train_on_batch(
        self,
        x: TensorLike | dict[str, TensorLike],
        y: TensorLike | dict[str, TensorLike] | None = None,
        sample_weight: TensorLike | dict[str, TensorLike] | None = None,
        class_weight: dict[int, float] | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """One optimization step on one batch; returns the loss and metrics."""
        self._assert_compiled("train_on_batch")
        arguments.check_on_batch(f'Model "{self.name}" train_on_batch', x, y, sample_weight, class_weight, return_dict)
        batch = next(
            get_data_adapter(x, y, sample_weight, _rows(x), class_weight=class_weight).batches(self._data_device())
        )
        self.reset_metrics()
        step = self._step_function("train")
        if active_data_parallel() is not None:  # each process passes its own part of the batch
            step = averaged_step(self, step)
        return _format_logs(step(batch), return_dict)

    def test_on_batch(
        self,
        x: TensorLike | dict[str, TensorLike],
        y: TensorLike | dict[str, TensorLike] | None = None,
        sample_weight: TensorLike | dict[str, TensorLike] | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """Loss and metrics on one batch."""
        self._assert_compiled("test_on_batch")
        arguments.check_on_batch(f'Model "{self.name}" test_on_batch', x, y, sample_weight, return_dict=return_dict)
        batch = next(get_data_adapter(x, y, sample_weight, _rows(x)).batches(self._data_device()))
        self.reset_metrics()
        with torch.inference_mode():
            logs = self._step_function("test")(batch)
        return _format_logs(logs, return_dict)

    def predict_on_batch(self, x: TensorLike | dict[str, TensorLike]) -> Any:
        """The model's outputs on one batch, as numpy arrays."""
        arguments.check_on_batch(f'Model "{self.name}" predict_on_batch', x)
        batch = next(get_data_adapter(x, batch_size=_rows(x)).batches(self._data_device()))
        with torch.inference_mode():
            outputs = self._step_function("predict")(batch)
        return tree.map_structure(lambda t: t.cpu().numpy(), outputs)

    def _data_device(self):
        for parameter in self.parameters():
            return parameter.device
        return config.default_device()


def _deserialize_nested(value, deserialize):
    """Compile arguments from a config: serialized objects inside lists and dicts are rebuilt,
    names stay names (``compile`` resolves them)."""
    if isinstance(value, dict):
        if "class_name" in value:
            return deserialize(value)
        return {key: _deserialize_nested(item, deserialize) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_deserialize_nested(item, deserialize) for item in value]
    return value


def _batch_size(y_pred):
    return tree.flatten(y_pred)[0].shape[0]


def _detach(x):
    return x.detach() if isinstance(x, torch.Tensor) else x


def _rows(x):
    return int(tree.flatten(x)[0].shape[0])


def _to_float(value):
    return float(value.detach().cpu()) if isinstance(value, torch.Tensor) and value.numel() == 1 else value


def _capped(value, cap):
    """``value`` limited to ``cap`` (None: no limit; a None ``value`` is the cap itself)."""
    if cap is None:
        return value
    return cap if value is None else min(value, cap)


def _flat_logs(logs):
    """A step's logs with nested dicts (``compile_metrics``'s result) merged in, as Keras logs them."""
    if not isinstance(logs, dict) or not any(isinstance(value, dict) for value in logs.values()):
        return logs
    flat = {}
    for name, value in logs.items():
        if isinstance(value, dict):
            flat.update(_flat_logs(value))
        else:
            flat[name] = value
    return flat


def _format_logs(logs, return_dict):
    logs = {name: _to_float(value) for name, value in _flat_logs(logs).items()}
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _validates(epoch, validation_freq):
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 2
    return int(verbose)


def _empty_data_message(what, epoch=None):
    where = f" in epoch {epoch + 1}" if epoch is not None else ""
    return (
        f"{what} received no data{where}: the input produced no batches. If it is a generator that is "
        "exhausted, pass steps_per_epoch (or steps) or a data set that can be iterated again."
    )


def _maybe_compiled(step, jit_compile, kind):
    """``step`` itself, or a ``torch.compile``d version that falls back (with a warning)
    to the eager step when torch cannot compile it. Errors of the step itself (a shape mismatch, a
    ``ValueError`` of the user's ``train_step``) propagate as they would eagerly: the step does not run again."""
    if not jit_compile:
        return step
    compiled = torch.compile(step)
    state = {"function": compiled}

    def run(data):
        function = state["function"]
        if function is step:
            return step(data)
        try:
            return function(data)
        except compile_failure_errors() as error:
            warnings.warn(
                f"jit_compile: torch.compile could not compile the {kind} step ({type(error).__name__}: "
                f"{error}); running it eagerly instead.",
                stacklevel=2,
            )
            state["function"] = step
            return step(data)

    return run

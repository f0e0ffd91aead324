"""``Model``: a Layer that groups layers, in three styles.

- functional: ``Model(inputs, outputs)`` (returns a :class:`Functional`);
- subclassed: define layers in ``__init__`` and override ``call``;
- :class:`Sequential`: a plain stack.

Example:
    >>> import torch
    >>> import kerastorch as keras
    >>> from kerastorch import layers
    >>> inputs = keras.Input((4,))
    >>> outputs = layers.Dense(1)(layers.Dense(8, activation="relu")(inputs))
    >>> model = Model(inputs, outputs)
    >>> model(torch.ones(2, 4)).shape
    torch.Size([2, 1])

    >>> class MLP(Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = layers.Dense(8, activation="relu")
    ...         self.out = layers.Dense(1)
    ...     def call(self, x):
    ...         return self.out(self.hidden(x))
    >>> MLP()(torch.ones(2, 4)).shape
    torch.Size([2, 1])
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Callable, Sequence, cast

import numpy as np
import torch

from kerastorch import tree
from kerastorch.backend.annotations import Shape
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.backend.torch_internals import DATA_DEPENDENT_ERRORS
from kerastorch.layers.base import Layer
from kerastorch.layers.quantization import quantize_model
from kerastorch.models.graph import Graph
from kerastorch.models.summary import print_summary
from kerastorch.saving.load_status import LoadStatus
from kerastorch.saving.saving_api import save_model
from kerastorch.saving.weights_file import load_weights, save_weights
from kerastorch.serialization import serialization_lib
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.trainers.trainer import Trainer

if TYPE_CHECKING:
    from kerastorch.models.functional import Functional
    from kerastorch.quantizers.quantization_config import QuantizationConfig


def _graph_arguments(args, kwargs):
    """(inputs, outputs) when the call looks like ``Model(inputs, outputs)``, else None."""
    inputs = kwargs.get("inputs", args[0] if args else None)
    outputs = kwargs.get("outputs", args[1] if len(args) > 1 else None)
    if inputs is None or outputs is None:
        return None
    return inputs, outputs


@register_builtin("keras.models")
@register_builtin("keras")
class Model(Trainer, Layer):
    """A Layer with model-level utilities (``layers``, ``get_layer``, ``summary``) and
    the training API (``compile``, ``fit``, ``evaluate``, ``predict``).

    ``Model(inputs, outputs)`` (positionally or by keyword) returns a :class:`Functional` model; a subclass
    is built with keyword arguments only and defines its layers in ``__init__`` and its forward pass in
    ``call`` (see the module docstring).

    Args:
        *args: ``inputs, outputs`` of a functional model; nothing else is accepted positionally.
        **kwargs: ``inputs`` and ``outputs`` (functional: KerasTensors from ``keras.Input`` and the layer
            calls on them, each a tensor, list or dict), and the base layer arguments (``name``,
            ``trainable``, ``dtype``...).

    Raises:
        TypeError: for positional arguments other than ``inputs, outputs``.
        ValueError: for functional inputs or outputs that are not symbolic tensors, inputs that do not come
            from ``keras.Input``, outputs that depend on an input not passed, or two layers with one name.
    """

    _saving_layout = "model"

    _graph: Graph | None  # kept in __dict__ (not a torch submodule): None for a subclassed model

    _functional: type[Functional] | None = None
    """The class ``Model(inputs, outputs)`` creates: ``Functional``, which registers itself with its class
    statement (``class Functional(Model, functional=True)``) because its module sits above this one."""

    def __init_subclass__(cls, functional=False, **kwargs):
        super().__init_subclass__(**kwargs)
        if functional:
            Model._functional = cls

    def __new__(cls, *args, **kwargs):
        if cls is Model and _graph_arguments(args, kwargs) is not None:
            return Model._functional.__new__(Model._functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        graph_args = _graph_arguments(args, kwargs)
        if graph_args is None:
            if args:
                raise TypeError(
                    f"{type(self).__name__}: unexpected positional arguments {args}; "
                    "a functional model takes Model(inputs, outputs)"
                )
            super().__init__(**kwargs)
            self.__dict__["_graph"] = None
            return
        kwargs.pop("inputs", None)
        kwargs.pop("outputs", None)
        super().__init__(**kwargs)
        self._init_graph(*graph_args)

    def _init_graph(self, inputs, outputs):
        graph = Graph(inputs, outputs, owner_name=self.name)
        self.__dict__["_graph"] = graph
        for layer in graph.layers:
            self.add_module(module_key(self, layer.name), layer)
        self.built = True
        self._build_shapes = tree.map_structure(lambda t: t.shape, graph.inputs_struct)

    # ----------------------------------------------------------- structure
    @property
    def layers(self) -> list[Layer]:
        """The model's layers, in graph order (functional) or attribute order (subclassed)."""
        if self._graph is not None:
            return list(self._graph.layers)
        return self._flatten_layers(include_self=False, recursive=False)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in :attr:`layers`.

        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, name="hidden"),
        ...                           keras.layers.Dense(1, name="out")])
        >>> model.get_layer("out")
        Dense(units=1, activation=linear, use_bias=True)
        >>> model.get_layer(index=0).name
        'hidden'
        """
        if (name is None) == (index is None):
            raise ValueError(
                f'Model "{self.name}" get_layer: provide exactly one of name or index, '
                f"received name={name!r}, index={index!r}"
            )
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f'Model "{self.name}" get_layer: index {index} is out of range; the model has {len(layers)} layers'
                )
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f'Model "{self.name}" has no layer named "{name}". Its layers are: {[layer.name for layer in layers]}'
        )

    @property
    def inputs(self) -> list[KerasTensor] | None:
        """The symbolic input tensors (functional and built Sequential models)."""
        return None if self._graph is None else list(self._graph.inputs)

    @property
    def outputs(self) -> list[KerasTensor] | None:
        """The symbolic output tensors (functional and built Sequential models)."""
        return None if self._graph is None else list(self._graph.outputs)

    @property
    def input(self) -> Any:
        """The symbolic inputs, in the structure the model was built with (one tensor for one input)."""
        if self._graph is None:
            return super().input
        return self._graph.inputs_struct

    @property
    def output(self) -> Any:
        """The symbolic outputs, in the structure the model was built with (one tensor for one output)."""
        if self._graph is None:
            return super().output
        return self._graph.outputs_struct

    @property
    def input_shape(self) -> Shape | list[Shape]:
        shapes = [t.shape for t in self._require_graph("input_shape").inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Shape | list[Shape]:
        shapes = [t.shape for t in self._require_graph("output_shape").outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def extra_repr(self) -> str:
        shape: Any
        if self._graph is not None:
            shape = self.input_shape
        else:  # a subclassed model: the shapes it was built on, if any
            shape = None if self._build_shapes is None else tree.map_shape_structure(tuple, self._build_shapes)
        return self._describe(name=self.name, **({} if shape is None else {"input_shape": shape}))

    def _require_graph(self, what):
        if self._graph is None:
            raise AttributeError(
                f'Model "{self.name}" has no {what}: it is not a functional model '
                "or has not been built on an input shape yet."
            )
        return self._graph

    # --------------------------------------------------------------- calling
    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        """Run the functional graph (subclassed models override this)."""
        if self._graph is None:
            raise NotImplementedError(
                f'Model "{self.name}" ({type(self).__name__}) has no call(): subclass Model and override '
                "call(), or create it with Model(inputs, outputs)."
            )
        graph = self._graph
        flat = self._standardize_inputs(inputs)
        outputs = graph.run(flat)
        return tree.pack_sequence_as(graph.outputs_struct, outputs)

    def _standardize_inputs(self, inputs):
        graph = self._graph
        expected = graph.inputs_struct
        if isinstance(inputs, dict) and not isinstance(expected, dict):
            names = [t._keras_history[0].name for t in graph.inputs]
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(
                    f'Model "{self.name}": missing inputs {missing}; expected keys {names}, received {sorted(inputs)}'
                )
            flat = [inputs[n] for n in names]
        elif isinstance(expected, dict):
            if not isinstance(inputs, dict) or sorted(inputs) != sorted(expected):
                got = sorted(inputs) if isinstance(inputs, dict) else type(inputs).__name__
                raise ValueError(
                    f'Model "{self.name}": expected a dict of inputs with keys {sorted(expected)}, received {got}'
                )
            flat = tree.flatten(inputs)
        elif isinstance(inputs, (list, tuple)):
            flat = list(inputs)
        else:
            flat = [inputs]
        if len(flat) != len(graph.inputs):
            names = [t._keras_history[0].name for t in graph.inputs]
            raise ValueError(
                f'Model "{self.name}": argument `inputs` must hold one tensor per model input; the model '
                f"expects {len(graph.inputs)} input(s) {names}, received {len(flat)} "
                f"(a {type(inputs).__name__})"
            )
        flat = [_conform_input(x, spec) for x, spec in zip(flat, graph.inputs)]
        for index, (x, spec) in enumerate(zip(flat, graph.inputs)):
            _check_input_shape(self.name, index, x, spec)
        return flat

    # ---------------------------------------------------------------- summary
    def summary(
        self,
        line_length: int | None = None,
        positions: Sequence[float] | None = None,
        print_fn: Callable[..., Any] | None = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Sequence[str] | None = None,
    ) -> None:
        """Print a table of the layers, their output shapes and parameter counts.

        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, name="hidden"),
        ...                           keras.layers.Dense(1, name="out")], name="mlp")
        >>> model.summary()
        Model: "mlp"
        ┏━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━┓
        ┃ Layer (type)   ┃ Output Shape ┃ Param # ┃
        ┡━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━┩
        │ hidden (Dense) │ (None, 8)    │      40 │
        │ out (Dense)    │ (None, 1)    │       9 │
        └────────────────┴──────────────┴─────────┘
         Total params: 49 (196.00 B)
         Trainable params: 49 (196.00 B)
         Non-trainable params: 0 (0.00 B)
        """
        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )

    def save_weights(self, filepath: str | os.PathLike[str], overwrite: bool = True) -> None:
        """Write the model's weights to a file, atomically; the name picks the format.

        ``.safetensors`` (ours, keyed by weight path), ``.weights.h5`` (Keras 3's layout); any other name is a
        TensorFlow checkpoint prefix (``<prefix>.index``, ``<prefix>.data-00000-of-00001`` and a ``checkpoint``
        file beside them), which tf.keras 2 reads.

        Args:
            filepath: str or path-like: the file, or the checkpoint prefix.
            overwrite: bool, default True: whether an existing file (or checkpoint) may be replaced.

        Raises:
            FileExistsError: the file or checkpoint exists and ``overwrite`` is False.
            ValueError: a name for a whole-model file (``.keras``, a legacy ``.h5``).

        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        >>> model.save_weights("model.weights.safetensors")
        >>> model.save_weights("model.weights.safetensors", overwrite=False)
        Traceback (most recent call last):
        ...
        FileExistsError: save_weights: "model.weights.safetensors" exists and overwrite=False
        """
        path = os.fspath(filepath)
        if not overwrite and (os.path.exists(path) or os.path.exists(path + ".index")):
            raise FileExistsError(f'save_weights: "{filepath}" exists and overwrite=False')
        save_weights(self, filepath)  # in data-parallel training only process 0 writes

    def load_weights(self, filepath: str | os.PathLike[str], skip_mismatch: bool = False, **kwargs: Any) -> LoadStatus:
        """Read weights written by :meth:`save_weights` (by path, else by position), a Keras
        ``.weights.h5`` or legacy ``.h5`` file (``by_name=True`` for the latter), or the weights of
        a saved model; returns a status with ``assert_consumed()`` and ``expect_partial()``.

        >>> import kerastorch as keras
        >>> def make_model():
        ...     return keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)], name="regressor")
        >>> model = make_model()
        >>> model.save_weights("model.weights.safetensors")
        >>> clone = make_model()
        >>> clone.load_weights("model.weights.safetensors").assert_consumed()
        >>> bool((clone.layers[0].kernel == model.layers[0].kernel).all())
        True
        """
        unknown = sorted(set(kwargs) - {"by_name"})
        if unknown:
            raise TypeError(f'Model "{self.name}" load_weights: unexpected arguments {unknown}')
        return load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs: Any) -> str:
        """The model's architecture (its serialized config, no weights) as a JSON string.

        Args:
            **kwargs: passed to ``json.dumps`` (``indent=2`` ...).

        Returns:
            str, what :func:`model_from_json` reads back.

        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="out")])
        >>> clone = keras.models.model_from_json(model.to_json())
        >>> clone.get_layer("out").units, clone.output_shape
        (2, (None, 2))
        """
        return json.dumps(serialization_lib.serialize_keras_object(self), **kwargs)

    def save(
        self, filepath: str | os.PathLike[str], overwrite: bool = True, zipped: bool | None = None, **kwargs: Any
    ) -> None:
        """Save the whole model (architecture, weights, compile information, optimizer state):
        a ``.keras`` path is one zip archive, any other path a folder. ``weights_format="h5"``
        writes the weights in Keras 3's layout, so Keras 3 itself loads the archive.

        >>> import os
        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)], name="regressor")
        >>> model.save("model.keras")
        >>> model.save("my_model")  # the folder my_model/
        >>> os.path.isfile("model.keras"), os.path.isdir("my_model")
        (True, True)
        >>> keras.models.load_model("model.keras").name
        'regressor'
        """
        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)  # process 0 writes (data-parallel)

    # Keras's signature: Model.quantize takes (mode, config, filters) where Layer.quantize takes (mode, type_check,
    # config), so the override cannot match its base.
    def quantize(  # type: ignore[override]
        self,
        mode: str | None = None,
        config: QuantizationConfig | None = None,
        filters: str | Sequence[str] | Callable[[Layer], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        """Quantize the weights of the built model's ``Dense``, ``EinsumDense`` and ``Embedding`` layers:
        ``"int8"``, ``"int4"`` or ``"float8"`` (Embedding: int8 and int4), as Keras 3 does (see
        ``kerastorch.layers.quantization``). Other layers are skipped with a warning. The train, test and
        predict steps are rebuilt for the new weights.

        Args:
            mode: String or None, the mode; optional when ``config`` is given.
            config: ``keras.quantizers.QuantizationConfig`` or None: custom quantizers, the int4 block size.
                Defaults to None.
            filters: None, a regex string or a list of them (searched in layer names), or a callable
                ``filters(layer) -> bool``: only the layers it selects are quantized. Defaults to None.
            **kwargs: ``type_check`` (bool, default True): quantize only the exact built-in classes.

        Raises:
            ValueError: For an unbuilt model, an unknown mode, contradictory ``mode`` and ``config``, bad
                ``filters`` or unknown keyword arguments.
            NotImplementedError: For ``"gptq"`` and ``"awq"``, which kerastorch does not implement.

        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        >>> model.quantize("int4")
        >>> model.layers[0].dtype_policy
        <Int4DTypePolicy "int4/128_from_float32">
        """
        if quantize_model(self, mode, config, filters, **kwargs):
            self._optimizer_step = None  # its parameter list and the compiled steps predate the new weights
            self.__dict__.pop("_step_functions", None)

    def build(self, input_shape: Any = None) -> None:
        """Build the model for ``input_shape``. A subclassed model without its own ``build`` is built as Keras 3
        builds it: ``call`` runs on fake inputs of that shape (no data is computed), which builds every layer
        it uses; a ``call`` that needs the data (``.item()``, a boolean mask) leaves its layers to build on the
        first real call. Any other error of ``call`` on inputs of that shape is raised, except on the first real
        call (which builds the model this way too): that call then builds the layers itself."""
        if self._graph is not None or input_shape is None or type(self).build is not Model.build:
            return super().build(input_shape)
        self.built = True  # the run below calls the model, which must not build it again
        self._build_shapes = input_shape
        leaves: list[Any] = []
        tree.map_shape_structure(leaves.append, input_shape)
        if not all(tree.is_shape(leaf) for leaf in leaves):  # not shapes (a call on strings): built when it runs
            return None
        try:
            self.compute_output_spec(tree.map_shape_structure(lambda s: KerasTensor(tuple(s)), input_shape))
        except DATA_DEPENDENT_ERRORS:  # a call() that reads values (.item()): it builds when it runs
            pass
        except Exception:
            # On a first real call, which runs right after this, a failure of the run on fake float32 stand-ins
            # (an int-only call, a library that needs the data) hides nothing: the real call builds what is left
            # and raises any error of its own, as in Keras. A build() of the user's raises it.
            if not self.__dict__.get("_building_from_call"):
                self.built, self._build_shapes = False, None
                raise
        return None

    def _build_on_first_call(self, first, args, kwargs):
        self.__dict__["_building_from_call"] = True
        try:
            super()._build_on_first_call(first, args, kwargs)
        finally:
            del self.__dict__["_building_from_call"]

    def build_from_config(self, build_config: dict[str, Any] | None) -> None:
        """Build from :meth:`get_build_config` output. A subclassed model without its own
        ``build`` is built as Keras 3 does: by calling it on symbolic inputs of that shape."""
        shape = build_config.get("input_shape") if isinstance(build_config, dict) else None
        if self._graph is not None or self.built or shape is None or type(self).build is not Layer.build:
            return super().build_from_config(build_config)
        try:
            inputs = tree.map_shape_structure(lambda s: KerasTensor(tuple(s)), shape)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f'Model "{self.name}" build_from_config: invalid input_shape {shape!r} ({error})'
            ) from error
        self(inputs)

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Model:
        """A functional config (``layers``, ``input_layers``, ``output_layers``) rebuilds the
        graph; any other config is passed to the constructor."""
        if all(key in config for key in ("layers", "input_layers", "output_layers")):
            functional = Model._functional
            assert functional is not None  # Functional registers itself when kerastorch.models is imported
            return functional.from_graph_config(functional if cls is Model else cls, config, custom_objects)
        return cast(Model, super().from_config(config))  # Layer.from_config builds an instance of cls


def model_from_json(json_string: str | bytes | bytearray, custom_objects: dict[str, Any] | None = None) -> Model:
    """A model (new weights) from the JSON that :meth:`Model.to_json` writes (Keras 3's too).

    Args:
        json_string: str, the JSON text.
        custom_objects: dict or None, default None: classes and functions the config names that are not
            built in or registered.

    Returns:
        The model.

    Raises:
        ValueError: when the text is not JSON or not a model config.

    >>> import kerastorch as keras
    >>> inputs = keras.Input((4,))
    >>> model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    >>> model_from_json(model.to_json()).output_shape
    (None, 1)
    """
    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"model_from_json: the text is not JSON ({error})") from None
    model = serialization_lib.deserialize_keras_object(
        config, custom_objects=custom_objects, printable_module_name="model"
    )
    if not isinstance(model, Model):
        raise ValueError(f"model_from_json: the JSON describes a {type(model).__name__}, not a model")
    return model


def _conform_input(x, spec):
    """An input as Keras's functional models take it: bool and integer inputs cast to a floating ``Input``'s
    dtype (one-hot bool arrays), any input to an integer or bool ``Input``'s, and a missing trailing axis of
    size 1 added, or an extra one dropped."""
    if isinstance(x, np.ndarray):
        x = torch.from_numpy(x) if x.dtype != object else x
    if not isinstance(x, torch.Tensor):
        return x
    target = getattr(torch, str(spec.dtype), None)  # None for dtypes torch lacks ("string")
    if (
        isinstance(target, torch.dtype)
        and x.dtype != target
        and not (x.is_floating_point() and target.is_floating_point)
    ):
        x = x.to(target)  # floats stay as they are: layers cast them (autocast), and a double() model takes float64
    rank = len(spec.shape)
    if x.ndim == rank - 1 and spec.shape[-1] == 1:
        x = x.unsqueeze(-1)
    elif x.ndim == rank + 1 and x.shape[-1] == 1:
        x = x.squeeze(-1)
    return x


def _check_input_shape(model_name, index, x, spec):
    shape = getattr(x, "shape", None)
    if shape is None:
        return
    shape = tuple(shape)
    expected = spec.shape
    if len(shape) != len(expected) or any(e is not None and e != s for e, s in zip(expected, shape)):
        raise ValueError(
            f'Input {index} of model "{model_name}" is incompatible: expected shape {expected}, received shape {shape}'
        )


def module_key(module: torch.nn.Module, name: str) -> str:
    """A torch submodule name for a Keras layer name (no dots, no clash with attributes).

    Args:
        module: torch.nn.Module, the model the layer is added to.
        name: str, the layer's Keras name.

    Returns:
        str, a name ``add_module`` accepts.
    """
    key = name.replace(".", "_") or "layer"
    while (
        hasattr(type(module), key)
        or (key in module.__dict__)
        or (key in module._modules and module._modules[key] is not None)
    ):
        key = f"{key}_layer"
    return key

"""``Layer``: the Keras layer, as a ``torch.nn.Module``.

A layer creates its weights lazily in ``build(input_shape)`` (called on the first
call, with the shape of the first input) or eagerly in ``__init__`` with
``add_weight``; ``call(inputs, training=None, ...)`` computes the output.

Training mode: an explicit ``training=`` argument wins; otherwise nested layers
inherit the value of the outermost call; otherwise the module's own
``self.training`` flag is used. kerastorch layers start with ``training=False``
(Keras's inference default), so ``model(x)`` runs dropout-free, while PyTorch code
that calls ``model.train()`` gets training behaviour as it expects.

Example:
    >>> class Linear(Layer):
    ...     def __init__(self, units=32):
    ...         super().__init__()
    ...         self.units = units
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")
    ...         self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
    ...     def call(self, inputs):
    ...         return inputs @ self.w + self.b
    >>> Linear(4)(torch.ones(2, 3)).shape
    torch.Size([2, 4])
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import math
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np
import torch

from kerastorch import config, constraints, dtype_policies, initializers, regularizers, tree
from kerastorch.backend.annotations import DeviceLike, DTypeLike, Identifier, ShapeLike, TensorLike
from kerastorch.backend.keras_tensor import KerasTensor, compute_output_spec, is_symbolic, real_tensors
from kerastorch.backend.naming import to_snake_case, unique_name
from kerastorch.backend.remat import checkpoint_call, get_current_remat_mode, register_call_state, remat
from kerastorch.backend.stateless_scope import get_stateless_scope
from kerastorch.backend.torch_internals import module_to_dtype
from kerastorch.backend.variable import Variable
from kerastorch.backend.weight_budget import charge_weight
from kerastorch.layers.input_spec import InputSpec, assert_input_compatibility
from kerastorch.layers.node import Node
from kerastorch.layers.operation import Operation
from kerastorch.serialization.serialization_lib import serialize_keras_object

if TYPE_CHECKING:
    from kerastorch.dtype_policies import DTypePolicy, PolicyLike
    from kerastorch.quantizers.quantization_config import QuantizationConfig

_CALL_CONTEXT = threading.local()
_BASE_INIT_ARGS = (
    "activity_regularizer",
    "trainable",
    "dtype",
    "autocast",
    "name",
    "input_shape",
    "input_dim",
    "batch_input_shape",
    "batch_size",
    "input_length",
)


class CallSignature:
    """What a layer's ``call`` accepts (``training``, ``mask``), read once per class from its signature.

    Args:
        call: callable, the layer class's ``call`` method.

    >>> CallSignature(lambda self, inputs, training=True: inputs).training_default
    True
    """

    def __init__(self, call: Callable[..., Any]) -> None:
        params = inspect.signature(call).parameters
        self.has_training = "training" in params
        self.has_mask = "mask" in params
        default = params["training"].default if self.has_training else None
        self.training_default = default if isinstance(default, bool) else False
        self.accepts_kwargs = any(p.kind == p.VAR_KEYWORD for p in params.values())


class Layer(torch.nn.Module, Operation):
    """Base class of all layers: a ``torch.nn.Module`` with Keras's layer API (and a ``keras.Operation``).

    A subclass creates its weights in ``build(input_shape)`` (run on the first call) or in
    ``__init__`` with ``add_weight``, and computes its outputs in ``call(inputs, ...)``. Calling a layer
    on tensors runs it eagerly; calling it on ``keras.Input`` tensors builds a functional graph.

    Args:
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's outputs,
            divided by the batch size and added to ``layer.losses`` on each call.
        trainable: bool, default True: whether the layer's weights are trained.
        dtype: str, dtype policy or None, default None: the dtype policy (``"float32"``,
            ``"mixed_float16"``, ...); None uses the global policy.
        autocast: bool, default True: whether floating inputs are cast to the compute dtype.
        name: str or None, default None: the layer's name; a unique snake_case name of the class when None.
        **kwargs: Keras's legacy shape arguments ``input_shape``, ``input_dim``, ``input_length``,
            ``batch_input_shape`` and ``batch_size`` (used by Sequential models to create an input).

    Input shape:
        Whatever the subclass's ``call`` accepts.

    Output shape:
        Whatever the subclass's ``call`` returns (see ``compute_output_shape``).

    Raises:
        TypeError: an unrecognized keyword argument, or a ``name`` that is not a string.

    >>> layer = Layer(name="plain", trainable=False)
    >>> layer.name, layer.trainable, layer.dtype
    ('plain', False, 'float32')
    """

    _saving_layout = "layer"
    """How the saving formats walk this object (Keras 3's layout): ``"layer"`` (its attributes), ``"model"``
    (its attributes and a ``layers`` list) or ``"graph"`` (Functional and Sequential: one ``layers`` list)."""

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        instance.__dict__["_auto_config"] = _capture_init_args(cls, args, kwargs)
        instance.__dict__["_remat_mode"] = get_current_remat_mode()  # a layer created in a keras.RematScope
        return instance

    def __init__(
        self,
        *,
        activity_regularizer: Identifier = None,
        trainable: bool = True,
        dtype: PolicyLike = None,
        autocast: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        input_shape = _pop_input_shape(kwargs)
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}: unrecognized keyword arguments {sorted(kwargs)}; "
                f"expected the layer's own arguments or one of {list(_BASE_INIT_ARGS)}"
            )
        super().__init__()
        self.training = False
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string, received {name!r}")
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.built = False
        self.input_spec = None
        self._signature = None
        self.supports_masking = False
        self.autocast = autocast
        self.dtype_policy = dtype
        self._losses: list[torch.Tensor] = []
        self._inbound_nodes = []
        self._build_shapes = None
        self._build_device = None
        self._batch_input_shape = input_shape
        self.activity_regularizer = regularizers.get(activity_regularizer)

    # ------------------------------------------------------------------ calling
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # The steps of a call, in order. The hot path (an eager call of a built layer on one tensor) runs only the
        # checks written here, inline; each step that has work to do is a method or function of its own.
        scope = get_stateless_scope()
        if scope is not None and not scope.is_bound(self):
            return self._call_in_stateless_scope(scope, args, kwargs)
        first = args[0] if args else (next(iter(kwargs.values())) if kwargs else None)
        if type(first) is not torch.Tensor or len(args) > 1 or kwargs:  # anything but one plain tensor
            prepared = self._prepare_inputs(first, args, kwargs)
            if prepared is None:
                return self._symbolic_call(args, kwargs)
            first, args, kwargs = prepared
        if not self.built:
            self._build_on_first_call(first, args, kwargs)
        if self.input_spec is not None:
            self._check_input_spec(first)
        if self._mixed_dtype is not None and _outermost_mixed_call(first):
            with torch.autocast(first.device.type, dtype=self._mixed_dtype):
                return self.__call__(*args, **kwargs)
        cast_to = self._autocast_dtype
        if cast_to is not None and args and getattr(first, "dtype", None) is not cast_to:
            args = _autocast_inputs(first, args, cast_to)
        outputs, previous_mask = self._forward_pass(first, args, kwargs, self._signature or self._call_signature())
        if self.activity_regularizer is not None:
            self._add_activity_losses(outputs)
        if self.supports_masking and (previous_mask is not None or type(self).compute_mask is not Layer.compute_mask):
            attach_mask(outputs, self.compute_mask(first, previous_mask))
        return outputs

    def _prepare_inputs(self, first, args, kwargs):
        """None for a call on KerasTensors (a functional graph is being built), else ``(first, args, kwargs)``
        with NumPy arrays (and other array data) converted to tensors: on the weights' device when the first
        input is neither a tensor nor a list of tensors, else beside it (a NumPy mask or second input)."""
        if not isinstance(first, torch.Tensor) and not _is_tensor_list(first):
            if is_symbolic((args, kwargs)):
                return None
            args, kwargs = _convert_arrays((args, kwargs), self._weight_device())
            return (args[0] if args else None), args, kwargs
        if len(args) > 1 or kwargs:
            for value in (*args[1:], *kwargs.values()):
                if isinstance(value, np.ndarray):  # a NumPy mask or second input beside a tensor
                    device = first.device if isinstance(first, torch.Tensor) else None
                    args, kwargs = _convert_arrays((args, kwargs), device)
                    break
        return first, args, kwargs

    def _build_on_first_call(self, first, args, kwargs):
        """Build from the first call's inputs; a spec known before build is checked first, as in Keras."""
        if self.input_spec is not None:
            self._check_input_spec(first)
        self._build_from_inputs(args, kwargs)

    def _call_signature(self):
        """What ``call`` accepts (``training``, ``mask``, ``**kwargs``), found on the first call."""
        self._signature = CallSignature(self.call)
        return self._signature

    def _forward_pass(self, first, args, kwargs, signature):
        """``(outputs, input mask)``: the torch forward pass (``call``) with the mask and training mode the call
        resolves, after the losses of the last call are cleared.

        The mask: an explicit ``mask=`` wins over the one the inputs carry (``_keras_mask``), which a ``call``
        that takes ``mask`` receives. Training: an explicit ``training=`` wins, then the outermost call's
        (which the layers below inherit during the call), then the module's own ``training`` flag."""
        if self._losses:
            self._losses.clear()
        mask = kwargs.get("mask")
        if mask is None and (self.supports_masking or signature.has_mask):
            mask = mask_of(first)
            if mask is not None and signature.has_mask:
                kwargs["mask"] = mask
        outer = getattr(_CALL_CONTEXT, "training", None)
        if signature.has_training:
            training = kwargs.get("training")
            if training is None:
                training = outer
                if training is None:
                    training = self.training or signature.training_default
                kwargs["training"] = training
        elif "training" in kwargs:
            training = kwargs["training"] if signature.accepts_kwargs else kwargs.pop("training")
        else:
            training = None
        if outer is None and training is not None:
            _CALL_CONTEXT.training = training
            try:
                outputs = (
                    super().__call__(*args, **kwargs)
                    if self._remat_mode is None
                    else self._rematerialized_call(args, kwargs)
                )
            finally:
                _CALL_CONTEXT.training = None
        else:
            outputs = (
                super().__call__(*args, **kwargs)
                if self._remat_mode is None
                else self._rematerialized_call(args, kwargs)
            )
        return outputs, mask

    def _add_activity_losses(self, outputs):
        """The activity regularizer's penalty on each output, divided by the batch size, as a loss of the call."""
        for output in tree.flatten(outputs):
            self._losses.append(self.activity_regularizer(output) / output.shape[0])
            _collect_loss(self._losses[-1])

    _remat_mode = None  # the keras.RematScope the layer was created in (set by __new__)

    def _rematerialized_call(self, args, kwargs):
        """The torch forward pass of a layer created in a ``keras.RematScope``, rematerialized as its mode says
        (a plain call without gradient recording)."""
        mode = self._remat_mode
        if not torch.is_grad_enabled() or (mode.mode == "list_of_layers" and self.name not in mode.layer_names):
            return super().__call__(*args, **kwargs)
        if mode.mode == "activations":
            swapped = {
                name: fn for name, fn in self.__dict__.items() if name in ("activation", "_activation") and callable(fn)
            }
            self.__dict__.update({name: remat(fn) for name, fn in swapped.items()})
            try:
                return super().__call__(*args, **kwargs)
            finally:
                self.__dict__.update(swapped)
        if mode.mode == "larger_than" and not self._output_larger_than(mode.output_size_threshold, args, kwargs):
            return super().__call__(*args, **kwargs)
        return checkpoint_call(super().__call__, args, kwargs, state=self)

    def _output_larger_than(self, threshold, args, kwargs):
        """Whether the outputs of a call on these arguments hold more than ``threshold`` numbers (found from
        the output spec, once per input shapes and dtypes)."""
        key = tuple(
            (tuple(x.shape), x.dtype) if isinstance(x, torch.Tensor) else None for x in tree.flatten((args, kwargs))
        )
        sizes = self.__dict__.setdefault("_remat_sizes", {})
        if key not in sizes:
            spec_args, spec_kwargs = tree.map_structure(
                lambda x: KerasTensor(tuple(x.shape), x.dtype) if isinstance(x, torch.Tensor) else x, (args, kwargs)
            )
            if "training" in spec_kwargs:  # the shapes in inference mode: a shape run updates no statistics
                spec_kwargs["training"] = False
            with _training_context(False):
                spec = self.compute_output_spec(*spec_args, **spec_kwargs)
            total = sum(math.prod(t.shape) for t in tree.flatten(spec) if isinstance(t, KerasTensor))
            sizes[key] = total > threshold
        return sizes[key]

    def _call_in_stateless_scope(self, scope, args, kwargs):
        """``__call__`` with the weights of this layer and those below it reading the values of ``scope``."""
        modules = list(self.modules())
        slots = []
        for module in modules:
            slots.extend((module._parameters, key) for key in module._parameters)
            slots.extend((module.__dict__, alias) for alias in module.__dict__.get("_weight_aliases", ()))
        token = scope.bind(modules, slots)
        try:
            return self.__call__(*args, **kwargs)
        finally:
            scope.unbind(token)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the outputs (Keras masking): the input mask, passed through, by default.

        >>> import torch
        >>> from kerastorch import layers
        >>> layers.Embedding(10, 4, mask_zero=True).compute_mask(torch.tensor([[3, 0]]))
        tensor([[ True, False]])
        """
        return mask

    @property
    def input_spec(self) -> InputSpec | Sequence[InputSpec | None] | None:
        """What the layer accepts (an :class:`InputSpec`, a list of them, or None)."""
        return self.__dict__.get("_input_spec")

    @input_spec.setter
    def input_spec(self, value: InputSpec | Sequence[InputSpec | None] | None) -> None:
        self.__dict__["_input_spec"] = value
        self.__dict__["_checked_shape"] = None  # a new spec checks the next input again

    def _check_input_spec(self, inputs):
        """``input_spec`` check; a tensor shape that passed once is not checked again."""
        shape = inputs.shape if isinstance(inputs, torch.Tensor) else None
        if shape is None or shape != self._checked_shape:
            assert_input_compatibility(self.input_spec, inputs, self.name)
            self._checked_shape = shape

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """torch entry point; runs :meth:`call`."""
        return self.call(*args, **kwargs)

    def call(self, inputs: Any, /, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation. Subclasses override it."""
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement call()")

    def _symbolic_call(self, args, kwargs):
        if not self.built:
            self._build_from_inputs(args, kwargs, symbolic=True)
        if self.input_spec is not None and args:
            assert_input_compatibility(self.input_spec, args[0], self.name)
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, args, kwargs, outputs)
        return outputs

    # A layer whose output has its input's shape and dtype (activations, dropouts, normalizations) sets this:
    # its symbolic calls on one plain input then need no fake run, which deep models (applications) feel.
    # A subclass written outside kerastorch that overrides ``call`` is not trusted with it (unless it sets it).
    _preserves_shape = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _marks_built(cls.__dict__["build"])
        if (
            "call" in cls.__dict__
            and "_preserves_shape" not in cls.__dict__
            and not cls.__module__.startswith("kerastorch.")
        ):
            cls._preserves_shape = False

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """Output KerasTensors for KerasTensor inputs, found by running ``call`` on
        fake tensors (no data is computed)."""
        if self._preserves_shape and plain_symbolic_input(args, kwargs, self.compute_dtype):
            return KerasTensor(args[0].shape, args[0].dtype)
        try:
            return compute_output_spec(self.__call__, args, kwargs, device=self._weight_device())
        finally:
            self._clear_losses_below()

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for an input shape (``None`` for unknown dimensions). An unbuilt layer
        stays unbuilt: the shape is found on a copy."""
        target = self if self.built else copy.deepcopy(self)
        return target._output_shape_of_built(input_shape)

    def _output_shape_of_built(self, input_shape):
        inputs = tree.map_shape_structure(lambda s: KerasTensor(s, self.compute_dtype), input_shape)
        if not self.built:
            self._build_from_inputs((inputs,), {}, symbolic=True)
        outputs = self.compute_output_spec(inputs)
        return tree.map_structure(lambda t: t.shape, outputs)

    # ----------------------------------------------------------------- building
    def build(self, input_shape: Any) -> None:
        """Create the layer's weights for ``input_shape``. Subclasses override it."""
        self.built = True

    def _build_from_inputs(self, args, kwargs, symbolic=False):
        shapes = tree.map_structure(
            lambda x: tuple(x.shape) if hasattr(x, "shape") else x, args[0] if args else next(iter(kwargs.values()))
        )
        if not symbolic:
            tensors = [x for x in tree.flatten(args) if isinstance(x, torch.Tensor)]
            self._build_device = tensors[0].device if tensors else None
        try:
            with real_tensors():
                self._run_build(shapes, args, kwargs)
        finally:
            self._build_device = None

    def _run_build(self, shapes, args=(), kwargs=None):
        params = list(inspect.signature(self.build).parameters)
        named = [p for p in params if p.endswith("_shape")]
        if len(params) > 1 and len(named) == len(params) and args is not None:
            call_params = list(inspect.signature(self.call).parameters)
            values = dict(zip(call_params, args), **(kwargs or {}))
            shape_of = lambda x: None if x is None else tree.map_structure(lambda t: tuple(t.shape), x)
            self.build(**{p: shape_of(values.get(p[: -len("_shape")])) for p in named})
        else:
            self.build(shapes)
        self._build_shapes = shapes
        self.built = True

    def get_build_config(self) -> dict[str, Any] | None:
        """The shape this layer was built for, for saving."""
        if self._build_shapes is None:
            return None
        return {"input_shape": tree.map_shape_structure(lambda s: list(s), self._build_shapes)}

    def build_from_config(self, build_config: dict[str, Any] | None) -> None:
        """Build the layer from :meth:`get_build_config` output."""
        if build_config and not self.built:
            shape = tree.map_shape_structure(tuple, build_config["input_shape"])
            with real_tensors():
                self._run_build(shape, args=None)

    # ------------------------------------------------------------------ weights
    def add_weight(
        self,
        shape: ShapeLike | None = None,
        initializer: Identifier | torch.Tensor | np.ndarray = None,
        dtype: DTypeLike = None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer: Identifier = None,
        constraint: Identifier = None,
        aggregation: str = "none",
        overwrite_with_gradient: bool = False,
        name: str | None = None,
        device: DeviceLike = None,
    ) -> Variable:
        """Create a weight (a :class:`Variable`, i.e. a ``torch.nn.Parameter``) and track it.

        >>> layer = Layer(name="my_layer")
        >>> w = layer.add_weight(shape=(3, 4), initializer="glorot_uniform", name="kernel")
        >>> w.path, tuple(w.shape), w.trainable
        ('my_layer/kernel', (3, 4), True)

        On the ``meta`` device (``keras.config.set_device("meta")``) weights have shapes and no values, and
        the initializer does not run: a large model's architecture and parameter count in no time.
        """
        shape = _standardize_weight_shape(shape, self.name, name)
        dtype = config.standardize_dtype(dtype or self.variable_dtype)
        if initializer is None:
            floating = dtype.startswith(("float", "bfloat", "complex"))
            initializer = "glorot_uniform" if floating else "zeros"
        resolved = initializers.get(initializer)
        charge_weight(shape, config.torch_dtype(dtype), f'Layer "{self.name}"', name or "variable")
        target = torch.device(device or self._weight_device())
        with real_tensors():
            if target.type == "meta" and not isinstance(resolved, torch.Tensor):
                value = torch.empty(shape, dtype=config.torch_dtype(dtype), device=target)  # shapes only: no draw
            else:
                value = resolved(shape, dtype=dtype) if not isinstance(resolved, torch.Tensor) else resolved
            value = torch.as_tensor(value, dtype=config.torch_dtype(dtype))
            if tuple(value.shape) != shape:
                raise ValueError(
                    f'Layer "{self.name}": the initializer of weight {name!r} returned shape '
                    f"{tuple(value.shape)}, expected {shape}"
                )
            value = value.to(target)
            variable = Variable(
                value,
                trainable=trainable,
                name=name or "variable",
                regularizer=regularizers.get(regularizer),
                constraint=constraints.get(constraint),
            )
        if not self._trainable:
            variable.requires_grad_(False)
        if self.__dict__.get(variable.name, False) is None:  # a `self.bias = None` placeholder
            del self.__dict__[variable.name]
        key = _unique_key(self, variable.name)
        setattr(variable, "_path", f"{self.name}/{variable.name}")  # the attribute Variable.__new__ sets
        self.register_parameter(key, variable)
        return variable

    def _apply(self, fn, recurse=True):
        # model.to(torch.float64) / .half(): the layer then computes in its weights' new dtype.
        result = super()._apply(fn, recurse)
        floating = next((p for p in self._parameters.values() if p is not None and p.is_floating_point()), None)
        if floating is not None and config.standardize_dtype(floating.dtype) != self._dtype_policy.variable_dtype:
            self.dtype_policy = floating.dtype
        return result

    # module.to(torch.float64) / .double() / .half() ...: every layer below, weights or not, computes in the
    # new float dtype (a weightless layer such as Dropout would otherwise cast activations back).
    def to(self, *args, **kwargs):
        result = super().to(*args, **kwargs)
        dtype = module_to_dtype(*args, **kwargs)
        if dtype is not None and dtype.is_floating_point:
            self._follow_float_dtype(dtype)
        return result

    def double(self):
        return self.to(torch.float64)

    def float(self):
        return self.to(torch.float32)

    def half(self):
        return self.to(torch.float16)

    def bfloat16(self):
        return self.to(torch.bfloat16)

    def _follow_float_dtype(self, dtype):
        name = config.standardize_dtype(dtype)
        for layer in self._flatten_layers():
            if layer._dtype_policy.variable_dtype != name or layer._dtype_policy.compute_dtype != name:
                layer.dtype_policy = dtype

    def _weight_device(self):
        if self._build_device is not None:
            return self._build_device
        for parameter in self.parameters():
            return parameter.device
        return config.default_device()

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is not None and isinstance(value, torch.nn.Parameter):
            key = next((k for k, p in params.items() if p is value), None)
            if key is not None and key != name:
                # A weight made by add_weight, stored under another attribute name: one registration,
                # and a plain attribute for fast access (kept in sync by the branch below).
                self.__dict__.setdefault("_weight_aliases", {})[name] = key
                object.__setattr__(self, name, value)
                return
            for alias, target in self.__dict__.get("_weight_aliases", {}).items():
                if target == name:  # the registered weight is replaced (load_state_dict(assign=True))
                    object.__setattr__(self, alias, value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, torch.nn.Module) for v in value):
            value = torch.nn.ModuleList(value)
        aliases = self.__dict__.get("_weight_aliases")
        if aliases and name in aliases:
            del aliases[name]
            self.__dict__.pop(name, None)
        super().__setattr__(name, value)

    def _flatten_layers(self, include_self=True, recursive=True):
        """This layer and the layers below it (each once), in tracking order."""
        seen = set()
        out = []

        def visit(module, top):
            for child in module._modules.values():
                if child is None or id(child) in seen:
                    continue
                if isinstance(child, Layer):
                    seen.add(id(child))
                    out.append(child)
                    if recursive:
                        visit(child, False)
                else:
                    visit(child, False)  # containers such as ModuleList

        if include_self:
            seen.add(id(self))
            out.append(self)
        visit(self, True)
        return out

    def _own_parameters(self):
        """Parameters held by this layer directly or by plain torch modules inside it."""
        own = list(self._parameters.values())
        stack = [m for m in self._modules.values() if m is not None and not isinstance(m, Layer)]
        while stack:
            module = stack.pop(0)
            own.extend(module._parameters.values())
            stack[:0] = [m for m in module._modules.values() if m is not None and not isinstance(m, Layer)]
        return [p for p in own if p is not None]

    @property
    def weights(self) -> list[torch.nn.Parameter]:
        """All weights: this layer's trainable then non-trainable, then those of sublayers."""
        out, seen = [], set()
        for layer in self._flatten_layers():
            own = layer._own_parameters()
            for p in sorted(own, key=lambda p: not getattr(p, "_created_trainable", True)):
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append(p)
        return out

    @property
    def trainable_weights(self) -> list[torch.nn.Parameter]:
        """Weights that optimizers update."""
        return [w for w in self.weights if w.requires_grad]

    @property
    def non_trainable_weights(self) -> list[torch.nn.Parameter]:
        """Weights that optimizers leave alone (frozen or declared non-trainable)."""
        return [w for w in self.weights if not w.requires_grad]

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self) -> bool:
        """Whether this layer's weights are trained; setting it recurses into sublayers."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        for layer in self._flatten_layers():
            layer._trainable = value
            for p in layer._own_parameters():
                p.requires_grad_(value and _declared_trainable(p))

    def get_weights(self) -> list[np.ndarray]:
        """The weights as numpy arrays, in Keras layouts and order."""
        return [w.detach().cpu().numpy().copy() for w in self.weights]

    def set_weights(self, weights: Iterable[TensorLike]) -> None:
        """Copy numpy arrays into the weights; shapes are checked before anything is written."""
        params = self.weights
        weights = list(weights)
        if len(weights) != len(params):
            raise ValueError(
                f'Layer "{self.name}" set_weights: expected a list of {len(params)} arrays '
                f"({[tuple(p.shape) for p in params]}), received {len(weights)}"
            )
        arrays = []
        for p, w in zip(params, weights):
            w = w.detach().cpu().numpy() if isinstance(w, torch.Tensor) else np.asarray(w)
            if tuple(w.shape) != tuple(p.shape):
                raise ValueError(
                    f'Layer "{self.name}" set_weights: weight {_path_of(p)} expects shape '
                    f"{tuple(p.shape)}, received an array of shape {tuple(w.shape)}"
                )
            arrays.append(w)
        with torch.no_grad():
            for p, w in zip(params, arrays):
                p.copy_(torch.from_numpy(np.ascontiguousarray(w)).reshape(p.shape).to(p.dtype))

    def count_params(self) -> int:
        """The number of scalars in all weights."""
        if not self.built and not self.weights:
            raise ValueError(
                f'Layer "{self.name}" has not been built yet, so it has no weights to count. '
                "Call it on an input or call build(input_shape) first."
            )
        return int(sum(w.numel() for w in self.weights))

    # ------------------------------------------------------------------- losses
    def add_loss(self, loss: TensorLike) -> None:
        """Record a scalar loss (e.g. an activity penalty) computed in ``call``."""
        self._losses.append(loss if isinstance(loss, torch.Tensor) else torch.as_tensor(loss))
        _collect_loss(self._losses[-1])

    @property
    def losses(self) -> list[torch.Tensor]:
        """Losses added in the last call plus the weight regularization penalties."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._losses)
            for p in layer._own_parameters():
                regularizer = getattr(p, "regularizer", None)
                if regularizer is not None:
                    out.append(regularizer(p))
        return out

    def _clear_losses_below(self):
        for layer in self._flatten_layers():
            layer._losses.clear()

    # -------------------------------------------------------------------- dtype
    @property
    def dtype_policy(self) -> DTypePolicy:
        """The layer's :class:`DTypePolicy` (compute and variable dtypes)."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value: PolicyLike) -> None:
        policy = dtype_policies.get(value)
        self._dtype_policy = policy
        # Float inputs are cast to the compute dtype, except under mixed policies (torch.autocast's job).
        plain = policy.compute_dtype == policy.variable_dtype
        self._autocast_dtype = config.torch_dtype(policy.compute_dtype) if self.autocast and plain else None
        # Mixed policies: the outermost mixed layer runs its call under torch.autocast.
        self._mixed_dtype = None if plain else config.torch_dtype(policy.compute_dtype)

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights (``"float32"``)."""
        return self._dtype_policy.variable_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype the layer computes in."""
        return self._dtype_policy.compute_dtype

    @property
    def _compute_torch_dtype(self):
        return config.torch_dtype(self._dtype_policy.compute_dtype)

    # ------------------------------------------------------------- quantization
    @property
    def quantization_mode(self) -> str | None:
        """The quantization mode of the layer's dtype policy (``"int8"``, ``"int4"``, ``"float8"``), or None."""
        return self._dtype_policy.quantization_mode

    def quantize(
        self, mode: str | None = None, type_check: bool = True, config: QuantizationConfig | None = None
    ) -> None:
        """Quantize the layer's weights (``Dense``, ``EinsumDense`` and ``Embedding`` implement it, see
        ``kerastorch.layers.quantization``; models quantize their layers).

        Args:
            mode: String or None, ``"int8"``, ``"int4"`` or ``"float8"``.
            type_check: Bool, whether only the exact built-in class may be quantized. Defaults to True.
            config: ``keras.quantizers.QuantizationConfig`` or None. Defaults to None.

        Raises:
            NotImplementedError: Always, for a layer without quantized weights.

        >>> Layer().quantize("int8")
        Traceback (most recent call last):
        ...
        NotImplementedError: Layer Layer does not have a `quantize` method implemented.
        """
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `quantize` method implemented.")

    # ------------------------------------------------------------ graph access
    def _last_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f'Layer "{self.name}" has never been called on symbolic inputs, so it has no {what}.')
        return self._inbound_nodes[-1]

    @property
    def input(self) -> Any:
        """The symbolic input of the layer's last symbolic call."""
        return self._last_node("input").input_structure

    @property
    def output(self) -> Any:
        """The symbolic output of the layer's last symbolic call."""
        return self._last_node("output").output_structure

    # ------------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments of this layer, as plain JSON-compatible data."""
        base = {"name": self.name, "trainable": self.trainable, "dtype": serialize_keras_object(self._dtype_policy)}
        if type(self).get_config is not Layer.get_config or not _init_has_own_args(type(self)):
            return base
        auto = self.__dict__.get("_auto_config")
        if auto is None:
            raise NotImplementedError(
                f"Layer {type(self).__name__} has arguments in __init__ that are not plain JSON values "
                "and therefore must override get_config()."
            )
        base.update(auto)
        return base

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Create a layer from :meth:`get_config` output."""
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = dtype_policies.get(config["dtype"])
        try:
            return cls(**config)
        except TypeError as error:
            raise TypeError(
                f"{cls.__name__}.from_config could not create the layer from config keys {sorted(config)}: {error}"
            ) from error

    # ---------------------------------------------------------------- printing
    def __repr__(self) -> str:
        """torch's module tree (``print(model)``), each line with its layer's :meth:`extra_repr`."""
        try:
            return torch.nn.Module.__repr__(self)
        except AttributeError:  # a layer still in its __init__ (a debugger, an error message)
            return f"{type(self).__name__}(name={self.__dict__.get('name')})"

    def extra_repr(self) -> str:
        """What ``print(layer)`` shows between the parentheses of torch's module tree.

        Each layer family shows its main Keras arguments (``Dense``: ``units``, ``activation``, ``use_bias``;
        models: ``name`` and the built ``input_shape`` ...), and every layer adds ``trainable=False`` when it is
        frozen and ``dtype`` when its dtype policy is not ``keras.config.floatx()``. Child layers follow on their
        own lines, as in any ``torch.nn.Module``; a custom layer overrides it as a torch module does.

        Returns:
            String, ``key=value`` pairs separated by commas (empty when there is nothing to show).

        >>> import kerastorch as keras
        >>> keras.layers.Dense(4, activation="relu")
        Dense(units=4, activation=relu, use_bias=True)
        >>> keras.layers.Flatten(trainable=False, dtype="float64")
        Flatten(trainable=False, dtype=float64)
        """
        return self._describe()

    def _describe(self, **facts):
        """The ``extra_repr`` text of a family's ``facts`` and the ones every layer has."""
        if not self.trainable:
            facts["trainable"] = False
        if self._dtype_policy.name != config.floatx():
            facts["dtype"] = self._dtype_policy.name
        return ", ".join(f"{key}={_repr_value(value)}" for key, value in facts.items())


def _repr_value(value):
    """A fact as :meth:`Layer.extra_repr` shows it: strings and functions by name, the rest as Python's repr."""
    if isinstance(value, str):
        return value
    if callable(value) and not isinstance(value, type):
        return getattr(value, "__name__", type(value).__name__)
    return repr(value)


def _marks_built(build):
    """A subclass's ``build``, which also marks the layer built when user code calls it directly (as Keras does),
    so that the first call does not build it again."""
    if getattr(build, "_marks_built", False):
        return build

    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        result = build(self, *args, **kwargs)
        if len(args) == 1 and not kwargs and getattr(self, "_build_shapes", None) is None:
            self._build_shapes = args[0]  # for get_build_config; _run_build records the same when it builds
        self.built = True
        return result

    wrapper._marks_built = True
    return wrapper


def _collect_loss(loss):
    """Also give ``loss`` to an enclosing ``keras.StatelessScope(collect_losses=True)``."""
    scope = get_stateless_scope()
    if scope is not None and scope.collect_losses:
        scope.add_loss(loss)


@contextlib.contextmanager
def _training_context(training):
    previous = getattr(_CALL_CONTEXT, "training", None)
    _CALL_CONTEXT.training = training
    try:
        yield
    finally:
        _CALL_CONTEXT.training = previous


# A rematerialized forward pass is recomputed during the backward pass: with the training flag it ran with.
register_call_state(lambda: functools.partial(_training_context, getattr(_CALL_CONTEXT, "training", None)))


def _cast_float(x, dtype):
    """``x`` in ``dtype`` when it is a floating tensor (Keras autocasting), else unchanged; the Keras mask stays."""
    if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.dtype == dtype:
        return x
    cast = x.to(dtype)
    mask = getattr(x, "_keras_mask", None)
    if mask is not None:
        cast._keras_mask = mask
    return cast


def mask_of(inputs: Any) -> torch.Tensor | list[torch.Tensor | None] | None:
    """The Keras mask carried by a tensor (``_keras_mask``), or the list of masks of a list of tensors.

    Args:
        inputs: a tensor, a list or tuple of tensors, or anything else (which carries no mask).

    Returns:
        The mask tensor, a list of masks (None where a tensor has none) when one of them has a mask, or None.

    >>> x = torch.ones(2, 3); attach_mask(x, torch.tensor([True, False]))
    >>> mask_of(x), mask_of([x, torch.ones(2)])
    (tensor([ True, False]), [tensor([ True, False]), None])
    """
    if isinstance(inputs, torch.Tensor):
        return getattr(inputs, "_keras_mask", None)
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return masks if any(m is not None for m in masks) else None
    return None


def attach_mask(outputs: Any, mask: Any) -> None:
    """Attach ``mask`` to the output tensor(s) that carry none yet (Keras's torch-backend convention).

    Args:
        outputs: a tensor, or a list or tuple of tensors.
        mask: a mask tensor (given to every output), a list of masks (one per output), or None (nothing to do).

    >>> y = torch.ones(2); attach_mask(y, torch.tensor([True, True])); mask_of(y)
    tensor([True, True])
    """
    if mask is None:
        return
    if isinstance(outputs, torch.Tensor):
        if getattr(outputs, "_keras_mask", None) is None:
            outputs._keras_mask = mask  # type: ignore[attr-defined]  # torch tensors take attributes
    elif isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for output, output_mask in zip(outputs, masks):
            attach_mask(output, output_mask)


def _autocasting(device_type):
    try:
        return torch.is_autocast_enabled(device_type)
    except TypeError:  # torch < 2.4 takes no device type
        return torch.is_autocast_enabled() or torch.is_autocast_cpu_enabled()


def _outermost_mixed_call(first):
    """Whether a layer with a mixed dtype policy runs its call under ``torch.autocast``: its first input is a
    tensor and no autocast is active on its device yet."""
    return isinstance(first, torch.Tensor) and not _autocasting(first.device.type)


def _autocast_inputs(first, args, dtype):
    """``args`` with the floating first input (or the floating tensors of a first list or tuple) cast to the
    layer's compute ``dtype``."""
    if isinstance(first, torch.Tensor):
        if first.dtype != dtype and first.is_floating_point():
            return (_cast_float(first, dtype),) + args[1:]
    elif isinstance(first, (list, tuple)) and any(
        isinstance(x, torch.Tensor) and x.dtype != dtype and x.is_floating_point() for x in first
    ):
        return (type(first)(_cast_float(x, dtype) for x in first),) + args[1:]
    return args


def _is_tensor_list(x):
    """A list or tuple of real tensors (merge-layer inputs): the fast path of ``__call__``."""
    return isinstance(x, (list, tuple)) and bool(x) and all(isinstance(t, torch.Tensor) for t in x)


def _declared_trainable(p):
    return getattr(p, "_declared_trainable", p.requires_grad)


def _path_of(p):
    return getattr(p, "path", "weight")


def _unique_key(module, name):
    """A free parameter name on ``module`` for a weight called ``name``."""
    key = name.replace(".", "_").replace("/", "_") or "variable"
    candidate, index = key, 1
    while candidate in module._parameters or candidate in module.__dict__ or hasattr(type(module), candidate):
        candidate = f"{key}_{index}"
        index += 1
    return candidate


def _standardize_weight_shape(shape: Any, layer_name: str, weight_name: str | None) -> tuple[int, ...]:
    if shape is None:
        return ()
    try:
        shape = tuple(int(d) for d in (shape if isinstance(shape, (tuple, list, torch.Size)) else (shape,)))
    except (TypeError, ValueError):
        raise ValueError(
            f'Layer "{layer_name}": weight {weight_name!r} needs a fully defined shape of ints, received {shape!r}'
        ) from None
    if any(d < 0 for d in shape):
        raise ValueError(f'Layer "{layer_name}": weight {weight_name!r} has a negative dimension in {shape}')
    return shape


def _pop_input_shape(kwargs):
    """Keras's legacy ``input_shape`` / ``input_dim`` / ``batch_input_shape`` arguments."""
    batch_size = kwargs.pop("batch_size", None)
    shape = kwargs.pop("batch_input_shape", None)
    if "input_shape" in kwargs:
        shape = (batch_size,) + tuple(kwargs.pop("input_shape"))
    if "input_dim" in kwargs:
        length = kwargs.pop("input_length", None)
        dim = kwargs.pop("input_dim")
        shape = (batch_size, dim) if length is None else (batch_size, length, dim)
    kwargs.pop("input_length", None)
    return None if shape is None else tuple(shape)


def _convert_arrays(structure, device):
    """numpy arrays in ``structure`` become tensors on ``device`` (float64 to floatx)."""

    def convert(x):
        if isinstance(x, np.ndarray):
            tensor = torch.from_numpy(x)
            if tensor.is_floating_point():
                tensor = tensor.to(config.torch_dtype(None))
            return tensor.to(device)
        return x

    return tree.map_structure(convert, structure)


def _init_has_own_args(cls):
    params = inspect.signature(cls.__init__).parameters
    return any(
        p not in ("self",) + _BASE_INIT_ARGS and params[p].kind not in (params[p].VAR_KEYWORD, params[p].VAR_POSITIONAL)
        for p in params
    )


_JSON_TYPES = (type(None), bool, int, float, str)


def plain_symbolic_input(args: tuple[Any, ...], kwargs: dict[str, Any], dtype: str) -> bool:
    """Whether a symbolic call has one KerasTensor argument of ``dtype``, without a mask (given or attached):
    the case in which a layer may compute its output spec from the shape alone.

    Args:
        args: tuple, the call's positional arguments.
        kwargs: dict, its keyword arguments.
        dtype: str, the dtype the input must have.

    Returns:
        bool.
    """
    return (
        len(args) == 1
        and isinstance(args[0], KerasTensor)
        and args[0]._keras_mask is None
        and kwargs.get("mask") is None
        and args[0].dtype == dtype
    )


@functools.lru_cache(maxsize=None)
def _init_signature(cls):
    """``inspect.signature(cls.__init__)``, once per class (it is slow, and every layer built asks for it)."""
    return inspect.signature(cls.__init__)


def _capture_init_args(cls, args, kwargs):
    """Keras's auto-config: a subclass whose __init__ takes only JSON-like values
    gets ``get_config`` for free."""
    if cls.__init__ is Layer.__init__:
        return None
    signature = _init_signature(cls)
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    values = {}
    for name, value in list(bound.arguments.items())[1:]:
        kind = signature.parameters[name].kind
        if kind == inspect.Parameter.VAR_KEYWORD:  # forwarded to Layer.__init__: base arguments stay out
            values.update({k: v for k, v in value.items() if k not in _BASE_INIT_ARGS})
        elif kind == inspect.Parameter.VAR_POSITIONAL:
            if value:
                return None
        elif name not in ("name", "trainable", "dtype"):  # written by the base get_config
            values[name] = value
    if not all(isinstance(x, _JSON_TYPES) for x in tree.flatten(list(values.values()))):
        return None
    return values

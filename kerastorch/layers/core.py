"""Core layers: ``Dense``, ``Embedding``, ``Identity`` and ``Lambda``.

Weights are in Keras layout: the Dense kernel is ``(input_dim, units)`` and is
applied with ``torch.addmm`` (2-D inputs with a bias: measured fastest on CPU
forward + backward) or ``F.linear`` on the ``kernel.T`` view (other ranks, no
bias). Dense and Embedding support LoRA as Keras 3 does (``lora_rank``,
``enable_lora``): the base weight is frozen and ``base + (alpha / rank) * A @ B``
is used in its place. (A ``lora_alpha`` given to the constructor is kept; Keras
3.15 resets it to ``lora_rank`` when the layer builds.)

Lambda configs store a named function by name and a Python ``lambda`` as its
marshalled byte code, the format Keras 3 writes. Rebuilding byte code can run
arbitrary code, so ``Lambda.from_config`` refuses it unless safe mode is off
(``safe_mode=False``, see ``saving.serialization_lib.in_safe_mode``). A rebuilt lambda sees the
globals ``keras`` / ``kerastorch`` (this package), ``torch``, ``np`` and the
active custom objects.

Example:
    >>> layer = Dense(4, activation="relu")
    >>> layer(torch.ones(2, 3)).shape
    torch.Size([2, 4])
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import torch
import torch.nn.functional as F

from kerastorch import activations, tree
from kerastorch.backend import validation
from kerastorch.backend.annotations import Identifier, TensorLike
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer, plain_symbolic_input
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import (
    InitializerLike,
    LoRA,
    layer_label,
    positive_int,
    set_weight_options,
    weight_options_config,
)
from kerastorch.layers.quantization import (
    DenseQuantization,
    EmbeddingQuantization,
    init_quantization,
    quantization_config_of,
)
from kerastorch.serialization import serialization_lib
from kerastorch.serialization.object_registration import register_builtin

if TYPE_CHECKING:
    from kerastorch.quantizers.quantization_config import QuantizationConfig


# --------------------------------------------------------------------- Dense
@register_builtin("keras.layers")
class Dense(DenseQuantization, LoRA, Layer):
    """A densely connected layer: ``activation(inputs @ kernel + bias)`` on the last axis.

    ``kernel`` has shape ``(input_dim, units)`` and ``bias`` ``(units,)``. Inputs of rank above 2 are
    transformed along their last axis (the kernel is shared by every other position). Integer inputs
    are cast to the kernel's dtype. Masks pass through unchanged.

    Args:
        units: int: the size of the output's last axis.
        activation: str, callable or None, default None: the activation applied to the output (None:
            linear).
        use_bias: bool, default True: whether a bias vector is added.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of ``kernel``.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of ``bias``.
        kernel_regularizer: str, regularizer or None, default None: a penalty on ``kernel``.
        bias_regularizer: str, regularizer or None, default None: a penalty on ``bias``.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        kernel_constraint: str, constraint or None, default None: a constraint applied to ``kernel`` after
            each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to ``bias`` after each
            optimizer update.
        lora_rank: int or None, default None: when given, LoRA is enabled with this rank as soon as the
            layer is built: the kernel is frozen and ``kernel + (lora_alpha / lora_rank) * A @ B`` is used, with
            trainable ``lora_kernel_a`` and ``lora_kernel_b`` (see ``enable_lora``).
        lora_alpha: float or None, default None: the numerator of the LoRA scale; ``lora_rank`` when None
            (kept as given, where Keras 3.15 resets it to ``lora_rank`` on build).
        quantization_config: ``keras.quantizers.QuantizationConfig``, its serialized dict or None, default
            None: the quantizers of a quantized layer (see ``quantize``; a saved quantized layer passes it
            back with its quantized ``dtype`` policy).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        ``(batch_size, ..., input_dim)``, rank 2 or more; ``input_dim`` must be known.

    Output shape:
        ``(batch_size, ..., units)``.

    Raises:
        ValueError: a ``units`` or ``lora_rank`` that is not a positive int, an unknown activation, a
            non-bool ``use_bias``, a ``quantization_config`` of another kind; when building, an unknown last
            axis, or LoRA with a ``kernel_constraint``.

    >>> Dense(3)(torch.ones(2, 5, 4)).shape
    torch.Size([2, 5, 3])
    """

    _lora_target = "kernel"
    # Set by set_weight_options in __init__:
    kernel_initializer: Callable[..., Any] | None
    bias_initializer: Callable[..., Any] | None
    kernel_regularizer: Callable[..., Any] | None
    bias_regularizer: Callable[..., Any] | None
    kernel_constraint: Callable[..., Any] | None
    bias_constraint: Callable[..., Any] | None

    def __init__(
        self,
        units: int,
        activation: Identifier = None,
        use_bias: bool = True,
        kernel_initializer: InitializerLike = "glorot_uniform",
        bias_initializer: InitializerLike = "zeros",
        kernel_regularizer: Identifier = None,
        bias_regularizer: Identifier = None,
        activity_regularizer: Identifier = None,
        kernel_constraint: Identifier = None,
        bias_constraint: Identifier = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        quantization_config: QuantizationConfig | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        init_quantization(self, quantization_config)
        self.units = positive_int(self, "units", units)
        self.activation = activations.get(activation)
        self._activation = None if self.activation is activations.linear else self.activation
        self.use_bias = validation.boolean(layer_label(self), "use_bias", use_bias)
        set_weight_options(
            self,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
        )
        self._init_lora(lora_rank, lora_alpha)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape: Sequence[int | None]) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"{layer_label(self)}: the last axis of the inputs must be known to build the kernel, "
                f"received input shape {tuple(input_shape)}"
            )
        if self.quantization_mode is None:
            self.kernel = self.add_weight(
                name="kernel",
                shape=(input_dim, self.units),
                initializer=self.kernel_initializer,
                regularizer=self.kernel_regularizer,
                constraint=self.kernel_constraint,
            )
        else:  # a quantized policy (a saved quantized layer): int8 / int4 / float8 weights, layers/quantization.py
            self.quantized_build((input_dim, self.units), self.quantization_mode, self.quantization_config)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, self.lora_alpha)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        if type(self).call is Dense.call and plain_symbolic_input(args, kwargs, self.compute_dtype):  # no fake run
            return KerasTensor(args[0].shape[:-1] + (self.units,), self.compute_dtype)
        return super().compute_output_spec(*args, **kwargs)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        kernel = self._merged(self.kernel) if self.lora_enabled else self.kernel
        if not inputs.is_floating_point():  # integer features, as Keras's matmul promotes them
            inputs = inputs.to(kernel.dtype)
        bias = self.bias
        if bias is not None and inputs.dim() == 2:
            outputs = torch.addmm(bias, inputs, kernel)
        else:
            outputs = F.linear(inputs, kernel.T, bias)
        return outputs if self._activation is None else self._activation(outputs)

    def extra_repr(self) -> str:
        return self._describe(units=self.units, activation=self.activation, use_bias=self.use_bias)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                **weight_options_config(self, "kernel", "bias", activity_regularizer=True),
                "quantization_config": quantization_config_of(self),
            }
        )
        config.update(self._lora_config())
        return config


# ----------------------------------------------------------------- Embedding
@register_builtin("keras.layers")
class Embedding(EmbeddingQuantization, LoRA, Layer):
    """Maps integer indices in ``[0, input_dim)`` to rows of an ``(input_dim, output_dim)`` matrix.

    With ``mask_zero=True`` index 0 is padding: ``compute_mask`` returns ``inputs != 0``.

    The output is ``embeddings[inputs]``, ``embeddings`` of shape ``(input_dim, output_dim)``; inputs of
    another dtype are cast to int64 first.

    Args:
        input_dim: int: the vocabulary size; indices lie in ``[0, input_dim)``.
        output_dim: int: the size of each embedding vector.
        embeddings_initializer: str or initializer, default ``"uniform"``: the initializer of
            ``embeddings``.
        embeddings_regularizer: str, regularizer or None, default None: a penalty on ``embeddings``.
        embeddings_constraint: str, constraint or None, default None: a constraint applied to
            ``embeddings`` after each optimizer update.
        mask_zero: bool, default False: whether index 0 is padding, masked for the layers downstream (the
            vocabulary then still counts index 0 in ``input_dim``).
        weights: array, list of one array, or None, default None: initial embeddings
            ``(input_dim, output_dim)``; the layer is built at once.
        lora_rank: int or None, default None: when given, LoRA is enabled with this rank as soon as the
            layer is built: the embeddings weight is frozen and
            ``embeddings + (lora_alpha / lora_rank) * A @ B`` is used, with trainable ``lora_embeddings_a``
            and ``lora_embeddings_b`` (see ``enable_lora``).
        lora_alpha: float or None, default None: the numerator of the LoRA scale; ``lora_rank`` when None
            (kept as given, where Keras 3.15 resets it to ``lora_rank`` on build).
        quantization_config: ``keras.quantizers.QuantizationConfig``, its serialized dict or None, default
            None: the quantizers of a quantized layer (see ``quantize``: int8 and int4).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ``activity_regularizer``, ...);
            Keras 2's ``input_length`` is accepted and ignored.

    Input shape:
        ``(batch_size, ...)`` integer indices, any rank.

    Output shape:
        ``(batch_size, ..., output_dim)``.

    Raises:
        ValueError: an ``input_dim``, ``output_dim`` or ``lora_rank`` that is not a positive int, a non-bool
            ``mask_zero``, a ``quantization_config`` of another kind.
        IndexError: when called, an index outside ``[0, input_dim)``.

    >>> Embedding(10, 4)(torch.tensor([[1, 2, 0]])).shape
    torch.Size([1, 3, 4])
    """

    _lora_target = "embeddings"
    # Set by set_weight_options in __init__:
    embeddings_initializer: Callable[..., Any] | None
    embeddings_regularizer: Callable[..., Any] | None
    embeddings_constraint: Callable[..., Any] | None

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: InitializerLike = "uniform",
        embeddings_regularizer: Identifier = None,
        embeddings_constraint: Identifier = None,
        mask_zero: bool = False,
        weights: TensorLike | None = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        quantization_config: QuantizationConfig | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("input_length", None)  # Keras 2 argument: accepted and ignored, as in Keras 3
        super().__init__(**kwargs)
        init_quantization(self, quantization_config)
        self.input_dim = positive_int(self, "input_dim", input_dim)
        self.output_dim = positive_int(self, "output_dim", output_dim)
        set_weight_options(
            self,
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer,
            embeddings_constraint=embeddings_constraint,
        )
        self.mask_zero = validation.boolean(layer_label(self), "mask_zero", mask_zero)
        self.supports_masking = self.mask_zero
        self._init_lora(lora_rank, lora_alpha)
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, (list, tuple)) else [weights])

    def build(self, input_shape: Sequence[int | None] | None = None) -> None:
        if self.quantization_mode is None:
            self.embeddings = self.add_weight(
                name="embeddings",
                shape=(self.input_dim, self.output_dim),
                initializer=self.embeddings_initializer,
                regularizer=self.embeddings_regularizer,
                constraint=self.embeddings_constraint,
            )
        else:  # a quantized policy (a saved quantized layer): int8 / int4 weights, layers/quantization.py
            self.quantized_build((self.input_dim, self.output_dim), self.quantization_mode, self.quantization_config)
        self._cast = None if self.embeddings.dtype == self._compute_torch_dtype else self._compute_torch_dtype
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, self.lora_alpha)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dtype != torch.int64 and inputs.dtype != torch.int32:
            inputs = inputs.long()
        weight = self._merged(self.embeddings) if self.lora_enabled else self.embeddings
        try:
            outputs = F.embedding(inputs, weight)
        except IndexError:
            raise IndexError(
                f"{layer_label(self)}: indices must lie in [0, {self.input_dim}), received values in "
                f"[{int(inputs.min())}, {int(inputs.max())}]"
            ) from None
        return outputs if self._cast is None else outputs.to(self._cast)

    def compute_mask(self, inputs: torch.Tensor, mask: Any = None) -> torch.Tensor | None:
        """``inputs != 0`` when ``mask_zero``, else None."""
        return torch.ne(inputs, 0) if self.mask_zero else None

    def extra_repr(self) -> str:
        return self._describe(input_dim=self.input_dim, output_dim=self.output_dim)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                **weight_options_config(self, "embeddings", activity_regularizer=True),
                "mask_zero": self.mask_zero,
                "quantization_config": quantization_config_of(self),
            }
        )
        config.update(self._lora_config())
        return config


# ------------------------------------------------------------------ Identity
@register_builtin("keras.layers")
class Identity(Layer):
    """Returns its inputs unchanged (masks pass through).

    Args:
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Any shape.

    Output shape:
        The same shape as the inputs.

    >>> Identity()(torch.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: Any) -> Any:
        return inputs


# -------------------------------------------------------------------- Lambda
def _first_shape(shape):
    while isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    return tuple(shape)


@register_builtin("keras.layers")
class Lambda(Layer):
    """Wraps a function of tensors as a layer; ``arguments`` are passed as keywords.

    ``output_shape`` (a shape without the batch axis, or a function of the input
    shape) is only needed when the function cannot be traced on fake tensors.

    The call computes ``function(inputs, **arguments)``, adding ``mask=`` and ``training=`` when the
    function takes them. A config stores a named function by name and a Python ``lambda`` as byte code,
    which :meth:`from_config` refuses in safe mode.

    Args:
        function: callable: the function of the inputs (a tensor, or a list of them).
        output_shape: tuple, callable or None, default None: the output shape without the batch axis, or
            a function from the input shape to the full output shape; None infers it by running the
            function on fake tensors.
        mask: callable, tensor or None, default None: the output mask, a function ``mask(inputs, mask)``
            or a fixed mask; None gives no mask.
        arguments: dict or None, default None: keyword arguments passed to ``function`` on every call.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Whatever ``function`` accepts.

    Output shape:
        Whatever ``function`` returns (``(batch_size,) + output_shape`` when a tuple is given).

    Raises:
        TypeError: ``function`` is not callable.

    >>> Lambda(lambda x, k: x * k, arguments={"k": 2.0})(torch.ones(2)).tolist()
    [2.0, 2.0]
    """

    def __init__(
        self,
        function: Callable[..., Any],
        output_shape: tuple[int | None, ...] | list[int | None] | Callable[..., Any] | None = None,
        mask: Callable[..., Any] | torch.Tensor | None = None,
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"{layer_label(self)}: function must be callable, received {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = True
        self._output_shape = tuple(output_shape) if isinstance(output_shape, (list, tuple)) else output_shape
        params: Mapping[str, inspect.Parameter]
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):  # some builtins have no signature
            params = {}
        self._pass_mask, self._pass_training = "mask" in params, "training" in params

    def call(self, inputs: Any, mask: Any = None, training: bool | None = None) -> Any:
        kwargs = self.arguments
        if self._pass_mask or self._pass_training:
            kwargs = dict(kwargs)
            if self._pass_mask:
                kwargs["mask"] = mask
            if self._pass_training:
                kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """``mask(inputs, mask)`` when ``mask`` is callable, else the fixed ``mask`` given (None by default)."""
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        return (_first_shape(input_shape)[0],) + self._output_shape

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_spec(*args, **kwargs)
        inputs = args[0] if args else next(iter(kwargs.values()))
        shapes = tree.map_structure(lambda t: t.shape, inputs)
        return KerasTensor(self.compute_output_shape(shapes), tree.flatten(inputs)[0].dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["function"] = serialization_lib.serialize_function(self.function)
        if self._output_shape is not None:
            shape = self._output_shape
            config["output_shape"] = serialization_lib.serialize_function(shape) if callable(shape) else list(shape)
        if self.mask is not None:
            config["mask"] = (
                serialization_lib.serialize_function(self.mask)
                if callable(self.mask)
                else serialization_lib.serialize_keras_object(self.mask)
            )
        config["arguments"] = serialization_lib.serialize_keras_object(self.arguments)
        return config

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None, safe_mode: bool | None = None
    ) -> Layer:
        """Rebuild from :meth:`get_config`; refuses a lambda's byte code unless ``safe_mode=False``.

        >>> Lambda.from_config(Lambda(activations.relu).get_config()).function is activations.relu
        True
        """
        config = dict(config)
        for key in ("function", "output_shape", "mask"):
            value: Any = config.get(key)
            if serialization_lib.is_serialized_function(value) or (key == "function" and isinstance(value, str)):
                config[key] = serialization_lib.deserialize_function(value, key, custom_objects, safe_mode)
        return super().from_config(config)

"""Quantized ``Dense``, ``EinsumDense`` and ``Embedding``: ``layer.quantize(mode)`` / ``model.quantize(mode)``
for ``"int8"``, ``"int4"`` and ``"float8"``, as Keras 3.15 computes them (layers mix in the classes below).

Weights (Keras's names, shapes and dtypes, so ``get_weights`` and saved files match Keras's):

- int8: ``kernel`` (or ``embeddings``) in int8 with the float shape, quantized with the absolute maximum
  over the contracted axes (Embedding: per row) to ``[-127, 127]``; ``kernel_scale`` one float per output
  channel (Dense ``(units,)``; EinsumDense shaped to broadcast against the output, e.g. ``(1, 1, d, e)``
  for ``abc,cde->abde``; Embedding ``embeddings_scale`` ``(input_dim,)``).
- int4 with ``block_size=-1`` (per channel): the int4 values packed two per byte along the last axis of the
  2-D ``(contracted, outputs)`` kernel (EinsumDense kernels are flattened to that), ``kernel_scale``
  per output channel. With ``block_size > 0`` (sub-channel, the default 128): groups of ``block_size``
  contracted rows, each with a ``kernel_scale`` and an int8 ``kernel_zero`` per output channel, and
  ``g_idx`` (float32), the group of each row.
- float8: the float ``kernel`` plus ``inputs_scale``, ``kernel_scale``, ``outputs_grad_scale`` (scalars)
  and their amax histories.

Calls: int8 quantizes the inputs per row on the fly (``activation_quantizer``, by default
``AbsMaxQuantizer``), multiplies int8 by int8 with exact int32 accumulation (``torch._int_mm`` where
available) and divides by ``inputs_scale * kernel_scale``; without an activation quantizer the float inputs
meet the int8 kernel and the product is divided by ``kernel_scale``. The gradient with respect to the inputs
is ``grad @ (kernel / kernel_scale).T``, Keras's straight-through rule. int4 sub-channel dequantizes the
kernel, ``(q - zero) * scale``, and runs the float product. Bias, LoRA (``x @ A @ B * alpha / rank``) and the
activation follow in float.

Float8 training (delayed scaling): inputs and kernel are rounded to e4m3fn with their current scales, the
gradient of the outputs to e5m2; gradients pass straight through. When the layer runs with
``training=True``, each scale becomes ``amax_history.max() / dtype_max`` (kept when that is zero) and the
history takes the new maximum, exactly the values Keras's optimizer writes through
``overwrite_with_gradient``. kerastorch updates these non-trainable variables in place (the input and
kernel ones after the forward pass, the output-gradient ones in the backward pass) instead of routing
them through the optimizer, so any torch optimizer trains a float8 model correctly; they are therefore
``non_trainable_weights`` here (Keras lists them as trainable).

Not supported (clear errors): GPTQ and AWQ; float8 on Embedding (as in Keras); float8 with LoRA (as in
Keras); subclasses of these layers that override ``call``.

Example:
    >>> import kerastorch as keras
    >>> layer = keras.layers.Dense(3)
    >>> layer.build((None, 4))
    >>> layer.quantize("int8")
    >>> layer.dtype_policy
    <QuantizedDTypePolicy "int8_from_float32">
    >>> [(w.name, w.dtype) for w in layer.weights]
    [('bias', torch.float32), ('kernel', torch.int8), ('kernel_scale', torch.float32)]
"""

from __future__ import annotations

import math
import re
import warnings
from typing import TYPE_CHECKING, Any, Callable, Sequence

import torch
import torch.nn.functional as F

from kerastorch import dtype_policies
from kerastorch.layers import quantized_ops as ops
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.quantizers import quantizers as q
from kerastorch.quantizers.quantization_config import (
    Int4QuantizationConfig,
    QuantizationConfig,
    validate_and_resolve_config,
)
from kerastorch.serialization.serialization_lib import serialize_keras_object

if TYPE_CHECKING:  # the mixins' methods use the attributes of the layers they are mixed into
    from kerastorch.dtype_policies import DTypePolicy, PolicyLike
    from kerastorch.layers.layer_utils import InitializerLike

    _LayerBase = Layer
else:
    _LayerBase = object


# ------------------------------------------------------------ constructor hooks
def init_quantization(layer: Any, quantization_config: QuantizationConfig | dict[str, Any] | None) -> None:
    """Set ``layer.quantization_config`` from the constructor argument (a config, its serialized dict or None).

    Args:
        layer: the layer being constructed.
        quantization_config: a ``QuantizationConfig``, its serialized dict, or None.

    Raises:
        ValueError: anything else.

    >>> from kerastorch.quantizers import Int4QuantizationConfig, serialize
    >>> class Holder:
    ...     name = "holder"
    >>> holder = Holder()
    >>> init_quantization(holder, serialize(Int4QuantizationConfig(block_size=32)))
    >>> holder.quantization_config.block_size
    32
    >>> init_quantization(holder, "int8")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Holder layer "holder": quantization_config must be a keras.quantizers.QuantizationConfig, ...
    """
    if isinstance(quantization_config, dict) and "class_name" in quantization_config:
        quantization_config = q.deserialize(quantization_config)
    if quantization_config is not None and not isinstance(quantization_config, QuantizationConfig):
        raise ValueError(
            f"{layer_label(layer)}: quantization_config must be a keras.quantizers.QuantizationConfig, its "
            f"serialized dict or None, received {quantization_config!r}"
        )
    layer.quantization_config = quantization_config


def quantization_config_of(layer: Any) -> dict[str, Any] | None:
    """The ``quantization_config`` entry of the layer's config (serialized, or None).

    Args:
        layer: a layer with a ``quantization_config`` attribute.

    Returns:
        dict or None.

    >>> class Holder:
    ...     quantization_config = None
    >>> quantization_config_of(Holder()) is None
    True
    """
    return serialize_keras_object(layer.quantization_config)


def _quantize_with(layer, quantizer, weight, axes, what):
    """``(quantized, scale)`` of ``weight`` reduced over ``axes`` by the (weight) ``quantizer``."""
    if getattr(quantizer, "axis", None) is not None:
        given = tuple(sorted(a % weight.dim() for a in quantizer.axis))
        if given != tuple(sorted(axes)):
            raise ValueError(
                f"{layer_label(layer)}: the weight quantizer must reduce the {what} axes {tuple(axes)} "
                f"(one scale per output channel), received a quantizer with axis={quantizer.axis}"
            )
        values, scale = quantizer(weight)
    else:
        values, scale = quantizer(weight, axis=tuple(axes))
    expected = [1 if i in axes else d for i, d in enumerate(weight.shape)]
    if tuple(values.shape) != tuple(weight.shape) or scale.numel() != math.prod(expected):
        raise ValueError(
            f"{layer_label(layer)}: the weight quantizer returned shapes {tuple(values.shape)} and "
            f"{tuple(scale.shape)}; expected {tuple(weight.shape)} and {tuple(expected)}"
        )
    return values.to(torch.int8), scale.reshape(expected)


def _weight_quantizer(config, value_range):
    if config is not None and config.weight_quantizer is not None:
        return config.weight_quantizer
    return q.AbsMaxQuantizer(value_range=value_range)


def _activation_quantizer(config, mode):
    """The input quantizer: the config's, else ``AbsMaxQuantizer()`` for int8 (none for int4)."""
    if config is not None:
        return config.activation_quantizer
    return q.AbsMaxQuantizer() if mode == "int8" else None


# ------------------------------------------------------------------- mixins
class Quantizable(_LayerBase):
    """What ``Dense``, ``EinsumDense`` and ``Embedding`` share: ``quantize``, ``quantized_build``,
    ``quantized_call`` and ``quantization_mode``. Subclasses describe their weights."""

    _lora_target: str  # the weight that is quantized (``kernel``, ``embeddings``), named by each layer
    quantization_config: QuantizationConfig | None = None
    inputs_quantizer = None
    _supported_modes: tuple[str, ...] = ("int8", "int4", "float8")
    # the float shape of the quantized weight (int4 packs it; LoRA uses it)
    _float_kernel_shape: tuple[int, ...] | None = None

    if TYPE_CHECKING:  # what each layer's mixin below defines

        def _build_int_weights(self, shape: tuple[int, ...], mode: str, block: int | None) -> None: ...

        def _quantized_values(
            self, kernel: torch.Tensor, mode: str, config: QuantizationConfig, block: int | None
        ) -> dict[str, torch.Tensor]: ...

    # --------------------------------------------------------------- policy
    def _resolved_policy(self):
        policy = self._dtype_policy
        if isinstance(policy, dtype_policies.DTypePolicyMap):
            policy = policy[getattr(self, "path", None) or self.name]
        return policy

    @property
    def quantization_mode(self) -> str | None:
        """``"int8"``, ``"int4"`` or ``"float8"`` once quantized (from the dtype policy), else None."""
        return self._resolved_policy().quantization_mode

    def _int4_block_size(self, config):
        policy = self._resolved_policy()
        if isinstance(policy, dtype_policies.Int4DTypePolicy):
            return policy.block_size
        if policy.quantization_mode == "int4":
            return -1
        if isinstance(config, Int4QuantizationConfig) and config.block_size is not None:
            return config.block_size
        return -1

    def _quantizable_class(self):
        return next(cls for cls in type(self).__mro__ if any(b in _MIXINS for b in cls.__bases__))

    # ------------------------------------------------------------- quantize
    def quantize(
        self, mode: str | None = None, type_check: bool = True, config: QuantizationConfig | None = None
    ) -> None:
        """Quantize the built layer's weights in place: ``"int8"``, ``"int4"`` or ``"float8"`` (or a
        ``keras.quantizers`` config). The dtype policy becomes the matching quantized policy.

        Args:
            mode: String or None, the mode; optional when ``config`` is given.
            type_check: Bool, whether to refuse subclasses (Keras quantizes only the exact built-in class).
                Defaults to True.
            config: ``keras.quantizers.QuantizationConfig`` or None, quantizers and int4 block size.
                Defaults to None (the mode's defaults).

        Raises:
            NotImplementedError: For a subclass under ``type_check``, a mode the layer does not support,
                ``"gptq"``/``"awq"``.
            ValueError: For an unbuilt or already quantized layer, an unknown mode or contradictory
                arguments.

        Example:
            >>> from kerastorch import layers
            >>> layer = layers.Embedding(10, 4); layer.build()
            >>> layer.quantize("int4")
            >>> layer.dtype_policy.name, tuple(layer.embeddings.shape)
            ('int4/128_from_float32', (10, 2))
        """
        cls = self._quantizable_class()
        if type_check and type(self) is not cls:
            raise NotImplementedError(f"Layer {type(self).__name__} does not have a `quantize` method implemented.")
        config = validate_and_resolve_config(mode, config)
        mode = config.mode
        if not self.built:
            raise ValueError(
                f"Cannot quantize a layer that isn't yet built. Layer '{self.name}' (of type "
                f"'{type(self).__name__}') is not built yet."
            )
        if self.quantization_mode is not None:
            raise ValueError(
                f"Layer '{self.name}' is already quantized with dtype_policy="
                f"'{self._resolved_policy().name}'. Received: mode={mode}"
            )
        if mode not in self._supported_modes:
            raise NotImplementedError(
                f"Invalid quantization mode. Expected one of {self._supported_modes}. "
                f"Received: quantization_mode={mode}"
            )
        self._check_call_not_overridden(cls)
        if mode == "float8" and getattr(self, "lora_enabled", False):
            raise NotImplementedError(
                f"{layer_label(self)}: Currently, `_float8_call` doesn't support LoRA; a layer "
                "with LoRA enabled cannot be quantized to float8"
            )
        source = self._resolved_policy()
        source = source.default_policy.name if isinstance(source, dtype_policies.DTypePolicyMap) else source.name
        block = self._int4_block_size(config) if mode == "int4" else None
        if mode == "int8":
            policy = dtype_policies.QuantizedDTypePolicy("int8", source)
        elif mode == "int4":
            policy = dtype_policies.Int4DTypePolicy(f"int4/{block}", source)
        else:
            policy = dtype_policies.QuantizedFloat8DTypePolicy("float8", source)
        target = self._lora_target
        weight = getattr(self, target)
        shape = tuple(weight.shape)
        if isinstance(policy, dtype_policies.QuantizedFloat8DTypePolicy):  # mode == "float8"
            self._float8_variables(policy.amax_history_length)
            self._float_kernel_shape = shape
            self._set_quantized_call(mode)
        else:
            values = self._quantized_values(weight.detach(), mode, config, block)
            delattr(self, target)
            self._build_int_weights(shape, mode, block)
            with torch.no_grad():
                for name, value in values.items():
                    getattr(self, name).copy_(value)
            self.inputs_quantizer = _activation_quantizer(config, mode)
            self._float_kernel_shape = shape
            self._set_quantized_call(mode)
        self.quantization_config = config
        self.dtype_policy = policy

    def _check_call_not_overridden(self, cls):
        if type(self).call is not cls.call:
            raise NotImplementedError(
                f"{layer_label(self)}: {type(self).__name__} overrides call(), which a quantized "
                f"{cls.__name__} would bypass; kerastorch does not quantize it"
            )

    def quantized_build(
        self,
        kernel_shape: Sequence[int],
        mode: str,
        config: QuantizationConfig | None = None,
        initializer: InitializerLike = None,
    ) -> None:
        """Create the weights of a quantized layer for the float weight shape ``kernel_shape`` (what ``build``
        does under a quantized dtype policy, e.g. when a saved quantized model is loaded).

        Args:
            kernel_shape: Tuple of ints, the shape of the float kernel (embeddings).
            mode: String, ``"int8"``, ``"int4"`` or ``"float8"``.
            config: ``QuantizationConfig`` or None: the activation quantizer (int8: ``AbsMaxQuantizer()``
                when None) and the int4 block size when the policy has none. Defaults to None.
            initializer: Initializer or None, the float kernel's initializer (float8). Defaults to None
                (the layer's own).

        Raises:
            NotImplementedError: For a mode the layer does not support or a subclass that overrides call.

        Example:
            >>> from kerastorch import layers
            >>> layer = layers.Dense(2, dtype="int8_from_float32")
            >>> layer.build((None, 3))
            >>> [(w.name, tuple(w.shape)) for w in layer.weights]
            [('bias', (2,)), ('kernel', (3, 2)), ('kernel_scale', (2,))]
        """
        if mode not in self._supported_modes:
            raise NotImplementedError(
                f"{layer_label(self)}: Invalid quantization mode. Expected one of "
                f"{self._supported_modes}. Received: quantization_mode={mode}"
            )
        self._check_call_not_overridden(self._quantizable_class())
        kernel_shape = tuple(int(d) for d in kernel_shape)
        if mode == "float8":
            target = self._lora_target
            weight = self.add_weight(
                name=target,
                shape=kernel_shape,
                initializer=initializer if initializer is not None else getattr(self, f"{target}_initializer"),
                regularizer=getattr(self, f"{target}_regularizer"),
                constraint=getattr(self, f"{target}_constraint"),
            )
            setattr(self, target, weight)
            policy = self._resolved_policy()
            self._float8_variables(getattr(policy, "amax_history_length", 1024))
        else:
            self._build_int_weights(kernel_shape, mode, self._int4_block_size(config) if mode == "int4" else None)
            self.inputs_quantizer = _activation_quantizer(config, mode)
        self._float_kernel_shape = kernel_shape
        self._set_quantized_call(mode)

    def quantized_call(self, *args: Any, **kwargs: Any) -> torch.Tensor:
        """The quantized forward pass of the layer's mode (what ``call`` runs once quantized)."""
        return self._quantized_calls()[self.quantization_mode](*args, **kwargs)

    def _quantized_calls(self):
        return {"int8": self._int8_call, "int4": self._int4_call, "float8": self._float8_call}

    def _set_quantized_call(self, mode):
        self.call = self._quantized_calls()[mode]  # the float path keeps no quantization check
        self._signature = None

    # ----------------------------------------------------------- variables
    def _add(self, name, shape, dtype=None, initializer="zeros"):
        weight = self.add_weight(name=name, shape=shape, initializer=initializer, dtype=dtype, trainable=False)
        setattr(self, name, weight)
        return weight

    def _float8_variables(self, length):
        for name in ("inputs", "kernel", "outputs_grad"):  # float32 whatever the policy, as in Keras
            self._add(f"{name}_scale", (), dtype="float32", initializer="ones")
            self._add(f"{name}_amax_history", (length,), dtype="float32")

    def _inputs(self, inputs):
        dtype = self._compute_torch_dtype
        return inputs if inputs.dtype == dtype else inputs.to(dtype)

    @property
    def dtype_policy(self) -> DTypePolicy:
        """The layer's dtype policy; a float policy set on a quantized layer (``model.double()``,
        ``model.to(torch.bfloat16)``) keeps the quantization: it becomes the source of the quantized policy."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value: PolicyLike) -> None:
        current = self.__dict__.get("_dtype_policy")
        policy = dtype_policies.get(value)
        if (
            current is not None
            and current.quantization_mode is not None
            and policy.quantization_mode is None
            and not isinstance(current, dtype_policies.DTypePolicyMap)
            and not isinstance(policy, dtype_policies.DTypePolicyMap)
        ):
            policy = _with_source(current, policy.name)
        Layer.dtype_policy.fset(self, policy)  # type: ignore[attr-defined]  # mypy: a property read on the class


def _with_source(policy, source):
    if isinstance(policy, dtype_policies.QuantizedFloat8DTypePolicy):
        return dtype_policies.QuantizedFloat8DTypePolicy("float8", source, policy.amax_history_length)
    return type(policy)(policy.get_config()["mode"], source)


# ------------------------------------------------------------------- Dense
class DenseQuantization(Quantizable):
    """The quantized weights and calls of ``Dense`` (kernel ``(input_dim, units)``)."""

    kernel_zero = None

    def _build_int_weights(self, shape, mode, block):
        rows, columns = shape
        if mode == "int8":
            self._add("kernel", (rows, columns), dtype="int8")
            self._add("kernel_scale", (columns,), initializer="ones")
            return
        self._add("kernel", (rows, (columns + 1) // 2), dtype="int8")
        if block is not None and block > 0:
            groups = -(-rows // block)
            self._add("kernel_scale", (groups, columns), initializer="ones")
            self._add("kernel_zero", (groups, columns), dtype="int8")
            self._add("g_idx", (rows,), dtype="float32", initializer=_GroupIndex(block))
        else:
            self._add("kernel_scale", (columns,), initializer="ones")

    def _quantized_values(self, kernel, mode, config, block):
        if mode == "int8":
            values, scale = _quantize_with(self, _weight_quantizer(config, (-127, 127)), kernel, (0,), "kernel's input")
            return {"kernel": values, "kernel_scale": scale.reshape(-1)}
        if block is not None and block > 0:
            values, scale, zero = q.abs_max_quantize_grouped_with_zero_point(kernel, block, to_numpy=True)
            return {"kernel": q.pack_int4(values, axis=-1)[0], "kernel_scale": scale, "kernel_zero": zero}
        values, scale = _quantize_with(self, _weight_quantizer(config, (-8, 7)), kernel, (0,), "kernel's input")
        return {"kernel": q.pack_int4(values, axis=-1)[0], "kernel_scale": scale.reshape(-1)}

    def _finish(self, x, outputs, bias=None):
        if self.lora_enabled:
            outputs = outputs + torch.matmul(torch.matmul(x, self._lora_a), self._lora_b) * self._lora_scale
        bias = self.bias if bias is None else bias
        if bias is not None:
            outputs = outputs + (bias if bias.dtype == outputs.dtype else bias.to(outputs.dtype))
        return outputs if self._activation is None else self._activation(outputs)

    def _int8_call(self, inputs):
        x = self._inputs(inputs)
        lead = x.shape[:-1]
        out = ops.IntProduct.apply(x.reshape(-1, x.shape[-1]), self.kernel, self.kernel_scale, self.inputs_quantizer)
        return self._finish(x, out.reshape(*lead, self.units))

    def _int4_call(self, inputs):
        x = self._inputs(inputs)
        kernel = q.unpack_int4(self.kernel, self.units, axis=-1)
        if self.kernel_zero is None:
            lead = x.shape[:-1]
            out = ops.IntProduct.apply(x.reshape(-1, x.shape[-1]), kernel, self.kernel_scale, self.inputs_quantizer)
            out = out.reshape(*lead, self.units)
        else:
            kernel = ops.dequantize_groups(kernel, self.kernel_scale, self.kernel_zero, self.g_idx, x.dtype)
            out = torch.matmul(x, kernel)
        return self._finish(x, out)

    def _float8_call(self, inputs, training=None):
        if self.lora_enabled:
            raise NotImplementedError(f"{layer_label(self)}: Currently, `_float8_call` doesn't support LoRA")
        x = self._inputs(inputs)
        xq, kq = ops.float8_operands(self, x, self.kernel, bool(training))
        outputs = ops.Float8Gradient.apply(torch.matmul(xq, kq), self, bool(training))
        return self._finish(x, outputs, ops.float8_bias(self))


class _GroupIndex:
    """Initializer of ``g_idx``: the group of each row, ``row // block_size``."""

    def __init__(self, block):
        self.block = block

    def __call__(self, shape, dtype=None):
        return (torch.arange(shape[0]) // self.block).to(torch.float32)


# ------------------------------------------------------------- EinsumDense
class EinsumDenseQuantization(Quantizable):
    """The quantized weights and calls of ``EinsumDense``."""

    kernel_zero = None

    def _layout(self):
        layout = self.__dict__.get("_quant_layout")
        if layout is None:
            layout = ops.EinsumLayout(self.equation, self.input_spec.ndim)
            self.__dict__["_quant_layout"] = layout
        return layout

    def _build_int_weights(self, shape, mode, block):
        layout = self._layout()
        if mode == "int8":
            self._add("kernel", shape, dtype="int8")
            self._add("kernel_scale", layout.scale_shape(shape), initializer="ones")
            return
        rows, columns = layout.matrix_shape(shape)
        self._add("kernel", (rows, (columns + 1) // 2), dtype="int8")
        if block is not None and block > 0:
            groups = -(-rows // block)
            self._add("kernel_scale", (groups, columns), initializer="ones")
            self._add("kernel_zero", (groups, columns), dtype="int8")
            self._add("g_idx", (rows,), dtype="float32", initializer=_GroupIndex(block))
        else:
            self._add("kernel_scale", (columns,), initializer="ones")

    def _quantized_values(self, kernel, mode, config, block):
        layout = self._layout()
        if mode == "int8":
            values, scale = _quantize_with(
                self, _weight_quantizer(config, (-127, 127)), kernel, layout.kernel_reduced, "kernel's contracted"
            )
            return {"kernel": values, "kernel_scale": layout.kernel_to_output(scale)}
        matrix = layout.to_matrix(kernel)
        if block is not None and block > 0:
            values, scale, zero = q.abs_max_quantize_grouped_with_zero_point(matrix, block, to_numpy=True)
            return {"kernel": q.pack_int4(values, axis=-1)[0], "kernel_scale": scale, "kernel_zero": zero}
        values, scale = _quantize_with(self, _weight_quantizer(config, (-8, 7)), matrix, (0,), "kernel's contracted")
        return {"kernel": q.pack_int4(values, axis=-1)[0], "kernel_scale": scale.reshape(-1)}

    def _finish(self, x, outputs, bias=None):
        if self.lora_enabled:
            shape = self._float_kernel_shape
            update = torch.matmul(self._lora_a, self._lora_b).reshape(shape) * self._lora_scale
            outputs = outputs + torch.einsum(self.equation, x, update)
        bias = self.bias if bias is None else bias
        if bias is not None:
            outputs = outputs + (bias if bias.dtype == outputs.dtype else bias.to(outputs.dtype))
        return outputs if self._activation is None else self._activation(outputs)

    def _int_product(self, x, kernel, scale_kernel):
        """The int8 product of ``x`` with an int ``kernel`` (kernel layout) and its per-channel scale."""
        layout = self._layout()
        plan = self._plan
        if plan is not None:
            n_in, size_in, out_shape, _ = plan
            lead = x.shape[: x.dim() - n_in]
            out = ops.IntProduct.apply(
                x.reshape(-1, size_in), kernel.reshape(size_in, -1), scale_kernel.reshape(-1), self.inputs_quantizer
            )
            return out.reshape(*lead, *out_shape)
        return ops.IntEinsum.apply(
            x, kernel, layout.kernel_to_output(scale_kernel), scale_kernel, self.inputs_quantizer, layout
        )

    def _float_product(self, x, kernel):
        plan = self._plan
        if plan is not None:
            n_in, size_in, out_shape, _ = plan
            lead = x.shape[: x.dim() - n_in]
            return torch.mm(x.reshape(-1, size_in), kernel.reshape(size_in, -1)).reshape(*lead, *out_shape)
        return torch.einsum(self.equation, x, kernel)

    def _int8_call(self, inputs):
        x = self._inputs(inputs)
        scale_kernel = self._layout().output_to_kernel(self.kernel_scale)
        return self._finish(x, self._int_product(x, self.kernel, scale_kernel))

    def _int4_call(self, inputs):
        x = self._inputs(inputs)
        layout = self._layout()
        shape = self._float_kernel_shape
        matrix = q.unpack_int4(self.kernel, layout.matrix_shape(shape)[1], axis=-1)
        if self.kernel_zero is None:  # per channel: the float product with the dequantized kernel, as Keras
            kernel = matrix.to(x.dtype) / self.kernel_scale.to(x.dtype)
            operand = (
                x
                if self.inputs_quantizer is None
                else ops.QuantizedInputs.apply(x, self.inputs_quantizer, layout.input_reduced)
            )
        else:
            kernel = ops.dequantize_groups(matrix, self.kernel_scale, self.kernel_zero, self.g_idx, x.dtype)
            operand = x
        return self._finish(x, self._float_product(operand, kernel.reshape(shape)))

    def _float8_call(self, inputs, training=None):
        if self.lora_enabled:
            raise NotImplementedError(f"{layer_label(self)}: Currently, `_float8_call` doesn't support LoRA")
        x = self._inputs(inputs)
        xq, kq = ops.float8_operands(self, x, self.kernel, bool(training))
        outputs = ops.Float8Gradient.apply(self._float_product(xq, kq), self, bool(training))
        return self._finish(x, outputs, ops.float8_bias(self))


# --------------------------------------------------------------- Embedding
class EmbeddingQuantization(Quantizable):
    """The quantized weights and calls of ``Embedding`` (int8 and int4; one scale per row, or per group of
    ``block_size`` features of a row)."""

    _supported_modes = ("int8", "int4")
    embeddings_zero = None

    def _build_int_weights(self, shape, mode, block):
        rows, columns = shape
        if mode == "int8":
            self._add("embeddings", (rows, columns), dtype="int8")
            self._add("embeddings_scale", (rows,), initializer="ones")
            return
        self._add("embeddings", (rows, (columns + 1) // 2), dtype="int8")
        if block is not None and block > 0:
            groups = -(-columns // block)
            self._add("embeddings_scale", (rows, groups), initializer="ones")
            self._add("embeddings_zero", (rows, groups), dtype="int8")
            self._add("g_idx", (columns,), dtype="float32", initializer=_GroupIndex(block))
        else:
            self._add("embeddings_scale", (rows,), initializer="ones")

    def _quantized_values(self, embeddings, mode, config, block):
        if mode == "int8":
            values, scale = _quantize_with(
                self, _weight_quantizer(config, (-127, 127)), embeddings, (1,), "embeddings' feature"
            )
            return {"embeddings": values, "embeddings_scale": scale.reshape(-1)}
        if block is not None and block > 0:
            values, scale, zero = q.abs_max_quantize_grouped_with_zero_point(embeddings.T, block, to_numpy=True)
            return {
                "embeddings": q.pack_int4(values.T.contiguous(), axis=-1)[0],
                "embeddings_scale": scale.T.contiguous(),
                "embeddings_zero": zero.T.contiguous(),
            }
        values, scale = _quantize_with(
            self, _weight_quantizer(config, (-8, 7)), embeddings, (1,), "embeddings' feature"
        )
        return {"embeddings": q.pack_int4(values, axis=-1)[0], "embeddings_scale": scale.reshape(-1)}

    def _lookup(self, indices, table):
        try:
            return F.embedding(indices, table)
        except IndexError:
            raise IndexError(
                f"{layer_label(self)}: indices must lie in [0, {self.input_dim}), received values in "
                f"[{int(indices.min())}, {int(indices.max())}]"
            ) from None

    def _indices(self, inputs):
        return inputs if inputs.dtype in (torch.int64, torch.int32) else inputs.long()

    def _finish(self, indices, outputs):
        if self.lora_enabled:
            lora = torch.matmul(self._lookup(indices, self._lora_a), self._lora_b) * self._lora_scale
            outputs = outputs + lora.to(outputs.dtype)
        return outputs

    def _int8_call(self, inputs):
        indices = self._indices(inputs)
        dtype = self._compute_torch_dtype
        rows = self._lookup(indices, self.embeddings).to(dtype)
        scale = self._lookup(indices, self.embeddings_scale.unsqueeze(-1)).to(dtype)
        return self._finish(indices, rows / scale)

    def _int4_call(self, inputs):
        indices = self._indices(inputs)
        dtype = self._compute_torch_dtype
        rows = q.unpack_int4(self._lookup(indices, self.embeddings), self.output_dim, axis=-1)
        if self.embeddings_zero is None:
            scale = self._lookup(indices, self.embeddings_scale.unsqueeze(-1)).to(dtype)
            return self._finish(indices, rows.to(dtype) / scale)
        group = self.g_idx.long()
        scale = self._lookup(indices, self.embeddings_scale)[..., group].to(dtype)
        zero = self._lookup(indices, self.embeddings_zero)[..., group].to(dtype)
        return self._finish(indices, (rows.to(dtype) - zero) * scale)

    def _float8_call(self, inputs, training=None):
        raise NotImplementedError(f"{layer_label(self)}: float8 is not supported by Embedding")


_MIXINS = (DenseQuantization, EinsumDenseQuantization, EmbeddingQuantization)


# ------------------------------------------------------------------- models
def quantize_model(
    model: Layer,
    mode: str | None = None,
    config: QuantizationConfig | None = None,
    filters: str | Sequence[str] | Callable[[Layer], bool] | None = None,
    **kwargs: Any,
) -> bool:
    """``model.quantize(...)``: quantize every leaf layer that supports it (and passes ``filters``); layers
    that do not are skipped with a warning, as in Keras.

    Args:
        model: The built model (or any layer with sublayers).
        mode: String or None, ``"int8"``, ``"int4"`` or ``"float8"``.
        config: ``keras.quantizers.QuantizationConfig`` or None.
        filters: None, a regex string or list of them (searched in each layer's name), or a callable
            ``filters(layer) -> bool``. Defaults to None (every layer).
        **kwargs: ``type_check`` (bool, default True: only the exact built-in classes are quantized).

    Returns:
        Bool, whether any layer was quantized.

    Raises:
        ValueError: For an unbuilt model, bad ``filters``, unknown keyword arguments or an invalid mode.
        NotImplementedError: For ``"gptq"`` and ``"awq"``.

    Example:
        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="a"),
        ...                           keras.layers.Dense(2, name="b")])
        >>> quantize_model(model, "int8", filters="^b$")
        True
        >>> [layer.quantization_mode for layer in model.layers]
        [None, 'int8']
    """
    type_check = kwargs.pop("type_check", True)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments passed to {type(model).__name__}: {kwargs}")
    config = validate_and_resolve_config(mode, config)
    if not model.built:
        raise ValueError(
            f"Cannot quantize a layer that isn't yet built. Layer '{model.name}' (of type "
            f"'{type(model).__name__}') is not built yet."
        )
    if filters is None:
        selected = lambda layer: True
    elif isinstance(filters, str) or (isinstance(filters, (list, tuple)) and all(isinstance(f, str) for f in filters)):
        patterns = [re.compile(f) for f in ([filters] if isinstance(filters, str) else filters)]
        selected = lambda layer: any(p.search(layer.name) for p in patterns)
    elif callable(filters):
        selected = filters
    else:
        raise ValueError(
            f"The `filters` argument must be a regex string, a list of regex strings, or a callable. "
            f"Received: {type(filters)}"
        )
    changed = False
    for layer in model._flatten_layers(include_self=False):
        if layer._flatten_layers(include_self=False) or not selected(layer):
            continue
        try:
            layer.quantize(config.mode, type_check=type_check, config=config)
        except NotImplementedError as error:
            warnings.warn(str(error), stacklevel=3)
            continue
        changed = True
    return changed

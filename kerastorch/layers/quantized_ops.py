"""The arithmetic of quantized layers (see :mod:`kerastorch.layers.quantization`): exact int8 products, their
straight-through gradients, float8 rounding with delayed scaling, int4 dequantization and the axis bookkeeping
of ``EinsumDense`` equations.

int8 products accumulate exactly in int32 (``torch._int_mm`` where torch has it for the shapes, else an
int32 matmul on the CPU, else a float32 product with autocast off, exact while the sums stay below 2**24).

Example:
    >>> from kerastorch.quantizers import abs_max_quantize
    >>> kernel = torch.tensor([[0.5, -1.0], [2.0, 1.0]])
    >>> values, scale = abs_max_quantize(kernel, axis=0)
    >>> x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = IntProduct.apply(x, values, scale.reshape(-1), None)  # x @ (values / scale): 0.5 is stored as 32 / 63.5
    >>> y.detach().round(decimals=3)
    tensor([[4.5040, 1.0000]])
    >>> y.sum().backward(); x.grad.round(decimals=3)  # the straight-through gradient, with the dequantized kernel
    tensor([[-0.4960,  3.0000]])
    >>> EinsumLayout("abc,cde->abde", 3).scale_shape((8, 2, 4))
    (1, 1, 2, 4)
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

import torch

from kerastorch.backend import torch_internals
from kerastorch.quantizers import quantizers as q

E4M3, E5M2 = "float8_e4m3fn", "float8_e5m2"

InputQuantizer = Optional[Callable[..., tuple[torch.Tensor, torch.Tensor]]]
"""A quantizer of the inputs (``quantizer(x, axis=...) -> (values, scale)``), or None for float inputs."""


def int_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a @ b`` for 2-D int8 tensors, accumulated exactly in int32 (float32 on accelerators without an int8
    kernel for these shapes: exact while the sums stay below 2**24).

    Args:
        a: int8 tensor of shape ``(m, k)``.
        b: int8 tensor of shape ``(k, n)``.

    Returns:
        The product, int32 (float32 on an accelerator without an int8 kernel for the shapes).

    >>> int_matmul(torch.full((1, 3), 127, dtype=torch.int8), torch.full((3, 1), -127, dtype=torch.int8))
    tensor([[-48387]], dtype=torch.int32)
    """
    try:
        return torch_internals.int8_matmul(a.contiguous(), b.contiguous())
    except (RuntimeError, NotImplementedError, AttributeError):
        pass
    if a.device.type == "cpu":
        return torch.matmul(a.to(torch.int32), b.to(torch.int32))
    with torch.autocast(a.device.type, enabled=False):
        return torch.matmul(a.float(), b.float())


def int_einsum(equation: str, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``torch.einsum(equation, a, b)`` for int8 tensors, accumulated exactly (int32 on the CPU).

    Args:
        equation: str: the einsum equation.
        a: int8 tensor: the first operand.
        b: int8 tensor: the second operand.

    Returns:
        The contraction, int32 on the CPU (float32 elsewhere).

    >>> int_einsum("ab,bc->ac", torch.full((1, 2), 100, dtype=torch.int8), torch.full((2, 1), 100, dtype=torch.int8))
    tensor([[20000]], dtype=torch.int32)
    """
    if a.device.type == "cpu":
        return torch.einsum(equation, a.to(torch.int32), b.to(torch.int32))
    with torch.autocast(a.device.type, enabled=False):
        return torch.einsum(equation, a.float(), b.float())


class IntProduct(torch.autograd.Function):
    """``(xq @ kernel) / (xs * scale)`` with the inputs quantized by ``quantizer`` (or ``x @ kernel / scale``
    without one) for 2-D ``x``; the gradient of ``x`` is ``grad @ (kernel / scale).T``."""

    @staticmethod
    def forward(
        ctx: Any, x: torch.Tensor, kernel: torch.Tensor, scale: torch.Tensor, quantizer: InputQuantizer
    ) -> torch.Tensor:
        scale_x = scale.to(x.dtype)
        if quantizer is None:
            out = torch.matmul(x, kernel.to(x.dtype)) / scale_x
        else:
            xq, xs = quantizer(x, axis=-1)
            out = int_matmul(xq, kernel).to(x.dtype) / (xs * scale_x)
        ctx.save_for_backward(kernel, scale)
        return out

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None, None]:
        kernel, scale = ctx.saved_tensors
        dequantized = kernel.to(grad.dtype) / scale.to(grad.dtype)
        return torch.matmul(grad, dequantized.T), None, None, None


class IntEinsum(torch.autograd.Function):
    """The einsum form of :class:`IntProduct` (scales in the output / kernel layouts of ``layout``)."""

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        kernel: torch.Tensor,
        scale_out: torch.Tensor,
        scale_kernel: torch.Tensor,
        quantizer: InputQuantizer,
        layout: EinsumLayout,
    ) -> torch.Tensor:
        scale_x = scale_out.to(x.dtype)
        if quantizer is None:
            out = torch.einsum(layout.equation, x, kernel.to(x.dtype)) / scale_x
        else:
            xq, xs = quantizer(x, axis=layout.input_reduced)
            acc = int_einsum(layout.equation, xq, kernel).to(x.dtype)
            out = acc / (layout.input_to_output(xs) * scale_x)
        ctx.save_for_backward(x, kernel, scale_kernel)
        ctx.layout = layout
        return out

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None, None, None, None]:
        x, kernel, scale_kernel = ctx.saved_tensors
        dequantized = kernel.to(grad.dtype) / scale_kernel.to(grad.dtype)
        return ctx.layout.input_grad(grad, x, dequantized), None, None, None, None, None


class QuantizedInputs(torch.autograd.Function):
    """The inputs rounded through ``quantizer`` (``q / scale``); the gradient passes straight through."""

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        quantizer: Callable[..., tuple[torch.Tensor, torch.Tensor]],
        axis: int | tuple[int, ...],
    ) -> torch.Tensor:
        values, scale = quantizer(x, axis=axis)
        return values.to(x.dtype) / scale

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        return grad, None, None


class Float8Round(torch.autograd.Function):
    """Round to float8 with ``scale`` (forward); the gradient passes straight through."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, scale: torch.Tensor, dtype: str | torch.dtype) -> torch.Tensor:
        return q.quantize_and_dequantize(x, scale, dtype, x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        return grad, None, None


class Float8Gradient(torch.autograd.Function):
    """Identity forward; the backward rounds the incoming gradient to e5m2 with the layer's
    ``outputs_grad_scale`` and, in training, updates that scale and its history."""

    @staticmethod
    def forward(ctx: Any, y: torch.Tensor, layer: Any, training: bool) -> torch.Tensor:
        ctx.layer, ctx.training = layer, training
        return y.view_as(y)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        layer = ctx.layer
        rounded = q.quantize_and_dequantize(grad, layer.outputs_grad_scale, E5M2, grad.dtype)
        if ctx.training:
            delayed_scaling(layer.outputs_grad_scale, layer.outputs_grad_amax_history, grad, E5M2)
        return rounded, None, None


@torch.no_grad()
def delayed_scaling(scale: torch.Tensor, history: torch.Tensor, values: torch.Tensor, dtype: str) -> None:
    """The next scale (from the history so far) and the history with ``max(|values|)`` added, in place.

    Args:
        scale: scalar tensor: the scale, updated in place.
        history: 1-D tensor: the amax history, updated in place.
        values: tensor: the values whose largest magnitude enters the history.
        dtype: torch.dtype: the float8 format the scale is for.
    """
    new_scale = q.compute_float8_scale(torch.amax(history), scale, q.float8_max(dtype))
    history.copy_(q.compute_float8_amax_history(values.detach(), history))
    scale.copy_(new_scale)


def float8_operands(
    layer: Any, x: torch.Tensor, kernel: torch.Tensor, training: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """``x`` and ``kernel`` (in the compute dtype) rounded to e4m3fn with the current scales (then updated
    when training).

    Args:
        layer: a float8-quantized layer (its ``inputs_scale``, ``kernel_scale`` and histories).
        x: float tensor: the inputs.
        kernel: float tensor: the kernel.
        training: bool: whether to update the scales after rounding.

    Returns:
        tuple: the rounded inputs and kernel.
    """
    if kernel.dtype != x.dtype:  # a mixed policy: the kernel is read in the compute dtype, as Keras autocasts
        kernel = kernel.to(x.dtype)
    xq = Float8Round.apply(x, layer.inputs_scale.detach(), E4M3)
    kq = Float8Round.apply(kernel, layer.kernel_scale.detach(), E4M3)
    if training:
        delayed_scaling(layer.inputs_scale, layer.inputs_amax_history, x, E4M3)
        delayed_scaling(layer.kernel_scale, layer.kernel_amax_history, kernel, E4M3)
    return xq, kq


def float8_bias(layer: Any) -> torch.Tensor | None:
    """The bias of a float8 call: rounded through bfloat16 under a float32 compute dtype, as Keras 3 does
    (there, for XLA's bias-add fusion; kept here so that outputs match).

    Args:
        layer: a float8-quantized layer.

    Returns:
        The bias to add, or None without one.
    """
    bias = layer.bias
    if bias is None or layer.compute_dtype != "float32":
        return bias
    return bias.to(torch.bfloat16).to(bias.dtype)


def dequantize_groups(
    values: torch.Tensor, scale: torch.Tensor, zero: torch.Tensor, g_idx: torch.Tensor, dtype: torch.dtype
) -> torch.Tensor:
    """``(values - zero[g]) * scale[g]`` of a ``(rows, columns)`` sub-channel int4 kernel.

    Args:
        values: integer tensor of shape ``(rows, columns)``: the unpacked kernel.
        scale: tensor of shape ``(groups, columns)``: the scales.
        zero: tensor of shape ``(groups, columns)``: the zero points.
        g_idx: integer tensor of shape ``(rows,)``: the group of each row.
        dtype: torch.dtype: the result's dtype.

    Returns:
        The dequantized kernel in ``dtype``.
    """
    group = g_idx.long()
    return (values.to(dtype) - zero[group].to(dtype)) * scale[group].to(dtype)


class EinsumLayout:
    """Axis bookkeeping of an EinsumDense equation for inputs of a given rank: the contracted (reduced)
    axes, and moving per-channel scales between the kernel, input and output layouts.

    Args:
        equation: str: the layer's einsum equation.
        input_rank: int: the rank of the inputs.
    """

    def __init__(self, equation: str, input_rank: int) -> None:
        lhs, out_spec = equation.replace(" ", "").split("->")  # validated by EinsumDense
        in_spec, k_spec = lhs.split(",")
        elided = "left" if in_spec.startswith("...") else "right" if in_spec.endswith("...") else "none"
        in_spec, out_spec = in_spec.replace("...", ""), out_spec.replace("...", "")
        free = input_rank - len(in_spec)
        dots = [chr(0x100 + i) for i in range(max(free, 0))]  # stand-ins for the axes of "..."
        if elided == "left":
            self.input_chars, self.output_chars = dots + list(in_spec), dots + list(out_spec)
        elif elided == "right":
            self.input_chars, self.output_chars = list(in_spec) + dots, list(out_spec) + dots
        else:
            self.input_chars, self.output_chars = list(in_spec), list(out_spec)
        self.kernel_chars = list(k_spec)
        self.equation = equation
        self.input_reduced = tuple(i for i, c in enumerate(self.input_chars) if c not in self.output_chars)
        self.kernel_reduced = tuple(i for i, c in enumerate(self.kernel_chars) if c not in self.output_chars)
        self.kernel_kept = tuple(i for i in range(len(k_spec)) if i not in self.kernel_reduced)
        self.grad_equation = None
        if all(c in k_spec or c in out_spec for c in in_spec):
            dots_text = "..." if elided != "none" else ""
            left = (dots_text, "") if elided == "left" else ("", dots_text)
            self.grad_equation = f"{left[0]}{out_spec}{left[1]},{k_spec}->{left[0]}{in_spec}{left[1]}"

    @staticmethod
    def _move(t, source, target):
        """``t`` (one axis per char of ``source``; chars missing from ``target`` have size 1) with one axis
        per char of ``target`` (size 1 where missing from ``source``)."""
        kept = [i for i, c in enumerate(source) if c in target]
        t = t.reshape([t.shape[i] for i in kept])
        chars = [source[i] for i in kept]
        order = sorted(range(len(chars)), key=lambda i: target.index(chars[i]))
        t = t.permute(order)
        sizes = dict(zip((chars[i] for i in order), t.shape))
        return t.reshape([sizes.get(c, 1) for c in target])

    def kernel_to_output(self, scale: torch.Tensor) -> torch.Tensor:
        return self._move(scale, self.kernel_chars, self.output_chars)

    def output_to_kernel(self, scale: torch.Tensor) -> torch.Tensor:
        return self._move(scale, self.output_chars, self.kernel_chars)

    def input_to_output(self, scale: torch.Tensor) -> torch.Tensor:
        return self._move(scale, self.input_chars, self.output_chars)

    def scale_shape(self, kernel_shape: Sequence[int]) -> tuple[int, ...]:
        """The shape of the int8 ``kernel_scale``: the output's axes, sized where the kernel has them."""
        sizes = dict(zip(self.kernel_chars, kernel_shape))
        return tuple(sizes.get(c, 1) for c in self.output_chars)

    def matrix_shape(self, kernel_shape: Sequence[int]) -> tuple[int, int]:
        """``(rows, columns)`` of the 2-D form of the kernel used by int4: the sizes of the contracted and of the
        other kernel axes. As in Keras, the kernel is reshaped (not transposed) to it, so rows and columns are
        the contracted and output axes only when the contracted axes lead the kernel (``abc,cd->abd``,
        ``abc,cde->abde``); otherwise the groups mix axes, and the dequantized kernel is still exact."""
        return (
            math.prod(kernel_shape[i] for i in self.kernel_reduced),
            math.prod(kernel_shape[i] for i in self.kernel_kept),
        )

    def to_matrix(self, kernel: torch.Tensor) -> torch.Tensor:
        return kernel.reshape(self.matrix_shape(tuple(kernel.shape)))

    def input_grad(self, grad: torch.Tensor, x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        if self.grad_equation is not None:
            return torch.einsum(self.grad_equation, grad, kernel)
        with torch.enable_grad():
            leaf = x.detach().requires_grad_(True)
            return torch.autograd.grad(torch.einsum(self.equation, leaf, kernel), leaf, grad)[0]

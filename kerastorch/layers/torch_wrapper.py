"""``TorchModuleWrapper``: any ``torch.nn.Module`` as a Keras layer.

The module's parameters become the layer's weights (trainable as their ``requires_grad`` says; buffers such
as BatchNorm running statistics stay buffers, as in Keras 3), so the wrapper trains with ``fit``, freezes
with ``trainable = False`` and mixes with Keras layers in Sequential and functional models. The layer's
training flag is passed on to the module (``module.train(training)``) when a call gives one. Output shapes
are inferred on fake tensors, or fixed by ``output_shape``.

A config holds the module pickled by ``torch.save`` (base64), the format Keras 3 writes. Unpickling can run
arbitrary code, so ``from_config`` refuses it unless safe mode is off (``safe_mode=False``).

Example:
    >>> layer = TorchModuleWrapper(torch.nn.Linear(3, 4))
    >>> layer(torch.ones(2, 3)).shape, len(layer.trainable_weights)
    (torch.Size([2, 4]), 2)
"""

from __future__ import annotations

import base64
import io
from typing import Any, Sequence

import torch

from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import layer_label
from kerastorch.serialization import serialization_lib
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class TorchModuleWrapper(Layer):
    """Wraps a ``torch.nn.Module`` as a Keras layer whose weights are the module's parameters.

    A call passes every argument on to the module (``module(*args, **kwargs)``); a ``training``
    argument, when given, is applied with ``module.train(training)`` first.

    Args:
        module: torch.nn.Module: the module to wrap (not a kerastorch layer, which is used directly).
        name: str or None, default None: the layer's name.
        output_shape: tuple of ints / None, default None: the output shape without the batch axis, for a
            module whose output cannot be inferred by running it on fake tensors; None infers it.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        Whatever the module accepts.

    Output shape:
        Whatever the module returns (``(batch_size,) + output_shape`` when ``output_shape`` is given).

    Raises:
        TypeError: ``module`` is not a ``torch.nn.Module``, or is already a kerastorch layer.

    >>> import kerastorch
    >>> model = kerastorch.Sequential([kerastorch.Input((3,)), TorchModuleWrapper(torch.nn.Linear(3, 2))])
    >>> model.output_shape
    (None, 2)
    """

    def __init__(
        self,
        module: torch.nn.Module,
        name: str | None = None,
        output_shape: Sequence[int | None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"{layer_label(self)}: module must be a torch.nn.Module, received {type(module).__name__}")
        if isinstance(module, Layer):
            raise TypeError(
                f"{layer_label(self)}: module is already a kerastorch layer ({module.name}); use it "
                "directly instead of wrapping it"
            )
        self.module = module
        self.output_shape = None if output_shape is None else tuple(output_shape)
        self.built = True

    def call(self, *args: Any, training: bool | None = None, **kwargs: Any) -> Any:
        if training is not None and self.module.training != bool(training):
            self.module.train(bool(training))
        return self.module(*args, **kwargs)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        if self.output_shape is None:
            return super().compute_output_spec(*args, **kwargs)
        first = args[0] if args else next(iter(kwargs.values()))
        return KerasTensor((first.shape[0], *self.output_shape), first.dtype)

    def get_config(self) -> dict[str, Any]:
        buffer = io.BytesIO()
        torch.save(self.module, buffer)
        config = super().get_config()
        config.update(
            {
                "module": base64.b64encode(buffer.getvalue()).decode("ascii"),
                "output_shape": None if self.output_shape is None else list(self.output_shape),
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], safe_mode: bool | None = None) -> Layer:
        """Rebuild from :meth:`get_config`; unpickling the module needs ``safe_mode=False``."""
        config = dict(config)
        module = config.get("module")
        if isinstance(module, str):
            if serialization_lib.in_safe_mode(safe_mode):
                raise ValueError(
                    f'TorchModuleWrapper.from_config: the config of layer "{config.get("name")}" holds a pickled '
                    "torch module. Unpickling could execute arbitrary code, so it is refused in safe mode. If "
                    "you trust the source, pass safe_mode=False to the loading function (or call "
                    "kerastorch.config.enable_unsafe_deserialization())."
                )
            config["module"] = torch.load(io.BytesIO(base64.b64decode(module)), weights_only=False)
        return super().from_config(config)

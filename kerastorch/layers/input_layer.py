"""``InputLayer`` and ``Input``: the entry points of a functional model.

Example:
    >>> x = Input(shape=(4,), name="features")
    >>> x.shape
    (None, 4)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from kerastorch import config
from kerastorch.backend import validation
from kerastorch.backend.annotations import DTypeLike, ShapeLike
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.node import Node
from kerastorch.serialization.object_registration import register_builtin

if TYPE_CHECKING:
    from kerastorch.dtype_policies import DTypePolicy


@register_builtin("keras.layers")
class InputLayer(Layer):
    """The layer behind ``keras.Input``: it owns the symbolic input tensor.

    Args:
        shape: tuple of ints / None (or an int for one axis), default None: the shape of one sample,
            without the batch axis. Sizes may be 0 (as in Keras); None is an unknown size.
        batch_size: int or None, default None: a fixed, positive batch size.
        dtype: str or dtype, default None (floatx): the dtype of the input.
        sparse: bool or None, default None: sparse inputs are not supported; True is refused.
        batch_shape: tuple, default None: the shape with the batch axis (instead of ``shape``).
        input_tensor: KerasTensor or None, default None: an existing symbolic tensor to wrap.
        optional: bool, default False: whether the input may be None when the model is called.
        name: str or None, default None: the layer's name.
        ragged: bool or None, default None: ragged inputs are not supported; True is refused.
        **kwargs: the base ``Layer`` arguments (``input_shape`` / ``batch_input_shape`` are accepted
            for ``shape`` / ``batch_shape``).

    Input shape:
        None: the layer has no inputs.

    Output shape:
        ``batch_shape``.

    Raises:
        ValueError: a shape that is not a tuple of non-negative ints / None, a batch size that is not a
            positive int, both or neither of ``shape`` and ``batch_shape``, a non-bool ``optional``, an
            ``input_tensor`` that is not a KerasTensor, sparse or ragged inputs.

    >>> InputLayer(shape=(3,), batch_size=8).batch_shape
    (8, 3)
    """

    def __init__(
        self,
        shape: ShapeLike | None = None,
        batch_size: int | None = None,
        dtype: DTypeLike | DTypePolicy = None,
        sparse: bool | None = None,
        batch_shape: Sequence[int | None] | None = None,
        input_tensor: KerasTensor | None = None,
        optional: bool = False,
        name: str | None = None,
        ragged: bool | None = None,
        **kwargs: Any,
    ) -> None:
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        owner = f'InputLayer "{name}"' if isinstance(name, str) else "InputLayer"
        if shape is not None and batch_shape is not None:
            raise ValueError(
                "InputLayer: pass either shape or batch_shape, not both "
                f"(received shape={shape}, batch_shape={batch_shape})"
            )
        if sparse or ragged:
            raise ValueError(
                f"InputLayer: sparse and ragged inputs are not supported by kerastorch "
                f"(received sparse={sparse}, ragged={ragged})"
            )
        if batch_shape is None and shape is None and isinstance(input_tensor, KerasTensor):
            batch_shape = input_tensor.shape  # Keras: the shape of the given tensor
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer: expected a shape (e.g. shape=(4,)) or batch_shape, received neither")
            sample_shape = validation.shape(owner, "shape", shape, allow_zero=True)
            batch_size = validation.positive_int(owner, "batch_size", batch_size, allow_none=True)
            batch_shape = (batch_size,) + sample_shape
        else:
            batch_shape = validation.shape(owner, "batch_shape", batch_shape, allow_zero=True, allow_int=False)
        validation.instance_of(
            owner, "input_tensor", input_tensor, KerasTensor, "a KerasTensor (from keras.Input)", allow_none=True
        )
        optional = validation.boolean(owner, "optional", optional)
        dtype = config.standardize_dtype(getattr(dtype, "name") if hasattr(dtype, "compute_dtype") else dtype)
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.batch_shape = batch_shape
        self.optional = optional
        self.built = True
        tensor = input_tensor if input_tensor is not None else KerasTensor(self.batch_shape, dtype, name=self.name)
        Node(self, (), {}, tensor)
        self._input_tensor = tensor

    @property
    def output(self) -> KerasTensor:
        return self._input_tensor

    def call(self, inputs: Any) -> Any:
        return inputs

    def extra_repr(self) -> str:
        return self._describe(batch_shape=tuple(self.batch_shape))

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": list(self.batch_shape),
            "dtype": self.dtype,
            "sparse": False,
            "ragged": False,
            "name": self.name,
            "optional": self.optional,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputLayer:
        return cls(**config)


def Input(
    shape: ShapeLike | None = None,
    batch_size: int | None = None,
    dtype: DTypeLike | DTypePolicy = None,
    sparse: bool | None = None,
    batch_shape: Sequence[int | None] | None = None,
    name: str | None = None,
    tensor: KerasTensor | None = None,
    optional: bool = False,
) -> KerasTensor:
    """A symbolic input for a functional model.

    Args:
        shape: tuple of ints / None (or an int), default None: the shape of one sample, without the batch
            axis; None is an unknown size.
        batch_size: int or None, default None: a fixed, positive batch size.
        dtype: str or dtype, default None (floatx): the input's dtype.
        sparse: bool or None, default None: not supported; True is refused.
        batch_shape: tuple, default None: the full shape, batch axis included (instead of ``shape``).
        name: str or None, default None: the name of the input (and of its ``InputLayer``).
        tensor: KerasTensor or None, default None: an existing symbolic tensor to use.
        optional: bool, default False: whether the input may be None when the model is called.

    Returns:
        A ``KerasTensor`` of shape ``batch_shape``.

    Raises:
        ValueError: see :class:`InputLayer`, e.g. ``Input(shape=(-1,))``.

    >>> inputs = Input(shape=(28, 28, 1))
    >>> inputs.shape
    (None, 28, 28, 1)
    """
    validation.instance_of("Input", "tensor", tensor, KerasTensor, "a KerasTensor (from keras.Input)", allow_none=True)
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        name=name,
        input_tensor=tensor,
        optional=optional,
    )
    return layer.output

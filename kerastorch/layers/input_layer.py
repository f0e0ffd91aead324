"""``InputLayer`` and ``Input``: the entry points of a functional model.

Example:
    >>> x = Input(shape=(4,), name="features")
    >>> x.shape
    (None, 4)
"""
from kerastorch import config
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.layers.base import Layer
from kerastorch.layers.node import Node
from kerastorch.saving.object_registration import register_builtin


@register_builtin("keras.layers")
class InputLayer(Layer):
    """The layer behind ``keras.Input``: it owns the symbolic input tensor."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, ragged=None, **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if shape is not None and batch_shape is not None:
            raise ValueError("InputLayer: pass either shape or batch_shape, not both "
                             f"(received shape={shape}, batch_shape={batch_shape})")
        if sparse or ragged:
            raise ValueError(f"InputLayer: sparse and ragged inputs are not supported by kerastorch "
                             f"(received sparse={sparse}, ragged={ragged})")
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer: expected a shape (e.g. shape=(4,)) or batch_shape, received neither")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        dtype = config.standardize_dtype(dtype.name if hasattr(dtype, "compute_dtype") else dtype)
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        if any(d is not None and d < 0 for d in self.batch_shape):
            raise ValueError(f'InputLayer "{self.name}": dimensions must be None or non-negative integers, received '
                             f"batch_shape={self.batch_shape}")
        self.optional = optional
        self.built = True
        tensor = input_tensor if isinstance(input_tensor, KerasTensor) else KerasTensor(
            self.batch_shape, dtype, name=self.name)
        Node(self, (), {}, tensor)
        self._input_tensor = tensor

    @property
    def output(self):
        return self._input_tensor

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": self.optional}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,
          optional=False):
    """A symbolic input for a functional model.

    >>> inputs = Input(shape=(28, 28, 1))
    >>> inputs.shape
    (None, 28, 28, 1)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name, input_tensor=tensor, optional=optional)
    return layer.output

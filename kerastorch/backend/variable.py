"""``Variable``: a ``torch.nn.Parameter`` with the Keras variable interface.

Layers create their weights with ``add_weight``, which returns a ``Variable``. It is
a Parameter in every respect (optimizers, ``state_dict``, ``.to()``), and adds what
Keras code expects: ``name``, ``path``, ``trainable``, ``numpy()``, ``assign*``.

Example:
    >>> import torch
    >>> v = Variable(torch.zeros(3), name="total", trainable=False)
    >>> v.assign_add(torch.ones(3))
    <Variable path=total, shape=(3,), dtype=float32, trainable=False, value=tensor([1., 1., 1.])>
    >>> v.numpy()
    array([1., 1., 1.], dtype=float32)
"""
import copy

import numpy as np
import torch


class Variable(torch.nn.Parameter):
    """A named Parameter; ``trainable`` is ``requires_grad``."""

    def __new__(cls, data, trainable=True, name="variable", regularizer=None, constraint=None):
        trainable = bool(trainable) and (data.is_floating_point() or data.is_complex())
        var = super().__new__(cls, data, trainable)
        var._keras_name = name
        var._path = name
        var._declared_trainable = trainable
        var._created_trainable = trainable  # fixes the Keras weight order: trainable-at-creation first
        var.regularizer = regularizer
        var.constraint = constraint
        return var

    @property
    def name(self):
        """The weight's own name (``"kernel"``)."""
        return self._keras_name

    @property
    def path(self):
        """The weight's path in its model (``"dense_1/kernel"``)."""
        return self._path

    @property
    def trainable(self):
        """Whether optimizers update this weight (``requires_grad``)."""
        return self.requires_grad

    @trainable.setter
    def trainable(self, value):
        self._declared_trainable = bool(value)
        self.requires_grad_(bool(value))

    @property
    def value(self):
        """The variable itself, as Keras's ``variable.value``."""
        return self

    def numpy(self):
        """A numpy copy of the current value."""
        return self.detach().cpu().numpy()

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def assign(self, value):
        """Overwrite the value in place (no gradient recorded)."""
        value = torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value)
        if tuple(value.shape) != tuple(self.shape):
            raise ValueError(
                f"Variable {self.path}.assign: expected a value of shape {tuple(self.shape)}, "
                f"received shape {tuple(value.shape)}"
            )
        with torch.no_grad():
            self.copy_(value)
        return self

    def assign_add(self, value):
        """``self += value`` in place (no gradient recorded)."""
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value):
        """``self -= value`` in place (no gradient recorded)."""
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Variable(self.data.clone(memory_format=torch.preserve_format), self._declared_trainable,
                          self._keras_name, copy.deepcopy(self.regularizer, memo),
                          copy.deepcopy(self.constraint, memo))
        result.requires_grad_(self.requires_grad)
        result._path = self._path
        result._created_trainable = self._created_trainable
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_variable, (self.detach().cpu(), self._declared_trainable, self.requires_grad,
                                    self._keras_name, self._path, self._created_trainable))

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={tuple(self.shape)}, "
                f"dtype={str(self.dtype).split('.')[-1]}, trainable={self.trainable}, value={self.data!r}>")


def _rebuild_variable(data, declared_trainable, requires_grad, name, path, created_trainable=None):
    var = Variable(data, declared_trainable, name)
    var.requires_grad_(requires_grad)
    var._path = path
    var._created_trainable = declared_trainable if created_trainable is None else created_trainable
    return var

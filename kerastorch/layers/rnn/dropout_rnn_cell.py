"""``DropoutRNNCell``: the dropout masks of a recurrent cell, drawn once per sequence.

As in Keras, a cell with ``dropout`` / ``recurrent_dropout`` draws one mask for its step
inputs and one for its recurrent state on the first step of a sequence and reuses them
for every later step; the :class:`~kerastorch.layers.RNN` layer clears them at the start
and the end of each call. With ``dropout_mask_count = k`` (set by LSTM/GRU cells when
``recurrent_dropout > 0``, Keras's "implementation 1") each gate gets its own mask: the
masks then have a leading axis of size ``k``. Masks are drawn from the cell's
``seed_generator`` on the device of the step input (no host sync).

Example:
    >>> class Cell(DropoutRNNCell):
    ...     dropout, recurrent_dropout = 0.5, 0.0
    ...     seed_generator = None
    >>> cell = Cell()
    >>> mask = cell.get_dropout_mask(torch.ones(2, 3))
    >>> cell.get_dropout_mask(torch.ones(2, 3)) is mask    # reused until reset
    True
    >>> sorted(set(mask.flatten().tolist())) in ([0.0, 2.0], [0.0], [2.0])
    True
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import torch

from kerastorch import activations, tree
from kerastorch import random as krandom
from kerastorch.backend import validation
from kerastorch.backend.annotations import Shape
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import (
    check_seed,
    layer_label,
    positive_int,
    set_weight_options,
    weight_options_config,
)


class DropoutRNNCell:
    """Mixin for cells with ``dropout``, ``recurrent_dropout`` and ``seed_generator`` attributes."""

    _dropout_mask: torch.Tensor | None = None
    _recurrent_dropout_mask: torch.Tensor | None = None
    dropout_mask_count: int | None = None
    # set by the cell
    dropout: float
    recurrent_dropout: float
    seed_generator: krandom.SeedGenerator | None

    def _create_dropout_mask(self, step_input, rate):
        count = self.dropout_mask_count
        shape = tuple(step_input.shape) if count is None else (count, *step_input.shape)
        ones = torch.ones(shape, dtype=step_input.dtype, device=step_input.device)
        return krandom.dropout(ones, rate, seed=self.seed_generator)

    def get_dropout_mask(self, step_input: torch.Tensor) -> torch.Tensor | None:
        """The input mask of the current sequence (drawn on first use), or None without dropout."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_input: torch.Tensor) -> torch.Tensor | None:
        """The recurrent-state mask of the current sequence (drawn on first use), or None."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self) -> None:
        """Forget the input mask: the next sequence draws a new one."""
        if self.__dict__.get("_dropout_mask") is not None:  # (runs twice per call: skip Module.__setattr__)
            self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        """Forget the recurrent mask: the next sequence draws a new one."""
        if self.__dict__.get("_recurrent_dropout_mask") is not None:
            self._recurrent_dropout_mask = None


def masked_matmul(x: torch.Tensor, weight: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """``(x * mask) @ weight`` for ``x`` of shape ``(batch, [time,] n)`` and ``weight`` ``(n, k * units)``.

    ``mask`` is None, one mask ``(batch, n)`` shared by the whole output, or ``k`` masks
    ``(k, batch, n)``, one per block of ``units`` output columns (one per gate).

    >>> w = torch.ones(3, 4)
    >>> masked_matmul(torch.ones(2, 5, 3), w, torch.zeros(2, 2, 3)).shape
    torch.Size([2, 5, 4])
    """
    if mask is None:
        return x @ weight
    if mask.dim() == 2:
        return (x * (mask if x.dim() == 2 else mask.unsqueeze(1))) @ weight
    k = mask.shape[0]
    blocks = weight.view(weight.shape[0], k, -1)
    if x.dim() == 2:
        return torch.einsum("kbn,nku->bku", x * mask, blocks).flatten(-2)
    return torch.einsum("kbtn,nku->btku", x * mask.unsqueeze(2), blocks).flatten(-2)


def masked_addmm(
    bias: torch.Tensor | None, x: torch.Tensor, weight: torch.Tensor, mask: torch.Tensor | None
) -> torch.Tensor:
    """``(x * mask) @ weight + bias`` (``bias`` may be None) with the fewest kernels: one ``addmm`` without a mask."""
    if mask is None and bias is not None:
        if x.dim() == 2:
            return torch.addmm(bias, x, weight)
        return torch.addmm(bias, x.reshape(-1, x.shape[-1]), weight).view(*x.shape[:-1], weight.shape[1])
    out = masked_matmul(x, weight, mask)
    return out if bias is None else out + bias


CELL_WEIGHT_OPTIONS = tuple(
    f"{weight}_{kind}"
    for kind in ("initializer", "regularizer", "constraint")
    for weight in ("kernel", "recurrent", "bias")
)
"""The ``kernel`` / ``recurrent`` / ``bias`` initializer, regularizer and constraint arguments of the cells."""


class GatedCell(DropoutRNNCell, Layer):
    """Shared base of the built-in cells: ``k`` gate blocks of ``units`` columns in one kernel
    ``(input_dim, k * units)`` and one recurrent kernel ``(units, k * units)``, Keras's arguments,
    dropout masks, zero initial states and the config.

    Subclasses set ``_gates`` and ``_n_states`` (and ``_gate_args``: the names of their own boolean
    arguments, which imply a ``recurrent_activation`` argument too), define ``_bias_spec()`` (shape,
    initializer) and ``_step_projected(projected_input, states, training)``; ``_project_sequence`` computes
    the input projection of a whole ``(batch, time, input_dim)`` sequence at once (the RNN loop uses it).
    """

    _gates = 1
    _n_states = 1
    _gate_args: tuple[str, ...] = ()
    _builtin_cell = True
    # one step from the projected input: (output, new states); defined by the subclasses
    _step_projected: Callable[..., tuple[torch.Tensor, list[torch.Tensor]]]
    # set from the CELL_WEIGHT_OPTIONS arguments by set_weight_options
    kernel_initializer: Callable[..., Any]
    recurrent_initializer: Callable[..., Any]
    bias_initializer: Callable[..., Any]
    kernel_regularizer: Callable[..., Any] | None
    recurrent_regularizer: Callable[..., Any] | None
    bias_regularizer: Callable[..., Any] | None
    kernel_constraint: Callable[..., Any] | None
    recurrent_constraint: Callable[..., Any] | None
    bias_constraint: Callable[..., Any] | None

    def __init__(self, arguments: dict[str, Any]) -> None:
        """``arguments`` are the subclass's ``__init__`` ``locals()``: Keras's cell arguments (``units``,
        ``activation``, ``use_bias``, the ``CELL_WEIGHT_OPTIONS``, ``dropout``, ``recurrent_dropout``, ``seed``),
        the subclass's own ones (it stores those itself) and ``kwargs`` (the base layer's)."""
        kwargs = dict(arguments["kwargs"])
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        self.units = positive_int(self, "units", arguments["units"])
        self.activation = activations.get(arguments["activation"])
        self.use_bias = validation.boolean(layer_label(self), "use_bias", arguments["use_bias"])
        set_weight_options(self, **{name: arguments[name] for name in CELL_WEIGHT_OPTIONS})
        self.dropout = _rate(self, "dropout", arguments["dropout"])
        self.recurrent_dropout = _rate(self, "recurrent_dropout", arguments["recurrent_dropout"])
        seed = arguments["seed"]
        check_seed(self, seed)
        self.seed = seed
        # seed=None draws from torch's global generator (torch.manual_seed reproduces it), as Dropout does.
        self.seed_generator = None if seed is None else krandom.SeedGenerator(seed)
        if self.recurrent_dropout > 0 and self._gates > 1:
            self.dropout_mask_count = self._gates  # one mask per gate, as Keras's implementation 1
        if self._gate_args:
            self.recurrent_activation = activations.get(arguments["recurrent_activation"])
            for name in self._gate_args:
                setattr(self, name, validation.boolean(layer_label(self), name, arguments[name]))
        self.state_size = self.units if self._n_states == 1 else [self.units] * self._n_states
        self.output_size = self.units
        self.bias: torch.Tensor | None = None

    def build(self, input_shape: Shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"{layer_label(self)}: the feature axis of the inputs must be known, "
                f"received input shape {tuple(input_shape)}"
            )
        width = self._gates * self.units
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_dim, width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(self.units, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        if self.use_bias:
            shape, initializer = self._bias_spec()
            self.bias = self.add_weight(
                name="bias",
                shape=shape,
                initializer=initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def _bias_spec(self):
        return (self._gates * self.units,), self.bias_initializer

    def _input_bias(self):
        return self.bias

    def _input_mask(self, x, training):
        if training and 0 < self.dropout < 1:
            return self.get_dropout_mask(x[:, 0] if x.dim() == 3 else x)
        return None

    def _recurrent_mask(self, h, training):
        if training and 0 < self.recurrent_dropout < 1:
            return self.get_recurrent_dropout_mask(h)
        return None

    def _project_sequence(self, x, training=False):
        """``dropout(x) @ kernel + input bias`` for all time steps at once."""
        return masked_addmm(self._input_bias(), x, self.kernel, self._input_mask(x, training))

    def call(
        self, inputs: torch.Tensor, states: torch.Tensor | Sequence[torch.Tensor], training: bool | None = False
    ) -> tuple[torch.Tensor, torch.Tensor | list[torch.Tensor]]:
        nested = tree.is_nested(states)
        output, new_states = self._step_projected(
            self._project_sequence(inputs, training), list(states) if nested else [states], training
        )
        return output, (new_states if nested or self._n_states > 1 else new_states[0])

    def get_initial_state(self, batch_size: int | None = None) -> list[torch.Tensor]:
        """``[zeros(batch_size, units)]`` per state."""
        device, dtype = self._weight_device(), self._compute_torch_dtype
        return [
            torch.zeros(
                batch_size,  # type: ignore[arg-type]  # (a None batch_size fails)
                self.units,
                dtype=dtype,
                device=device,
            )
            for _ in range(self._n_states)
        ]

    def extra_repr(self) -> str:
        return self._describe(units=self.units)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                **weight_options_config(self, "kernel", "recurrent", "bias"),
                "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed,
            }
        )
        if self._gate_args:
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
            config.update({name: getattr(self, name) for name in self._gate_args})
        return config


def _rate(layer, arg, value):
    """A dropout rate in ``[0, 1)``: Keras 3 clamps other values into ``[0, 1]`` and then ignores a rate of 1
    (no dropout at all); both are refused here."""
    return validation.probability(layer_label(layer), arg, value, include_one=False)

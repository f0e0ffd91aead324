"""``RNN``: runs a recurrent cell over the time axis of ``(batch, time, ...features)`` inputs.

The cell follows Keras's protocol: a layer with ``state_size`` (an int, or a list of ints
or shapes, one per state), optional ``output_size``, ``call(inputs, states, training)``
returning ``(output, new_states)`` and optionally ``get_initial_state(batch_size)``.

How a call runs:

- Subclasses (LSTM, GRU) first get a chance to run the whole sequence with one fused
  torch kernel: :meth:`RNN._fused_call` returns ``(last_output, outputs, states)``, or
  None to fall back to the step loop.
- The step loop is a plain Python loop over time steps. The built-in cells project the
  inputs of all time steps with one matmul (``_project_sequence``) before it, so the loop
  runs only the recurrent matmul and the gate arithmetic (``_step_projected``).
- Masks (``(batch, time)`` booleans) follow Keras: a masked step keeps the previous
  states and outputs the previous output (zeros with ``zero_output_for_mask``), with
  ``torch.where`` (no host sync).
- ``go_backwards`` flips the time axis of the inputs and mask; the output sequence is
  returned in processing order (reversed), as Keras does.
- ``stateful=True`` keeps the final states (detached) in non-persistent buffers, which
  follow ``module.to(device)``; ``reset_states()`` zeroes them.

Example:
    >>> from kerastorch.layers import SimpleRNNCell
    >>> layer = RNN(SimpleRNNCell(4), return_sequences=True, return_state=True)
    >>> outputs, state = layer(torch.ones(2, 5, 3))
    >>> tuple(outputs.shape), tuple(state.shape)
    ((2, 5, 4), (2, 4))
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from kerastorch import activations, tree
from kerastorch.backend import validation
from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.backend.forward_mode import forward_mode_active
from kerastorch.backend.keras_tensor import KerasTensor
from kerastorch.backend.torch_internals import is_fake
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import build_sublayer, layer_label
from kerastorch.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from kerastorch.layers.rnn.stacked_rnn_cells import RNNCell, StackedRNNCells, call_cell, check_cell, output_size_of
from kerastorch.serialization import object_registration as registry
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object


@register_builtin("keras.layers")
class RNN(Layer):
    """Base class for recurrent layers: iterates ``cell`` over the time axis.

    ``cell`` is a cell layer or a list of them (stacked with :class:`StackedRNNCells`).
    Returns the last output, or the whole sequence with ``return_sequences=True``; with
    ``return_state=True`` a list ``[output, *final_states]``.

    A cell is a layer with a ``state_size`` attribute (an int, or a list of ints or shapes, one per
    state), an optional ``output_size``, a ``call(inputs, states, training=None)`` returning
    ``(output, new_states)`` for one step, and optionally ``get_initial_state(batch_size)``.

    Args:
        cell: cell layer or list of cell layers: the recurrent cell(s); a list is stacked, each cell
            feeding the next.
        return_sequences: bool, default False: whether to return the whole output sequence rather than
            the last output.
        return_state: bool, default False: whether to also return the final states (``[output, *states]``).
        go_backwards: bool, default False: whether to process the sequence in reverse (the output sequence
            is then in processing order, i.e. reversed).
        stateful: bool, default False: whether the final states of a batch become the initial states of
            the next batch (sample ``i`` continues sample ``i``); needs a fixed batch size.
        unroll: bool, default False: Keras's loop unrolling, a speed/memory trade-off that gives the same
            results. Here the step loop is an eager Python loop either way, which is what unrolling means, so
            the outputs are identical whatever the value; it is stored in the config. (Keras also refuses
            ``unroll=True`` for inputs without a fixed number of steps; the Python loop takes any length.)
        zero_output_for_mask: bool, default False: whether masked steps output zeros rather than the
            previous output (only visible with ``return_sequences``).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        sequences: tensor ``(batch_size, timesteps, ...)``.
        initial_state: tensor, list of tensors or None, default None: the cell's initial states; zeros
            (the cell's ``get_initial_state``, or the kept states of a stateful layer) when None.
        mask: boolean tensor ``(batch_size, timesteps)`` or None: the steps to process (True); a masked
            step keeps the previous states. The inputs' Keras mask when None.
        training: bool, default False: passed on to the cell.

    Input shape:
        ``(batch_size, timesteps, ...)``, rank 3 or more; one step ``(batch_size, ...)`` is what the
        cell takes.

    Output shape:
        ``(batch_size, output_size)``, or ``(batch_size, timesteps, output_size)`` with
        ``return_sequences``; with ``return_state``, a list of the output and the final states
        ``(batch_size, state_size)`` (nested per cell for stacked cells).

    Raises:
        TypeError: a ``cell`` without a ``call`` method.
        ValueError: a cell without a valid ``state_size``, a non-bool flag; when building, inputs of rank
            below 3, a stateful layer without a fixed batch size; when called, an ``initial_state`` of the
            wrong number or shapes of tensors, a stateful layer called with another batch size, or a
            sequence without steps.

    >>> from kerastorch.layers import LSTMCell
    >>> RNN([LSTMCell(3), LSTMCell(2)])(torch.ones(4, 6, 5)).shape
    torch.Size([4, 2])
    """

    # the flag arguments, set (as validated bools) by __init__
    return_sequences: bool
    return_state: bool
    go_backwards: bool
    stateful: bool
    unroll: bool
    zero_output_for_mask: bool

    def __init__(
        self,
        cell: RNNCell | list[RNNCell] | tuple[RNNCell, ...],
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        super().__init__(**kwargs)
        check_cell(self, cell)
        self.cell: RNNCell = cell
        flags = {
            "return_sequences": return_sequences,
            "return_state": return_state,
            "go_backwards": go_backwards,
            "stateful": stateful,
            "unroll": unroll,
            "zero_output_for_mask": zero_output_for_mask,
        }
        for name, value in flags.items():
            setattr(self, name, validation.boolean(layer_label(self), name, value))
        size = cell.state_size
        self.single_state = isinstance(size, int)
        self.state_size = [size] if self.single_state else list(size)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)
        self._state_template: list[Any] | None = None  # structure of the stateful states (leaves: buffer names)
        # batch size -> (zero states, flat expected initial-state shapes)
        self._state_shapes: dict[int, tuple[Any, list[tuple[int, ...]]]] = {}

    # ----------------------------------------------------------------- states
    @property
    def states(self) -> list[Any] | None:
        """The stateful layer's current states (a list, nested per cell for stacked cells), else None."""
        if self._state_template is None:
            return None
        return tree.map_structure(lambda name: getattr(self, name), self._state_template)

    @states.setter
    def states(self, value: torch.Tensor | Sequence[Any] | None) -> None:
        if value is None:
            for name in tree.flatten(self._state_template or []):
                delattr(self, name)
            self._state_template = None
            return
        value = list(value) if tree.is_nested(value) else [value]
        flat = tree.flatten(value)
        names = [f"_rnn_state_{i}" for i in range(len(flat))]
        for name, tensor in zip(names, flat):
            if name in self._buffers:
                setattr(self, name, tensor)
            else:
                self.register_buffer(name, tensor, persistent=False)
        self._state_template = tree.pack_sequence_as(value, names)

    def get_initial_state(self, batch_size: int) -> list[Any]:
        """Zero states for ``batch_size`` sequences (the cell's ``get_initial_state`` when it has one)."""
        make = getattr(self.cell, "get_initial_state", None)
        if make is not None:
            states = make(batch_size=batch_size)
            return list(states) if tree.is_nested(states) else [states]
        return [
            torch.zeros((batch_size, *_dims(d)), dtype=self._compute_torch_dtype, device=self._weight_device())
            for d in self.state_size
        ]

    def reset_states(self) -> None:
        """Zero the states of a stateful layer."""
        self.reset_state()

    def reset_state(self) -> None:
        """Zero the states of a stateful layer (a no-op otherwise)."""
        if self._state_template is not None:
            for name in tree.flatten(self._state_template):
                setattr(self, name, torch.zeros_like(getattr(self, name)))

    # ------------------------------------------------------------------ build
    def build(self, sequences_shape: Shape, *_initial_state: Any) -> None:
        # (Keras's second argument is initial_state_shape; a starred one keeps Layer._run_build from
        # asking for the shape of an absent initial_state.)
        sequences_shape = tuple(sequences_shape)
        if len(sequences_shape) < 3:
            raise ValueError(
                f"{layer_label(self)}: expected inputs of shape (batch, time, ...features), "
                f"received input shape {sequences_shape}"
            )
        build_sublayer(self, self.cell, (sequences_shape[0],) + sequences_shape[2:])
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError(
                    f"{layer_label(self)}: a stateful RNN needs a fixed batch size (e.g. "
                    f"Input(shape, batch_size=...)), received input shape {sequences_shape}"
                )
            if self.states is None:
                self.states = tree.map_structure(lambda s: s.detach(), self.get_initial_state(sequences_shape[0]))
            else:
                self.reset_state()
        self.built = True

    # ------------------------------------------------------------------- call
    def call(
        self,
        sequences: torch.Tensor,
        initial_state: TensorLike | None = None,
        mask: TensorLike | None = None,
        training: bool | None = False,
    ) -> torch.Tensor | list[Any]:
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        batch = sequences.shape[0]
        if initial_state is None:
            if self.stateful:
                initial_state = self._stateful_initial_state(batch)
            else:
                initial_state = self.get_initial_state(batch)
        else:
            initial_state = self._standardize_initial_state(initial_state, sequences)
        if mask is not None and (not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool):
            mask = torch.as_tensor(mask, device=sequences.device).bool()
        _reset_dropout_masks(self.cell)
        try:
            result = self._fused_call(sequences, initial_state, mask, training)
            if result is None:
                result = self._step_loop(sequences, initial_state, mask, training)
        finally:
            _reset_dropout_masks(self.cell)
        last_output, outputs, states = result
        if self.stateful:
            self.states = tree.map_structure(lambda s: s.detach(), states)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output, *states]
        return output

    def _fused_call(self, sequences, initial_state, mask, training):
        """Run the whole sequence with a fused kernel: ``(last_output, outputs, states)``, or None for the loop.

        ``outputs`` is the output sequence (it may be None when ``return_sequences`` is False). The base
        class has no fused kernel: it returns None."""

    def _step_loop(self, sequences, initial_state, mask, training):
        cell = self.cell
        if self.go_backwards:
            sequences = sequences.flip(1)
            if mask is not None:
                mask = mask.flip(1)
        project = getattr(cell, "_project_sequence", None)
        if project is not None:
            inputs = project(sequences, training).unbind(1)
            step = cell._step_projected
        else:
            inputs = sequences.unbind(1)
            step = lambda x, s, t: call_cell(cell, x, s, t)
        masks = mask.unbind(1) if mask is not None else None
        states = initial_state
        outputs = []
        output = None
        for t, step_input in enumerate(inputs):
            new_output, new_states = step(step_input, states, training)
            if not tree.is_nested(new_states):
                new_states = [new_states]
            if masks is not None:
                keep = masks[t]
                previous = output if output is not None and not self.zero_output_for_mask else None
                new_output = _where(keep, new_output, previous)
                new_states = tree.pack_sequence_as(
                    states, [_where(keep, new, old) for new, old in zip(tree.flatten(new_states), tree.flatten(states))]
                )
            states = new_states
            output = new_output
            if self.return_sequences:
                outputs.append(output)
        if output is None:
            raise ValueError(
                f"{layer_label(self)}: expected at least one time step, received inputs of shape "
                f"{tuple(sequences.shape)}"
            )
        return output, (torch.stack(outputs, 1) if self.return_sequences else None), list(states)

    def _stateful_initial_state(self, batch):
        states = self.states
        expected = tree.flatten(states)[0].shape[0]
        if batch != expected:
            raise ValueError(
                f"{layer_label(self)}: a stateful RNN needs the batch size it was built for "
                f"({expected}), received inputs with batch size {batch}"
            )
        return states

    def _standardize_initial_state(self, initial_state, sequences):
        batch = sequences.shape[0]
        flat = tree.flatten(initial_state) if tree.is_nested(initial_state) else [initial_state]
        expected = self._state_shapes.get(batch)
        if expected is None:
            zeros = self.get_initial_state(batch)
            expected = self._state_shapes[batch] = (zeros, [tuple(z.shape) for z in tree.flatten(zeros)])
        template, shapes = expected
        received = [tuple(getattr(s, "shape", ())) for s in flat]
        if received != shapes:
            raise ValueError(
                f"{layer_label(self)}: initial_state must be {len(shapes)} tensor(s) of shapes {shapes} "
                f"(one per state of the cell, batch size {batch}), received shapes {received}"
            )
        dtype = sequences.dtype if sequences.is_floating_point() else self._compute_torch_dtype
        flat = [torch.as_tensor(s, device=sequences.device).to(dtype) for s in flat]
        return tree.pack_sequence_as(template, flat)

    # ----------------------------------------------------------- shapes, masks
    def compute_output_shape(
        self, sequences_shape: Shape, initial_state_shape: Shape | Sequence[Shape] | None = None
    ) -> Shape | list[Any]:
        sequences_shape = tuple(sequences_shape)
        batch = sequences_shape[0]
        size = output_size_of(self.cell)
        output = (batch, sequences_shape[1], *_dims(size)) if self.return_sequences else (batch, *_dims(size))
        if not self.return_state:
            return output
        return [output] + tree.map_structure(lambda d: (batch, *_dims(d)), self._state_shape_template())

    def _state_shape_template(self):
        if isinstance(self.cell, StackedRNNCells):
            return [[d for d in (s if isinstance(s, (list, tuple)) else [s])] for s in self.state_size]
        return list(self.state_size)

    def compute_output_spec(
        self, sequences: KerasTensor, initial_state: Any = None, mask: Any = None, training: bool | None = None
    ) -> KerasTensor | list[Any]:
        if any(not isinstance(d, int) for d in tree.flatten(self.state_size)):
            return super().compute_output_spec(sequences, initial_state=initial_state, mask=mask, training=training)
        shapes = self.compute_output_shape(sequences.shape)
        dtype = self.compute_dtype
        spec = tree.map_shape_structure(lambda shape: KerasTensor(shape, dtype), shapes)
        input_mask = mask if mask is not None else getattr(sequences, "_keras_mask", None)
        if input_mask is not None and self.return_sequences:
            first = spec[0] if self.return_state else spec
            first._keras_mask = input_mask
        return spec

    def compute_mask(
        self,
        inputs: torch.Tensor,
        mask: torch.Tensor | list[torch.Tensor | None] | tuple[torch.Tensor | None, ...] | None = None,
    ) -> torch.Tensor | list[torch.Tensor | None] | None:
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    # ----------------------------------------------------------------- config
    def extra_repr(self) -> str:
        units = getattr(self.cell, "units", None)  # SimpleRNN, LSTM, GRU and single built-in cells have units
        return self._describe(**({} if units is None else {"units": units}), return_sequences=self.return_sequences)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "return_sequences": self.return_sequences,
                "return_state": self.return_state,
                "go_backwards": self.go_backwards,
                "stateful": self.stateful,
                "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
            }
        )
        config["cell"] = serialize_keras_object(self.cell)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
        config = dict(config)
        config["cell"] = deserialize_keras_object(
            config["cell"], registry.builtin_objects("keras.layers"), custom_objects
        )
        return super().from_config(config)


def _dims(size):
    return (int(size),) if isinstance(size, numbers.Integral) else tuple(size)


def _where(keep, new, old):
    """``new`` where ``keep`` (a ``(batch,)`` bool tensor) is True, else ``old`` (zeros when None)."""
    keep = keep.view(keep.shape[0], *([1] * (new.dim() - 1)))
    return torch.where(keep, new, 0.0 if old is None else old)


def _reset_dropout_masks(cell):
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for child in getattr(cell, "cells", ()):
        _reset_dropout_masks(child)


# ------------------------------------------------------------ fused kernels
class FusedKernel:
    """Mixin of the RNN layers that run a whole sequence in one torch kernel (LSTM, GRU), ahead of ``RNN``
    in the bases. Subclasses set ``_kernel`` (``torch._VF.lstm`` ...), define ``_torch_weights()`` (the
    kernel's flat weight list) and may define ``_fused_refusal()``: what else the kernel needs, or None."""

    _kernel: Callable[..., Any] | None = None

    def _init_use_cudnn(self, use_cudnn):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                f"{layer_label(self)}: use_cudnn must be 'auto', True or False, received use_cudnn={use_cudnn!r}"
            )
        self.use_cudnn = use_cudnn

    def _fused_refusal(self):
        return None

    def _fused_call(self, sequences, initial_state, mask, training):
        if not fused_allowed(self, sequences, self.use_cudnn):
            return None
        refusal = self._fused_refusal()
        if refusal is not None:
            if self.use_cudnn is True:
                raise ValueError(
                    f"{layer_label(self)}: use_cudnn=True needs {refusal}; pass use_cudnn='auto' to fall back "
                    "to the step loop"
                )
            return None
        result = run_fused(
            self,
            self._kernel,
            sequences,
            tuple(initial_state),
            self._torch_weights(),
            self.cell.use_bias,
            mask,
            training,
        )
        if result is None and self.use_cudnn is True:
            raise ValueError(
                f"{layer_label(self)}: use_cudnn=True, but the mask is not right-padded (or go_backwards is "
                "set with a mask); pass use_cudnn='auto' to fall back to the step loop"
            )
        return result


def fused_allowed(layer: RNN, sequences: torch.Tensor, use_cudnn: str | bool) -> bool:
    """Whether the cell's configuration allows one fused kernel (Keras's cuDNN conditions): tanh / sigmoid
    activations, no recurrent dropout, not unrolled. With ``use_cudnn=True`` a refusal raises."""
    if type(sequences) is not torch.Tensor and is_fake(sequences):  # shape inference runs the step loop
        return False
    if forward_mode_active():  # torch's fused RNN kernels have no forward-mode (JVP) rule: step loop
        return False
    cell = layer.cell
    ok = (
        use_cudnn is not False
        and not layer.unroll
        and cell.recurrent_dropout == 0
        and cell.activation is activations.tanh
        and cell.recurrent_activation is activations.sigmoid
    )
    if not ok and use_cudnn is True:
        raise ValueError(
            f"{layer_label(layer)}: use_cudnn=True, but this configuration cannot use the fused kernel "
            "(it needs activation='tanh', recurrent_activation='sigmoid', recurrent_dropout=0, "
            "unroll=False); pass use_cudnn='auto' to fall back to the step loop"
        )
    return ok


def run_fused(
    layer: RNN,
    kernel_fn: Callable[..., Any],
    sequences: torch.Tensor,
    hx: tuple[torch.Tensor, ...],
    flat_weights: list[torch.Tensor],
    has_biases: bool,
    mask: torch.Tensor | None,
    training: bool | None,
) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]] | None:
    """Run ``kernel_fn`` (``torch._VF.lstm`` / ``torch._VF.gru``) over the whole sequence.

    ``hx`` is the tuple of initial states, each ``(batch, units)``. A mask must be right-padded
    (each row ``True...True False...False``; checking that costs one host sync); other masks, empty
    rows, ``go_backwards`` with a mask, fake tensors (shape inference) and a CPU sequence under ``torch.compile``
    return None (step loop).
    Returns ``(last_output, outputs, [final states])``.
    """
    if sequences.device.type == "cpu" and torch.compiler.is_compiling():
        # torch.compile cannot run the fused CPU kernel (inductor fails on aten.mkldnn_rnn_layer, torch 2.13):
        # the step loop compiles instead.
        return None
    if layer.go_backwards:
        if mask is not None:
            return None
        sequences = sequences.flip(1)
    cell = layer.cell
    if training and 0 < cell.dropout < 1:  # one mask for every step, applied before the kernel (as Keras)
        sequences = sequences * cell.get_dropout_mask(sequences[:, 0]).unsqueeze(1)
    hx = tuple(h.unsqueeze(0) for h in hx)
    lengths = None
    if mask is not None:
        steps = mask.shape[1]
        lengths = mask.sum(1)
        padded = (mask == (torch.arange(steps, device=mask.device) < lengths.unsqueeze(1))).all()
        info = torch.cat([lengths, padded.view(1).long()]).cpu()  # the one host sync
        if not bool(info[-1]) or bool((info[:-1] == 0).any()):
            return None
        lengths = info[:-1]
        if bool((lengths == steps).all()):
            lengths = None
    single = len(hx) == 1
    if lengths is None:
        result = kernel_fn(sequences, hx[0] if single else hx, flat_weights, has_biases, 1, 0.0, training, False, True)
        outputs, states = result[0], [s.squeeze(0) for s in result[1:]]
    else:
        packed = pack_padded_sequence(sequences, lengths, batch_first=True, enforce_sorted=False)
        # (the lengths come from the mask; enforce_sorted=False gives the sorting indices)
        assert mask is not None and packed.sorted_indices is not None and packed.unsorted_indices is not None
        hx = tuple(h.index_select(1, packed.sorted_indices) for h in hx)
        result = kernel_fn(
            packed.data, packed.batch_sizes, hx[0] if single else hx, flat_weights, has_biases, 1, 0.0, training, False
        )
        outputs = pad_packed_sequence(
            PackedSequence(result[0], packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices),
            batch_first=True,
            total_length=mask.shape[1],
        )[0]
        states = [s.index_select(1, packed.unsorted_indices).squeeze(0) for s in result[1:]]
        if (
            layer.return_sequences and not layer.zero_output_for_mask
        ):  # masked steps repeat the last output, as Keras's loop does
            outputs = torch.where(mask.unsqueeze(-1), outputs, states[0].unsqueeze(1))
    return states[0], outputs, states

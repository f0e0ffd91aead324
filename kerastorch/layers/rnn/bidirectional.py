"""``Bidirectional``: runs a recurrent layer forwards and a copy of it backwards over the
sequence, and merges the two outputs.

The forward layer is re-created from the given layer's config (named ``forward_<name>``);
the backward layer is ``backward_layer`` when given, else another re-creation with
``go_backwards`` flipped (named ``backward_<name>``), as in Keras 3. When
``return_sequences`` is set, both layers output zeros at masked steps
(``zero_output_for_mask=True``) and the backward output sequence is reversed back in time
before the merge, so step ``t`` of the result sees the whole sequence.

``merge_mode`` is ``"concat"`` (last axis), ``"sum"``, ``"mul"``, ``"ave"`` or ``None``
(the list ``[forward, backward]``). With ``return_state`` the result is
``[output(s), *forward_states, *backward_states]``; an ``initial_state`` list is split in
half between the forward and the backward layer. Weights: the forward layer's, then the
backward layer's, so ``set_weights(keras_layer.get_weights())`` works by position.

Example:
    >>> from kerastorch.layers import LSTM
    >>> Bidirectional(LSTM(4, return_sequences=True))(torch.ones(2, 5, 3)).shape
    torch.Size([2, 5, 8])
"""

from __future__ import annotations

from typing import Any

import torch

from kerastorch.backend.annotations import Shape, TensorLike
from kerastorch.layers.base import Layer
from kerastorch.layers.layer_utils import build_sublayer, layer_label
from kerastorch.layers.rnn.time_distributed import layer_from_config
from kerastorch.serialization import serialization_lib
from kerastorch.serialization.object_registration import register_builtin

MERGE_MODES = ("concat", "sum", "mul", "ave", None)
_MATCHING = ("stateful", "return_sequences", "return_state")


def _prefixed(name, prefix):
    return name if name.startswith(prefix) else prefix + name


def _state_count(layer):
    """How many state tensors a recurrent layer returns with ``return_state``."""
    size = getattr(getattr(layer, "cell", None), "state_size", None)
    return len(size) if isinstance(size, (list, tuple)) else 1


@register_builtin("keras.layers")
class Bidirectional(Layer):
    """Bidirectional wrapper of a recurrent layer (``RNN``, ``LSTM``, ``GRU``, ``SimpleRNN``, ``ConvLSTM*``).

    A copy of ``layer`` (``forward_<name>``) runs forwards over the sequence and ``backward_layer``, or
    another copy with ``go_backwards`` flipped (``backward_<name>``), runs backwards; their outputs are
    merged. With ``return_sequences`` the backward output sequence is reversed back in time first, so
    step ``t`` of the result has seen the whole sequence.

    Args:
        layer: recurrent layer: the layer to run in both directions (an instance with ``go_backwards``,
            ``return_sequences`` and ``return_state``); it is re-created from its config, not used itself.
        merge_mode: str or None, default ``"concat"``: how the two outputs are combined: ``"concat"``
            (along the last axis), ``"sum"``, ``"mul"``, ``"ave"``, or None for the list
            ``[forward, backward]``.
        weights: list of arrays or None, default None: initial weights (the forward layer's, then the
            backward layer's), set when the layer is built.
        backward_layer: recurrent layer or None, default None: the layer for the backward direction, used
            as given; it must have the opposite ``go_backwards`` and the same ``return_sequences``,
            ``return_state`` and ``stateful`` as ``layer``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        sequences: the input tensor ``(batch_size, timesteps, ...)``.
        initial_state: list of tensors or None, default None: the forward layer's initial states followed
            by the backward layer's.
        mask: boolean tensor ``(batch_size, timesteps)`` or None: passed on to both layers.
        training: bool or None: passed on to both layers.

    Input shape:
        What ``layer`` accepts: ``(batch_size, timesteps, ...)``.

    Output shape:
        The wrapped layer's output shape with the last axis doubled for ``"concat"``, unchanged for
        ``"sum"``, ``"mul"`` and ``"ave"``, and a list of two for None; with ``return_state`` followed by
        the forward layer's final states and then the backward layer's.

    Raises:
        ValueError: ``layer`` or ``backward_layer`` is not a recurrent layer, an unknown ``merge_mode``, a
            ``backward_layer`` with the same ``go_backwards`` or a different ``return_sequences``,
            ``return_state`` or ``stateful``; when called, an odd number of ``initial_state`` tensors.

    >>> from kerastorch.layers import GRU
    >>> outputs = Bidirectional(GRU(2), merge_mode=None)(torch.ones(3, 4, 5))
    >>> [tuple(y.shape) for y in outputs]
    [(3, 2), (3, 2)]
    """

    def __init__(
        self,
        layer: Layer,
        merge_mode: str | None = "concat",
        weights: list[TensorLike] | None = None,
        backward_layer: Layer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._check_recurrent(layer, "layer")
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"{layer_label(self)}: merge_mode must be one of {list(MERGE_MODES)}, "
                f"received merge_mode={merge_mode!r}"
            )
        self.merge_mode = merge_mode
        self.return_sequences = bool(layer.return_sequences)
        self.return_state = bool(layer.return_state)
        self.stateful = bool(getattr(layer, "stateful", False))
        forward = self._recreate(layer, _prefixed(layer.name, "forward_"), go_backwards=layer.go_backwards)
        if backward_layer is None:
            backward = self._recreate(layer, _prefixed(layer.name, "backward_"), go_backwards=not layer.go_backwards)
        else:
            self._check_recurrent(backward_layer, "backward_layer")
            if bool(backward_layer.go_backwards) == bool(layer.go_backwards):
                raise ValueError(
                    f"{layer_label(self)}: the forward and backward layers must have different go_backwards "
                    f"values, received go_backwards={layer.go_backwards} for both"
                )
            for attr in _MATCHING:
                if bool(getattr(layer, attr, False)) != bool(getattr(backward_layer, attr, False)):
                    raise ValueError(
                        f"{layer_label(self)}: the forward and backward layers must have the same {attr}, "
                        f"received {attr}={getattr(layer, attr, False)} for the forward layer and "
                        f"{getattr(backward_layer, attr, False)} for the backward layer"
                    )
            backward = backward_layer
            if self.return_sequences:
                backward.zero_output_for_mask = True
        self.forward_layer = forward
        self.backward_layer = backward
        self._initial_weights = weights
        self.supports_masking = True

    def _check_recurrent(self, layer, arg):
        if not isinstance(layer, Layer) or not all(
            hasattr(layer, a) for a in ("go_backwards", "return_sequences", "return_state")
        ):
            raise ValueError(
                f"{layer_label(self)}: {arg} must be a recurrent layer instance (RNN, LSTM, GRU, ...) with "
                f"go_backwards, return_sequences and return_state, received {layer!r}"
            )

    def _recreate(self, layer, name, go_backwards):
        config = layer.get_config()
        config.update(name=name, go_backwards=go_backwards)
        if self.return_sequences and "zero_output_for_mask" in config:
            config["zero_output_for_mask"] = True
        return type(layer).from_config(config)

    # -------------------------------------------------------------- building
    def build(self, sequences_shape: Shape) -> None:
        for layer in (self.forward_layer, self.backward_layer):
            build_sublayer(self, layer, sequences_shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    # --------------------------------------------------------------- calling
    def call(
        self,
        sequences: torch.Tensor,
        initial_state: TensorLike | None = None,
        mask: torch.Tensor | None = None,
        training: bool | None = None,
    ) -> torch.Tensor | list[Any]:
        kwargs: dict[str, Any] = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        forward_kwargs, backward_kwargs = dict(kwargs), dict(kwargs)
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) % 2:
                raise ValueError(
                    f"{layer_label(self)}: initial_state must hold the forward layer's states followed by "
                    f"the backward layer's (an even number of tensors), received {len(states)}"
                )
            half = len(states) // 2
            forward_kwargs["initial_state"], backward_kwargs["initial_state"] = states[:half], states[half:]
        y = self.forward_layer(sequences, **forward_kwargs)
        y_rev = self.backward_layer(sequences, **backward_kwargs)
        forward_states = backward_states = []
        if self.return_state:
            y, forward_states = y[0], list(y[1:])
            y_rev, backward_states = y_rev[0], list(y_rev[1:])
        if self.return_sequences:
            y_rev = torch.flip(y_rev, (1,))
        output = self._merge(y, y_rev)
        if not self.return_state:
            return output
        outputs = output if isinstance(output, list) else [output]
        return outputs + forward_states + backward_states

    def _merge(self, y, y_rev):
        mode = self.merge_mode
        if mode == "concat":
            return torch.cat((y, y_rev), dim=-1)
        if mode == "sum":
            return y + y_rev
        if mode == "ave":
            return (y + y_rev) / 2
        if mode == "mul":
            return y * y_rev
        return [y, y_rev]

    def compute_mask(
        self, inputs: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor | list[torch.Tensor | None] | None:
        """The sequence mask for the sequence output(s) when ``return_sequences``; None for the states."""
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            if output_mask is None:
                return None
            return masks + [None] * (_state_count(self.forward_layer) + _state_count(self.backward_layer))
        return masks if self.merge_mode is None else output_mask

    # ------------------------------------------------------------------ state
    @property
    def states(self) -> list[Any] | None:
        """The forward layer's states then the backward layer's (stateful layers), else None."""
        forward, backward = getattr(self.forward_layer, "states", None), getattr(self.backward_layer, "states", None)
        if forward is None and backward is None:
            return None
        return list(forward or []) + list(backward or [])

    def reset_states(self) -> None:
        """Reset the states of both stateful layers."""
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialization_lib.serialize_keras_object(self.forward_layer)
        config["backward_layer"] = serialization_lib.serialize_keras_object(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
        config = dict(config)
        config["layer"] = layer_from_config(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = layer_from_config(config["backward_layer"], custom_objects)
        return super().from_config(config)

"""Convolutional LSTM: ``ConvLSTMCell``, the rank-generic ``ConvLSTM`` layer and
``ConvLSTM1D`` / ``ConvLSTM2D`` / ``ConvLSTM3D``.

An LSTM whose input and recurrent transformations are convolutions. Per step, with
gates in Keras's order i, f, c, o::

    z = conv(x_t, kernel, strides, padding, dilation_rate) + bias
        + conv(h_{t-1}, recurrent_kernel, padding="same")
    i, f, g, o = split(z);  c_t = sig(f) * c_{t-1} + sig(i) * act(g);  h_t = sig(o) * act(c_t)

Weights in Keras layout: ``kernel (*kernel_size, in_channels, 4 * filters)``,
``recurrent_kernel (*kernel_size, filters, 4 * filters)``, ``bias (4 * filters,)``
(paths ``conv_lstm2d/conv_lstm_cell/kernel``). ``unit_forget_bias`` starts the forget
gate's bias at one.

Speed: the input convolution of all time steps is one convolution call (time folded
into the batch axis) before the loop; the loop runs only the recurrent convolution
and the gate arithmetic, on channels-first views (the states the layer returns are in
the layer's ``data_format``, as permuted views, no copies). Kernels are permuted to
torch's layout once per sequence. ``"same"`` padding follows Keras's rules
(:mod:`kerastorch.backend.conv_utils`), computed once per spatial shape.

Dropout (``dropout`` on the inputs, ``recurrent_dropout`` on the hidden state) draws
one mask per sequence, shared by the four gates, as Keras 3 does.

Example:
    >>> layer = ConvLSTM2D(4, 3, padding="same", return_sequences=True)
    >>> layer(torch.ones(2, 5, 8, 8, 3)).shape
    torch.Size([2, 5, 8, 8, 4])
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import torch
import torch.nn.functional as F

from kerastorch import activations, config, regularizers
from kerastorch import random as krandom
from kerastorch.backend import conv_utils
from kerastorch.backend.annotations import Identifier, Shape, TensorLike
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import layer_label, positive_int, set_weight_options, weight_options_config
from kerastorch.layers.rnn.dropout_rnn_cell import CELL_WEIGHT_OPTIONS, DropoutRNNCell
from kerastorch.layers.rnn.rnn import RNN
from kerastorch.serialization.object_registration import register_builtin

CONV_FUNCTIONS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_WEIGHTS = ("kernel", "recurrent", "bias")


@register_builtin("keras.layers")
class ConvLSTMCell(DropoutRNNCell, Layer):
    """One step of a convolutional LSTM over ``(batch, *spatial, channels)`` inputs (``channels_last``).

    ``state_size`` is ``[filters, filters]`` (the channels of ``h`` and ``c``; their spatial
    shape follows the inputs). With gates in Keras's order i, f, c, o:
    ``z = conv(x, kernel) + bias + conv(h, recurrent_kernel, padding="same")``,
    ``c = sig(f) * c + sig(i) * act(g)``, ``h = sig(o) * act(c)``. Weights: ``kernel``
    ``(*kernel_size, channels, 4 * filters)``, ``recurrent_kernel`` ``(*kernel_size, filters, 4 * filters)``,
    ``bias`` ``(4 * filters,)``.

    Args:
        rank: int: the number of spatial axes, 1, 2 or 3.
        filters: int: the number of output channels (of ``h`` and ``c``).
        kernel_size: int or tuple of ``rank`` ints: the window of the input and recurrent convolutions.
        strides: int or tuple of ``rank`` ints, default 1: the step of the input convolution (the
            recurrent one has stride 1); strides above 1 cannot be combined with a dilation rate above 1.
        padding: str, default ``"valid"``: the input convolution's padding, ``"valid"`` or ``"same"`` (the
            recurrent convolution always uses ``"same"``).
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of ``rank`` ints, default 1: the spacing of the input convolution's taps.
        activation: str, callable or None, default ``"tanh"``: the activation of the candidate cell state
            and the output.
        recurrent_activation: str, callable or None, default ``"sigmoid"``: the activation of the gates.
        use_bias: bool, default True: whether the cell has a bias.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of ``kernel``.
        recurrent_initializer: str or initializer, default ``"orthogonal"``: the initializer of
            ``recurrent_kernel``.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of ``bias``.
        unit_forget_bias: bool, default True: whether the forget gate's bias starts at 1.
        kernel_regularizer: str, regularizer or None, default None: a penalty on ``kernel``.
        recurrent_regularizer: str, regularizer or None, default None: a penalty on ``recurrent_kernel``.
        bias_regularizer: str, regularizer or None, default None: a penalty on ``bias``.
        kernel_constraint: str, constraint or None, default None: a constraint applied to ``kernel`` after
            each optimizer update.
        recurrent_constraint: str, constraint or None, default None: a constraint applied to
            ``recurrent_kernel`` after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to ``bias`` after each
            optimizer update.
        dropout: float, default 0.0: the fraction of the input units dropped in training, in ``[0, 1]``;
            one mask per sequence, shared by the four gates.
        recurrent_dropout: float, default 0.0: the fraction of the units of ``h`` dropped in training, in
            ``[0, 1]``; one mask per sequence.
        seed: int or None, default None: the seed of the dropout masks (torch's global generator when None).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        inputs: tensor ``(batch_size, *spatial, channels)`` (channels last): one step.
        states: list ``[h, c]``: the previous states, ``(batch_size, *new_spatial, filters)`` each.
        training: bool, default False: whether dropout is applied.

    Input shape:
        ``(batch_size, *spatial, channels)`` (or channels first) for one step, and the states.

    Output shape:
        ``(output, new_states)``: ``h`` ``(batch_size, *new_spatial, filters)`` and ``[h, c]``; each new
        size is that of the input convolution.

    Raises:
        ValueError: a ``rank`` other than 1, 2 or 3, a ``filters``, ``kernel_size``, ``strides`` or
            ``dilation_rate`` that is not positive, strides and dilation both above 1, an unknown
            ``padding``, ``data_format`` or activation, a dropout rate outside ``[0, 1]``; when building,
            step inputs of another rank or an unknown channel axis.

    >>> cell = ConvLSTMCell(2, filters=3, kernel_size=3, padding="same")
    >>> h, (h2, c) = cell(torch.ones(1, 5, 5, 2), [torch.zeros(1, 5, 5, 3), torch.zeros(1, 5, 5, 3)])
    >>> tuple(h.shape), bool((h == h2).all())
    ((1, 5, 5, 3), True)
    """

    _builtin_cell = True
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

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        activation: str | Callable[..., Any] | None = "tanh",
        recurrent_activation: str | Callable[..., Any] | None = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Identifier = "glorot_uniform",
        recurrent_initializer: Identifier = "orthogonal",
        bias_initializer: Identifier = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Identifier = None,
        recurrent_regularizer: Identifier = None,
        bias_regularizer: Identifier = None,
        kernel_constraint: Identifier = None,
        recurrent_constraint: Identifier = None,
        bias_constraint: Identifier = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        label = layer_label(self)
        if rank not in CONV_FUNCTIONS:
            raise ValueError(f"{label}: rank must be 1, 2 or 3, received rank={rank!r}")
        self.rank = rank
        self.filters = positive_int(self, "filters", filters)
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size", label)
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides", label)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate", label)
        conv_utils.check_strides_with_dilation(self.strides, self.dilation_rate, label)
        self.padding = conv_utils.normalize_padding(padding, ("valid", "same"), label)
        self.data_format = conv_utils.normalize_data_format(data_format, label)
        self._channels_first = self.data_format == "channels_first"
        self._to_first = conv_utils.to_channels_first_perm(rank)
        self._to_last = conv_utils.to_channels_last_perm(rank)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.unit_forget_bias = bool(unit_forget_bias)
        arguments = locals()
        set_weight_options(self, **{name: arguments[name] for name in CELL_WEIGHT_OPTIONS})
        for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
                raise ValueError(f"{label}: {arg} must be a number in [0, 1], received {arg}={rate!r}")
        self.dropout = min(float(dropout), 1.0)
        self.recurrent_dropout = min(float(recurrent_dropout), 1.0)
        self.seed = seed
        self.seed_generator = krandom.SeedGenerator(seed) if seed is not None else None
        self.state_size = [self.filters, self.filters]
        self.output_size = self.filters
        self._conv = CONV_FUNCTIONS[rank]
        self._kernel_perm = (rank + 1, rank) + tuple(range(rank))
        self._geometries: dict[Any, tuple[Any, Any]] = {}  # spatial shape (or ("recurrent", shape)) -> geometry
        self._recurrent_kernel_t: torch.Tensor | None = None

    def build(self, input_shape: Shape) -> None:
        shape = tuple(input_shape)
        if len(shape) != self.rank + 2:
            raise ValueError(
                f"{layer_label(self)}: expected step inputs of rank {self.rank + 2}, received input shape {shape}"
            )
        channels = shape[1 if self._channels_first else -1]
        if channels is None:
            raise ValueError(
                f"{layer_label(self)}: the channel axis of the inputs must be known to build the weights, "
                f"received input shape {shape}"
            )
        units = 4 * self.filters
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (channels, units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=self.kernel_size + (self.filters, units),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias: torch.Tensor | None = None
        if self.use_bias:
            initializer: Callable[..., Any] | torch.Tensor = self.bias_initializer
            if self.unit_forget_bias:  # i: bias_initializer, f: ones, c and o: bias_initializer
                dtype, init, n = self.variable_dtype, self.bias_initializer, self.filters
                initializer = torch.cat(
                    [
                        torch.as_tensor(init((n,), dtype=dtype)),
                        torch.ones(n, dtype=config.torch_dtype(dtype)),
                        torch.as_tensor(init((2 * n,), dtype=dtype)),
                    ]
                )
            self.bias = self.add_weight(
                name="bias",
                shape=(units,),
                initializer=initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    # ------------------------------------------------------------- geometry
    def _geometry(self, spatial):
        """``(torch_padding, pad)`` of the input convolution for inputs of spatial shape ``spatial``."""
        geometry = self._geometries.get(spatial)
        if geometry is None:
            self.output_spatial(spatial)
            geometry = self._geometries[spatial] = conv_utils.conv_geometry(
                spatial, self.kernel_size, self.strides, self.dilation_rate, self.padding
            )
        return geometry

    def output_spatial(self, spatial: Sequence[int | None]) -> tuple[int | None, ...]:
        """The spatial shape of the states for inputs of spatial shape ``spatial`` (None stays None)."""
        return conv_utils.check_output_size(
            tuple(spatial), self.kernel_size, self.strides, self.dilation_rate, self.padding, layer_label(self)
        )

    def _torch_kernel(self, kernel):
        return kernel.permute(self._kernel_perm).contiguous()

    # ----------------------------------------------------------------- steps
    def _project_sequence(self, sequences, training=False):
        """The input convolution (plus bias) of every step: ``(batch, time, 4 * filters, *spatial_out)``,
        channels-first, computed with one convolution call."""
        if training and self.dropout > 0:
            sequences = sequences * self.get_dropout_mask(sequences[:, 0]).unsqueeze(1)
        batch, time = sequences.shape[0], sequences.shape[1]
        x = sequences.reshape((batch * time,) + tuple(sequences.shape[2:]))
        if not self._channels_first:
            x = x.permute(self._to_first)
        if not x.is_floating_point():
            x = x.to(self._compute_torch_dtype)
        padding, pad = self._geometry(tuple(x.shape[2:]))
        if pad is not None:
            x = F.pad(x, pad)
        z = self._conv(x, self._torch_kernel(self.kernel), self.bias, self.strides, padding, self.dilation_rate)
        self._recurrent_kernel_t = self._torch_kernel(self.recurrent_kernel)
        return z.reshape((batch, time) + tuple(z.shape[1:]))

    def _step_projected(self, projected, states, training=False):
        """One step from the projected input ``(batch, 4 * filters, *spatial)`` and ``[h, c]``."""
        h, c = states[0], states[1]
        if training and self.recurrent_dropout > 0:
            h = h * self.get_recurrent_dropout_mask(h)
        if not self._channels_first:
            h, c = h.permute(self._to_first), c.permute(self._to_first)
        padding, pad = self._geometry_recurrent(tuple(h.shape[2:]))
        if pad is not None:
            h = F.pad(h, pad)
        kernel = self._recurrent_kernel_t
        if kernel is None:
            kernel = self._recurrent_kernel_t = self._torch_kernel(self.recurrent_kernel)
        z = projected + self._conv(h, kernel, None, 1, padding)
        i, f, g, o = z.chunk(4, dim=1)
        act, rec = self.activation, self.recurrent_activation
        c = rec(f) * c + rec(i) * act(g)
        h = rec(o) * act(c)
        if not self._channels_first:
            h, c = h.permute(self._to_last), c.permute(self._to_last)
        return h, [h, c]

    def _geometry_recurrent(self, spatial):
        geometry = self._geometries.get(("recurrent", spatial))
        if geometry is None:
            ones = (1,) * self.rank
            geometry = self._geometries[("recurrent", spatial)] = conv_utils.conv_geometry(
                spatial, self.kernel_size, ones, ones, "same"
            )
        return geometry

    def call(
        self, inputs: torch.Tensor, states: Sequence[torch.Tensor], training: bool | None = False
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        projected = self._project_sequence(inputs.unsqueeze(1), training)[:, 0]
        try:
            return self._step_projected(projected, list(states), training)
        finally:
            self.reset_dropout_mask()
            self.reset_recurrent_dropout_mask()

    def reset_dropout_mask(self) -> None:
        """Forget the input dropout mask and the torch-layout recurrent kernel of the finished sequence
        (the RNN calls this at the start and the end of each sequence)."""
        super().reset_dropout_mask()
        self._recurrent_kernel_t = None

    def get_initial_state(
        self, batch_size: int | None = None, spatial: Sequence[int | None] | None = None
    ) -> list[torch.Tensor]:
        """Zero ``[h, c]`` for ``batch_size`` inputs of spatial shape ``spatial`` (input spatial shape)."""
        if spatial is None:
            raise ValueError(
                f"{layer_label(self)}: the initial state of a convolutional cell needs the spatial shape "
                "of the inputs, received spatial=None"
            )
        out = self.output_spatial(spatial)
        shape = (batch_size, self.filters, *out) if self._channels_first else (batch_size, *out, self.filters)
        return [
            torch.zeros(
                shape,  # type: ignore[arg-type]  # (a None size fails)
                dtype=self._compute_torch_dtype,
                device=self._weight_device(),
            )
            for _ in range(2)
        ]

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "rank": self.rank,
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias,
                "unit_forget_bias": self.unit_forget_bias,
                "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed,
            }
        )
        config.update(weight_options_config(self, *_WEIGHTS))
        return config


class ConvLSTM(RNN):
    """The rank-generic convolutional LSTM layer over ``(batch, time, *spatial, channels)`` inputs
    (``(batch, time, channels, *spatial)`` with ``channels_first``); ConvLSTM1D/2D/3D fix ``rank``.

    Runs a :class:`ConvLSTMCell` over the time axis: an LSTM whose input and recurrent transformations
    are convolutions.

    Args:
        rank: int: the number of spatial axes, 1, 2 or 3.
        filters: int: the number of output channels (of ``h`` and ``c``).
        kernel_size: int or tuple of ``rank`` ints: the window of the input and recurrent convolutions.
        strides: int or tuple of ``rank`` ints, default 1: the step of the input convolution (the
            recurrent one has stride 1); strides above 1 cannot be combined with a dilation rate above 1.
        padding: str, default ``"valid"``: the input convolution's padding, ``"valid"`` or ``"same"`` (the
            recurrent convolution always uses ``"same"``).
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of ``rank`` ints, default 1: the spacing of the input convolution's taps.
        activation: str, callable or None, default ``"tanh"``: the activation of the candidate cell state
            and the output.
        recurrent_activation: str, callable or None, default ``"sigmoid"``: the activation of the gates.
        use_bias: bool, default True: whether the cell has a bias.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of ``kernel``.
        recurrent_initializer: str or initializer, default ``"orthogonal"``: the initializer of
            ``recurrent_kernel``.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of ``bias``.
        unit_forget_bias: bool, default True: whether the forget gate's bias starts at 1.
        kernel_regularizer: str, regularizer or None, default None: a penalty on ``kernel``.
        recurrent_regularizer: str, regularizer or None, default None: a penalty on ``recurrent_kernel``.
        bias_regularizer: str, regularizer or None, default None: a penalty on ``bias``.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        kernel_constraint: str, constraint or None, default None: a constraint applied to ``kernel`` after
            each optimizer update.
        recurrent_constraint: str, constraint or None, default None: a constraint applied to
            ``recurrent_kernel`` after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to ``bias`` after each
            optimizer update.
        dropout: float, default 0.0: the fraction of the input units dropped in training, in ``[0, 1]``;
            one mask per sequence, shared by the four gates.
        recurrent_dropout: float, default 0.0: the fraction of the units of ``h`` dropped in training, in
            ``[0, 1]``; one mask per sequence.
        seed: int or None, default None: the seed of the dropout masks (torch's global generator when None).
        return_sequences: bool, default False: whether to return the whole output sequence rather than
            the last output.
        return_state: bool, default False: whether to also return the final states (``[output, *states]``).
        go_backwards: bool, default False: whether to process the sequence in reverse (the output sequence
            is then in processing order, i.e. reversed).
        stateful: bool, default False: whether the final states of a batch become the initial states of
            the next batch (sample ``i`` continues sample ``i``); needs a fixed batch size.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        sequences: the input tensor.
        initial_state: list ``[h, c]`` or None, default None: the initial states; zeros (or the kept states
            of a stateful layer) when None.
        mask: boolean tensor ``(batch_size, timesteps)`` or None: the steps to process (True).
        training: bool or None: whether dropout is applied.

    Input shape:
        ``(batch_size, timesteps, *spatial, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, timesteps, channels, *spatial)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, *new_spatial, filters)`` (channels last; ``(batch_size, filters, *new_spatial)`` channels
        first), with a ``timesteps`` axis after the batch axis when ``return_sequences``; with ``return_state``,
        a list of the output and the final ``h`` and ``c`` (each of the shape of one step's output). Each new
        size is ``floor((n - dilation_rate * (kernel_size - 1) - 1) / strides) + 1`` for ``"valid"`` and
        ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``filters``, ``kernel_size``, ``strides`` or ``dilation_rate`` that is not positive,
            strides and dilation both above 1, an unknown ``padding``, ``data_format`` or activation, a
            dropout rate outside ``[0, 1]``, a ``rank`` other than 1, 2 or 3; when building, inputs of another
            rank, an unknown channel axis, an empty output, a stateful layer without a fixed batch size or
            spatial shape; when called, an ``initial_state`` of the wrong shapes or a stateful layer called with
            another batch size.

    >>> ConvLSTM(1, filters=2, kernel_size=3)(torch.ones(4, 6, 10, 3)).shape
    torch.Size([4, 8, 2])
    """

    _CELL_ARGS = (
        "filters",
        "kernel_size",
        "strides",
        "padding",
        "data_format",
        "dilation_rate",
        "activation",
        "recurrent_activation",
        "use_bias",
        "kernel_initializer",
        "recurrent_initializer",
        "bias_initializer",
        "unit_forget_bias",
        "kernel_regularizer",
        "recurrent_regularizer",
        "bias_regularizer",
        "kernel_constraint",
        "recurrent_constraint",
        "bias_constraint",
        "dropout",
        "recurrent_dropout",
        "seed",
    )

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        activation: str | Callable[..., Any] | None = "tanh",
        recurrent_activation: str | Callable[..., Any] | None = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Identifier = "glorot_uniform",
        recurrent_initializer: Identifier = "orthogonal",
        bias_initializer: Identifier = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Identifier = None,
        recurrent_regularizer: Identifier = None,
        bias_regularizer: Identifier = None,
        activity_regularizer: Identifier = None,
        kernel_constraint: Identifier = None,
        recurrent_constraint: Identifier = None,
        bias_constraint: Identifier = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        **kwargs: Any,
    ) -> None:
        cell = ConvLSTMCell(
            rank,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            name="conv_lstm_cell",
            dtype=kwargs.get("dtype"),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.rank = rank
        self.input_spec = InputSpec(ndim=rank + 3)
        self._spatial = None  # the input spatial shape the zero states are made for

    def _input_spatial(self, shape):
        return tuple(shape[3:]) if self.cell._channels_first else tuple(shape[2:-1])

    def _set_spatial(self, spatial):
        if spatial != self._spatial:
            self._spatial = spatial
            self._state_shapes.clear()  # the RNN's cache of expected initial-state shapes, per batch size

    def build(self, sequences_shape: Shape) -> None:
        shape = tuple(sequences_shape)
        if len(shape) != self.rank + 3:
            layout = "channels, *spatial" if self.cell._channels_first else "*spatial, channels"
            raise ValueError(
                f"{layer_label(self)}: expected inputs of rank {self.rank + 3} (batch, time, {layout}), "
                f"received input shape {shape}"
            )
        spatial = self._input_spatial(shape)
        self.cell.output_spatial(spatial)  # an empty output is an error now, not in the first call
        if self.stateful and None in spatial:
            raise ValueError(
                f"{layer_label(self)}: a stateful ConvLSTM needs known spatial dimensions, received input shape {shape}"
            )
        self._set_spatial(spatial)
        super().build(shape)

    def call(
        self,
        sequences: torch.Tensor,
        initial_state: TensorLike | None = None,
        mask: TensorLike | None = None,
        training: bool | None = False,
    ) -> torch.Tensor | list[Any]:
        self._set_spatial(self._input_spatial(sequences.shape))
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def get_initial_state(self, batch_size: int) -> list[torch.Tensor]:
        """Zero ``[h, c]`` for ``batch_size`` sequences of the last input spatial shape."""
        return self.cell.get_initial_state(batch_size, self._spatial)

    def compute_output_shape(
        self, sequences_shape: Shape, initial_state_shape: Shape | Sequence[Shape] | None = None
    ) -> Shape | list[Any]:
        shape = tuple(sequences_shape)
        out = self.cell.output_spatial(self._input_spatial(shape))
        filters = self.cell.filters
        step = (filters, *out) if self.cell._channels_first else (*out, filters)
        output = (shape[0], shape[1], *step) if self.return_sequences else (shape[0], *step)
        if self.return_state:
            return [output, (shape[0], *step), (shape[0], *step)]
        return output

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("cell", None)
        cell = self.cell.get_config()
        config.update({key: cell[key] for key in self._CELL_ARGS})
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
        return super(RNN, cls).from_config(config)  # Layer's: the config holds the cell's arguments


def _cell_view(name: str) -> property:
    return property(lambda self: getattr(self.cell, name))


for _name in ConvLSTM._CELL_ARGS:  # filters, kernel_size, ...: read from the cell, as in Keras
    setattr(ConvLSTM, _name, _cell_view(_name))


@register_builtin("keras.layers")
class ConvLSTM1D(ConvLSTM):
    """Convolutional LSTM over sequences of 1-D signals ``(batch, time, steps, channels)``.

    An LSTM whose input and recurrent transformations are 1-D convolutions (see :class:`ConvLSTMCell`).

    Args:
        filters: int: the number of output channels (of ``h`` and ``c``).
        kernel_size: int or tuple of 1 int: the window of the input and recurrent convolutions.
        strides: int or tuple of 1 int, default 1: the step of the input convolution (the recurrent one has
            stride 1); strides above 1 cannot be combined with a dilation rate above 1.
        padding: str, default ``"valid"``: the input convolution's padding, ``"valid"`` or ``"same"`` (the
            recurrent convolution always uses ``"same"``).
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 1 int, default 1: the spacing of the input convolution's taps.
        activation: str, callable or None, default ``"tanh"``: the activation of the candidate cell state
            and the output.
        recurrent_activation: str, callable or None, default ``"sigmoid"``: the activation of the gates.
        use_bias: bool, default True: whether the cell has a bias.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of ``kernel``.
        recurrent_initializer: str or initializer, default ``"orthogonal"``: the initializer of
            ``recurrent_kernel``.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of ``bias``.
        unit_forget_bias: bool, default True: whether the forget gate's bias starts at 1.
        kernel_regularizer: str, regularizer or None, default None: a penalty on ``kernel``.
        recurrent_regularizer: str, regularizer or None, default None: a penalty on ``recurrent_kernel``.
        bias_regularizer: str, regularizer or None, default None: a penalty on ``bias``.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        kernel_constraint: str, constraint or None, default None: a constraint applied to ``kernel`` after
            each optimizer update.
        recurrent_constraint: str, constraint or None, default None: a constraint applied to
            ``recurrent_kernel`` after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to ``bias`` after each
            optimizer update.
        dropout: float, default 0.0: the fraction of the input units dropped in training, in ``[0, 1]``;
            one mask per sequence, shared by the four gates.
        recurrent_dropout: float, default 0.0: the fraction of the units of ``h`` dropped in training, in
            ``[0, 1]``; one mask per sequence.
        seed: int or None, default None: the seed of the dropout masks (torch's global generator when None).
        return_sequences: bool, default False: whether to return the whole output sequence rather than
            the last output.
        return_state: bool, default False: whether to also return the final states (``[output, *states]``).
        go_backwards: bool, default False: whether to process the sequence in reverse (the output sequence
            is then in processing order, i.e. reversed).
        stateful: bool, default False: whether the final states of a batch become the initial states of
            the next batch (sample ``i`` continues sample ``i``); needs a fixed batch size.
        *args: the arguments after ``kernel_size`` may also be given by position, in the order above.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        sequences: the input tensor.
        initial_state: list ``[h, c]`` or None, default None: the initial states; zeros (or the kept states
            of a stateful layer) when None.
        mask: boolean tensor ``(batch_size, timesteps)`` or None: the steps to process (True).
        training: bool or None: whether dropout is applied.

    Input shape:
        ``(batch_size, timesteps, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, timesteps, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, new_steps, filters)`` (channels last; ``(batch_size, filters, new_steps)`` channels
        first), with a ``timesteps`` axis after the batch axis when ``return_sequences``; with ``return_state``,
        a list of the output and the final ``h`` and ``c`` (each of the shape of one step's output). Each new
        size is ``floor((n - dilation_rate * (kernel_size - 1) - 1) / strides) + 1`` for ``"valid"`` and
        ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``filters``, ``kernel_size``, ``strides`` or ``dilation_rate`` that is not positive,
            strides and dilation both above 1, an unknown ``padding``, ``data_format`` or activation, a
            dropout rate outside ``[0, 1]``; when building, inputs of another rank, an unknown channel
            axis, an empty output, a stateful layer without a fixed batch size or spatial shape; when
            called, an ``initial_state`` of the wrong shapes or a stateful layer called with another batch
            size.

    >>> ConvLSTM1D(2, 3, padding="same", return_state=True)(torch.ones(2, 4, 6, 3))[2].shape
    torch.Size([2, 6, 2])
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class ConvLSTM2D(ConvLSTM):
    """Convolutional LSTM over sequences of images ``(batch, time, height, width, channels)``.

    An LSTM whose input and recurrent transformations are 2-D convolutions (see :class:`ConvLSTMCell`).

    Args:
        filters: int: the number of output channels (of ``h`` and ``c``).
        kernel_size: int or tuple of 2 ints: the window of the input and recurrent convolutions.
        strides: int or tuple of 2 ints, default 1: the step of the input convolution (the recurrent one has
            stride 1); strides above 1 cannot be combined with a dilation rate above 1.
        padding: str, default ``"valid"``: the input convolution's padding, ``"valid"`` or ``"same"`` (the
            recurrent convolution always uses ``"same"``).
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 2 ints, default 1: the spacing of the input convolution's taps.
        activation: str, callable or None, default ``"tanh"``: the activation of the candidate cell state
            and the output.
        recurrent_activation: str, callable or None, default ``"sigmoid"``: the activation of the gates.
        use_bias: bool, default True: whether the cell has a bias.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of ``kernel``.
        recurrent_initializer: str or initializer, default ``"orthogonal"``: the initializer of
            ``recurrent_kernel``.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of ``bias``.
        unit_forget_bias: bool, default True: whether the forget gate's bias starts at 1.
        kernel_regularizer: str, regularizer or None, default None: a penalty on ``kernel``.
        recurrent_regularizer: str, regularizer or None, default None: a penalty on ``recurrent_kernel``.
        bias_regularizer: str, regularizer or None, default None: a penalty on ``bias``.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        kernel_constraint: str, constraint or None, default None: a constraint applied to ``kernel`` after
            each optimizer update.
        recurrent_constraint: str, constraint or None, default None: a constraint applied to
            ``recurrent_kernel`` after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to ``bias`` after each
            optimizer update.
        dropout: float, default 0.0: the fraction of the input units dropped in training, in ``[0, 1]``;
            one mask per sequence, shared by the four gates.
        recurrent_dropout: float, default 0.0: the fraction of the units of ``h`` dropped in training, in
            ``[0, 1]``; one mask per sequence.
        seed: int or None, default None: the seed of the dropout masks (torch's global generator when None).
        return_sequences: bool, default False: whether to return the whole output sequence rather than
            the last output.
        return_state: bool, default False: whether to also return the final states (``[output, *states]``).
        go_backwards: bool, default False: whether to process the sequence in reverse (the output sequence
            is then in processing order, i.e. reversed).
        stateful: bool, default False: whether the final states of a batch become the initial states of
            the next batch (sample ``i`` continues sample ``i``); needs a fixed batch size.
        *args: the arguments after ``kernel_size`` may also be given by position, in the order above.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        sequences: the input tensor.
        initial_state: list ``[h, c]`` or None, default None: the initial states; zeros (or the kept states
            of a stateful layer) when None.
        mask: boolean tensor ``(batch_size, timesteps)`` or None: the steps to process (True).
        training: bool or None: whether dropout is applied.

    Input shape:
        ``(batch_size, timesteps, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, timesteps, channels, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, new_height, new_width, filters)`` (channels last;
        ``(batch_size, filters, new_height, new_width)`` channels first), with a ``timesteps`` axis after the
        batch axis when ``return_sequences``; with ``return_state``, a list of the output and the final ``h``
        and ``c`` (each of the shape of one step's output). Each new size is
        ``floor((n - dilation_rate * (kernel_size - 1) - 1) / strides) + 1`` for ``"valid"`` and
        ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``filters``, ``kernel_size``, ``strides`` or ``dilation_rate`` that is not positive,
            strides and dilation both above 1, an unknown ``padding``, ``data_format`` or activation, a
            dropout rate outside ``[0, 1]``; when building, inputs of another rank, an unknown channel
            axis, an empty output, a stateful layer without a fixed batch size or spatial shape; when
            called, an ``initial_state`` of the wrong shapes or a stateful layer called with another batch
            size.

    >>> ConvLSTM2D(4, 3, strides=2)(torch.ones(2, 3, 9, 9, 1)).shape
    torch.Size([2, 4, 4, 4])
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, *args, **kwargs)


@register_builtin("keras.layers")
class ConvLSTM3D(ConvLSTM):
    """Convolutional LSTM over sequences of volumes ``(batch, time, depth, height, width, channels)``.

    An LSTM whose input and recurrent transformations are 3-D convolutions (see :class:`ConvLSTMCell`).

    Args:
        filters: int: the number of output channels (of ``h`` and ``c``).
        kernel_size: int or tuple of 3 ints: the window of the input and recurrent convolutions.
        strides: int or tuple of 3 ints, default 1: the step of the input convolution (the recurrent one has
            stride 1); strides above 1 cannot be combined with a dilation rate above 1.
        padding: str, default ``"valid"``: the input convolution's padding, ``"valid"`` or ``"same"`` (the
            recurrent convolution always uses ``"same"``).
        data_format: str or None, default None: ``"channels_last"`` or ``"channels_first"``; None uses
            ``keras.config.image_data_format()``.
        dilation_rate: int or tuple of 3 ints, default 1: the spacing of the input convolution's taps.
        activation: str, callable or None, default ``"tanh"``: the activation of the candidate cell state
            and the output.
        recurrent_activation: str, callable or None, default ``"sigmoid"``: the activation of the gates.
        use_bias: bool, default True: whether the cell has a bias.
        kernel_initializer: str or initializer, default ``"glorot_uniform"``: the initializer of ``kernel``.
        recurrent_initializer: str or initializer, default ``"orthogonal"``: the initializer of
            ``recurrent_kernel``.
        bias_initializer: str or initializer, default ``"zeros"``: the initializer of ``bias``.
        unit_forget_bias: bool, default True: whether the forget gate's bias starts at 1.
        kernel_regularizer: str, regularizer or None, default None: a penalty on ``kernel``.
        recurrent_regularizer: str, regularizer or None, default None: a penalty on ``recurrent_kernel``.
        bias_regularizer: str, regularizer or None, default None: a penalty on ``bias``.
        activity_regularizer: str, regularizer or None, default None: a penalty on the layer's output.
        kernel_constraint: str, constraint or None, default None: a constraint applied to ``kernel`` after
            each optimizer update.
        recurrent_constraint: str, constraint or None, default None: a constraint applied to
            ``recurrent_kernel`` after each optimizer update.
        bias_constraint: str, constraint or None, default None: a constraint applied to ``bias`` after each
            optimizer update.
        dropout: float, default 0.0: the fraction of the input units dropped in training, in ``[0, 1]``;
            one mask per sequence, shared by the four gates.
        recurrent_dropout: float, default 0.0: the fraction of the units of ``h`` dropped in training, in
            ``[0, 1]``; one mask per sequence.
        seed: int or None, default None: the seed of the dropout masks (torch's global generator when None).
        return_sequences: bool, default False: whether to return the whole output sequence rather than
            the last output.
        return_state: bool, default False: whether to also return the final states (``[output, *states]``).
        go_backwards: bool, default False: whether to process the sequence in reverse (the output sequence
            is then in processing order, i.e. reversed).
        stateful: bool, default False: whether the final states of a batch become the initial states of
            the next batch (sample ``i`` continues sample ``i``); needs a fixed batch size.
        *args: the arguments after ``kernel_size`` may also be given by position, in the order above.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Call arguments:
        sequences: the input tensor.
        initial_state: list ``[h, c]`` or None, default None: the initial states; zeros (or the kept states
            of a stateful layer) when None.
        mask: boolean tensor ``(batch_size, timesteps)`` or None: the steps to process (True).
        training: bool or None: whether dropout is applied.

    Input shape:
        ``(batch_size, timesteps, depth, height, width, channels)`` with ``data_format="channels_last"``, or
        ``(batch_size, timesteps, channels, depth, height, width)`` with ``"channels_first"``.

    Output shape:
        ``(batch_size, new_depth, new_height, new_width, filters)`` (channels last;
        ``(batch_size, filters, new_depth, new_height, new_width)`` channels first), with a ``timesteps`` axis
        after the batch axis when ``return_sequences``; with ``return_state``, a list of the output and the
        final ``h`` and ``c`` (each of the shape of one step's output). Each new size is
        ``floor((n - dilation_rate * (kernel_size - 1) - 1) / strides) + 1`` for ``"valid"`` and
        ``ceil(n / strides)`` for ``"same"``.

    Raises:
        ValueError: a ``filters``, ``kernel_size``, ``strides`` or ``dilation_rate`` that is not positive,
            strides and dilation both above 1, an unknown ``padding``, ``data_format`` or activation, a
            dropout rate outside ``[0, 1]``; when building, inputs of another rank, an unknown channel
            axis, an empty output, a stateful layer without a fixed batch size or spatial shape; when
            called, an ``initial_state`` of the wrong shapes or a stateful layer called with another batch
            size.

    >>> ConvLSTM3D(2, 2, data_format="channels_first")(torch.ones(1, 2, 3, 4, 4, 4)).shape
    torch.Size([1, 2, 3, 3, 3])
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], *args: Any, **kwargs: Any) -> None:
        super().__init__(3, filters, kernel_size, *args, **kwargs)

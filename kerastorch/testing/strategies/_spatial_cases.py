"""Layer cases of the convolutional, pooling, recurrent and attention families."""

import re

from hypothesis import strategies as st

from kerastorch.testing.strategies._cases import BATCH, BOOLS, DATA_FORMATS, SMOOTH_ACTIVATIONS, case, image, make, side

_CONV = (
    [f"Conv{r}D" for r in (1, 2, 3)]
    + [f"Conv{r}DTranspose" for r in (1, 2, 3)]
    + ["DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D"]
)


def _rank(name):
    return int(re.search(r"(\d)D", name).group(1))


# ---------------------------------------------------------------------------------------------- convolution
def _conv_flags(name):
    steps = ("unit", "strides") if "Transpose" in name else ("unit", "strides", "dilation")
    return {
        "data_format": DATA_FORMATS,
        "padding": ("valid", "same"),
        "activation": SMOOTH_ACTIVATIONS,
        "use_bias": BOOLS,
        "step": steps,
    }


@case("convolutional", *_CONV, flags=_conv_flags)
def _conv(draw, name):
    rank = _rank(name)
    fmt = draw.flag("data_format")
    kernel = draw(st.integers(1, 2 if rank == 3 else 3))
    config = {
        "kernel_size": kernel,
        "padding": draw.flag("padding"),
        "data_format": fmt,
        "activation": draw.flag("activation"),
        "use_bias": draw.flag("use_bias"),
    }
    step = draw.flag("step")  # strides 2 or dilation 2 (not both: Keras refuses the pair)
    if step == "strides":
        config["strides"] = 2
    elif step == "dilation":
        config["dilation_rate"] = 2
    if name.startswith("Depthwise"):
        config["depth_multiplier"] = side(draw, 1, 2)
    else:
        config["filters"] = side(draw, 1, 2)
    if name.startswith("Separable"):
        config["depth_multiplier"] = side(draw, 1, 2)
    low = kernel * config.get("dilation_rate", 1)
    return make(name, **config), image(draw, rank, fmt, low=low, high=max(low, 3 if rank == 3 else 4))


# -------------------------------------------------------------------------------------------------- pooling
_POOL = [f"{k}Pooling{r}D" for k in ("Max", "Average") for r in (1, 2, 3)]
_GLOBAL = [f"Global{k}Pooling{r}D" for k in ("Max", "Average") for r in (1, 2, 3)]
_ADAPTIVE = [f"Adaptive{k}Pooling{r}D" for k in ("Max", "Average") for r in (1, 2, 3)]


@case("pooling", *_POOL, flags={"strides": (None, 1, 2), "padding": ("valid", "same"), "data_format": DATA_FORMATS})
def _pool(draw, name):
    rank, fmt = _rank(name), draw.flag("data_format")
    pool = draw(st.integers(1, 2))
    config = {"pool_size": pool, "strides": draw.flag("strides"), "padding": draw.flag("padding"), "data_format": fmt}
    return make(name, **config), image(draw, rank, fmt, low=pool, high=3 if rank == 3 else 4)


@case("pooling", *_GLOBAL, flags={"data_format": DATA_FORMATS, "keepdims": BOOLS})
def _global_pool(draw, name):
    fmt = draw.flag("data_format")
    return make(name, data_format=fmt, keepdims=draw.flag("keepdims")), image(draw, _rank(name), fmt, high=3)


@case("pooling", *_ADAPTIVE, flags={"data_format": DATA_FORMATS})
def _adaptive_pool(draw, name):
    rank, fmt = _rank(name), draw.flag("data_format")
    return make(name, output_size=side(draw, 1, 2), data_format=fmt), image(draw, rank, fmt, low=2, high=4)


# ------------------------------------------------------------------------------------------------ recurrent
def _sequence(draw, features=None):
    return (BATCH, side(draw, 1, 3), features or side(draw, 1, 2))


def _rnn_flags(name):
    flags = {"return_sequences": BOOLS, "go_backwards": BOOLS}
    if name != "SimpleRNN":
        flags["dropout"] = (0.0, 0.3)
    if name == "GRU":
        flags["reset_after"] = BOOLS
    return flags


@case("rnn", "SimpleRNN", "LSTM", "GRU", flags=_rnn_flags)
def _rnn_layer(draw, name):
    config = {
        "units": side(draw, 1, 2),
        "return_sequences": draw.flag("return_sequences"),
        "go_backwards": draw.flag("go_backwards"),
    }
    if draw.flag("dropout", 0.0):
        config.update(dropout=draw.flag("dropout"), seed=draw(st.integers(0, 9)))
    if name == "GRU":
        config["reset_after"] = draw.flag("reset_after")
    return make(name, **config), _sequence(draw)


_CELLS = ("SimpleRNNCell", "LSTMCell", "GRUCell")


def _cell_flags(name):
    return {"cell": _CELLS, "return_sequences": BOOLS} if name in ("RNN", "StackedRNNCells") else {}


@case("rnn", "RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells", flags=_cell_flags)
def _rnn_cell(draw, name):
    cell = draw.flag("cell", name)
    units = side(draw, 1, 2)
    if name == "StackedRNNCells":
        cells = make("StackedRNNCells", cells=[make(cell, units=units), make("SimpleRNNCell", units=side(draw, 1, 2))])
        return make("RNN", cell=cells, return_sequences=draw.flag("return_sequences")), _sequence(draw)
    if name == "RNN":
        return make("RNN", cell=make(cell, units=units), return_sequences=draw.flag("return_sequences")), _sequence(
            draw
        )
    states = [(BATCH, units)] * (2 if cell == "LSTMCell" else 1)
    return make(cell, units=units), ((BATCH, side(draw, 1, 2)), states)


@case(
    "rnn",
    "Bidirectional",
    flags={
        "layer": ("SimpleRNN", "LSTM", "GRU"),
        "return_sequences": BOOLS,
        "merge_mode": ("concat", "sum", "mul", "ave"),
    },
)
def _bidirectional(draw, name):
    inner = make(draw.flag("layer"), units=side(draw, 1, 2), return_sequences=draw.flag("return_sequences"))
    return make("Bidirectional", layer=inner, merge_mode=draw.flag("merge_mode")), _sequence(draw)


@case("rnn", "TimeDistributed")
def _time_distributed(draw, name):
    return make("TimeDistributed", layer=make("Dense", units=side(draw, 1, 2), activation="tanh")), _sequence(draw)


def _conv_lstm_flags(name):
    return (
        {"data_format": DATA_FORMATS}
        if name == "ConvLSTMCell"
        else {"data_format": DATA_FORMATS, "return_sequences": BOOLS}
    )


@case("rnn", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "ConvLSTMCell", flags=_conv_lstm_flags)
def _conv_lstm(draw, name):
    rank = 1 if name == "ConvLSTMCell" else _rank(name)
    fmt = draw.flag("data_format")
    config = {
        "filters": 1,
        "kernel_size": 1 if rank == 3 else draw(st.integers(1, 2)),
        "data_format": fmt,
        "padding": "same",
    }
    frame = image(draw, rank, fmt, low=2, high=2 if rank == 3 else 3)
    if name == "ConvLSTMCell":
        state = frame[:-1] + (1,) if fmt == "channels_last" else (frame[0], 1) + frame[2:]
        return make("ConvLSTMCell", rank=1, **config), (frame, [state, state])
    config["return_sequences"] = draw.flag("return_sequences")
    return make(name, **config), (BATCH, side(draw, 1, 2)) + frame[1:]


# ------------------------------------------------------------------------------------------------ attention
def _attention_flags(name):
    flags = {"use_scale": BOOLS, "dropout": (0.0, 0.3), "separate_value": BOOLS}
    return dict(flags, score_mode=("dot", "concat")) if name == "Attention" else flags


@case("attention", "Attention", "AdditiveAttention", flags=_attention_flags)
def _attention(draw, name):
    dim, tq, tv = side(draw, 1, 3), side(draw, 1, 3), side(draw, 1, 3)
    config = {"use_scale": draw.flag("use_scale")}
    if name == "Attention":
        config["score_mode"] = draw.flag("score_mode")
    if draw.flag("dropout"):
        config.update(dropout=draw.flag("dropout"), seed=draw(st.integers(0, 9)))
    shapes = [(BATCH, tq, dim), (BATCH, tv, dim)] + ([(BATCH, tv, dim)] if draw.flag("separate_value") else [])
    return make(name, **config), shapes


@case("attention", "MultiHeadAttention", "GroupQueryAttention", flags={"use_bias": BOOLS})
def _multi_head(draw, name):
    dim, tq, tv = side(draw, 1, 3), side(draw, 1, 3), side(draw, 1, 3)
    if name == "MultiHeadAttention":
        factory = make(name, num_heads=side(draw, 1, 2), key_dim=side(draw, 1, 2), use_bias=draw.flag("use_bias"))
    else:
        kv = side(draw, 1, 2)
        factory = make(
            name,
            head_dim=side(draw, 1, 2),
            num_query_heads=kv * side(draw, 1, 2),
            num_key_value_heads=kv,
            use_bias=draw.flag("use_bias"),
        )
    return factory, ((BATCH, tq, dim), (BATCH, tv, dim))

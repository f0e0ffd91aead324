"""Layer cases of the convolutional, pooling, recurrent and attention families."""
import re

from hypothesis import strategies as st

from kerastorch.testing.strategies._cases import BATCH, SMOOTH_ACTIVATIONS, case, data_format, image, make, side

_CONV = [f"Conv{r}D" for r in (1, 2, 3)] + [f"Conv{r}DTranspose" for r in (1, 2, 3)] + \
    ["DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D"]


def _rank(name):
    return int(re.search(r"(\d)D", name).group(1))


# ---------------------------------------------------------------------------------------------- convolution
@case("convolutional", *_CONV)
def _conv(draw, name):
    rank = _rank(name)
    fmt = data_format(draw)
    kernel = draw(st.integers(1, 2 if rank == 3 else 3))
    config = {"kernel_size": kernel, "padding": draw(st.sampled_from(["valid", "same"])), "data_format": fmt,
              "activation": draw(st.sampled_from(SMOOTH_ACTIVATIONS)), "use_bias": draw(st.booleans())}
    if draw(st.booleans()):
        config["strides"] = 2
    elif "Transpose" not in name and draw(st.booleans()):
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


@case("pooling", *_POOL)
def _pool(draw, name):
    rank, fmt = _rank(name), data_format(draw)
    pool = draw(st.integers(1, 2))
    config = {"pool_size": pool, "strides": draw(st.sampled_from([None, 1, 2])),
              "padding": draw(st.sampled_from(["valid", "same"])), "data_format": fmt}
    return make(name, **config), image(draw, rank, fmt, low=pool, high=3 if rank == 3 else 4)


@case("pooling", *_GLOBAL)
def _global_pool(draw, name):
    fmt = data_format(draw)
    return make(name, data_format=fmt, keepdims=draw(st.booleans())), image(draw, _rank(name), fmt, high=3)


@case("pooling", *_ADAPTIVE)
def _adaptive_pool(draw, name):
    rank, fmt = _rank(name), data_format(draw)
    return make(name, output_size=side(draw, 1, 2), data_format=fmt), image(draw, rank, fmt, low=2, high=4)


# ------------------------------------------------------------------------------------------------ recurrent
def _sequence(draw, features=None):
    return (BATCH, side(draw, 1, 3), features or side(draw, 1, 2))


def _rnn_config(draw, name):
    config = {"units": side(draw, 1, 2), "return_sequences": draw(st.booleans()),
              "go_backwards": draw(st.booleans())}
    if name != "SimpleRNN" and draw(st.booleans()):
        config["dropout"] = 0.3
        config["seed"] = draw(st.integers(0, 9))
    return config


@case("rnn", "SimpleRNN", "LSTM", "GRU")
def _rnn_layer(draw, name):
    config = _rnn_config(draw, name)
    if name == "GRU":
        config["reset_after"] = draw(st.booleans())
    return make(name, **config), _sequence(draw)


@case("rnn", "RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells")
def _rnn_cell(draw, name):
    cell = draw(st.sampled_from(["SimpleRNNCell", "LSTMCell", "GRUCell"])) if name in ("RNN", "StackedRNNCells") \
        else name
    units = side(draw, 1, 2)
    if name == "StackedRNNCells":
        cells = make("StackedRNNCells", cells=[make(cell, units=units), make("SimpleRNNCell", units=side(draw, 1, 2))])
        return make("RNN", cell=cells, return_sequences=draw(st.booleans())), _sequence(draw)
    if name == "RNN":
        return make("RNN", cell=make(cell, units=units), return_sequences=draw(st.booleans())), _sequence(draw)
    states = [(BATCH, units)] * (2 if cell == "LSTMCell" else 1)
    return make(cell, units=units), ((BATCH, side(draw, 1, 2)), states)


@case("rnn", "Bidirectional")
def _bidirectional(draw, name):
    inner = draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"]))
    return (make("Bidirectional", layer=make(inner, units=side(draw, 1, 2), return_sequences=draw(st.booleans())),
                 merge_mode=draw(st.sampled_from(["concat", "sum", "mul", "ave"]))), _sequence(draw))


@case("rnn", "TimeDistributed")
def _time_distributed(draw, name):
    return make("TimeDistributed", layer=make("Dense", units=side(draw, 1, 2), activation="tanh")), _sequence(draw)


@case("rnn", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "ConvLSTMCell")
def _conv_lstm(draw, name):
    rank = 1 if name == "ConvLSTMCell" else _rank(name)
    fmt = data_format(draw)
    config = {"filters": 1, "kernel_size": 1 if rank == 3 else draw(st.integers(1, 2)), "data_format": fmt,
              "padding": "same"}
    frame = image(draw, rank, fmt, low=2, high=2 if rank == 3 else 3)
    if name == "ConvLSTMCell":
        state = frame[:-1] + (1,) if fmt == "channels_last" else (frame[0], 1) + frame[2:]
        return make("ConvLSTMCell", rank=1, **config), (frame, [state, state])
    config["return_sequences"] = draw(st.booleans())
    return make(name, **config), (BATCH, side(draw, 1, 2)) + frame[1:]


# ------------------------------------------------------------------------------------------------ attention
@case("attention", "Attention", "AdditiveAttention")
def _attention(draw, name):
    dim, tq, tv = side(draw, 1, 3), side(draw, 1, 3), side(draw, 1, 3)
    config = {"use_scale": draw(st.booleans())}
    if name == "Attention":
        config["score_mode"] = draw(st.sampled_from(["dot", "concat"]))
    if draw(st.booleans()):
        config.update(dropout=0.3, seed=draw(st.integers(0, 9)))
    shapes = [(BATCH, tq, dim), (BATCH, tv, dim)] + ([(BATCH, tv, dim)] if draw(st.booleans()) else [])
    return make(name, **config), shapes


@case("attention", "MultiHeadAttention", "GroupQueryAttention")
def _multi_head(draw, name):
    dim, tq, tv = side(draw, 1, 3), side(draw, 1, 3), side(draw, 1, 3)
    if name == "MultiHeadAttention":
        factory = make(name, num_heads=side(draw, 1, 2), key_dim=side(draw, 1, 2), use_bias=draw(st.booleans()))
    else:
        kv = side(draw, 1, 2)
        factory = make(name, head_dim=side(draw, 1, 2), num_query_heads=kv * side(draw, 1, 2),
                       num_key_value_heads=kv, use_bias=draw(st.booleans()))
    return factory, ((BATCH, tq, dim), (BATCH, tv, dim))

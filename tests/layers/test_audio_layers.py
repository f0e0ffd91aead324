"""STFTSpectrogram, MelSpectrogram and the STFT initializer: Keras 3 parity of outputs, kernels and configs (Keras's
named windows need scipy, so the parity cases give window values, or none; the named windows are checked against
torch's and scipy's values instead), an independent FFT reference, layouts, symbolic shapes, training, saving and
errors."""

import json
import math

import numpy as np
import pytest
import torch
from layer_checks import roundtrip, to_np

import kerastorch as keras
from kerastorch import initializers, layers

RNG = np.random.default_rng(0)
AUDIO = RNG.standard_normal((2, 120, 3)).astype("float32")
SIGNALS = RNG.standard_normal((2, 1500)).astype("float32")
HANN = torch.hann_window(16, periodic=True, dtype=torch.float64).tolist()


def reference_stft(x, frame_length, frame_step, fft_length, window):
    """The complex STFT of channels-last signals ``x`` (batch, time, channels) by ``torch.fft.rfft`` of the
    windowed frames, zero-padded at their end: (batch, channels, bins, frames)."""
    frames = torch.as_tensor(x, dtype=torch.float64).transpose(1, 2).unfold(-1, frame_length, frame_step)
    return torch.fft.rfft(frames * window, n=fft_length).transpose(-1, -2)


# ------------------------------------------------------------------------------------------------ STFT kernels


@pytest.mark.parametrize(
    "name, make",
    [
        ("hann", torch.hann_window),
        ("hamming", torch.hamming_window),
        ("blackman", torch.blackman_window),
        ("bartlett", torch.bartlett_window),
    ],
)
@pytest.mark.parametrize("periodic", [False, True])
def test_named_windows_are_torch_s(name, make, periodic):
    kernel = initializers.STFT("real", name, None, periodic)((12, 1, 7), dtype="float64")
    np.testing.assert_allclose(
        to_np(kernel[:, 0, 0]), to_np(make(12, periodic=periodic, dtype=torch.float64)), atol=1e-12
    )


# scipy.signal.get_window(name, 6, fftbins=periodic) for the windows torch does not have
SCIPY_WINDOWS = {
    ("flattop", False): [-0.000421051, -0.0677142521, 0.6068721526, 0.6068721526, -0.0677142521, -0.000421051],
    ("nuttall", True): [0.0003628, 0.0613345, 0.5292298, 1.0, 0.5292298, 0.0613345],
    ("bohman", False): [0.0, 0.1791238937, 0.8343114523, 0.8343114523, 0.1791238937, 0.0],
    ("triang", False): [1 / 6, 1 / 2, 5 / 6, 5 / 6, 1 / 2, 1 / 6],
    ("cosine", True): [0.222520934, 0.6234898019, 0.9009688679, 1.0, 0.9009688679, 0.6234898019],
}


@pytest.mark.parametrize("name, periodic", sorted(SCIPY_WINDOWS))
def test_other_windows_are_scipy_s(name, periodic):
    kernel = initializers.STFT("real", name, None, periodic)((6, 1, 4), dtype="float64")
    np.testing.assert_allclose(to_np(kernel[:, 0, 0]), SCIPY_WINDOWS[name, periodic], atol=1e-9)


def test_kernels_are_the_scaled_windowed_dft():
    window = torch.hamming_window(10, periodic=True, dtype=torch.float64)
    real = initializers.STFT("real", "hamming", "density", True)((10, 1, 9), dtype="float64")[:, 0]
    imag = initializers.STFT("imag", "ham", "density", True)((10, 1, 9), dtype="float64")[:, 0]
    dft = torch.fft.rfft(torch.eye(10, dtype=torch.float64), n=16) * (window / window.norm())[:, None]
    np.testing.assert_allclose(to_np(real), to_np(dft.real), atol=1e-12)
    np.testing.assert_allclose(to_np(imag), to_np(dft.imag), atol=1e-12)
    spectrum = initializers.STFT("real", [1.0, 2.0, 3.0, 4.0], "spectrum")((4, 1, 3))
    np.testing.assert_allclose(to_np(spectrum[:, 0, 0]), [0.1, 0.2, 0.3, 0.4], rtol=1e-6)
    assert initializers.STFT(window=None)((4, 1, 3)).eq(initializers.STFT("real", None, None)((4, 1, 3))).all()
    two_channels = initializers.STFT()((8, 2, 5))
    assert two_channels.shape == (8, 2, 5) and torch.equal(two_channels[:, 0], two_channels[:, 1])
    assert initializers.STFT()((8, 1, 5), dtype="float64").dtype == torch.float64


def test_initializer_names_config_and_errors():
    assert initializers.STFTInitializer is initializers.STFT is initializers.stft
    assert type(initializers.get("stft")) is initializers.STFT
    init = initializers.get(
        {"class_name": "STFT", "config": {"side": "imag", "window": [1.0, 0.5], "periodic": True, "scaling": None}}
    )
    assert init.get_config() == {"side": "imag", "window": [1.0, 0.5], "periodic": True, "scaling": None}
    assert keras.saving.serialize_keras_object(init)["class_name"] == "STFT"
    assert initializers.STFT(window=np.ones(3)).get_config()["window"] == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="side must be 'real' or 'imag', received side='both'"):
        initializers.STFT("both")
    with pytest.raises(ValueError, match="scaling must be None, 'density' or 'spectrum', received scaling='l2'"):
        initializers.STFT(scaling="l2")
    with pytest.raises(ValueError, match=r"window must be one of \[.*'hann'.*\].*received window='hanning2'"):
        initializers.STFT(window="hanning2")
    with pytest.raises(ValueError, match=r"pass the window's values as an array instead, received window=\('kaiser'"):
        initializers.STFT(window=("kaiser", 4.0))
    with pytest.raises(ValueError, match="must have frame_length=4 values .*received 3 values"):
        initializers.STFT(window=[1.0, 1.0, 1.0])((4, 1, 3))
    with pytest.raises(ValueError, match=r"received shape=\(4, 3\)"):
        initializers.STFT()((4, 3))


@pytest.mark.parity
@pytest.mark.parametrize(
    "side, window, scaling, periodic",
    [("real", None, None, False), ("imag", HANN, "density", True), ("real", HANN[:10], "spectrum", False)],
)
def test_initializer_matches_keras(keras3, side, window, scaling, periodic):
    shape = (len(window) if window else 16, 1, 9)
    ours = initializers.STFT(side, window, scaling, periodic)
    theirs = keras3.initializers.deserialize(json.loads(json.dumps(initializers.serialize(ours))))
    np.testing.assert_allclose(to_np(ours(shape)), to_np(theirs(shape)), atol=2e-6)
    assert initializers.deserialize(keras3.initializers.serialize(theirs)).get_config() == ours.get_config()


# ------------------------------------------------------------------------------------------------ STFTSpectrogram


PARITY_CASES = [
    dict(mode="log", frame_length=16, frame_step=5, fft_length=32, window=HANN, scaling="density"),
    dict(mode="magnitude", frame_length=16, frame_step=16, window=HANN, scaling="spectrum", padding="same"),
    dict(mode="psd", frame_length=12, frame_step=5, fft_length=15, window=None, data_format="channels_first"),
    dict(mode="real", frame_length=16, frame_step=7, window=HANN, padding="same", expand_dims=True),
    dict(
        mode="imag",
        frame_length=9,
        frame_step=4,
        fft_length=16,
        window=None,
        scaling=None,
        data_format="channels_first",
        expand_dims=True,
    ),
    dict(mode="angle", frame_length=16, frame_step=3, window=HANN),
    dict(mode="stft", frame_length=11, frame_step=6, fft_length=16, window=HANN[:11], padding="same"),
    dict(mode="stft", frame_length=16, frame_step=8, window=None, data_format="channels_first", expand_dims=True),
]


@pytest.mark.parity
@pytest.mark.filterwarnings("ignore:.*power of two")
@pytest.mark.parametrize(
    "kwargs",
    PARITY_CASES,
    ids=lambda kw: "-".join(str(v) for k, v in kw.items() if k in ("mode", "padding", "data_format")),
)
def test_stft_spectrogram_matches_keras(keras3, kwargs):
    ours = layers.STFTSpectrogram(**kwargs)
    theirs = keras3.layers.STFTSpectrogram.from_config(json.loads(json.dumps(ours.get_config())))
    x = AUDIO if kwargs.get("data_format") != "channels_first" else np.ascontiguousarray(AUDIO.transpose(0, 2, 1))
    expected = to_np(theirs(x))
    got = to_np(ours(torch.tensor(x)))
    assert got.shape == expected.shape == ours.compute_output_shape(x.shape)
    assert [w.path.split("/")[1] for w in ours.weights] == [w.path.split("/")[1] for w in theirs.weights]
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, atol=1e-5)  # Keras rounds the angles in float32
    if kwargs["mode"] == "angle":  # compare phases on the circle, where the magnitude makes them meaningful
        magnitude = to_np(layers.STFTSpectrogram(**dict(kwargs, mode="magnitude"))(torch.tensor(x)))
        difference = np.angle(np.exp(1j * (got - expected)))[magnitude > 1e-2]
        assert np.abs(difference).max() < 1e-3
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    back = layers.STFTSpectrogram.from_config(json.loads(json.dumps(theirs.get_config())))
    assert back.get_config() == dict(ours.get_config(), name=theirs.name)


@pytest.mark.parity
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(mode="psd", window="hamming", periodic=True, scaling="spectrum"),
        dict(mode="stft", window="blackmanharris", frame_length=100, padding="same"),
    ],
)
def test_named_windows_match_keras(keras3, kwargs):
    pytest.importorskip("scipy")  # Keras 3 computes its named windows with scipy.signal.get_window
    ours = layers.STFTSpectrogram(**kwargs)
    theirs = keras3.layers.STFTSpectrogram.from_config(json.loads(json.dumps(ours.get_config())))
    x = np.tile(AUDIO, (1, 4, 1))
    expected = to_np(theirs(x))
    np.testing.assert_allclose(to_np(ours(torch.tensor(x))), expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


@pytest.mark.parametrize("periodic", [False, True])
def test_modes_against_an_fft_of_the_frames(periodic):
    window = torch.hann_window(20, periodic=periodic, dtype=torch.float64)
    z = reference_stft(AUDIO, 20, 6, 32, window / window.norm())  # (batch, channels, bins, frames)
    outputs = {
        mode: to_np(
            layers.STFTSpectrogram(
                mode,
                frame_length=20,
                frame_step=6,
                fft_length=32,
                periodic=periodic,
                expand_dims=True,
                data_format="channels_first",
                dtype="float64",
            )(torch.tensor(AUDIO.transpose(0, 2, 1), dtype=torch.float64))
        )
        for mode in ("real", "imag", "magnitude", "log", "psd", "stft", "angle")
    }
    z = to_np(z.transpose(-1, -2))  # (batch, channels, frames, bins): the expanded channels-first layout
    power = np.abs(z) ** 2
    np.testing.assert_allclose(outputs["real"], z.real, atol=1e-10)
    np.testing.assert_allclose(outputs["imag"], z.imag, atol=1e-10)
    np.testing.assert_allclose(outputs["magnitude"], np.sqrt(np.maximum(power, 1e-7)), atol=1e-10)
    np.testing.assert_allclose(outputs["log"], np.log(np.sqrt(np.maximum(power, 1e-7))), atol=1e-9)
    one_sided = power * np.r_[1.0, np.full(15, 2.0), 1.0]
    np.testing.assert_allclose(outputs["psd"], one_sided, atol=1e-10)
    np.testing.assert_allclose(outputs["stft"], np.concatenate([z.real, z.imag], axis=-1), atol=1e-10)
    np.testing.assert_allclose(np.cos(outputs["angle"]) * np.abs(z), z.real, atol=1e-9)
    np.testing.assert_allclose(np.sin(outputs["angle"]) * np.abs(z), z.imag, atol=1e-9)


def test_layouts_hold_the_same_values():
    x = torch.tensor(AUDIO)
    kwargs = dict(mode="stft", frame_length=16, frame_step=4)
    expanded = layers.STFTSpectrogram(expand_dims=True, **kwargs)(x)  # (batch, frames, bins, channels)
    batch, frames, bins, channels = expanded.shape
    assert (batch, frames, bins, channels) == (2, 27, 18, 3)
    flat_last = layers.STFTSpectrogram(**kwargs)(x)
    assert torch.equal(flat_last, expanded.permute(0, 1, 3, 2).reshape(batch, frames, channels * bins))
    x_first = x.transpose(1, 2).contiguous()
    first = layers.STFTSpectrogram(data_format="channels_first", **kwargs)(x_first)
    assert torch.allclose(first, flat_last.transpose(1, 2), atol=1e-6)
    first_expanded = layers.STFTSpectrogram(data_format="channels_first", expand_dims=True, **kwargs)(x_first)
    assert torch.allclose(first_expanded, expanded.permute(0, 3, 1, 2), atol=1e-6)


def test_same_padding_frames_and_defaults():
    layer = layers.STFTSpectrogram(frame_length=100)
    assert (layer.frame_step, layer.fft_length, layer._frame_step, layer._fft_length) == (None, None, 50, 128)
    x = torch.tensor(AUDIO)
    same = layers.STFTSpectrogram("real", frame_length=11, frame_step=3, fft_length=16, window=None, padding="same")
    assert same(x).shape == (2, 40, 27)
    # Keras's Conv1D "same" rule: (40 - 1) * 3 + 11 - 120 = 8 samples of padding, 4 before the signal
    padded = np.pad(AUDIO, ((0, 0), (4, 5), (0, 0)))
    expected = reference_stft(padded, 11, 3, 16, torch.ones(11, dtype=torch.float64)).real
    np.testing.assert_allclose(to_np(same(x)), to_np(expected.permute(0, 3, 1, 2).reshape(2, 40, 27)), atol=1e-5)


def test_epsilon_and_dtypes():
    silence = torch.zeros(1, 64, 1)
    layer = layers.STFTSpectrogram("magnitude", frame_length=16, window=None, scaling=None)
    assert torch.allclose(layer(silence), torch.tensor(math.sqrt(1e-7)))
    keras.config.set_epsilon(1e-4)
    assert torch.allclose(layer(silence), torch.tensor(1e-2))
    assert torch.allclose(layers.STFTSpectrogram("log", frame_length=16)(silence), torch.tensor(math.log(1e-2)))
    double = layers.STFTSpectrogram(frame_length=16, dtype="float64")
    assert double(silence).dtype == torch.float64 and double.weights[0].dtype == torch.float64
    assert layers.STFTSpectrogram(frame_length=16)(silence.double()).dtype == torch.float32


def test_symbolic_shapes_and_a_model():
    inputs = keras.Input((None, 2))
    outputs = layers.STFTSpectrogram(frame_length=32, frame_step=16, padding="same")(inputs)
    assert tuple(outputs.shape) == (None, None, 34)
    model = keras.Model(inputs, outputs)
    assert model(torch.rand(3, 100, 2)).shape == (3, 7, 34)
    first = layers.STFTSpectrogram(frame_length=32, data_format="channels_first", expand_dims=True)
    assert first.compute_output_shape((None, None, 500)) == (None, None, 30, 17)
    assert first.compute_output_shape((4, 2, 500)) == tuple(first(torch.rand(4, 2, 500)).shape)
    assert layers.STFTSpectrogram(frame_length=32).compute_output_shape((1, 64, None)) == (1, 3, None)


def test_kernels_train_unless_frozen(tmp_path):
    layer = layers.STFTSpectrogram("psd", frame_length=16, frame_step=8)
    layer(torch.tensor(AUDIO)).sum().backward()
    assert [w.grad is not None and bool(w.grad.abs().sum() > 0) for w in layer.trainable_weights] == [True, True]
    frozen = layers.STFTSpectrogram("real", frame_length=16, trainable=False)
    frozen.build((None, 100, 1))
    assert frozen.trainable_weights == [] and [w.path for w in frozen.non_trainable_weights] == [
        f"{frozen.name}/real_kernel"
    ]
    model = keras.Sequential(
        [keras.Input((64, 1)), layers.STFTSpectrogram(frame_length=16, window=HANN), layers.Flatten(), layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.asarray(AUDIO[:, :64, :1]), np.ones((2, 1)), epochs=1, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    x = torch.tensor(AUDIO[:, :64, :1])
    assert torch.allclose(restored(x), model(x)) and restored.layers[0].get_config()["window"] == HANN


@pytest.mark.filterwarnings("ignore:.*power of two")
def test_stft_spectrogram_config_round_trip():
    for kwargs in PARITY_CASES:
        clone = roundtrip(layers.STFTSpectrogram(**kwargs))
        assert clone.mode == kwargs["mode"]
    config = layers.STFTSpectrogram(window=np.hanning(256), name="s").get_config()
    assert isinstance(config["window"], list) and len(config["window"]) == 256


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(mode="power"), r"mode must be one of \['log', .*'stft'\], received mode='power'"),
        (dict(scaling="l1"), "scaling must be None, 'density' or 'spectrum', received scaling='l1'"),
        (dict(padding="causal"), "padding must be 'valid' or 'same', received padding='causal'"),
        (dict(frame_length=0), "frame_length must be an integer >= 1, received frame_length=0"),
        (dict(frame_length=16, frame_step=17), "frame_step must be a positive integer not greater than frame_length"),
        (dict(frame_length=1), r"frame_step must be .* received frame_step=None \(frame_length=1\)"),
        (dict(frame_length=16, fft_length=8), "fft_length must not be less than frame_length; received fft_length=8"),
        (dict(window="nope"), "received window='nope'"),
        (dict(frame_length=16, window=[1.0] * 15), "window must have frame_length=16 values, received 15"),
        (dict(data_format="NWC"), "data_format must be one of"),
    ],
)
def test_stft_spectrogram_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        layers.STFTSpectrogram(**kwargs)
    assert 'STFTSpectrogram layer "stft_spectrogram' in str(error.value)


def test_fft_length_not_a_power_of_two_warns_as_in_keras():
    with pytest.warns(UserWarning, match="fft_length is recommended to be a power of two, received fft_length=24"):
        layers.STFTSpectrogram(frame_length=20, fft_length=24)


def test_stft_spectrogram_input_errors():
    layer = layers.STFTSpectrogram(frame_length=16)
    with pytest.raises(TypeError, match="expected a float16, float32 or float64 signal, received dtype torch.int32"):
        layer(torch.ones(1, 32, 1, dtype=torch.int32))
    with pytest.raises(ValueError, match=r"needs at least frame_length=16 samples, received 10"):
        layer(torch.ones(1, 10, 1))
    with pytest.raises(ValueError, match="expected ndim=3"):
        layer(torch.ones(1, 32))


# ------------------------------------------------------------------------------------------------ MelSpectrogram


MEL_CASES = [
    dict(fft_length=256, sequence_stride=100, sampling_rate=8000, num_mel_bins=20),
    dict(
        fft_length=128,
        sequence_stride=64,
        sequence_length=100,
        window="hamming",
        num_mel_bins=16,
        min_freq=100.0,
        max_freq=5000.0,
        top_db=20.0,
        ref_power=2.0,
    ),
    dict(fft_length=128, sequence_stride=50, window=None, num_mel_bins=12, power_to_db=False, mag_exp=1.0),
    dict(
        fft_length=64,
        sequence_stride=30,
        sequence_length=40,
        window=HANN * 2 + HANN[:8],
        num_mel_bins=8,
        sampling_rate=22050,
        mag_exp=1.5,
        min_power=1e-5,
        ref_power=1e-12,
        top_db=30.0,
    ),
]


@pytest.mark.parity
@pytest.mark.parametrize("kwargs", MEL_CASES)
@pytest.mark.parametrize("shape", [(2, 1500), (1500,), (2, 1, 1500)], ids=["batch", "single", "rank3"])
def test_mel_spectrogram_matches_keras(keras3, kwargs, shape):
    ours = layers.MelSpectrogram(**kwargs)
    theirs = keras3.layers.MelSpectrogram.from_config(json.loads(json.dumps(ours.get_config())))
    x = SIGNALS[: math.prod(shape[:-1])].reshape(shape).copy()
    x[..., :200] *= 1e-3  # quiet frames, so that top_db floors some values
    expected = to_np(theirs(x))
    got = to_np(ours(torch.tensor(x)))
    assert got.shape == expected.shape == ours.compute_output_shape(shape)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=(1e-3 if ours.power_to_db else 1e-5 * scale))
    assert layers.MelSpectrogram.from_config(json.loads(json.dumps(theirs.get_config()))).get_config() == dict(
        ours.get_config(), name=theirs.name
    )


def test_mel_spectrogram_against_its_definition():
    x = torch.tensor(SIGNALS, dtype=torch.float64)
    layer = layers.MelSpectrogram(
        fft_length=128, sequence_stride=40, sampling_rate=8000, num_mel_bins=10, power_to_db=False, dtype="float64"
    )
    window = torch.hann_window(128, periodic=True, dtype=torch.float64)
    padded = torch.nn.functional.pad(x[:, None], (64, 64), mode="reflect")[:, 0]
    power = torch.fft.rfft(padded.unfold(-1, 128, 40) * window).abs().square()  # (batch, frames, bins)
    mel = np.log1p(np.linspace(0, 4000, 65)[1:] / 700) * 1127
    edges = np.linspace(1127 * np.log1p(20 / 700), 1127 * np.log1p(4000 / 700), 12)
    filters = np.clip(
        np.minimum(
            (mel[:, None] - edges[:-2]) / (edges[1:-1] - edges[:-2]),
            (edges[2:] - mel[:, None]) / (edges[2:] - edges[1:-1]),
        ),
        0,
        None,
    )
    expected = np.einsum("btf,fm->bmt", to_np(power)[..., 1:], filters)
    np.testing.assert_allclose(to_np(layer(x)), expected, rtol=1e-10)
    in_db = layers.MelSpectrogram(
        fft_length=128,
        sequence_stride=40,
        sampling_rate=8000,
        num_mel_bins=10,
        top_db=6.0,
        ref_power=0.5,
        dtype="float64",
    )(x)
    db = 10 * np.log10(np.maximum(expected, 1e-10)) - 10 * np.log10(0.5)
    np.testing.assert_allclose(to_np(in_db), np.maximum(db, db.max() - 6.0), atol=1e-9)
    unfloored = layers.MelSpectrogram(
        fft_length=128, sequence_stride=40, sampling_rate=8000, num_mel_bins=10, top_db=None, dtype="float64"
    )(x)
    np.testing.assert_allclose(to_np(unfloored), 10 * np.log10(np.maximum(expected, 1e-10)), atol=1e-9)


def test_mel_spectrogram_dtypes_symbolic_and_config():
    layer = layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=8)
    assert layer(torch.ones(100, dtype=torch.int32) * 3).dtype == torch.float32
    assert layer(torch.rand(2, 100, dtype=torch.float16)).dtype == torch.float32
    assert layers.MelSpectrogram(fft_length=64, dtype="float16")(torch.rand(2, 100)).dtype == torch.float16
    inputs = keras.Input((1000,))
    outputs = layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=8)(inputs)
    assert tuple(outputs.shape) == (None, 8, 32)
    assert keras.Model(inputs, outputs)(torch.rand(3, 1000)).shape == (3, 8, 32)
    assert layer.compute_output_shape((None, None)) == (None, 8, None) and layer.weights == []
    for kwargs in MEL_CASES:
        roundtrip(layers.MelSpectrogram(**kwargs))
    config = layers.MelSpectrogram(sampling_rate=16001).get_config()
    assert (config["max_freq"], config["sequence_length"], config["window"]) == (8000, 2048, "hann")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(fft_length=0), "`fft_length` must be a positive integer; received 0"),
        (dict(sequence_stride=1.5), "`sequence_stride` must be a positive integer"),
        (dict(fft_length=64, sequence_length=65), "fft_length must be greater than or equal to sequence_length"),
        (dict(window="blackman"), "a window name must be 'hann' or 'hamming', received window='blackman'"),
        (dict(fft_length=64, window=[1.0] * 63), "an array of sequence_length=64 values"),
        (dict(sampling_rate=0), "sampling_rate must be a positive number, received sampling_rate=0"),
        (dict(num_mel_bins=0), "`num_mel_bins` must be a positive integer"),
        (dict(min_freq=9000.0), r"expected 0 <= min_freq < max_freq, received min_freq=9000.0, max_freq=8000"),
        (dict(top_db=-1.0), "top_db must be non-negative or None"),
        (dict(min_power=0.0), "min_power must be a positive number"),
    ],
)
def test_mel_spectrogram_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        layers.MelSpectrogram(**kwargs)
    assert 'MelSpectrogram layer "mel_spectrogram' in str(error.value)


def test_mel_spectrogram_too_short_signal():
    with pytest.raises(ValueError, match=r"more than fft_length // 2 = 32 samples .* received shape \(2, 32\)"):
        layers.MelSpectrogram(fft_length=64)(torch.rand(2, 32))

"""Layer cases of the families without convolutions or recurrence: core, activation, merging,
regularization, reshaping, normalization and (differentiable) preprocessing layers."""

import torch
from hypothesis import strategies as st

from kerastorch.testing.strategies._cases import (
    ACTIVATIONS,
    BATCH,
    BOOLS,
    DATA_FORMATS,
    case,
    image,
    make,
    side,
    spatial_flags,
)
from kerastorch.testing.strategies.tensors import IntShape


def _features(draw, min_dims=2, max_dims=3):
    return (BATCH,) + tuple(side(draw) for _ in range(draw(st.integers(min_dims, max_dims)) - 1))


# ------------------------------------------------------------------------------------------------- core
@case("core", "Dense", flags={"activation": ACTIVATIONS, "use_bias": BOOLS})
def _dense(draw, name):
    return (
        make("Dense", units=side(draw, 1, 3), activation=draw.flag("activation"), use_bias=draw.flag("use_bias")),
        _features(draw),
    )


@case("core", "EinsumDense", flags={"equation": ("ab,bc->ac", "abc,cd->abd"), "bias": BOOLS, "activation": ACTIVATIONS})
def _einsum_dense(draw, name):
    units, equation = side(draw, 1, 3), draw.flag("equation")
    matrix = equation == "ab,bc->ac"
    bias_axes = ("c" if matrix else "d") if draw.flag("bias") else None
    return (
        make(
            "EinsumDense",
            equation=equation,
            output_shape=(units,) if matrix else (None, units),
            bias_axes=bias_axes,
            activation=draw.flag("activation"),
        ),
        (BATCH, side(draw)) if matrix else (BATCH, side(draw), side(draw)),
    )


@case("core", "Embedding")
def _embedding(draw, name):
    vocab = side(draw, 2, 5)
    return make("Embedding", input_dim=vocab, output_dim=side(draw, 1, 3)), IntShape((BATCH, side(draw)), vocab)


@case("core", "ReversibleEmbedding")
def _reversible_embedding(draw, name):
    vocab = side(draw, 2, 5)
    return (
        make("ReversibleEmbedding", input_dim=vocab, output_dim=side(draw, 1, 3)),
        IntShape((BATCH, side(draw)), vocab),
    )


@case("core", "Identity")
def _identity(draw, name):
    return make("Identity"), _features(draw)


def _smooth(x):
    return torch.sin(x) * x


@case("core", "Lambda")
def _lambda(draw, name):
    return make("Lambda", function=_smooth), _features(draw)


@case("core", "Masking", flags={"mask_value": (0.0, 1.0)})
def _masking(draw, name):
    return make("Masking", mask_value=draw.flag("mask_value")), (BATCH, side(draw), side(draw))


@case("core", "TorchModuleWrapper")
def _torch_wrapper(draw, name):
    n_in = side(draw)
    return make("TorchModuleWrapper", module=torch.nn.Linear(n_in, side(draw, 1, 3))), (BATCH, n_in)


# ----------------------------------------------------------------------------------------------- activation
@case(
    "activation", "ReLU", flags={"max_value": (None, 1.0, 6.0), "negative_slope": (0.0, 0.2), "threshold": (0.0, 0.5)}
)
def _relu(draw, name):
    return (
        make(
            "ReLU",
            max_value=draw.flag("max_value"),
            negative_slope=draw.flag("negative_slope"),
            threshold=draw.flag("threshold"),
        ),
        _features(draw),
    )


@case("activation", "LeakyReLU", flags={"negative_slope": (0.1, 0.3)})
def _leaky_relu(draw, name):
    return make("LeakyReLU", negative_slope=draw.flag("negative_slope")), _features(draw)


@case("activation", "ELU", flags={"alpha": (0.5, 1.0)})
def _elu(draw, name):
    return make("ELU", alpha=draw.flag("alpha")), _features(draw)


@case("activation", "PReLU", flags={"shared_axes": (None, [1])})
def _prelu(draw, name):
    shared = draw.flag("shared_axes")
    shape = _features(draw, 3, 3) if shared else _features(draw)
    return make("PReLU", alpha_initializer="glorot_uniform", shared_axes=shared), shape


@case("activation", "Softmax", flags={"axis": (-1, 1)})
def _softmax(draw, name):
    return make("Softmax", axis=draw.flag("axis")), _features(draw)


@case("activation", "Activation", flags={"activation": ACTIVATIONS[1:]})
def _activation(draw, name):
    return make("Activation", activation=draw.flag("activation")), _features(draw)


# -------------------------------------------------------------------------------------------------- merging
def _merge(draw, name, n=None, **config):
    shape = _features(draw)
    return make(name, **config), [shape] * (n or draw(st.integers(2, 3)))


@case("merging", "Add", "Average", "Maximum", "Minimum", "Multiply")
def _elementwise_merge(draw, name):
    return _merge(draw, name)


@case("merging", "Subtract")
def _subtract(draw, name):
    return _merge(draw, "Subtract", n=2)


@case("merging", "Concatenate")
def _concatenate(draw, name):
    shape = _features(draw)
    axis = draw(st.integers(1, len(shape) - 1))
    other = tuple(side(draw) if i == axis else d for i, d in enumerate(shape))
    return make("Concatenate", axis=axis), [shape, other]


@case("merging", "Dot", flags={"normalize": BOOLS})
def _dot(draw, name):
    n = side(draw)
    return make("Dot", axes=1, normalize=draw.flag("normalize")), [(BATCH, n), (BATCH, n)]


# ------------------------------------------------------------------------------------------- regularization
@case("regularization", "Dropout", "GaussianDropout", "AlphaDropout", flags={"rate": (0.2, 0.5)})
def _dropout(draw, name):
    return make(name, rate=draw.flag("rate"), seed=draw(st.integers(0, 9))), _features(draw)


@case("regularization", "GaussianNoise")
def _gaussian_noise(draw, name):
    return make("GaussianNoise", stddev=0.5, seed=draw(st.integers(0, 9))), _features(draw)


@case("regularization", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", flags=spatial_flags)
def _spatial_dropout(draw, name):
    rank = int(name[-2])
    fmt = draw.flag("data_format", "channels_last")
    config = {"data_format": fmt} if rank > 1 else {}
    return (make(name, rate=0.5, seed=draw(st.integers(0, 9)), **config), image(draw, rank, fmt, high=3))


@case("regularization", "ActivityRegularization")
def _activity_regularization(draw, name):
    return make("ActivityRegularization", l1=0.01, l2=0.01), _features(draw)


# ------------------------------------------------------------------------------------------------ reshaping
@case("reshaping", "Flatten")
def _flatten(draw, name):
    return make("Flatten"), _features(draw, 2, 4)


@case("reshaping", "Permute", flags={"dims": ((1, 2), (2, 1))})
def _permute(draw, name):
    return make("Permute", dims=draw.flag("dims")), _features(draw, 3, 3)


@case("reshaping", "Reshape")
def _reshape(draw, name):
    a, b = side(draw), side(draw)
    return make("Reshape", target_shape=(b, a)), (BATCH, a * b)


@case("reshaping", "RepeatVector")
def _repeat_vector(draw, name):
    return make("RepeatVector", n=side(draw, 1, 3)), (BATCH, side(draw))


@case(
    "reshaping",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
    flags=spatial_flags,
)
def _crop_pad(draw, name):
    rank, kind = int(name[-2]), name[:-2]
    amount = tuple((draw(st.integers(0, 1)), draw(st.integers(0, 1))) for _ in range(rank))
    config = {"cropping" if kind == "Cropping" else "padding": amount[0] if rank == 1 else amount}
    fmt = draw.flag("data_format", "channels_last")
    if rank > 1:
        config["data_format"] = fmt
    return make(f"{kind}{rank}D", **config), image(draw, rank, fmt, low=3)


def _up_sampling_flags(name):
    flags = {"interpolation": ("nearest", "bilinear")} if name == "UpSampling2D" else {}
    return spatial_flags(name, **flags)


@case("reshaping", "UpSampling1D", "UpSampling2D", "UpSampling3D", flags=_up_sampling_flags)
def _up_sampling(draw, name):
    rank = int(name[-2])
    size = draw(st.integers(1, 2))
    config = {"size": size}
    fmt = draw.flag("data_format", "channels_last")
    if rank > 1:
        config.update(size=(size,) * rank, data_format=fmt)
    if rank == 2:
        config["interpolation"] = draw.flag("interpolation")
    return make(f"UpSampling{rank}D", **config), image(draw, rank, fmt, high=3)


# -------------------------------------------------------------------------------------------- normalization
@case("normalization", "BatchNormalization", flags={"axis": (-1, 1), "center": BOOLS, "scale": BOOLS})
def _batch_norm(draw, name):
    shape = _features(draw)
    return (
        make(
            "BatchNormalization",
            axis=draw.flag("axis"),
            center=draw.flag("center"),
            scale=draw.flag("scale"),
            momentum=0.9,
        ),
        shape,
    )


@case("normalization", "LayerNormalization", flags={"center": BOOLS, "scale": BOOLS, "rms_scaling": BOOLS})
def _layer_norm(draw, name):
    return (
        make(
            "LayerNormalization",
            axis=-1,
            center=draw.flag("center"),
            scale=draw.flag("scale"),
            rms_scaling=draw.flag("rms_scaling"),
        ),
        _features(draw),
    )


@case("normalization", "GroupNormalization")
def _group_norm(draw, name):
    groups = side(draw, 1, 2)
    return make("GroupNormalization", groups=groups), (BATCH, side(draw, 1, 2), groups * side(draw, 1, 2))


@case("normalization", "RMSNormalization")
def _rms_norm(draw, name):
    return make("RMSNormalization"), _features(draw)


@case("normalization", "UnitNormalization")
def _unit_norm(draw, name):
    return make("UnitNormalization", axis=-1), _features(draw)


@case("normalization", "SpectralNormalization", flags={"power_iterations": (1, 2)})
def _spectral_norm(draw, name):
    return (
        make(
            "SpectralNormalization",
            layer=make("Dense", units=side(draw, 1, 3)),
            power_iterations=draw.flag("power_iterations"),
        ),
        (BATCH, side(draw, 2, 4)),
    )


# -------------------------------------------------------------------------------------------- preprocessing
def _pixels(draw, fmt="channels_last", channels=None):
    return image(draw, 2, fmt, channels=channels, low=2, high=4)


@case("preprocessing", "Rescaling", flags={"scale": (0.5, 2.0), "offset": (0.0, 1.0)})
def _rescaling(draw, name):
    return make("Rescaling", scale=draw.flag("scale"), offset=draw.flag("offset")), _pixels(draw)


@case("preprocessing", "Normalization")
def _normalization(draw, name):
    return make("Normalization", mean=0.5, variance=2.0), _pixels(draw)


@case("preprocessing", "Resizing", "CenterCrop", "RandomCrop")
def _resize_crop(draw, name):
    config = {"height": side(draw, 1, 3), "width": side(draw, 1, 3)}
    if name == "RandomCrop":
        config["seed"] = draw(st.integers(0, 9))
    return make(name, **config), image(draw, 2, channels=side(draw, 1, 2), low=3, high=4)


@case("preprocessing", "RandomFlip", flags={"mode": ("horizontal", "vertical", "horizontal_and_vertical")})
def _random_flip(draw, name):
    return make("RandomFlip", mode=draw.flag("mode"), seed=draw(st.integers(0, 9))), _pixels(draw)


@case(
    "preprocessing",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomShear",
    flags={"factor": (0.1, 0.3), "fill_mode": ("reflect", "constant", "nearest", "wrap")},
)
def _random_affine(draw, name):
    factor = draw.flag("factor")
    config = {
        "RandomRotation": {"factor": factor},
        "RandomZoom": {"height_factor": factor},
        "RandomTranslation": {"height_factor": factor, "width_factor": factor},
        "RandomShear": {"x_factor": factor, "y_factor": factor},
    }[name]
    return make(name, fill_mode=draw.flag("fill_mode"), seed=draw(st.integers(0, 9)), **config), _pixels(draw)


@case("preprocessing", "RandomBrightness", "RandomContrast")
def _random_brightness_contrast(draw, name):
    return make(name, factor=0.3, value_range=(-10, 10), seed=draw(st.integers(0, 9))), _pixels(draw)


@case("preprocessing", "RandomGrayscale", flags={"factor": (0.0, 0.5, 1.0)})
def _random_grayscale(draw, name):
    return make("RandomGrayscale", factor=draw.flag("factor"), seed=draw(st.integers(0, 9))), _pixels(draw, channels=3)


@case("preprocessing", "RandomInvert", "Solarization")
def _invert_solarize(draw, name):
    if name == "RandomInvert":
        return make("RandomInvert", factor=0.5, value_range=(-10, 10), seed=draw(st.integers(0, 9))), _pixels(draw)
    return (
        make(
            "Solarization",
            addition_factor=0.1,
            threshold_factor=0.5,
            value_range=(-10, 10),
            seed=draw(st.integers(0, 9)),
        ),
        _pixels(draw),
    )


@case("preprocessing", "RandomErasing", flags={"fill_value": (None, 0.5, (-1.0, 0.0, 1.0))})
def _random_erasing(draw, name):
    fill = draw.flag("fill_value")
    return (
        make(
            "RandomErasing",
            factor=(0.5, 1.0),
            scale=(0.1, 0.6),
            fill_value=fill,
            value_range=(-10, 10),
            seed=draw(st.integers(0, 9)),
        ),
        _pixels(draw, channels=3 if isinstance(fill, tuple) else None),
    )


@case("preprocessing", "RandomGaussianBlur", flags={"kernel_size": (3, (5, 3)), "data_format": DATA_FORMATS})
def _random_gaussian_blur(draw, name):
    fmt = draw.flag("data_format")
    return (
        make(
            "RandomGaussianBlur",
            factor=(0.5, 1.0),
            kernel_size=draw.flag("kernel_size"),
            sigma=(0.3, 1.5),
            value_range=(-10, 10),
            data_format=fmt,
            seed=draw(st.integers(0, 9)),
        ),
        _pixels(draw, fmt),
    )


_COLOR_FACTORS = {
    "RandomSaturation": (0.2, 0.8),
    "RandomHue": 0.5,
    "RandomSharpness": 1.0,
    "RandomColorDegeneration": 0.5,
}


@case("preprocessing", *_COLOR_FACTORS, flags={"data_format": DATA_FORMATS})
def _random_color(draw, name):
    fmt = draw.flag("data_format")
    layer = make(name, factor=_COLOR_FACTORS[name], value_range=(-4, 4), data_format=fmt, seed=draw(st.integers(0, 9)))
    return (_off_gray(layer, fmt) if name == "RandomHue" else layer), _pixels(draw, fmt, channels=3)


def _off_gray(layer, fmt):
    """``layer`` after a per-channel offset. The hue of a gray pixel is undefined: there a hue change is
    positively homogeneous in the input but not linear (no derivative), and the suite's simplest input, zeros,
    is all gray; the offset moves the pixels off the gray axis."""
    offset = make(
        "Normalization", axis=-1 if fmt == "channels_last" else 1, mean=[0.8, -0.5, 0.1], variance=[1.0, 1.0, 1.0]
    )
    return make("Pipeline", layers=[offset, layer])


@case("preprocessing", "RandomColorJitter", flags={"data_format": DATA_FORMATS, "hue_factor": (None, 0.3)})
def _random_color_jitter(draw, name):
    fmt = draw.flag("data_format")
    hue = draw.flag("hue_factor")
    layer = make(
        "RandomColorJitter",
        value_range=(-4, 4),
        brightness_factor=0.2,
        contrast_factor=0.3,
        saturation_factor=(0.3, 0.7),
        hue_factor=hue,
        data_format=fmt,
        seed=draw(st.integers(0, 9)),
    )
    return (layer if hue is None else _off_gray(layer, fmt)), _pixels(draw, fmt, channels=3)


@case("preprocessing", "MixUp", "CutMix", flags={"data_format": DATA_FORMATS})
def _mixing(draw, name):
    fmt = draw.flag("data_format")
    return make(name, data_format=fmt, seed=draw(st.integers(0, 9))), _pixels(draw, fmt)


@case("preprocessing", "Pipeline")
def _pipeline(draw, name):
    return (
        make(
            "Pipeline",
            layers=[
                make("Rescaling", scale=2.0, offset=0.5),
                make("RandomContrast", factor=0.3, value_range=(-10, 10), seed=draw(st.integers(0, 9))),
            ],
        ),
        _pixels(draw),
    )


@case("preprocessing", "AutoContrast", flags={"data_format": DATA_FORMATS})
def _auto_contrast(draw, name):
    fmt = draw.flag("data_format")
    return make("AutoContrast", value_range=(-2, 2), data_format=fmt), _pixels(draw, fmt)


@case("preprocessing", "RandomPerspective", "RandomElasticTransform", flags={"data_format": DATA_FORMATS})
def _resampling(draw, name):
    fmt = draw.flag("data_format")
    extra = {"value_range": (-10, 10)} if name == "RandomElasticTransform" else {}
    return (
        make(name, factor=1.0, scale=0.5, data_format=fmt, seed=draw(st.integers(0, 9)), **extra),
        image(draw, 2, fmt, low=4, high=6),
    )


@case(
    "preprocessing", "STFTSpectrogram", flags={"mode": ("magnitude", "psd", "real", "imag")}
)  # log and angle: kinks at 0, a cut at pi
def _stft_spectrogram(draw, name):
    return (
        make("STFTSpectrogram", mode=draw.flag("mode"), frame_length=8, frame_step=4, fft_length=8),
        (BATCH, side(draw, 8, 16), 1),
    )


@case("preprocessing", "MelSpectrogram")
def _mel_spectrogram(draw, name):
    return (
        make(
            "MelSpectrogram",
            fft_length=16,
            sequence_stride=4,
            sequence_length=16,
            num_mel_bins=4,
            sampling_rate=800,
            max_freq=400,
            power_to_db=False,
        ),
        (BATCH, side(draw, 16, 32)),
    )

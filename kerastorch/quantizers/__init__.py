"""``keras.quantizers``: post-training quantization of weights (int8, int4) and float8 training.

The functions (:func:`abs_max_quantize`, :func:`pack_int4`, :func:`quantize_and_dequantize` ...) compute
what Keras 3.15's do, operation by operation; the configs choose what ``Layer.quantize`` /
``Model.quantize`` do (see :mod:`kerastorch.layers.quantization` for the layers' side).

Not implemented: Keras's calibration-based ``GPTQConfig`` and ``AWQConfig`` (and modes ``"gptq"``,
``"awq"``); accessing them raises an error that says so.

Example:
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    >>> model.quantize("int8")
    >>> [w.dtype for w in model.layers[0].weights]
    [torch.float32, torch.int8, torch.float32]
"""

from kerastorch.quantizers.quantization_config import (
    UNSUPPORTED_MESSAGE,
    Float8QuantizationConfig,
    Int4QuantizationConfig,
    Int8QuantizationConfig,
    QuantizationConfig,
)
from kerastorch.quantizers.quantizers import (
    AbsMaxQuantizer,
    Quantizer,
    abs_max_quantize,
    abs_max_quantize_grouped_with_zero_point,
    compute_float8_amax_history,
    compute_float8_scale,
    deserialize,
    fake_quant_with_min_max_vars,
    get,
    pack_int4,
    quantize_and_dequantize,
    serialize,
    unpack_int4,
)

__all__ = [
    "AbsMaxQuantizer",
    "Float8QuantizationConfig",
    "Int4QuantizationConfig",
    "Int8QuantizationConfig",
    "QuantizationConfig",
    "Quantizer",
    "abs_max_quantize",
    "abs_max_quantize_grouped_with_zero_point",
    "compute_float8_amax_history",
    "compute_float8_scale",
    "deserialize",
    "fake_quant_with_min_max_vars",
    "get",
    "pack_int4",
    "quantize_and_dequantize",
    "serialize",
    "unpack_int4",
]


def __getattr__(name):
    if name in ("GPTQConfig", "AWQConfig"):
        raise AttributeError(f"keras.quantizers.{name} is not available: {UNSUPPORTED_MESSAGE}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)

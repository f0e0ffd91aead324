"""Quantization configs: which quantizers ``Layer.quantize`` / ``Model.quantize`` use for a mode.

``Int8QuantizationConfig`` (int8 weights, per output channel; inputs quantized on the fly by default),
``Int4QuantizationConfig`` (int4 weights, per channel or in sub-channel groups with zero points) and
``Float8QuantizationConfig`` (float8 training with delayed scaling). Keras's ``GPTQConfig`` and
``AWQConfig`` (calibration-based quantization) are not implemented by kerastorch; asking for them raises
an error that says so.

Example:
    >>> config = Int4QuantizationConfig(block_size=64)
    >>> config.mode, config.get_config()
    ('int4', {'weight_quantizer': None, 'activation_quantizer': None, 'block_size': 64})
"""

from __future__ import annotations

import numbers
from typing import Any, Literal, Union

from kerastorch.quantizers.quantizers import AbsMaxQuantizer, Quantizer, deserialize, serialize
from kerastorch.serialization.object_registration import register_builtin

MODES = ("int8", "float8", "int4", "gptq", "awq")
"""The quantization modes Keras 3.15 knows (``"gptq"`` and ``"awq"`` are refused by kerastorch)."""
SUPPORTED_MODES = ("int8", "int4", "float8")
"""The modes kerastorch implements."""
_QuantizerArg = Union[Quantizer, dict[str, Any], None]  # a quantizer, a serialized one, or None

UNSUPPORTED_MESSAGE = (
    "kerastorch does not implement the calibration-based quantization modes 'gptq' and 'awq' (GPTQConfig, "
    "AWQConfig, GPTQDTypePolicy, AWQDTypePolicy): they need Keras's calibration data pipeline, which kerastorch "
    "does not provide. Use mode 'int8', 'int4' or 'float8' instead."
)


def _quantizer(value: _QuantizerArg, what: str, name: str) -> Quantizer | None:
    if value is None or isinstance(value, Quantizer):
        return value
    if isinstance(value, dict):
        return deserialize(value)
    raise ValueError(
        f"{what}: {name} must be a keras.quantizers.Quantizer, a serialized quantizer or None, "
        f"received {name}={value!r}"
    )


@register_builtin("keras.quantizers")
class QuantizationConfig:
    """Base class of quantization configs: a weight quantizer, an activation quantizer and a ``mode``.

    Subclasses implement the ``mode`` property; ``get_config``/``from_config`` serialize the quantizers.

    Args:
        weight_quantizer: :class:`~kerastorch.quantizers.Quantizer` or None, the quantizer of the weights
            (None: the layer's default). Defaults to None.
        activation_quantizer: Quantizer or None, the quantizer of the inputs (None: inputs stay in float).
            Defaults to None.

    Raises:
        ValueError: If a quantizer is neither a Quantizer, a serialized one nor None.

    Example:
        >>> class Int8Weights(QuantizationConfig):
        ...     @property
        ...     def mode(self):
        ...         return "int8"
        >>> Int8Weights().get_config()
        {'weight_quantizer': None, 'activation_quantizer': None}
    """

    def __init__(self, weight_quantizer: _QuantizerArg = None, activation_quantizer: _QuantizerArg = None) -> None:
        what = type(self).__name__
        self.weight_quantizer = _quantizer(weight_quantizer, what, "weight_quantizer")
        self.activation_quantizer = _quantizer(activation_quantizer, what, "activation_quantizer")

    @property
    def mode(self) -> str:
        """The quantization mode (``"int8"``, ``"int4"``, ``"float8"``)."""
        raise NotImplementedError(
            "Subclasses must implement this property. Do not instantiate QuantizationConfig directly."
        )

    def get_config(self) -> dict[str, Any]:
        """The quantizers, serialized."""
        return {
            "weight_quantizer": serialize(self.weight_quantizer),
            "activation_quantizer": serialize(self.activation_quantizer),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> QuantizationConfig:
        """Rebuild from :meth:`get_config` output (a missing quantizer is None)."""
        config = dict(config)
        for key in ("weight_quantizer", "activation_quantizer"):
            config[key] = deserialize(config.get(key))
        return cls(**config)

    @staticmethod
    def weight_quantizer_or_default(config: QuantizationConfig | None, default: Any) -> Any:
        """``config.weight_quantizer``, or ``default`` when ``config`` or its weight quantizer is None.

        >>> QuantizationConfig.weight_quantizer_or_default(None, "default")
        'default'
        """
        return config.weight_quantizer if config is not None and config.weight_quantizer is not None else default

    @staticmethod
    def activation_quantizer_or_default(config: QuantizationConfig | None, default: Any) -> Any:
        """``config.activation_quantizer``, or ``default`` when ``config`` or its activation quantizer is None.

        >>> QuantizationConfig.activation_quantizer_or_default(Int8QuantizationConfig(), None).value_range
        (-127, 127)
        """
        if config is not None and config.activation_quantizer is not None:
            return config.activation_quantizer
        return default

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


@register_builtin("keras.quantizers")
class Int8QuantizationConfig(QuantizationConfig):
    """Int8 quantization: int8 weights with one scale per output channel; inputs quantized per row on the
    fly (an int8 x int8 product accumulated in int32) unless ``activation_quantizer`` is None.

    Args:
        weight_quantizer: :class:`~kerastorch.quantizers.AbsMaxQuantizer` or None, the weight quantizer
            (its ``value_range`` and ``epsilon`` are used; its axis, when set, must be the layer's reduced
            axes); None: ``AbsMaxQuantizer`` with ``value_range=(-127, 127)``. Defaults to None.
        activation_quantizer: Quantizer, None or ``"default"``: the input quantizer; ``"default"`` is
            ``AbsMaxQuantizer()`` (the last axis); None keeps the inputs in float (weight-only int8).
            Defaults to ``"default"``.

    Raises:
        ValueError: If a quantizer's ``output_dtype`` is not ``"int8"`` or its kind is invalid.

    Example:
        >>> Int8QuantizationConfig(activation_quantizer=None).get_config()
        {'weight_quantizer': None, 'activation_quantizer': None}
    """

    def __init__(
        self,
        weight_quantizer: _QuantizerArg = None,
        activation_quantizer: _QuantizerArg | Literal["default"] = "default",
    ) -> None:
        if isinstance(activation_quantizer, str) and activation_quantizer == "default":
            activation_quantizer = AbsMaxQuantizer()
        super().__init__(weight_quantizer, activation_quantizer)
        for name, quantizer in (
            ("weight_quantizer", self.weight_quantizer),
            ("activation_quantizer", self.activation_quantizer),
        ):
            if quantizer is not None and getattr(quantizer, "output_dtype", "int8") != "int8":
                raise ValueError(
                    f"Int8QuantizationConfig requires a {name} with output_dtype='int8'. Received: "
                    f"output_dtype={quantizer.output_dtype}"
                )

    @property
    def mode(self) -> str:
        return "int8"


@register_builtin("keras.quantizers")
class Int4QuantizationConfig(QuantizationConfig):
    """Int4 quantization of weights (two values per byte); inputs stay in float unless an
    ``activation_quantizer`` is given (per-channel mode only).

    Args:
        weight_quantizer: AbsMaxQuantizer or None, for per-channel mode (its ``value_range`` must lie in
            ``[-8, 7]``); None: ``value_range=(-8, 7)``. Defaults to None.
        activation_quantizer: Quantizer, None or ``"default"``; ``"default"`` means None (int4 is weight-only
            by default, as in Keras 3.15). Defaults to ``"default"``.
        block_size: Int or None: a positive int quantizes groups of ``block_size`` input rows, each with its
            own scale and zero point per output channel; None or -1 quantizes per output channel (one symmetric
            scale). Defaults to 128.

    Raises:
        ValueError: If ``block_size`` is invalid, or custom quantizers are combined with sub-channel mode.

    Example:
        >>> Int4QuantizationConfig(block_size=None).mode
        'int4'
    """

    def __init__(
        self,
        weight_quantizer: _QuantizerArg = None,
        activation_quantizer: _QuantizerArg | Literal["default"] = "default",
        block_size: int | None = 128,
    ) -> None:
        if isinstance(activation_quantizer, str) and activation_quantizer == "default":
            activation_quantizer = None
        super().__init__(weight_quantizer, activation_quantizer)
        if block_size is not None and (
            isinstance(block_size, bool)
            or not isinstance(block_size, (int, numbers.Integral))
            or not (block_size == -1 or block_size > 0)
        ):
            raise ValueError(f"block_size must be None, -1, or a positive integer. Received: block_size={block_size}")
        self.block_size = block_size
        if (
            block_size is not None
            and block_size > 0
            and (self.weight_quantizer is not None or self.activation_quantizer is not None)
        ):
            raise ValueError(
                "Int4 sub-channel quantization (block_size > 0) does not support custom quantizers. "
                "Either set block_size to None or -1 for per-channel quantization, or remove the "
                f"custom quantizer arguments. Received: block_size={block_size}"
            )
        value_range = getattr(self.weight_quantizer, "value_range", None)
        if value_range is not None and not (-8 <= value_range[0] and value_range[1] <= 7):
            raise ValueError(
                f"Int4QuantizationConfig: the weight quantizer's value_range must lie in [-8, 7] "
                f"(int4), received value_range={value_range!r}"
            )

    @property
    def mode(self) -> str:
        return "int4"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "block_size": self.block_size}


@register_builtin("keras.quantizers")
class Float8QuantizationConfig(QuantizationConfig):
    """Float8 training (delayed scaling): inputs and kernel rounded to float8 e4m3fn, the gradients of the
    outputs to e5m2, each with a scale computed from a history of maxima. It takes no quantizers.

    Example:
        >>> Float8QuantizationConfig().mode, Float8QuantizationConfig().get_config()
        ('float8', {})
    """

    def __init__(self) -> None:
        super().__init__()

    @property
    def mode(self) -> str:
        return "float8"

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Float8QuantizationConfig:
        """Rebuild from :meth:`get_config` output (an empty dict).

        >>> Float8QuantizationConfig.from_config({}).mode
        'float8'
        """
        return cls()


_DEFAULTS = {"int8": Int8QuantizationConfig, "int4": Int4QuantizationConfig, "float8": Float8QuantizationConfig}


def check_mode(mode: str) -> str:
    """``mode`` if kerastorch implements it; else NotImplementedError (``"gptq"``, ``"awq"``) or ValueError.

    Args:
        mode: str: a quantization mode (``"int8"``, ``"int4"``, ``"float8"`` ...).

    Returns:
        str: ``mode``.

    Raises:
        NotImplementedError: ``"gptq"`` or ``"awq"``.
        ValueError: an unknown mode.

    >>> check_mode("int4")
    'int4'
    """
    if mode in ("gptq", "awq"):
        raise NotImplementedError(UNSUPPORTED_MESSAGE + f" Received: mode={mode!r}")
    if mode not in SUPPORTED_MODES:
        raise ValueError(f"Invalid quantization mode. Expected one of {SUPPORTED_MODES}. Received: mode={mode!r}")
    return mode


def validate_and_resolve_config(mode: str | None, config: QuantizationConfig | None) -> QuantizationConfig:
    """The config ``quantize(mode, config=config)`` uses: ``config`` when given (its mode must agree with
    ``mode``), else the default config of ``mode``.

    Args:
        mode: String or None, ``"int8"``, ``"int4"`` or ``"float8"``.
        config: A :class:`QuantizationConfig` or None.

    Returns:
        A :class:`QuantizationConfig`.

    Raises:
        ValueError: If neither is given, the mode is unknown, or they contradict each other.
        NotImplementedError: For ``"gptq"`` and ``"awq"``.

    Example:
        >>> type(validate_and_resolve_config("int8", None)).__name__
        'Int8QuantizationConfig'
    """
    if config is None:
        if mode is None:
            raise ValueError("You must provide either `mode` or `config` to `quantize`.")
        return _DEFAULTS[check_mode(mode)]()
    if not isinstance(config, QuantizationConfig):
        raise ValueError(
            f"quantize: config must be a keras.quantizers.QuantizationConfig (Int8QuantizationConfig, "
            f"Int4QuantizationConfig, Float8QuantizationConfig), received config={config!r}"
        )
    if mode is not None and mode != config.mode:
        raise ValueError(f"Contradictory arguments: mode={mode!r} but config.mode={config.mode!r}")
    check_mode(config.mode)
    return config

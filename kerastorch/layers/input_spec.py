"""``InputSpec``: what a layer accepts (rank, fixed axes, dtype), checked on every call.

Example:
    >>> import torch
    >>> spec = InputSpec(min_ndim=2, axes={-1: 4})
    >>> assert_input_compatibility(spec, torch.ones(2, 3), "dense")
    Traceback (most recent call last):
    ValueError: Input 0 of layer "dense" is incompatible with the layer: expected axis -1 ...
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from kerastorch import tree
from kerastorch.backend.annotations import DTypeLike


class InputSpec:
    """Rank, shape, axes and dtype constraints for one input of a layer.

    A layer sets ``self.input_spec`` (one spec, or a list with one per input); every call then checks
    its inputs against it (:func:`assert_input_compatibility`) and raises a ValueError naming the
    layer when they don't fit. The rank and sizes are checked; ``dtype``, ``name`` and ``optional``
    are recorded only.

    Args:
        dtype: str or None, default None: the expected dtype (recorded, not checked).
        shape: tuple of ints / None or None, default None: the full expected shape, batch axis included;
            None entries match any size. It also fixes ``ndim``.
        ndim: int or None, default None: the exact expected rank.
        max_ndim: int or None, default None: the largest rank accepted.
        min_ndim: int or None, default None: the smallest rank accepted.
        axes: dict or None, default None: ``{axis: size}`` sizes that given axes (negative counts from
            the end) must have.
        allow_last_axis_squeeze: bool, default False: when True, the exact ``ndim`` is not checked (Keras
            uses it to accept a last axis of size 1 squeezed away or added).
        name: str or None, default None: the name of the input this spec is for.
        optional: bool, default False: whether the input may be None (a None input is never checked).

    Raises:
        ValueError: an axis in ``axes`` beyond the rank given by ``ndim`` / ``shape`` / ``max_ndim``.

    >>> InputSpec(ndim=3, axes={-1: 8})
    InputSpec(ndim=3, axes={-1: 8})
    """

    def __init__(
        self,
        dtype: DTypeLike = None,
        shape: Sequence[int | None] | None = None,
        ndim: int | None = None,
        max_ndim: int | None = None,
        min_ndim: int | None = None,
        axes: Mapping[int, int | None] | Mapping[str, int | None] | None = None,
        allow_last_axis_squeeze: bool = False,
        name: str | None = None,
        optional: bool = False,
    ) -> None:
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional
        rank = self.ndim if self.ndim is not None else self.max_ndim
        if self.axes and rank is not None:
            top = rank - 1
            if max(self.axes) > top:
                raise ValueError(f"InputSpec: axis {max(self.axes)} is out of range for rank {top + 1}")

    def get_config(self) -> dict[str, Any]:
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputSpec:
        return cls(**config)

    def __repr__(self) -> str:
        fields = {k: v for k, v in self.get_config().items() if v}
        return "InputSpec(" + ", ".join(f"{k}={v}" for k, v in fields.items()) + ")"


def assert_input_compatibility(
    input_spec: InputSpec | Sequence[InputSpec | None] | None, inputs: Any, layer_name: str
) -> None:
    """Raise a ValueError naming the layer, the expectation and the received shape
    when ``inputs`` (tensors or KerasTensors) don't satisfy ``input_spec``.

    Args:
        input_spec: InputSpec, a list of them, or None: the spec(s); a None spec checks nothing.
        inputs: tensor or structure of tensors / KerasTensors: the inputs, one per spec when there are
            several specs.
        layer_name: str: the layer's name, used in the error message.

    Raises:
        ValueError: a different number of inputs than of specs, or an input whose rank or sizes do not
            satisfy its spec.
    """
    specs = tree.flatten(input_spec)
    flat = tree.flatten(inputs)
    if len(specs) > 1 and len(flat) != len(specs):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} input tensors.'
        )
    for index, (spec, x) in enumerate(zip(specs, flat)):
        if spec is None or x is None:
            continue
        shape = tuple(x.shape)
        ndim = len(shape)
        problem = None
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            problem = f"expected ndim={spec.ndim}, found ndim={ndim}"
        elif spec.max_ndim is not None and ndim > spec.max_ndim:
            problem = f"expected max_ndim={spec.max_ndim}, found ndim={ndim}"
        elif spec.min_ndim is not None and ndim < spec.min_ndim:
            problem = f"expected min_ndim={spec.min_ndim}, found ndim={ndim}"
        else:
            problem = _axes_problem(spec, shape)
        if problem:
            raise ValueError(
                f'Input {index} of layer "{layer_name}" is incompatible with the layer: '
                f"{problem}. Full shape received: {_shape_str(shape)}"
            )


def _axes_problem(spec, shape):
    ndim = len(shape)
    for axis, value in spec.axes.items():
        if value is None:
            continue
        if not -ndim <= axis < ndim:
            return f"expected an axis {axis} with value {value}, but the input has rank {ndim}"
        if shape[axis] is not None and shape[axis] != value:
            return f"expected axis {axis} of input shape to have value {value}, but received input with shape {_shape_str(shape)}"
    if spec.shape is not None:
        for axis, (expected, received) in enumerate(zip(spec.shape, shape)):
            if expected is not None and received is not None and expected != received:
                return f"expected shape={spec.shape}, found shape={_shape_str(shape)}"
    return None


def _shape_str(shape):
    return str(tuple(None if d is None else int(d) for d in shape))

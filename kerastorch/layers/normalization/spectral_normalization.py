"""``SpectralNormalization``: divides a wrapped layer's kernel by its largest singular value (power iteration).

Keras 3 semantics, reproduced step by step:

- The wrapped layer has a ``kernel`` (Dense, Conv*, ...) or ``embeddings`` (Embedding). Building adds one
  non-trainable weight ``vector_u`` of shape ``(1, kernel.shape[-1])`` (TruncatedNormal, stddev 0.02).
- In training, each call first runs ``power_iterations`` steps on the kernel viewed as a
  ``(-1, kernel.shape[-1])`` matrix ``W``: ``v = normalize(u @ W.T)``, ``u = normalize(v @ W)``, then
  ``sigma = v @ W @ u.T``; it then *assigns* ``kernel / sigma`` to the kernel and the new ``u`` to ``vector_u``
  (in place, without gradient), and runs the wrapped layer. Gradients therefore reach the kernel as the leaf
  weight the wrapped layer used, not through ``sigma``, exactly as in Keras. A kernel that is all zeros is left
  alone (Keras's ``cond``; here a ``torch.where``, so there is no host sync).
- In inference the wrapped layer runs on the kernel as it is (the normalized kernel of the last training step).

``normalize`` is Keras's L2 normalization ``x * min(rsqrt(sum(x**2)), 1 / epsilon)``.

Keras casts the output to the dtype of the inputs, which turns an Embedding's float output into integers;
kerastorch casts only floating inputs' outputs (an Embedding's output stays float).

Weight order: the wrapped layer's kernel, then ``vector_u``, then the wrapped layer's other weights (Keras 3
tracks the kernel on the wrapper as well), in the wrapper's ``weights`` and in those of a model holding it: the
wrapper counts the kernel among its own parameters (``_own_parameters``, which lists weights by layer) without
registering it twice. Exception: a kernel with a regularizer is not counted there, since the base layer would add
its penalty twice; a model holding such a wrapper lists ``vector_u`` before the wrapped layer's weights.

Example:
    >>> from kerastorch.layers import Dense
    >>> layer = SpectralNormalization(Dense(3))
    >>> layer(torch.ones(2, 4), training=True).shape
    torch.Size([2, 3])
    >>> [w.name for w in layer.weights]
    ['kernel', 'vector_u', 'bias']
"""

from __future__ import annotations

import numbers
from typing import Any, cast

import torch

from kerastorch import config, initializers
from kerastorch.backend.annotations import Shape
from kerastorch.backend.variable import Variable
from kerastorch.layers.base import Layer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.layer_utils import layer_label
from kerastorch.layers.rnn.time_distributed import Wrapper
from kerastorch.serialization.object_registration import register_builtin


def _normalize(x, epsilon):
    return x * torch.rsqrt(x.square().sum()).clamp_max(1.0 / epsilon)


@register_builtin("keras.layers")
class SpectralNormalization(Wrapper):
    """Constrains the spectral norm of a layer's ``kernel`` (or ``embeddings``) to 1 while training.

    Each training call runs ``power_iterations`` steps of power iteration on the kernel (viewed as a
    ``(-1, kernel.shape[-1])`` matrix), assigns ``kernel / sigma`` to it (``sigma`` the estimated largest
    singular value) and the new vector to the non-trainable ``vector_u``, then runs the wrapped layer.
    Inference calls run the wrapped layer on the kernel as it is.

    Args:
        layer: Layer: the layer to wrap; it must have a ``kernel`` or ``embeddings`` weight once built.
        power_iterations: int, default 1: the number of power-iteration steps per training call.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        What the wrapped layer accepts (rank 1 or more).

    Output shape:
        What the wrapped layer returns.

    Raises:
        ValueError: ``layer`` is not a Layer, ``power_iterations`` is not a positive int; when building,
            a wrapped layer with neither a ``kernel`` nor an ``embeddings`` weight.

    >>> from kerastorch.layers import Dense
    >>> layer = SpectralNormalization(Dense(4), power_iterations=20)
    >>> _ = layer(torch.ones(1, 8), training=True)
    >>> round(float(torch.linalg.matrix_norm(layer.layer.kernel.detach(), ord=2)), 3)
    1.0
    """

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any) -> None:
        super().__init__(layer, **kwargs)
        if (
            isinstance(power_iterations, bool)
            or not isinstance(power_iterations, (int, numbers.Integral))
            or power_iterations <= 0
        ):
            raise ValueError(
                f"{layer_label(self)}: power_iterations must be a positive integer, "
                f"received power_iterations={power_iterations!r}"
            )
        self.power_iterations = int(power_iterations)
        self.vector_u: Variable | None = None

    def build(self, input_shape: Shape | None = None) -> None:
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: cast(Shape, input_shape)[-1]})
        kernel = next(
            (
                w
                for w in (getattr(self.layer, name, None) for name in ("kernel", "embeddings"))
                if isinstance(w, torch.Tensor)
            ),
            None,
        )
        if kernel is None:
            raise ValueError(
                f"{layer_label(self)}: the wrapped layer must have a `kernel` or `embeddings` weight, "
                f"received a {type(self.layer).__name__} layer with neither"
            )
        self._kernel_owner = "kernel" if getattr(self.layer, "kernel", None) is kernel else "embeddings"
        self.vector_u = self.add_weight(
            name="vector_u",
            shape=(1, kernel.shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            dtype=config.standardize_dtype(kernel.dtype),
        )
        self.built = True

    @property
    def kernel(self) -> torch.nn.Parameter:
        """The wrapped layer's kernel (or embeddings): the weight that is normalized."""
        return getattr(self.layer, self._kernel_owner)

    @property
    def weights(self) -> list[torch.nn.Parameter]:
        """Keras's order: the wrapped kernel, ``vector_u``, then the wrapped layer's other weights."""
        inner = super().weights
        if self.vector_u is None:
            return inner
        kernel = self.kernel
        rest = [w for w in inner if w is not kernel and w is not self.vector_u]
        own = [w for w in inner if w is self.vector_u]
        return [kernel] + own + rest

    def _own_parameters(self):
        own = super()._own_parameters()
        if self.vector_u is None or getattr(self.kernel, "regularizer", None) is not None:
            return own
        return [self.kernel] + own

    @torch.no_grad()
    def normalize_weights(self) -> None:
        """One training-time update: assign the spectrally normalized kernel and the new ``vector_u``."""
        kernel = self.kernel
        weights = kernel.reshape(-1, kernel.shape[-1])
        vector_u = cast(Variable, self.vector_u)  # made in build
        u = vector_u.to(weights.dtype)
        epsilon = config.epsilon()
        for _ in range(self.power_iterations):
            v = _normalize(u @ weights.T, epsilon)
            u = _normalize(v @ weights, epsilon)
        sigma = (v @ weights) @ u.T
        keep = torch.eq(weights, 0).all()
        vector_u.copy_(torch.where(keep, vector_u, u.to(vector_u.dtype)))
        kernel.copy_(torch.where(keep, kernel, kernel / sigma.reshape(())))

    def call(self, inputs: torch.Tensor, training: bool | None = False) -> torch.Tensor:
        if training:
            self.normalize_weights()
        outputs = self.layer(inputs)
        if inputs.is_floating_point() and outputs.dtype != inputs.dtype:
            outputs = outputs.to(inputs.dtype)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        config_ = super().get_config()
        config_["power_iterations"] = self.power_iterations
        return config_

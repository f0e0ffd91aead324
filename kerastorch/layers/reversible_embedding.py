"""``ReversibleEmbedding``: an ``Embedding`` that can also project hidden states back to vocabulary logits.

``layer(ids)`` is the embedding lookup; ``layer(hidden, reverse=True)`` computes
``hidden @ embeddings.T`` (weights tied, the default; one ``F.linear`` on the embedding matrix as stored, no
transposed copy) or ``hidden @ reverse_embeddings`` with a separate trainable ``(output_dim, input_dim)`` matrix
when ``tie_weights=False`` (initialized with ``embeddings_initializer``, as in Keras 3). ``reverse_dtype`` casts
the hidden states and the matrix before the product; ``logit_soft_cap`` bounds the logits with
``tanh(logits / cap) * cap``. With LoRA enabled the tied projection uses the merged embeddings.

Masks follow Keras 3: with ``mask_zero=True`` the forward output carries ``ids != 0``; reverse outputs carry no
mask.

Example:
    >>> layer = ReversibleEmbedding(10, 4)
    >>> hidden = layer(torch.tensor([[1, 2, 3]]))
    >>> hidden.shape, layer(hidden, reverse=True).shape
    (torch.Size([1, 3, 4]), torch.Size([1, 3, 10]))
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence, cast

import torch
import torch.nn.functional as F

from kerastorch import config
from kerastorch.backend.annotations import DTypeLike, Identifier, Shape
from kerastorch.backend.variable import Variable
from kerastorch.layers.core import Embedding
from kerastorch.layers.layer_utils import InitializerLike, layer_label
from kerastorch.serialization.object_registration import register_builtin


@register_builtin("keras.layers")
class ReversibleEmbedding(Embedding):
    """An ``Embedding`` whose ``call(inputs, reverse=True)`` maps ``output_dim`` features to ``input_dim`` logits.

    ``layer(ids)`` looks the ids up as :class:`Embedding` does; ``layer(hidden, reverse=True)`` computes
    ``hidden @ embeddings.T`` (tied weights) or ``hidden @ reverse_embeddings``, then the optional soft
    cap ``tanh(logits / logit_soft_cap) * logit_soft_cap``.

    Args:
        input_dim: int: the vocabulary size; indices lie in ``[0, input_dim)``.
        output_dim: int: the size of each embedding vector.
        tie_weights: bool, default True: whether the reverse projection uses the embeddings; False learns
            a separate ``reverse_embeddings`` matrix ``(output_dim, input_dim)``.
        embeddings_initializer: str or initializer, default ``"uniform"``: the initializer of
            ``embeddings`` (and of ``reverse_embeddings``).
        embeddings_regularizer: str, regularizer or None, default None: a penalty on ``embeddings``.
        embeddings_constraint: str, constraint or None, default None: a constraint applied to
            ``embeddings`` after each optimizer update.
        mask_zero: bool, default False: whether index 0 is padding; the forward output then carries the
            mask ``ids != 0``.
        reverse_dtype: str or None, default None: the dtype the reverse projection computes in (its inputs
            and matrix are cast to it); None keeps the layer's.
        logit_soft_cap: float or None, default None: when given, the reverse logits are bounded to
            ``(-logit_soft_cap, logit_soft_cap)`` with ``tanh``.
        **kwargs: other :class:`Embedding` arguments (``weights``, ``lora_rank``, ``lora_alpha``, ...) and
            base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: integer ids, or with ``reverse=True`` hidden states ``(..., output_dim)``.
        reverse: bool, default False: whether to project hidden states to logits.

    Input shape:
        ``(batch_size, ...)`` ids; with ``reverse=True``, ``(batch_size, ..., output_dim)``.

    Output shape:
        ``(batch_size, ..., output_dim)``; with ``reverse=True``, ``(batch_size, ..., input_dim)``.

    Raises:
        ValueError: an unknown ``reverse_dtype``, a ``logit_soft_cap`` that is not None or positive, and
            what :class:`Embedding` refuses; when called with ``reverse=True``, inputs whose last axis is
            not ``output_dim``.

    >>> layer = ReversibleEmbedding(5, 2, tie_weights=False, logit_soft_cap=3.0)
    >>> layer(torch.tensor([0, 4])).shape
    torch.Size([2, 2])
    >>> [w.name for w in layer.weights]
    ['embeddings', 'reverse_embeddings']
    >>> bool(layer(torch.full((1, 2), 100.0), reverse=True).abs().max() <= 3.0)
    True
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        tie_weights: bool = True,
        embeddings_initializer: InitializerLike = "uniform",
        embeddings_regularizer: Identifier = None,
        embeddings_constraint: Identifier = None,
        mask_zero: bool = False,
        reverse_dtype: DTypeLike = None,
        logit_soft_cap: float | None = None,
        **kwargs: Any,
    ) -> None:
        weights = kwargs.pop("weights", None)  # set once the reverse matrix can be built too
        super().__init__(
            input_dim,
            output_dim,
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer,
            embeddings_constraint=embeddings_constraint,
            mask_zero=mask_zero,
            **kwargs,
        )
        self.tie_weights = bool(tie_weights)
        if reverse_dtype is not None:
            try:
                reverse_dtype = config.standardize_dtype(reverse_dtype)
                self._reverse_torch_dtype: torch.dtype | None = config.torch_dtype(reverse_dtype)
            except (ValueError, TypeError, KeyError):
                raise ValueError(
                    f"{layer_label(self)}: reverse_dtype must be a dtype name such as 'float32', "
                    f"received reverse_dtype={reverse_dtype!r}"
                ) from None
        else:
            self._reverse_torch_dtype = None
        self.reverse_dtype = reverse_dtype
        if logit_soft_cap is not None and (
            isinstance(logit_soft_cap, bool)
            or not isinstance(logit_soft_cap, (int, float, numbers.Real))
            or logit_soft_cap <= 0
        ):
            raise ValueError(
                f"{layer_label(self)}: logit_soft_cap must be None or a positive number, "
                f"received logit_soft_cap={logit_soft_cap!r}"
            )
        self.logit_soft_cap = logit_soft_cap
        self.reverse_embeddings: Variable | None = None
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, (list, tuple)) else [weights])

    def build(self, input_shape: Sequence[int | None] | None = None) -> None:
        super().build(input_shape)
        if not self.tie_weights:
            self._add_reverse()

    def _add_reverse(self):
        self.reverse_embeddings = self.add_weight(
            name="reverse_embeddings", shape=(self.output_dim, self.input_dim), initializer=self.embeddings_initializer
        )

    def call(self, inputs: torch.Tensor, reverse: bool = False) -> torch.Tensor:
        if not reverse:
            outputs = super().call(inputs)
            if self.mask_zero:
                outputs._keras_mask = torch.ne(inputs, 0)  # type: ignore[attr-defined]  # torch tensors take attributes
            return outputs
        if inputs.shape[-1] != self.output_dim:
            raise ValueError(
                f"{layer_label(self)}: reverse=True expects inputs whose last axis has output_dim="
                f"{self.output_dim} features, received shape {tuple(inputs.shape)}"
            )
        if self.tie_weights:  # F.linear(x, E) = x @ E.T
            weight = self._merged(self.embeddings) if self.lora_enabled else self.embeddings
        else:
            weight = cast(Variable, self.reverse_embeddings).T  # built when the weights are not tied
        dtype = self._reverse_torch_dtype
        if dtype is not None:
            inputs, weight = inputs.to(dtype), weight.to(dtype)
        elif not inputs.is_floating_point():
            inputs = inputs.to(weight.dtype)
        logits = F.linear(inputs, weight)
        cap = self.logit_soft_cap
        if cap is not None:
            logits = torch.tanh(logits / cap) * cap
        return logits

    def compute_mask(self, inputs: torch.Tensor, mask: Any = None) -> None:
        """None: the forward call attaches the ``mask_zero`` mask itself, reverse outputs have none."""
        return

    def compute_output_shape(self, input_shape: Sequence[int | None], reverse: bool = False) -> Shape:
        shape = tuple(input_shape)
        return shape[:-1] + (self.input_dim,) if reverse else shape + (self.output_dim,)

    def get_config(self) -> dict[str, Any]:
        config_ = super().get_config()
        config_.update(
            {
                "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype,
                "logit_soft_cap": self.logit_soft_cap,
            }
        )
        return config_

"""``TimmModel``: the models of timm (PyTorch Image Models) as Keras bases (``pip install kerastorch[vision]``).

Every ``timm.list_models()`` name, convolutional or transformer: without the top, ``pooling=None`` gives
the model's ``forward_features`` (a channels_last feature map, or the tokens ``(batch, length, channels)`` of
a transformer), ``pooling="avg"`` the model's own pooled features (``forward_head(pre_logits=True)``, what
``timm.create_model(name, num_classes=0)`` returns: a global average for most networks, the class token for
a ViT) and ``pooling="max"`` a global maximum. Pretrained weights come from timm's own cache (the Hugging
Face hub cache) or a local file; see :class:`~kerastorch.applications.torch_image_model.TorchImageModel`.

Example:
    >>> import torch
    >>> base = TimmModel("resnet18", weights=None, pooling=None)
    >>> base(torch.rand(2, 64, 64, 3)).shape
    torch.Size([2, 2, 2, 512])
"""

from __future__ import annotations

import os
import types
from typing import Any, Callable, Sequence

import torch

from kerastorch.applications.torch_image_model import TorchImageModel, load_state_dict_file
from kerastorch.serialization.object_registration import register_builtin

__all__ = ["TimmModel"]


def timm_module() -> types.ModuleType:
    """The ``timm`` package, or an ImportError that says how to install it."""
    try:
        import timm  # optional dependency: the vision extra
    except ImportError as error:
        raise ImportError("TimmModel needs timm, which is not installed: pip install 'kerastorch[vision]'") from error
    return timm


@register_builtin("keras.applications")
class TimmModel(TorchImageModel):
    """A timm image model as a Keras application (channels_last inputs, Keras layers and weights).

    Args:
        architecture: str, a timm model name, optionally with its pretrained tag (``"resnet50.a1_in1k"``).
        weights: str or None, default ``"imagenet"``: ``"imagenet"`` (timm's pretrained weights for the name,
            from the Hugging Face hub cache or downloaded there), the path of a state dict file (``.pth``/
            ``.pt``/``.bin`` written by ``torch.save``, or ``.safetensors``), or None for a random
            initialization.
        include_top: bool, default False: keep timm's classifier.
        pooling: None, ``"avg"`` or ``"max"``, default ``"avg"``: the output without the top (see the module).
        input_shape: tuple or None, default None: ``(height, width, 3)`` (a ViT needs its own size).
        classes: int, default 1000: classes of the classifier (those of the weights with ``"imagenet"``).
        classifier_activation: str, callable or None, default ``"softmax"``: applied to the class scores.
        name: str or None: the model's name, ``"timm_<architecture>"`` by default.
        **kwargs: passed to :class:`TorchImageModel`: ``trainable`` (default True; False freezes every weight)
            and the base model arguments (``dtype``...).

    Input shape:
        ``(batch, height, width, 3)``, RGB scaled by :meth:`preprocess_input` (from [0, 255]).

    Output shape:
        ``(batch, classes)`` with the top; ``(batch, features)`` with pooling; the feature map
        ``(batch, h, w, channels)`` or tokens ``(batch, length, channels)`` without.

    Raises:
        ImportError: without timm.
        ValueError: for an unknown architecture, ``classes`` other than the pretrained weights', or a file of
            another model.
        OSError: when pretrained weights are neither cached nor downloadable.
    """

    zoo = "timm"

    def __init__(
        self,
        architecture: str,
        weights: str | os.PathLike[str] | None = "imagenet",
        include_top: bool = False,
        pooling: str | None = "avg",
        input_shape: Sequence[int | None] | None = None,
        classes: int = 1000,
        classifier_activation: str | Callable[..., Any] | None = "softmax",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            architecture,
            weights=weights,
            include_top=include_top,
            pooling=pooling,
            input_shape=input_shape,
            classes=classes,
            classifier_activation=classifier_activation,
            name=name,
            **kwargs,
        )

    def create_zoo_module(
        self, architecture: str, weights: str | os.PathLike[str] | None, include_top: bool, classes: int
    ) -> torch.nn.Module:
        timm = timm_module()
        label = f"TimmModel({architecture!r})"
        if not timm.is_model(architecture):
            raise ValueError(
                f"{label}: not a timm model name; timm.list_models('{architecture.split('_')[0]}*') "
                "lists the names that start the same way"
            )
        num_classes = classes if include_top else 0
        if weights == "imagenet":
            module = _pretrained(timm, architecture, None if include_top else 0, label)
            trained = module.pretrained_cfg.get("num_classes")
            if include_top and trained and classes != trained:
                raise ValueError(
                    f"{label}: the pretrained weights have {trained} classes; received "
                    f"classes={classes} (use weights=None or include_top=False)"
                )
            return module
        module = timm.create_model(architecture, pretrained=False, num_classes=num_classes)
        if weights is not None:
            load_state_dict_file(module, os.fspath(weights), label, allow_unused=not include_top)
        return module

    def zoo_features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.zoo_module.forward_features(x)
        return x.permute(0, 3, 1, 2) if self._channels_last_features(x) else x

    def zoo_pooled(self, x: torch.Tensor) -> torch.Tensor:
        if self._channels_last_features(x):
            x = x.permute(0, 2, 3, 1)  # back to the layout the model's head takes
        return self.zoo_module.forward_head(x, pre_logits=True)

    def _channels_last_features(self, x):
        return x.ndim == 4 and str(getattr(self.zoo_module, "output_fmt", "NCHW")) in ("NHWC", "Format.NHWC")

    @property
    def input_mean(self) -> tuple[float, ...]:
        return tuple(self.zoo_module.pretrained_cfg.get("mean", super().input_mean))

    @property
    def input_std(self) -> tuple[float, ...]:
        return tuple(self.zoo_module.pretrained_cfg.get("std", super().input_std))


def _pretrained(timm, architecture, num_classes, label):
    kwargs = {} if num_classes is None else {"num_classes": num_classes}
    try:
        return timm.create_model(architecture, pretrained=True, **kwargs)
    except Exception as error:
        raise OSError(
            f"{label}: could not load timm's pretrained weights from the Hugging Face hub cache "
            f"({os.environ.get('HF_HOME', '~/.cache/huggingface')}) nor download them ({error}). Without a "
            "network, download the weights file elsewhere and pass weights='path/to/file'"
        ) from error

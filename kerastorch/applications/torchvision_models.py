"""``TorchVisionModel``: torchvision's image classification models as Keras bases (``pip install kerastorch[vision]``).

Any model of ``torchvision.models.list_models(module=torchvision.models)`` with its top; without it
(``include_top=False``, the transfer-learning base), the families whose features are their layers in order:
AlexNet, ConvNeXt, DenseNet, EfficientNet (v1 and v2), MNASNet, MobileNet v2 and v3, RegNet, ResNet, ResNeXt,
ShuffleNet v2, SqueezeNet, VGG and Wide ResNet. Named weights come from torch's own cache
(``torch.hub.get_dir()/checkpoints``, where torchvision keeps them) after their hash is checked, or are
downloaded there; see :class:`~kerastorch.applications.torch_image_model.TorchImageModel` for what the Keras
model looks like.

Example:
    >>> import kerastorch as keras
    >>> base = TorchVisionModel("resnet18", weights=None, input_shape=(64, 64, 3))
    >>> base.trainable = False
    >>> model = keras.Sequential([keras.Input((64, 64, 3)), base, keras.layers.Dense(10)])
    >>> model.output_shape, [layer.name for layer in base.layers[-3:]]
    ((None, 10), ['layer3_1', 'layer4_0', 'layer4_1'])
"""

from __future__ import annotations

import os
import re
import types
import urllib.error
import urllib.parse
from typing import Any, Callable, Sequence, cast

import torch

from kerastorch.applications.torch_image_model import TorchImageModel, load_state_dict_file
from kerastorch.layers.torch_wrapper import TorchModuleWrapper
from kerastorch.serialization.object_registration import register_builtin
from kerastorch.utils.file_utils import hash_file

__all__ = ["TorchVisionModel", "fetch_checkpoint"]

FEATURE_FAMILIES = (
    "alexnet",
    "convnext",
    "densenet",
    "efficientnet",
    "mnasnet",
    "mobilenet",
    "regnet",
    "resnet",
    "resnext",
    "shufflenet",
    "squeezenet",
    "vgg",
    "wide_resnet",
)
"""Architecture name prefixes that can be built without their top."""
HEAD_NAMES = ("avgpool", "fc", "classifier")
"""The top-level children that make up the top of those families."""


def torchvision_models() -> types.ModuleType:
    """``torchvision.models``, or an ImportError that says how to install it."""
    try:
        import torchvision.models  # optional dependency: the vision extra
    except ImportError as error:
        raise ImportError(
            "TorchVisionModel needs torchvision, which is not installed: pip install "
            "'kerastorch[vision]' (torchvision must match the installed torch)"
        ) from error
    return torchvision.models


@register_builtin("keras.applications")
class TorchVisionModel(TorchImageModel):
    """A torchvision image model as a Keras application (channels_last inputs, Keras layers and weights).

    Args:
        architecture: str, a torchvision model name (``"resnet50"``, ``"mobilenet_v3_small"`` ...).
        weights: str or None, default ``"imagenet"``: ``"imagenet"`` (torchvision's ``DEFAULT`` weights),
            a weights name (``"IMAGENET1K_V2"`` or ``"ResNet50_Weights.IMAGENET1K_V2"``), the path of a
            state dict file (``.pth``/``.pt`` written by ``torch.save``, or ``.safetensors``), or None for
            a random initialization.
        include_top: bool, default False: keep torchvision's classifier.
        pooling: None, ``"avg"`` or ``"max"``, default ``"avg"``: the output without the top; None gives
            the feature map, channels_last.
        input_shape: tuple or None, default None: ``(height, width, 3)``.
        classes: int, default 1000: classes of the classifier (1000 with named weights).
        classifier_activation: str, callable or None, default ``"softmax"``: applied to the class scores
            (torchvision's models return logits; pass None to keep them).
        name: str or None: the model's name, ``"torchvision_<architecture>"`` by default.
        **kwargs: passed to :class:`TorchImageModel`: ``trainable`` (default True; False freezes every weight)
            and the base model arguments (``dtype``...).

    Input shape:
        ``(batch, height, width, 3)``, RGB scaled by :meth:`preprocess_input` (from [0, 255]).

    Output shape:
        ``(batch, classes)`` with the top; ``(batch, channels)`` with pooling; ``(batch, h, w, channels)``
        without.

    Raises:
        ImportError: without torchvision.
        ValueError: for an unknown architecture, a family that cannot be built without its top, unknown
            weights, named weights with ``classes`` other than theirs, or a file of another model.
        OSError: when named weights are neither cached nor downloadable (the message names the file, its
            address and the folder to put it in).
    """

    zoo = "torchvision"
    _normalization: tuple[tuple[float, ...], tuple[float, ...]] | None  # the named weights' mean and deviation

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
        self.__dict__["_normalization"] = None
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
        models = torchvision_models()
        label = f"TorchVisionModel({architecture!r})"
        names = models.list_models(module=models)
        if architecture not in names:
            raise ValueError(f"{label}: not a torchvision classification model; they are: {', '.join(names)}")
        if not include_top and not architecture.startswith(FEATURE_FAMILIES):
            raise ValueError(
                f"{label}: include_top=False is supported for the families {', '.join(FEATURE_FAMILIES)}; "
                "use include_top=True, or TimmModel, whose models all give their feature maps"
            )
        named = _named_weights(models, architecture, weights, label)
        if named is not None:
            if include_top and classes != len(named.meta["categories"]):
                raise ValueError(
                    f"{label}: the {named} weights have {len(named.meta['categories'])} classes; "
                    f"received classes={classes} (use weights=None or include_top=False)"
                )
            fetch_checkpoint(named.url)
            module = models.get_model(architecture, weights=named)
            transform = named.transforms()
            self.__dict__["_normalization"] = (tuple(transform.mean), tuple(transform.std))
        else:
            module = models.get_model(architecture, weights=None, **({"num_classes": classes} if include_top else {}))
        if not include_top:
            for head in HEAD_NAMES:
                if hasattr(module, head):
                    setattr(module, head, torch.nn.Identity())
        if named is None and weights is not None:
            load_state_dict_file(module, weights, label, allow_unused=not include_top)
        return module

    def zoo_features(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:  # each wraps a part of the zoo model (TorchImageModel.__init__)
            x = cast(TorchModuleWrapper, layer).module(x)
        return torch.relu(x) if self.architecture.startswith("densenet") else x  # DenseNet's forward adds it

    @property
    def input_mean(self) -> tuple[float, ...]:
        return self._normalization[0] if self._normalization else super().input_mean

    @property
    def input_std(self) -> tuple[float, ...]:
        return self._normalization[1] if self._normalization else super().input_std


def _named_weights(models, architecture, weights, label):
    """The torchvision weights enum member ``weights`` names, or None (no weights, or a file)."""
    if weights is None:
        return None
    enum = models.get_model_weights(architecture)
    if weights in ("imagenet", "DEFAULT"):
        return enum.DEFAULT
    member = str(weights).rsplit(".", 1)[-1] if str(weights).startswith(enum.__name__ + ".") else str(weights)
    if member in enum.__members__:
        return enum[member]
    if os.path.isfile(os.fspath(weights)):
        return None
    names = [key for key, member in enum.__members__.items() if key == member.name]  # without the DEFAULT alias
    raise ValueError(
        f"{label}: weights must be None, 'imagenet', one of {names} or the path of "
        f"a state dict file; received {weights!r}, which is none of these (no such file)"
    )


def fetch_checkpoint(url: str, folder: str | None = None) -> str:
    """The path of torchvision's file at ``url`` in torch's cache, downloaded there when missing.

    The file name carries the start of its sha256 hash (``resnet18-f37072fd.pth``): a cached file is used only
    when its hash starts so, and a download is checked before it is moved into the cache (atomically), so a
    wrong or interrupted download caches nothing.

    Args:
        url: str, the address torchvision publishes the file at.
        folder: str or None, default None: the cache folder; None is ``torch.hub.get_dir()/checkpoints``.

    Returns:
        str, the path of the cached file.

    Raises:
        ValueError: when the cached or downloaded file's hash does not match.
        OSError: when the file cannot be downloaded; the message names it, its address and the folder.

    Example:
        >>> fetch_checkpoint("https://download.pytorch.org/models/resnet18-f37072fd.pth")  # doctest: +SKIP
        '/root/.cache/torch/hub/checkpoints/resnet18-f37072fd.pth'
    """
    folder = folder or os.path.join(torch.hub.get_dir(), "checkpoints")
    name = os.path.basename(urllib.parse.urlparse(url).path)
    path = os.path.join(folder, name)
    match = re.search(r"-([a-f0-9]+)\.", name)
    prefix = match.group(1) if match else None
    if os.path.isfile(path):
        actual = hash_file(path)
        if prefix and not actual.startswith(prefix):
            raise ValueError(
                f"fetch_checkpoint: the cached file {path} has sha256 hash {actual}, which does not "
                f"start with {prefix} as its name says: it is damaged or another file, so it was not "
                f"loaded. Delete it to download it again from {url}"
            )
        return path
    os.makedirs(folder, exist_ok=True)
    try:
        torch.hub.download_url_to_file(url, path, hash_prefix=prefix, progress=True)
    except RuntimeError as error:  # torch.hub's hash check; the partial file is already gone
        raise ValueError(
            f"fetch_checkpoint: the file downloaded from {url} is not the published one ({error}); nothing was cached"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise OSError(
            f"fetch_checkpoint: could not download {name!r} from {url} ({reason}). Nothing was cached. "
            f"Without a network, download the file elsewhere and put it at {path} (in the folder "
            f"{folder}); it is used when its sha256 hash starts with {prefix}"
        ) from error
    return path

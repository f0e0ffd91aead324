"""``TorchImageModel``: an image model of a PyTorch model zoo as a Keras application.

The shared part of :class:`~kerastorch.applications.torchvision_models.TorchVisionModel` and
:class:`~kerastorch.applications.timm_models.TimmModel`. A zoo model becomes a Keras model that behaves like
a Keras base:

- **Inputs are channels_last** (``(batch, height, width, 3)``) like every Keras model (channels_first when
  ``keras.config.image_data_format()`` says so); the zoo model runs in NCHW on a permuted view.
- **Layers.** Each top-level part of the zoo model (``conv1``, ``layer1`` ... for a ResNet; the blocks of
  ``features`` for a MobileNet; a top-level ``Sequential`` is opened one level) is a
  :class:`~kerastorch.layers.torch_wrapper.TorchModuleWrapper` in :attr:`layers`, so ``base.layers[:-k]``
  picks the bottom of the base as it does for a Keras application. Parameters directly on the zoo model
  (a ViT's ``cls_token``) are the layer ``root``.
- **Weights.** Every parameter is a Keras weight with the path ``<layer>/<torch name>``
  (``layer1/0.conv1.weight``), and the persistent buffers (BatchNorm's running statistics) are
  non-trainable weights, as Keras's moving mean and variance are: ``save_weights``, ``model.save`` and
  ``get_weights`` keep them.
- **Freezing.** ``trainable = False`` freezes every weight, and a frozen layer's BatchNorm modules run in
  inference mode even when the enclosing model trains (Keras's rule).
- **Saving.** The config names the zoo architecture and the arguments; ``from_config`` rebuilds it with
  random weights and the weights come from the weights file, so no pickled module is stored.

Example:
    >>> import torch
    >>> class TinyNet(TorchImageModel):
    ...     zoo = "tiny"
    ...     def create_zoo_module(self, architecture, weights, include_top, classes):
    ...         net = torch.nn.Module()
    ...         net.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
    ...         net.bn = torch.nn.BatchNorm2d(8)
    ...         return net
    ...     def zoo_features(self, x):
    ...         return torch.relu(self.zoo_module.bn(self.zoo_module.conv(x)))
    >>> base = TinyNet("tiny_cnn", pooling="max")
    >>> [layer.name for layer in base.layers], [w.path for w in base.non_trainable_weights][:2]
    (['conv', 'bn'], ['bn/running_mean', 'bn/running_var'])
    >>> base(torch.rand(2, 16, 16, 3)).shape
    torch.Size([2, 8])
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np
import torch

from kerastorch import activations, config
from kerastorch.backend.annotations import TensorLike
from kerastorch.backend.variable import Variable
from kerastorch.layers.torch_wrapper import TorchModuleWrapper
from kerastorch.models.model import Model

__all__ = ["TorchImageModel"]

POOLINGS = (None, "avg", "max")
BATCH_NORMS = (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d, torch.nn.BatchNorm3d, torch.nn.SyncBatchNorm)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class TorchImageModel(Model):
    """Base class: a zoo model as a Keras application. Subclasses create the torch model.

    A subclass implements :meth:`create_zoo_module` (the torch model, with its weights) and
    :meth:`zoo_features` (the unpooled feature map), and may override :meth:`zoo_pooled` and :meth:`zoo_logits`.

    Args:
        architecture: str, the zoo's model name (``"resnet18"``).
        weights: str or None: what the subclass documents (named pretrained weights, a local file, or None
            for a random initialization).
        include_top: bool, default False: keep the zoo model's classifier (the output is then the class
            scores after ``classifier_activation``).
        pooling: None, ``"avg"`` or ``"max"``, default ``"avg"``: with ``include_top=False``, None returns the
            feature map (channels_last), ``"avg"`` and ``"max"`` a vector per image.
        input_shape: tuple or None, default None: ``(height, width, 3)``; None accepts any size.
        classes: int, default 1000: the number of classes when ``include_top=True``.
        classifier_activation: str, callable or None, default ``"softmax"``: applied to the class scores.
        name: str or None: the model's name (``"<zoo>_<architecture>"`` by default).
        trainable: bool, default True: False freezes every weight (a frozen part's BatchNorm then runs in
            inference mode, also while an enclosing model trains).
        **kwargs: other base model arguments (``dtype``...).

    Raises:
        ValueError: for an unknown ``pooling``, a bad ``input_shape`` or ``classes``.
    """

    zoo = "torch"
    zoo_module: Any  # the zoo's own model (set in __init__, kept out of the submodules); its methods vary by zoo

    def __init__(
        self,
        architecture: str,
        weights: str | os.PathLike[str] | None = None,
        include_top: bool = False,
        pooling: str | None = "avg",
        input_shape: Sequence[int | None] | None = None,
        classes: int = 1000,
        classifier_activation: str | Callable[..., Any] | None = "softmax",
        name: str | None = None,
        trainable: bool = True,
        **kwargs: Any,
    ) -> None:
        label = f"{type(self).__name__}({architecture!r})"
        if pooling not in POOLINGS:
            raise ValueError(f"{label}: pooling must be None, 'avg' or 'max', received {pooling!r}")
        if not isinstance(classes, int) or isinstance(classes, bool) or classes < 1:
            raise ValueError(f"{label}: classes must be a positive int, received {classes!r}")
        if input_shape is not None:
            input_shape = tuple(input_shape)
            if len(input_shape) != 3:
                raise ValueError(f"{label}: input_shape must be (height, width, channels), received {input_shape}")
        super().__init__(name=name or f"{self.zoo}_{architecture}".replace(".", "_"), **kwargs)
        self.architecture = architecture
        self.include_top = bool(include_top)
        self.pooling = pooling
        self.image_shape = input_shape
        self.classes = classes
        self.classifier_activation = classifier_activation
        self._activation = activations.get(classifier_activation) if classifier_activation else None
        module = self.create_zoo_module(architecture, weights, self.include_top, classes)
        module.to(config.torch_dtype(self.variable_dtype))
        self.__dict__["zoo_module"] = module  # not a submodule: its parts are the layers below
        converted: dict[int, Variable] = {}
        for layer_name, part in _parts(module):
            _weights_as_variables(part, layer_name, converted)
            self.add_module(layer_name, TorchModuleWrapper(part, name=layer_name))
        self.trainable = trainable
        if input_shape is not None:
            self.build((None, *input_shape))

    # ------------------------------------------------------------------ what subclasses provide
    def create_zoo_module(
        self, architecture: str, weights: str | os.PathLike[str] | None, include_top: bool, classes: int
    ) -> torch.nn.Module:
        """The zoo's torch model (NCHW), with ``weights`` loaded. Without the top (``include_top`` False), the
        classifier children are ``torch.nn.Identity``, which the layers leave out."""
        raise NotImplementedError

    def zoo_features(self, x: torch.Tensor) -> torch.Tensor:
        """The zoo model's feature map (NCHW, or tokens ``(batch, length, channels)``) for NCHW images."""
        raise NotImplementedError

    def zoo_pooled(self, x: torch.Tensor) -> torch.Tensor:
        """``pooling="avg"``: global average of the feature map (subclasses may use the zoo's own pooling)."""
        return x.mean(dim=(2, 3)) if x.ndim == 4 else x.mean(dim=1)

    def zoo_logits(self, x: torch.Tensor) -> torch.Tensor:
        """The class scores for NCHW images (``include_top=True``)."""
        out = self.zoo_module(x)
        return getattr(out, "logits", out)  # Inception-style training outputs carry the logits

    @property
    def input_mean(self) -> tuple[float, ...]:
        """Per-channel mean (RGB, on [0, 1] images) the weights expect."""
        return IMAGENET_MEAN

    @property
    def input_std(self) -> tuple[float, ...]:
        """Per-channel standard deviation (RGB, on [0, 1] images) the weights expect."""
        return IMAGENET_STD

    # ----------------------------------------------------------------------------------- running
    # no mask argument: the zoo models take none (Model.call's mask is for functional graphs)
    def call(self, inputs: torch.Tensor, training: bool | None = None) -> torch.Tensor:  # type: ignore[override]
        channels_last = config.image_data_format() == "channels_last"
        if inputs.ndim != 4 or inputs.shape[-1 if channels_last else 1] != 3:
            layout = "(batch, height, width, 3)" if channels_last else "(batch, 3, height, width)"
            raise ValueError(
                f'Model "{self.name}": expected images of shape {layout}, received shape {tuple(inputs.shape)}'
            )
        self._set_modes(bool(training))
        x = inputs.permute(0, 3, 1, 2) if channels_last else inputs
        x = x.to(self._compute_torch_dtype)
        if self.include_top:
            out = self.zoo_logits(x)
            return self._activation(out) if self._activation is not None else out
        x = self.zoo_features(x)
        if self.pooling == "avg":
            return self.zoo_pooled(x)
        if self.pooling == "max":
            return x.amax(dim=(2, 3)) if x.ndim == 4 else x.amax(dim=1)
        return x.permute(0, 2, 3, 1) if x.ndim == 4 and channels_last else x

    def _set_modes(self, training):
        """Train or inference mode per part; BatchNorm of a frozen layer stays in inference mode."""
        self.zoo_module.train(training)
        if not training:
            return
        for layer in self.layers:
            if not layer.trainable:
                for part in layer.module.modules():
                    if isinstance(part, BATCH_NORMS):
                        part.eval()

    def preprocess_input(self, x: TensorLike) -> torch.Tensor:
        """Scale RGB images with values in [0, 255] the way the weights expect: ``(x / 255 - mean) / std``.

        Args:
            x: array or tensor of images, channels_last (channels_first when the image data format says so).

        Returns:
            A float32 tensor of the same shape.
        """
        x = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x, dtype=torch.float32)
        shape = (3, 1, 1) if config.image_data_format() == "channels_first" else (3,)
        mean = torch.tensor(self.input_mean, dtype=torch.float32, device=x.device).reshape(shape)
        std = torch.tensor(self.input_std, dtype=torch.float32, device=x.device).reshape(shape)
        return (x / 255.0 - mean) / std

    # ------------------------------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """The architecture and arguments, and which layers are frozen; the weights are not part of it
        (``from_config`` starts random)."""
        return {
            "architecture": self.architecture,
            "include_top": self.include_top,
            "pooling": self.pooling,
            "input_shape": None if self.image_shape is None else list(self.image_shape),
            "classes": self.classes,
            "classifier_activation": activations.serialize(self._activation) if self._activation is not None else None,
            "name": self.name,
            "trainable": self.trainable,
            "frozen_layers": [layer.name for layer in self.layers if not layer.trainable],
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> TorchImageModel:
        """Rebuild from :meth:`get_config` with random weights (the weights file fills them in)."""
        config = dict(config)
        frozen = set(config.pop("frozen_layers", ()))
        model = cls(weights=None, **config)
        for layer in model.layers:
            if layer.name in frozen:
                layer.trainable = False
        return model


def _parts(module):
    """``(layer name, module)`` for the top-level parts of ``module`` in order (top-level Sequentials opened
    one level, ``Identity`` left out), after ``root`` for the weights held by ``module`` itself."""
    parts = []
    own = [(name, p) for name, p in module._parameters.items() if p is not None]
    own += [
        (name, b)
        for name, b in module._buffers.items()
        if b is not None and name not in module._non_persistent_buffers_set
    ]
    if own:  # one layer holds them; the zoo model and the layer share each weight
        root = torch.nn.Module()
        for name, tensor in own:
            weight = _variable(
                tensor, isinstance(tensor, torch.nn.Parameter) and tensor.requires_grad, name, "root", ""
            )
            module._buffers.pop(name, None)
            module._parameters[name] = weight
            root._parameters[name] = weight
        parts.append(("root", root))
    for name, child in module.named_children():
        if isinstance(child, torch.nn.Identity):
            continue
        if type(child) is torch.nn.Sequential:
            parts.extend((f"{name}_{inner}", grandchild) for inner, grandchild in child.named_children())
        else:
            parts.append((name, child))
    return parts


def _weights_as_variables(module, layer_name, converted):
    """Make every parameter and persistent buffer under ``module`` a Keras weight with a path.

    ``converted`` maps ``id`` of a tensor already made a weight to that weight, so tied weights stay tied.
    """
    for prefix, part in module.named_modules(remove_duplicate=False):
        for name in list(part._parameters):
            param = part._parameters[name]
            if param is None or isinstance(param, Variable):
                continue
            if id(param) not in converted:
                converted[id(param)] = _variable(param, param.requires_grad, name, layer_name, prefix)
            part._parameters[name] = converted[id(param)]
        for name in list(part._buffers):
            buffer = part._buffers[name]
            if buffer is None or name in part._non_persistent_buffers_set:
                continue
            if id(buffer) not in converted:
                converted[id(buffer)] = _variable(buffer, False, name, layer_name, prefix)
            del part._buffers[name]
            part._parameters[name] = converted[id(buffer)]


def _variable(tensor, trainable, name, layer_name, prefix):
    variable = Variable(tensor.data, trainable=trainable, name=name)
    variable._path = f"{layer_name}/{prefix + '.' if prefix else ''}{name}"
    return variable


def load_state_dict_file(
    module: torch.nn.Module, path: str | os.PathLike[str], label: str, allow_unused: bool = False
) -> None:
    """Load a torch state dict file into ``module`` (the zoo model, before its weights become Keras weights).

    Args:
        module: ``torch.nn.Module``, the zoo model.
        path: str, a ``.safetensors`` file or a file ``torch.save`` wrote (loaded with ``weights_only=True``;
            a checkpoint dict holding the state dict under ``"state_dict"``, ``"model"`` or
            ``"model_state_dict"`` is opened).
        label: str, names the model in error messages.
        allow_unused: bool, default False: whether the file may hold weights the module lacks (the classifier
            of a model built without its top).

    Raises:
        FileNotFoundError: when ``path`` is not a file.
        ValueError: when the file lacks weights of the module, holds weights of another shape, or (unless
            ``allow_unused``) weights the module lacks.
    """
    path = str(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{label}: weights {path!r} is neither a known name nor an existing file")
    state: Any  # what the file holds: a state dict, or a checkpoint dict holding one
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file

        state = load_file(path)
    else:
        state = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict):
        raise ValueError(f"{label}: {path!r} does not hold a state dict (received {type(state).__name__})")
    try:
        result = module.load_state_dict(state, strict=False)
    except RuntimeError as error:
        raise ValueError(f"{label}: the weights in {path!r} do not fit the model: {error}") from None
    problems = []
    if result.missing_keys:
        problems.append(f"it lacks {len(result.missing_keys)} weight(s) of the model: {_listed(result.missing_keys)}")
    if result.unexpected_keys and not allow_unused:
        problems.append(
            f"it holds {len(result.unexpected_keys)} weight(s) the model lacks: {_listed(result.unexpected_keys)}"
        )
    if problems:
        raise ValueError(f"{label}: {path!r} is not a state dict of this model: " + "; ".join(problems))


def _listed(keys, shown=5):
    return ", ".join(keys[:shown]) + (f" and {len(keys) - shown} more" if len(keys) > shown else "")

"""``keras.applications``: Keras's image classification models, with Keras's published ImageNet weights.

Each family is a module with its model functions, ``preprocess_input`` and ``decode_predictions``
(``keras.applications.resnet.preprocess_input`` ...); the model functions are also here. They have Keras's
signatures, layer names and weight order, so ``weights="imagenet"`` loads the files Keras publishes (from the
Keras cache, ``~/.keras/models``, or downloaded and checked against their hash), and a base with
``include_top=False`` goes under a new head as in Keras's transfer-learning guide.

Beyond Keras, :class:`TorchVisionModel` and :class:`TimmModel` make the models of torchvision and timm Keras
bases of the same kind (the ``vision`` extra installs both).

Example:
    >>> import kerastorch as keras
    >>> base = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(64, 64, 3),
    ...                                    pooling="avg")
    >>> base.trainable = False
    >>> model = keras.Sequential([keras.Input((64, 64, 3)), base, keras.layers.Dense(10)])
    >>> model.output_shape, len(model.trainable_weights)
    ((None, 10), 2)
"""

from kerastorch.applications import (
    convnext,
    densenet,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    nasnet,
    resnet,
    resnet50,
    resnet_v2,
    vgg16,
    vgg19,
    xception,
)
from kerastorch.applications.convnext import ConvNeXtBase, ConvNeXtLarge, ConvNeXtSmall, ConvNeXtTiny, ConvNeXtXLarge
from kerastorch.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from kerastorch.applications.efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from kerastorch.applications.efficientnet_v2 import (
    EfficientNetV2B0,
    EfficientNetV2B1,
    EfficientNetV2B2,
    EfficientNetV2B3,
    EfficientNetV2L,
    EfficientNetV2M,
    EfficientNetV2S,
)
from kerastorch.applications.inception_resnet_v2 import InceptionResNetV2
from kerastorch.applications.inception_v3 import InceptionV3
from kerastorch.applications.mobilenet import MobileNet
from kerastorch.applications.mobilenet_v2 import MobileNetV2
from kerastorch.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from kerastorch.applications.nasnet import NASNetLarge, NASNetMobile
from kerastorch.applications.resnet import ResNet50, ResNet101, ResNet152
from kerastorch.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from kerastorch.applications.timm_models import TimmModel
from kerastorch.applications.torch_image_model import TorchImageModel
from kerastorch.applications.torchvision_models import TorchVisionModel
from kerastorch.applications.vgg16 import VGG16
from kerastorch.applications.vgg19 import VGG19
from kerastorch.applications.xception import Xception

MODULES = (
    "convnext",
    "densenet",
    "efficientnet",
    "efficientnet_v2",
    "imagenet_utils",
    "inception_resnet_v2",
    "inception_v3",
    "mobilenet",
    "mobilenet_v2",
    "mobilenet_v3",
    "nasnet",
    "resnet",
    "resnet50",
    "resnet_v2",
    "vgg16",
    "vgg19",
    "xception",
)
"""The family modules (each with ``preprocess_input`` and ``decode_predictions``)."""

__all__ = sorted(
    [
        "ConvNeXtBase",
        "ConvNeXtLarge",
        "ConvNeXtSmall",
        "ConvNeXtTiny",
        "ConvNeXtXLarge",
        "DenseNet121",
        "DenseNet169",
        "DenseNet201",
        "EfficientNetB0",
        "EfficientNetB1",
        "EfficientNetB2",
        "EfficientNetB3",
        "EfficientNetB4",
        "EfficientNetB5",
        "EfficientNetB6",
        "EfficientNetB7",
        "EfficientNetV2B0",
        "EfficientNetV2B1",
        "EfficientNetV2B2",
        "EfficientNetV2B3",
        "EfficientNetV2L",
        "EfficientNetV2M",
        "EfficientNetV2S",
        "InceptionResNetV2",
        "InceptionV3",
        "MobileNet",
        "MobileNetV2",
        "MobileNetV3Large",
        "MobileNetV3Small",
        "NASNetLarge",
        "NASNetMobile",
        "ResNet101",
        "ResNet101V2",
        "ResNet152",
        "ResNet152V2",
        "ResNet50",
        "ResNet50V2",
        "TimmModel",
        "TorchImageModel",
        "TorchVisionModel",
        "VGG16",
        "VGG19",
        "Xception",
    ]
    + list(MODULES)
)


def __dir__():
    return sorted(__all__)

"""``keras.applications``: Keras's image classification models, with Keras's published ImageNet weights.

Each family is a module with its model functions, ``preprocess_input`` and ``decode_predictions``
(``keras.applications.resnet.preprocess_input`` ...); the model functions are also here. They have Keras's
signatures, layer names and weight order, so ``weights="imagenet"`` loads the files Keras publishes (from the
Keras cache, ``~/.keras/models``, or downloaded and checked against their hash), and a base with
``include_top=False`` goes under a new head as in Keras's transfer-learning guide.

Example:
    >>> import kerastorch as keras
    >>> base = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(64, 64, 3),
    ...                                    pooling="avg")
    >>> base.trainable = False
    >>> model = keras.Sequential([keras.Input((64, 64, 3)), base, keras.layers.Dense(10)])
    >>> model.output_shape, len(model.trainable_weights)
    ((None, 10), 2)
"""
from kerastorch.applications import imagenet_utils, resnet, resnet_v2
from kerastorch.applications.resnet import ResNet50, ResNet101, ResNet152
from kerastorch.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2

__all__ = ["ResNet101", "ResNet101V2", "ResNet152", "ResNet152V2", "ResNet50", "ResNet50V2", "imagenet_utils",
           "resnet", "resnet_v2"]

"""``keras.applications.resnet50``: Keras's older module name for ResNet50, with its ``preprocess_input`` and
``decode_predictions`` (the same objects as in :mod:`~kerastorch.applications.resnet`).

Example:
    >>> from kerastorch.applications import resnet
    >>> ResNet50 is resnet.ResNet50 and preprocess_input is resnet.preprocess_input
    True
"""

from kerastorch.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]

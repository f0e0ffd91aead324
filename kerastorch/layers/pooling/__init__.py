"""Pooling layers: one rank-generic base for windowed pooling, one for global pooling, one for adaptive pooling."""
from kerastorch.layers.pooling.adaptive_pooling import (
                                                        AdaptiveAveragePooling1D,
                                                        AdaptiveAveragePooling2D,
                                                        AdaptiveAveragePooling3D,
                                                        AdaptiveMaxPooling1D,
                                                        AdaptiveMaxPooling2D,
                                                        AdaptiveMaxPooling3D,
                                                        BaseAdaptivePooling,
)
from kerastorch.layers.pooling.base_global_pooling import BaseGlobalPooling
from kerastorch.layers.pooling.base_pooling import BasePooling
from kerastorch.layers.pooling.global_pooling import (
                                                        GlobalAveragePooling1D,
                                                        GlobalAveragePooling2D,
                                                        GlobalAveragePooling3D,
                                                        GlobalAvgPool1D,
                                                        GlobalAvgPool2D,
                                                        GlobalAvgPool3D,
                                                        GlobalMaxPool1D,
                                                        GlobalMaxPool2D,
                                                        GlobalMaxPool3D,
                                                        GlobalMaxPooling1D,
                                                        GlobalMaxPooling2D,
                                                        GlobalMaxPooling3D,
)
from kerastorch.layers.pooling.pooling import (
                                                        AveragePooling1D,
                                                        AveragePooling2D,
                                                        AveragePooling3D,
                                                        AvgPool1D,
                                                        AvgPool2D,
                                                        AvgPool3D,
                                                        MaxPool1D,
                                                        MaxPool2D,
                                                        MaxPool3D,
                                                        MaxPooling1D,
                                                        MaxPooling2D,
                                                        MaxPooling3D,
)

__all__ = [
    "BaseAdaptivePooling", "BaseGlobalPooling", "BasePooling",
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "MaxPool1D", "MaxPool2D", "MaxPool3D",
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D",
]

"""Preprocessing layers that run inside the model: rescaling, normalization, encoding, resizing, cropping and
image augmentation (identity in inference); the vocabulary lookups (``IntegerLookup``, and the string
layers ``StringLookup`` and ``TextVectorization``, which run eagerly on data, outside symbolic models); and the
hashing layers ``Hashing`` and ``HashedCrossing`` (integers in models, strings eagerly)."""
from kerastorch.layers.preprocessing.category_encoding import CategoryEncoding
from kerastorch.layers.preprocessing.center_crop import CenterCrop
from kerastorch.layers.preprocessing.discretization import Discretization
from kerastorch.layers.preprocessing.hashed_crossing import HashedCrossing
from kerastorch.layers.preprocessing.hashing import Hashing
from kerastorch.layers.preprocessing.integer_lookup import IntegerLookup
from kerastorch.layers.preprocessing.normalization import Normalization
from kerastorch.layers.preprocessing.random_brightness import RandomBrightness
from kerastorch.layers.preprocessing.random_contrast import RandomContrast
from kerastorch.layers.preprocessing.random_crop import RandomCrop
from kerastorch.layers.preprocessing.random_flip import RandomFlip
from kerastorch.layers.preprocessing.random_grayscale import RandomGrayscale
from kerastorch.layers.preprocessing.random_invert import RandomInvert
from kerastorch.layers.preprocessing.random_posterization import RandomPosterization
from kerastorch.layers.preprocessing.random_rotation import RandomRotation
from kerastorch.layers.preprocessing.random_shear import RandomShear
from kerastorch.layers.preprocessing.random_translation import RandomTranslation
from kerastorch.layers.preprocessing.random_zoom import RandomZoom
from kerastorch.layers.preprocessing.rescaling import Rescaling
from kerastorch.layers.preprocessing.resizing import Resizing
from kerastorch.layers.preprocessing.solarization import Solarization
from kerastorch.layers.preprocessing.string_lookup import StringLookup
from kerastorch.layers.preprocessing.text_vectorization import TextVectorization

__all__ = [
    "CategoryEncoding", "CenterCrop", "Discretization", "HashedCrossing", "Hashing", "IntegerLookup", "Normalization",
    "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "RandomGrayscale", "RandomInvert",
    "RandomPosterization", "RandomRotation", "RandomShear", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing",
    "Solarization", "StringLookup", "TextVectorization",
]

"""``keras.datasets``: Keras's data sets, downloaded once into the Keras cache (``~/.keras/datasets``) and
checked against their published hashes; ``digits`` ships with the package and works offline."""

from kerastorch.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

__all__ = [
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "digits",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
]


def __dir__():
    return sorted(__all__)

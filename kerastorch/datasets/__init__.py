"""``keras.datasets``: data sets; ``digits`` ships with the package and works offline."""
from kerastorch.datasets import digits

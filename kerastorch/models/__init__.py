"""``keras.models``: Model, Sequential, Functional, and model cloning helpers."""
from kerastorch.models.functional import Functional
from kerastorch.models.model import Model
from kerastorch.models.sequential import Sequential

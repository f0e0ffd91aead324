"""``keras.models``: Model, Sequential, Functional, and saving/loading whole models."""

from kerastorch.models.cloning import clone_model
from kerastorch.models.functional import Functional
from kerastorch.models.model import Model, model_from_json
from kerastorch.models.sequential import Sequential
from kerastorch.saving.saving_api import load_model, save_model

__all__ = [
    "Functional",
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_json",
    "save_model",
]


def __dir__():
    return sorted(__all__)

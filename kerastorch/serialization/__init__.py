"""The object registry and config (de)serialization: no file I/O, nothing above the backend.

Everything that can be named in a config (activations, initializers, layers, losses, optimizers ...) registers
here, and configs are resolved only through this registry, so this package sits right above
:mod:`kerastorch.backend` in the import stack (see CONTRIBUTING.md) and every family can import it. The public
names are :mod:`kerastorch.saving`'s (``register_keras_serializable``, ``serialize_keras_object`` ...); the file
formats live in :mod:`kerastorch.saving`.
"""

__all__ = []


def __dir__():
    return sorted(__all__)

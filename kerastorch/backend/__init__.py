"""Private torch helpers shared by layers, and the Keras ``keras.backend`` essentials."""
from kerastorch.backend.naming import clear_session, get_uid, to_snake_case, unique_name
from kerastorch.config import epsilon, floatx, image_data_format, set_epsilon, set_floatx
from kerastorch.config import set_image_data_format, standardize_dtype


def backend():
    """The name of the backend: always ``"torch"``."""
    return "torch"


def is_keras_tensor(x):
    """True for a symbolic :class:`KerasTensor` (the output of ``keras.Input``)."""
    from kerastorch.backend.keras_tensor import KerasTensor

    return isinstance(x, KerasTensor)

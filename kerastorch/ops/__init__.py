"""``keras.ops``: Keras 3's functions on torch tensors: core (core.py), control flow (control_flow.py),
``rearrange`` (einops.py), NumPy-style
(numpy/), neural-network (nn.py), linear algebra (linalg.py), math (math.py) and image (image.py) functions.
As in Keras 3, ``ops.nn``, ``ops.linalg``, ``ops.numpy`` and ``ops.image`` are namespaces too, and every
function but the image ones is also at the top level. On ``keras.Input`` tensors the ops record graph nodes
(symbolic.py), so functional models can be written with them.

    >>> from kerastorch import ops
    >>> ops.sum(ops.ones((2, 3)), axis=0)
    tensor([2., 2., 2.])
"""

from kerastorch.ops import (
    _nn_activations,
    _nn_conv,
    _nn_misc,
    control_flow,
    core,
    einops,
    image,
    linalg,
    math,
    nn,
    numpy,
)
from kerastorch.ops.numpy import creation, elementwise, indexing, logic, manipulation, products, quantiles, reductions
from kerastorch.ops.symbolic import wrap_namespaces

wrap_namespaces(
    [
        core,
        control_flow,
        einops,
        _nn_activations,
        _nn_conv,
        _nn_misc,
        nn,
        linalg,
        math,
        image,
        creation,
        elementwise,
        indexing,
        logic,
        manipulation,
        products,
        quantiles,
        reductions,
        numpy,
    ]
)
del wrap_namespaces
from kerastorch.ops.control_flow import *  # noqa: E402, F403 (after the wrapping above)
from kerastorch.ops.core import *  # noqa: E402, F403 (after the wrapping above)
from kerastorch.ops.einops import *  # noqa: E402, F403 (after the wrapping above)
from kerastorch.ops.linalg import *  # noqa: E402, F403 (after the wrapping above)
from kerastorch.ops.math import *  # noqa: E402, F403 (after the wrapping above)
from kerastorch.ops.nn import *  # noqa: E402, F403 (after the wrapping above)
from kerastorch.ops.numpy import *  # noqa: E402, F403 (after the wrapping above)

# the functions, and the namespaces ops.image, ops.linalg, ops.nn and ops.numpy, as in Keras 3
__all__ = sorted(
    {name for module in (control_flow, core, einops, linalg, math, nn, numpy) for name in module.__all__}
    | {"image", "linalg", "nn", "numpy"}
)


def __dir__():
    return sorted(__all__)

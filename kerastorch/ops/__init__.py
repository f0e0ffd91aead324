"""``keras.ops``: Keras 3's functions on torch tensors: core (core.py), control flow (control_flow.py),
``rearrange`` (einops.py), NumPy-style
(numpy/), neural-network (nn.py), linear algebra (linalg.py), math (math.py) and image (image.py) functions.
As in Keras 3, ``ops.nn``, ``ops.linalg``, ``ops.numpy`` and ``ops.image`` are namespaces too, and every
function but the image ones is also at the top level.

    >>> from kerastorch import ops
    >>> ops.sum(ops.ones((2, 3)), axis=0)
    tensor([2., 2., 2.])
"""
from kerastorch.ops import image, linalg, nn, numpy
from kerastorch.ops.control_flow import *  # noqa: F403
from kerastorch.ops.core import *  # noqa: F403
from kerastorch.ops.einops import *  # noqa: F403
from kerastorch.ops.linalg import *  # noqa: F403
from kerastorch.ops.math import *  # noqa: F403
from kerastorch.ops.nn import *  # noqa: F403
from kerastorch.ops.numpy import *  # noqa: F403

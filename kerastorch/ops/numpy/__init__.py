"""NumPy-style ``keras.ops``, one module per family: elementwise math and logic, reductions, array creation,
shape manipulation, indexing and sorting, and products (matmul, dot, einsum ...)."""
from kerastorch.ops.numpy.creation import *  # noqa: F403
from kerastorch.ops.numpy.elementwise import *  # noqa: F403
from kerastorch.ops.numpy.indexing import *  # noqa: F403
from kerastorch.ops.numpy.manipulation import *  # noqa: F403
from kerastorch.ops.numpy.products import *  # noqa: F403
from kerastorch.ops.numpy.reductions import *  # noqa: F403

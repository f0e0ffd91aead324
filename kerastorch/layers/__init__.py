"""``keras.layers``: every built-in layer, the Layer base class and InputSpec."""
from kerastorch.layers.base import Layer
from kerastorch.layers.input_layer import Input, InputLayer
from kerastorch.layers.input_spec import InputSpec
from kerastorch.layers.tensor_op import TensorOp
from kerastorch.layers.activation import ELU, Activation, LeakyReLU, PReLU, ReLU, Softmax
from kerastorch.layers.core import Dense, Embedding, Identity, Lambda
from kerastorch.layers.merging import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract
from kerastorch.layers.merging import add, average, concatenate, dot, maximum, minimum, multiply, subtract
from kerastorch.layers.regularization import Dropout
from kerastorch.layers.reshaping import Flatten, Permute, RepeatVector, Reshape

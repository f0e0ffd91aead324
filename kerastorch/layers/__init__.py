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
from kerastorch.layers.convolutional import (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D,
                                             Conv3DTranspose, Convolution1D, Convolution1DTranspose, Convolution2D,
                                             Convolution2DTranspose, Convolution3D, Convolution3DTranspose,
                                             DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D,
                                             SeparableConvolution1D, SeparableConvolution2D)
from kerastorch.layers.pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D,
                                       AvgPool3D, GlobalAveragePooling1D, GlobalAveragePooling2D,
                                       GlobalAveragePooling3D, GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D,
                                       GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D, GlobalMaxPooling1D,
                                       GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D, MaxPool2D, MaxPool3D,
                                       MaxPooling1D, MaxPooling2D, MaxPooling3D)
from kerastorch.layers.normalization import (BatchNormalization, GroupNormalization, LayerNormalization,
                                         UnitNormalization)
from kerastorch.layers.pooling import (AdaptiveAveragePooling1D, AdaptiveAveragePooling2D, AdaptiveAveragePooling3D, AdaptiveMaxPooling1D, AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)
from kerastorch.layers.normalization import RMSNormalization
from kerastorch.layers.torch_wrapper import TorchModuleWrapper
from kerastorch.layers.regularization import (ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D)
from kerastorch.layers.reshaping import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from kerastorch.layers.preprocessing import (CenterCrop, Normalization, RandomContrast, RandomFlip, RandomRotation, RandomTranslation, RandomZoom, Rescaling, Resizing)
from kerastorch.layers.preprocessing import RandomBrightness
from kerastorch.layers.einsum_dense import EinsumDense
from kerastorch.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from kerastorch.layers.masking import Masking
from kerastorch.layers.rnn.time_distributed import TimeDistributed, Wrapper
from kerastorch.layers.rnn import (GRU, GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell, StackedRNNCells)
from kerastorch.layers.rnn.bidirectional import Bidirectional
from kerastorch.layers.rnn.conv_lstm import ConvLSTM, ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, ConvLSTMCell
from kerastorch.layers.attention.grouped_query_attention import GroupQueryAttention

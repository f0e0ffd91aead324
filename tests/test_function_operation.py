"""``keras.Function`` (a recorded graph reapplied to new inputs) and ``keras.Operation`` (the base class of
layers and of weightless graph operations), compared with Keras 3 where they compute."""

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers


class Scale(keras.Operation):
    def __init__(self, factor, name=None):
        super().__init__(name=name)
        self.factor = factor

    def call(self, x):
        return x * self.factor


# --------------------------------------------------------------------- Function
def test_function_matches_keras(keras3):
    rng = np.random.default_rng(0)
    a, b = rng.random((4, 2, 3), dtype=np.float32), rng.random((4, 2, 3), dtype=np.float32)
    outputs = []
    for k in (keras, keras3):
        x1, x2 = k.KerasTensor(shape=(None, 2, 3)), k.KerasTensor(shape=(None, 2, 3))
        total = x1 + x2
        fn = k.Function(inputs=[x1, x2], outputs={"s": k.ops.sigmoid(total), "t": total * 2.0}, name="f")
        outputs.append(fn([a, b]))
        assert fn.name == "f" and len(fn.operations) == 3 and len(fn.inputs) == 2 and len(fn.outputs) == 2
        assert fn.compute_output_shape([(5, 2, 3), (5, 2, 3)]) == {"s": (5, 2, 3), "t": (5, 2, 3)}
    ours, theirs = outputs
    for key in ("s", "t"):
        np.testing.assert_allclose(ours[key].numpy(), np.asarray(theirs[key].cpu()), rtol=1e-6)


def test_function_over_layers_from_any_point_of_a_graph():
    inputs = keras.Input((3,), name="x")
    shared, back, head = layers.Dense(4, name="shared"), layers.Dense(3, name="back"), layers.Dense(2, name="out")
    hidden = shared(inputs)
    out = head(shared(back(hidden)))  # "shared" is called twice
    whole = keras.Function(inputs, out)
    assert [op.name for op in whole.operations] == ["x", "shared", "back", "out"]
    x = torch.randn(5, 3)
    torch.testing.assert_close(whole(x), head(shared(back(shared(x)))))
    tail = keras.Function(hidden, out)  # starts in the middle: the first "shared" call is not run
    h = torch.randn(5, 4)
    torch.testing.assert_close(tail(h), head(shared(back(h))))
    assert tail.compute_output_spec(keras.KerasTensor((None, 4))).shape == (None, 2)
    assert tail.compute_output_shape((7, 4)) == (7, 2)


def test_function_is_an_operation_in_other_graphs():
    x = keras.KerasTensor((None, 3))
    double = keras.Function(x, Scale(2.0)(x), name="double")
    y = keras.KerasTensor((None, 3))
    z = double(y) + 1.0
    assert (
        z.shape == (None, 3)
        and double._inbound_nodes[0].outputs[0] is z._keras_history[0]._inbound_nodes[0].input_tensors[0]
    )
    outer = keras.Function(y, z)
    assert double in outer.operations
    torch.testing.assert_close(outer(torch.ones(2, 3)), torch.full((2, 3), 3.0))


def test_function_errors():
    a, b = keras.KerasTensor((None, 2)), keras.KerasTensor((None, 2))
    total = a + b
    with pytest.raises(ValueError, match="graph disconnected"):
        keras.Function([a], total)
    with pytest.raises(TypeError, match="must be KerasTensors, received 3"):
        keras.Function([a, 3], total)
    inputs = keras.Input((2,))
    with pytest.raises(ValueError, match="graph disconnected"):
        keras.Function(a, layers.Add()([a, inputs]))  # needs an Input that is not among the inputs
    fn = keras.Function([a, b], total, name="pair")
    with pytest.raises(ValueError, match='"pair" was called with an invalid input structure'):
        fn(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="invalid input structure"):
        fn([np.zeros((1, 2))])
    torch.testing.assert_close(fn((torch.ones(1, 2), torch.ones(1, 2))), torch.full((1, 2), 2.0))  # tuple for list
    with pytest.raises(NotImplementedError, match="not serializable"):
        fn.get_config()
    with pytest.raises(ValueError, match="expected 2 input shape"):
        fn.compute_output_shape((1, 2))


# -------------------------------------------------------------------- Operation
def test_layers_are_operations(keras3):
    assert isinstance(layers.Dense(2), keras.Operation) and isinstance(keras3.layers.Dense(2), keras3.Operation)
    x = keras.KerasTensor((2,))
    identity = keras.Function(x, x)
    assert isinstance(identity, keras.Operation) and identity.operations == []
    assert identity(torch.ones(2)).tolist() == [1.0, 1.0]
    assert not isinstance(Scale(1.0), torch.nn.Module)


def test_operation_eager_symbolic_and_config(keras3):
    op = Scale(3.0)
    assert op.name == "scale" and Scale(1.0).name == "scale_1" and repr(op) == "<Operation name=scale>"
    torch.testing.assert_close(op(torch.ones(2)), torch.full((2,), 3.0))
    first = keras.KerasTensor((None, 4))
    y = op(first)
    op(keras.KerasTensor((None, 5)))
    assert y.shape == (None, 4) and y._keras_history[0] is op
    assert op.input is first and op.output is y  # the first call's, as Keras documents
    config = op.get_config()

    class TheirScale(keras3.Operation):
        def __init__(self, factor, name=None):
            super().__init__(name=name)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    assert config == {"name": "scale", "factor": 3.0}
    assert config.keys() == TheirScale(3.0, name="scale").get_config().keys()
    clone = Scale.from_config(config)
    assert (clone.name, clone.factor) == ("scale", 3.0)
    with pytest.raises(NotImplementedError, match="override get_config"):
        Scale(torch.ones(1)).get_config()
    with pytest.raises(TypeError, match="name must be a string"):
        Scale(1.0, name=3)
    with pytest.raises(NotImplementedError, match="does not implement call"):
        keras.Operation()(torch.ones(1))
    with pytest.raises(AttributeError, match="never been called on symbolic inputs"):
        Scale(1.0).output


def test_operation_with_its_own_output_spec():
    class Nonzero(keras.Operation):  # data-dependent size: fake tensors cannot tell it, the spec can
        def call(self, x):
            return torch.nonzero(x)

        def compute_output_spec(self, x):
            return keras.KerasTensor((None, x.ndim), dtype="int64")

    op = Nonzero()
    spec = op.symbolic_call(keras.KerasTensor((3, 2)))
    assert (spec.shape, spec.dtype) == ((None, 2), "int64")
    assert op(torch.tensor([[1.0, 0.0], [0.0, 2.0]])).tolist() == [[0, 0], [1, 1]]

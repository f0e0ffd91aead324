"""keras.ops on symbolic tensors: functional models written with ops build, run, serialize and save."""

import json

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import ops
from kerastorch.layers.tensor_op import TensorOp


def _model():
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    joined = ops.concatenate([a, b], axis=-1)
    hidden = keras.layers.Dense(4)(joined)
    scores = ops.softmax(ops.relu(hidden) * 2.0, axis=-1)
    return keras.Model([a, b], ops.sum(scores[:, :2], axis=-1, keepdims=True))


def test_ops_on_inputs_record_nodes_with_shapes():
    a, b = keras.Input((2,)), keras.Input((None, 3))
    assert ops.concatenate([a, a], axis=-1).shape == (None, 4)
    assert ops.mean(b, axis=1).shape == (None, 3)
    assert ops.expand_dims(a, 1).shape == (None, 1, 2)
    assert ops.shape(a) == (None, 2)  # works on the symbolic tensor directly, as in Keras


def test_model_with_ops_runs_serializes_and_saves(tmp_path):
    model = _model()
    x = [torch.randn(5, 2), torch.randn(5, 3)]
    out = model(x)
    assert tuple(out.shape) == (5, 1)
    hidden = model.get_layer(index=3)(torch.cat(x, dim=-1))
    expected = torch.softmax(torch.relu(hidden) * 2, dim=-1)[:, :2].sum(-1, keepdim=True)
    torch.testing.assert_close(out, expected)
    clone = keras.Model.from_config(json.loads(json.dumps(model.get_config())))
    clone.set_weights(model.get_weights())
    torch.testing.assert_close(clone(x), out)
    model.save(tmp_path / "ops.keras")
    torch.testing.assert_close(keras.models.load_model(tmp_path / "ops.keras")(x), out)


def test_model_with_ops_trains():
    torch.manual_seed(0)
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x = [rng.normal(size=(64, 2)).astype("float32"), rng.normal(size=(64, 3)).astype("float32")]
    y = np.full((64, 1), 0.9, dtype="float32")
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.parametrize("op", ["ops._private", "ops.__import__", "os.system", "ops.not_an_op", 3])
def test_only_ops_names_are_accepted(op):
    with pytest.raises(ValueError, match="TensorOp: expected one of"):
        TensorOp(op)


def test_errors_on_real_tensors_are_not_swallowed():
    with pytest.raises(Exception, match="ops.add"):
        ops.add(torch.ones(2), torch.ones(3))


def test_ops_on_symbolic_tensors_raise_their_own_errors():
    a, b = keras.Input((3,)), keras.Input((4,))
    with pytest.raises(ValueError, match="ops.add: expected shapes that broadcast together"):
        ops.add(a, b)
    with pytest.raises(ValueError, match="ops.sum: expected axis"):
        ops.sum(a, axis=5)
    with pytest.raises(ValueError, match="ops.convert_to_numpy: a KerasTensor is symbolic"):
        ops.convert_to_numpy(a)  # no values to convert (it used to return an array of objects)


def test_an_op_is_never_called_on_keras_tensors():
    from kerastorch.ops.symbolic import _holds_keras_tensor, symbolic_dispatch

    seen = []

    def negative(x):
        seen.append(type(x))
        return -x

    op = symbolic_dispatch(negative, "negative")  # on KerasTensors: a TensorOp("ops.negative") node
    assert torch.equal(op(torch.ones(2)), -torch.ones(2)) and seen == [torch.Tensor]
    a = keras.Input((2,))
    symbolic = op(a)
    assert seen == [torch.Tensor] and symbolic.shape == (None, 2)
    assert isinstance(symbolic._keras_history[0], TensorOp) and symbolic._keras_history[0].op == "ops.negative"
    joined = ops.concatenate([torch.ones(1, 2), a], axis=0)  # a KerasTensor inside a list, beside a tensor
    assert isinstance(joined, keras.KerasTensor) and joined.shape == (None, 2)
    assert _holds_keras_tensor({"k": (1, [torch.ones(1), a])}) and not _holds_keras_tensor({"k": (1, [None])})


def test_ops_reading_shape_and_dtype_record_no_node():
    a = keras.Input((2, 3), dtype="int32")
    assert ops.shape(a) == (None, 2, 3) and ops.dtype(a) == "int32" and ops.is_tensor(a) is False
    assert a._keras_history is not None and a._keras_history[0].__class__.__name__ == "InputLayer"


def test_a_symbolic_op_records_one_node():
    a = keras.Input((3,))
    cast = ops.cast(a, "int32")
    assert cast.dtype == "int32" and cast._keras_history[0].op == "ops.cast"
    assert cast._keras_history[0]._inbound_nodes[0].input_structure is not None
    model = keras.Model(a, cast)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "TensorOp"]
    assert torch.equal(model(torch.tensor([[1.5, -2.0, 3.0]])), torch.tensor([[1, -2, 3]], dtype=torch.int32))

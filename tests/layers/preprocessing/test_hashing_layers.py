"""Hashing and HashedCrossing: Keras 3's bucket numbers (strings, integers, salts, masks), output modes and
shapes, configs, symbolic models on integer inputs, and argument errors; and the hash helpers they share.

Keras 3 needs TensorFlow for these layers (not installed here), so the expected buckets are those of Keras's
documentation and of its own tests (``keras/src/layers/preprocessing/hashing_test.py`` and
``hashed_crossing_test.py``), which TensorFlow computed.
"""

import numpy as np
import pytest
import torch
from layer_checks import roundtrip

import kerastorch
import kerastorch as keras
from kerastorch.backend.hashing import fingerprint64, fingerprint_cat64, hash_buckets, unsigned_remainder
from kerastorch.layers import HashedCrossing, Hashing

pytestmark = pytest.mark.usefixtures("_cpu_weights")

LETTERS = [["A"], ["B"], ["C"], ["D"], ["E"]]
NAMES = np.asarray([["omar"], ["stringer"], ["marlo"], ["wire"], ["skywalker"]])


# ------------------------------------------------------------------------------------------- helpers
def test_fingerprint_cat64_on_ints_and_tensors_agree():
    values = [0, 1, 2**63 - 1, 2**63, 2**64 - 1, fingerprint64(b"A")]
    key = 0xDECAFCAFFE
    expected = [fingerprint_cat64(key, v) for v in values]
    signed = torch.tensor([v - 2**64 if v >= 2**63 else v for v in values])
    got = fingerprint_cat64(torch.full_like(signed, key), signed)
    assert [v % 2**64 for v in got.tolist()] == expected


def test_unsigned_remainder_matches_python():
    values = [0, 5, 2**63 - 1, 2**63, 2**64 - 1, 2**64 - 12345]
    signed = torch.tensor([v - 2**64 if v >= 2**63 else v for v in values])
    for n in (1, 3, 7, 1000003):
        assert unsigned_remainder(signed, n).tolist() == [v % n for v in values]


def test_hash_buckets_str_and_bytes_agree():
    assert (
        hash_buckets(["a", b"a", "é", "é".encode()], 97).tolist()
        == [fingerprint64(b"a") % 97] * 2 + [fingerprint64("é".encode()) % 97] * 2
    )
    assert hash_buckets([], 3).shape == (0,)


# ------------------------------------------------------------------------------------------- Hashing buckets
@pytest.mark.parametrize(
    "kwargs, inputs, expected",
    [
        (dict(num_bins=3), LETTERS, [[1], [0], [1], [1], [2]]),  # Keras docs (FarmHash64)
        (dict(num_bins=3, mask_value=""), [["A"], ["B"], [""], ["C"], ["D"]], [[1], [1], [0], [2], [2]]),
        (dict(num_bins=3, salt=[133, 137]), LETTERS, [[1], [2], [1], [0], [2]]),  # Keras docs (SipHash64)
        (dict(num_bins=3, salt=133), LETTERS, [[0], [0], [2], [1], [0]]),  # same as salt=[133, 133]
        (dict(num_bins=2), NAMES, [[0], [0], [1], [0], [0]]),
        (dict(num_bins=3, mask_value=""), NAMES, [[1], [1], [2], [1], [1]]),
        (dict(num_bins=3, mask_value="omar"), NAMES, [[0], [1], [2], [1], [1]]),
        (dict(num_bins=2, salt=[133, 137]), NAMES, [[0], [1], [0], [1], [0]]),
        (dict(num_bins=2, salt=[211, 137]), NAMES, [[1], [0], [1], [0], [1]]),
        (dict(num_bins=1), LETTERS, [[0]] * 5),
        (dict(num_bins=1, mask_value="A"), LETTERS, [[0]] * 5),  # one bin: no mask bucket
        (dict(num_bins=3), np.asarray([[0], [1], [2], [3], [4]]), [[1], [0], [1], [0], [2]]),
        (dict(num_bins=3, salt=[133, 137]), np.asarray([[0], [1], [2], [3], [4]]), [[1], [1], [2], [0], [1]]),
        (dict(num_bins=2), [[[1], [2]], [[2], [3]], [[3], [4]]], [[[1], [1]], [[1], [1]], [[1], [1]]]),
    ],
)
def test_hashing_keras_buckets(kwargs, inputs, expected):
    out = Hashing(**kwargs)(inputs)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.int64
    assert out.tolist() == expected


def test_hashing_integers_hash_as_their_decimal_text():
    ints = [0, 7, -8, 123456789, 2**63 - 1, -(2**63)]
    for kwargs in (dict(num_bins=11), dict(num_bins=11, salt=5), dict(num_bins=11, mask_value=7)):
        layer = Hashing(**{k: (str(v) if k == "mask_value" else v) for k, v in kwargs.items()})
        from_strings = layer([str(i) for i in ints]).tolist()
        layer = Hashing(**kwargs)
        assert layer(torch.tensor(ints)).tolist() == from_strings
        assert layer(ints).tolist() == from_strings
        assert layer(np.asarray(ints[:4], dtype="int32")).tolist() == from_strings[:4]
    assert Hashing(num_bins=11)(torch.tensor([2.9, -2.9])).tolist() == Hashing(num_bins=11)(["2", "-2"]).tolist()
    assert (
        Hashing(num_bins=11)(torch.tensor([True, False])).tolist() == Hashing(num_bins=11)(["true", "false"]).tolist()
    )


def test_hashing_string_forms_and_scalars():
    layer = Hashing(num_bins=5)
    expected = layer(["omar", "wire"]).tolist()
    assert layer(np.array([b"omar", b"wire"])).tolist() == expected
    assert layer(np.array(["omar", b"wire"], dtype=object)).tolist() == expected
    assert layer(("omar", "wire")).tolist() == expected
    assert layer("omar").shape == () and layer("omar").item() == expected[0]
    assert layer(torch.tensor(3)).shape == ()


def test_hashing_float_mask_compares_before_truncation():
    layer = Hashing(num_bins=4, mask_value=1.5)
    out = layer(torch.tensor([1.5, 1.0, 1.9]))
    assert out[0] == 0 and out[1] == out[2] != 0


# ------------------------------------------------------------------------------------------- output modes
def test_hashing_output_modes():
    ints = np.array([0, 1, 2, 3, 4])  # buckets 1, 0, 1, 0, 2
    one_hot = Hashing(num_bins=3, output_mode="one_hot")
    expected = [[0, 1, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]]
    assert one_hot(ints).tolist() == expected
    assert one_hot(ints[:, None]).tolist() == expected  # a last axis of size 1 is replaced
    assert one_hot(np.array([[0, 1]])).shape == (1, 2, 3)
    multi = Hashing(num_bins=3, output_mode="multi_hot")
    assert multi(ints[None]).tolist() == [[1.0, 1.0, 1.0]]
    count = Hashing(num_bins=3, output_mode="count")
    assert count(ints).tolist() == [2.0, 2.0, 1.0] and count(ints[None]).tolist() == [[2.0, 2.0, 1.0]]
    assert count(["A", "A", "B"]).tolist() == [1.0, 2.0, 0.0]
    assert one_hot(ints).dtype == torch.float32
    assert Hashing(num_bins=3, output_mode="count", dtype="float64")(ints).dtype == torch.float64
    assert Hashing(num_bins=3, dtype="int32")(ints).dtype == torch.int32


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("shape", [(4,), (4, 1), (3, 4)])
def test_hashing_output_shape_matches_the_call(mode, shape):
    layer = Hashing(num_bins=5, output_mode=mode)
    out = layer(torch.randint(0, 100, (2,) + shape))
    assert layer.compute_output_shape((2,) + shape) == tuple(out.shape)
    symbolic = layer(keras.Input(shape=shape, dtype="int64"))
    assert symbolic.shape == (None,) + tuple(out.shape[1:])
    assert symbolic.dtype == ("int64" if mode == "int" else "float32")


# ------------------------------------------------------------------------------------------- models and configs
def test_hashing_in_a_functional_model_on_int64_inputs():
    inputs = keras.Input(shape=(1,), dtype="int64")
    outputs = Hashing(num_bins=3, output_mode="one_hot")(inputs)
    assert outputs.shape == (None, 3)
    model = keras.Model(inputs, outputs)
    out = model(torch.tensor([[0], [1], [2], [3], [4]]))
    assert out.tolist() == [[0, 1, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]]


def test_hashing_model_fits_saves_and_loads(tmp_path):
    inputs = keras.Input(shape=(3,), dtype="int64")
    hashed = Hashing(num_bins=8, salt=7, output_mode="multi_hot", name="hash")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hashed))
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.array([[1, 2, 3], [4, 5, 6]]), np.array([[1.0], [0.0]])
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_layer("hash").get_config() == model.get_layer("hash").get_config()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(num_bins=8),
        dict(num_bins=3, mask_value="", salt=[1, 2]),
        dict(num_bins=4, mask_value=0, salt=9, output_mode="count", name="h"),
    ],
)
def test_hashing_config_round_trips(kwargs):
    layer = Hashing(**kwargs)
    clone = roundtrip(layer)
    config = layer.get_config()
    assert {k: config[k] for k in ("num_bins", "mask_value", "output_mode", "sparse")} == {
        "num_bins": kwargs["num_bins"],
        "mask_value": kwargs.get("mask_value"),
        "output_mode": kwargs.get("output_mode", "int"),
        "sparse": False,
    }
    data = np.array([["1", "2", "", "5"]]) if isinstance(kwargs.get("mask_value"), str) else np.array([[1, 2, 0, 5]])
    assert torch.equal(clone(data), layer(data))


def test_hashing_config_keeps_keras_salt_form():
    assert Hashing(num_bins=3, salt=133).get_config()["salt"] == [133, 133]
    assert Hashing(num_bins=3, salt=(1, 2)).get_config()["salt"] == [1, 2]
    assert Hashing(num_bins=3).get_config()["salt"] is None


def test_hashing_strings_cannot_enter_symbolic_models():
    with pytest.raises(ValueError, match="strings cannot flow"):
        Hashing(num_bins=3)([keras.Input(shape=(1,), dtype="int64")])


# ------------------------------------------------------------------------------------------- Hashing errors
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(num_bins=None), r"argument `num_bins` must be a positive integer; received None \(NoneType\)"),
        (dict(num_bins=0), r"argument `num_bins` must be a positive integer; received 0 \(int\)"),
        (dict(num_bins=2.5), "argument `num_bins` must be a positive integer"),
        (dict(num_bins=2, salt="string"), "salt must be None, an integer or a pair of integers"),
        (dict(num_bins=2, salt=[1]), "received salt=\\[1\\]"),
        (dict(num_bins=2, salt=[133, 137, 177]), "salt must be"),
        (dict(num_bins=3, output_mode="tf_idf"), "output_mode must be one of"),
        (dict(num_bins=3, sparse=True), "sparse outputs are not supported"),
        (dict(num_bins=3, output_mode="one_hot", sparse=True), "sparse outputs are not supported"),
        (dict(num_bins=3, dtype="float32"), "dtype must be 'int32' or 'int64', received dtype='float32'"),
        (dict(num_bins=3, mask_value=[1]), "mask_value must be None, a string or a number"),
    ],
)
def test_hashing_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=f'Hashing layer ".*": .*{message}'):
        Hashing(**kwargs)


def test_hashing_input_errors():
    with pytest.raises(ValueError, match="mask_value must be of the inputs' kind \\(strings\\)"):
        Hashing(num_bins=3, mask_value=0)(["a"])
    with pytest.raises(ValueError, match="mask_value must be of the inputs' kind \\(numbers\\)"):
        Hashing(num_bins=3, mask_value="a")(torch.tensor([1]))
    with pytest.raises(ValueError, match="rectangular"):
        Hashing(num_bins=3)([["a", "b"], ["c"]])
    with pytest.raises(ValueError, match="received dtype complex"):
        Hashing(num_bins=3)(np.array([1j]))


# ------------------------------------------------------------------------------------------- HashedCrossing
FEAT1 = np.array(["A", "B", "A", "B", "A"])
FEAT2 = np.array([101, 101, 101, 102, 102])


def test_hashed_crossing_keras_buckets():
    assert HashedCrossing(num_bins=5)((FEAT1, FEAT2)).tolist() == [1, 4, 1, 1, 3]
    assert HashedCrossing(num_bins=5)([list(FEAT1), FEAT2.tolist()]).tolist() == [1, 4, 1, 1, 3]
    assert HashedCrossing(num_bins=5)((FEAT1[:, None], FEAT2[:, None])).tolist() == [[1], [4], [1], [1], [3]]
    assert HashedCrossing(num_bins=10)(("A", 101)).tolist() == 1  # scalars
    one_hot = HashedCrossing(num_bins=5, output_mode="one_hot")((FEAT1.astype(bytes), torch.tensor(FEAT2)))
    assert one_hot.tolist() == [[0, 1, 0, 0, 0], [0, 0, 0, 0, 1], [0, 1, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 0, 1, 0]]
    assert one_hot.dtype == torch.float32


def test_hashed_crossing_integers_are_crossed_as_values():
    x, y, z = [1, -2, 2**40], [4, 5, -(2**63)], [0, 9, 3]
    out = HashedCrossing(num_bins=1009)((torch.tensor(x), np.array(y), z))
    expected = []
    for a, b, c in zip(x, y, z):
        h = 0xDECAFCAFFE
        for v in (a, b, c):
            h = fingerprint_cat64(h, v % 2**64)
        expected.append(h % 1009)
    assert out.tolist() == expected
    strings = HashedCrossing(num_bins=1009)((["1"], ["4"])).tolist()
    assert strings != HashedCrossing(num_bins=1009)(([1], [4])).tolist()  # unlike Hashing: "1" is not 1


def test_hashed_crossing_shapes_and_dtypes():
    ints = (np.array([1, 2]), np.array([4, 5]))
    assert HashedCrossing(num_bins=3)(ints).shape == (2,)
    assert HashedCrossing(num_bins=4, output_mode="one_hot")(ints).shape == (2, 4)
    assert HashedCrossing(num_bins=4, output_mode="one_hot")((np.array([[1]]), np.array([[4]]))).shape == (1, 4)
    assert HashedCrossing(num_bins=3, dtype="int32")(ints).dtype == torch.int32
    assert HashedCrossing(num_bins=3, output_mode="one_hot", dtype="float64")(ints).dtype == torch.float64
    assert HashedCrossing(num_bins=4, output_mode="one_hot").compute_output_shape([(None, 1), (None, 1)]) == (None, 4)
    assert HashedCrossing(num_bins=4).compute_output_shape([(None,), (None,)]) == (None,)


def test_hashed_crossing_in_a_functional_model():
    a, b = keras.Input(shape=(1,), dtype="int64"), keras.Input(shape=(1,), dtype="int32")
    crossed = HashedCrossing(num_bins=7, output_mode="one_hot", name="cross")((a, b))
    assert crossed.shape == (None, 7) and crossed.dtype == "float32"
    model = keras.Model([a, b], crossed)
    x, y = torch.tensor([[1], [2], [3]]), torch.tensor([[3], [-4], [3]], dtype=torch.int32)
    expected = HashedCrossing(num_bins=7, output_mode="one_hot")((x, y))
    assert torch.equal(model([x, y]), expected)
    clone = keras.Model.from_config(model.get_config())
    assert torch.equal(clone([x, y]), expected)


@pytest.mark.parametrize(
    "kwargs", [dict(num_bins=5), dict(num_bins=5, output_mode="one_hot", name="hc"), dict(num_bins=3, dtype="int32")]
)
def test_hashed_crossing_config_round_trips(kwargs):
    layer = HashedCrossing(**kwargs)
    config = layer.get_config()
    assert sorted(config) == ["dtype", "name", "num_bins", "output_mode", "sparse"]  # Keras's keys
    clone = roundtrip(layer)
    assert torch.equal(clone((FEAT1, FEAT2)), layer((FEAT1, FEAT2)))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(num_bins=0), "argument `num_bins` must be a positive integer"),
        (dict(num_bins=3, output_mode="multi_hot"), "output_mode must be one of \\['int', 'one_hot'\\]"),
        (dict(num_bins=3, output_mode="one_hot", sparse=True), "sparse outputs are not supported"),
        (dict(num_bins=3, dtype="float32"), "dtype must be 'int32' or 'int64'"),
    ],
)
def test_hashed_crossing_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=f'HashedCrossing layer ".*": .*{message}'):
        HashedCrossing(**kwargs)


@pytest.mark.parametrize(
    "inputs, message",
    [
        (np.array(1), "should be called on a list or tuple"),
        ([np.array(1)], "at least two inputs"),
        ((np.array([[[1]]]), np.array([[[1]]])), "inputs should have shape"),
        ((np.array([[1, 2]]), np.array([[1, 2]])), "inputs should have shape"),
        ((np.array([1, 2]), np.array([1])), "equal shape"),
        ((np.array([1.0]), np.array([1.0])), "integer or string dtype"),
        ((torch.tensor([True]), torch.tensor([1])), "integer or string dtype"),
    ],
)
def test_hashed_crossing_input_errors(inputs, message):
    with pytest.raises(ValueError, match=message):
        HashedCrossing(num_bins=10)(inputs)


def test_hashed_crossing_symbolic_errors():
    ints = keras.Input(shape=(1,), dtype="int64")
    with pytest.raises(ValueError, match="integer or string dtype"):
        HashedCrossing(num_bins=3)((ints, keras.Input(shape=(1,))))
    with pytest.raises(ValueError, match="strings cannot flow"):
        HashedCrossing(num_bins=3)((ints, ["a"]))


@pytest.mark.cuda
def test_hashing_layers_on_cuda():
    kerastorch.config.set_device("cuda")
    x = torch.tensor([[0], [1], [2], [3], [4]], device="cuda")
    out = Hashing(num_bins=3, mask_value=3, output_mode="count")(x)
    assert out.device.type == "cuda"
    assert out.cpu().tolist() == Hashing(num_bins=3, mask_value=3, output_mode="count")(x.cpu()).tolist()
    crossed = HashedCrossing(num_bins=5)((FEAT1, torch.tensor(FEAT2, device="cuda")))
    assert crossed.device.type == "cuda" and crossed.cpu().tolist() == [1, 4, 1, 1, 3]

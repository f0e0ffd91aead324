"""StringLookup, IntegerLookup and TextVectorization: index layout, OOV and mask handling, inverse lookups,
output modes (TF-IDF values), adapt order, vocabulary files, text processing, configs, assets and model saving,
and text classification end to end.

Keras 3 needs TensorFlow for these layers (not installed here), so the expected values are those of Keras's
documentation and of TensorFlow's hash functions (FarmHash Fingerprint64, SipHash-2-4 reference vectors).
"""

import os
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from layer_checks import roundtrip

import kerastorch
import kerastorch as keras
from kerastorch.backend.hashing import fingerprint64, siphash24
from kerastorch.layers import IntegerLookup, StringLookup, TextVectorization

pytestmark = pytest.mark.usefixtures("_cpu_weights")

VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]


# ------------------------------------------------------------------------------------------- hashing
@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", 0x9AE16A3B2F90404F),
        (b"a", 12917804110809363939),
        (b"b", 11795596070477164822),
        (b"c", 11430444447143000872),
        (b"d", 4470636696479570465),
        (b"hello", 13009744463427800296),
        (b"twelve bytes", 14398613034526892029),
        (b"seventeen bytes!!", 5799120529764292453),
        (b"x" * 40, 17003596230054984852),
        (bytes(range(100)), 4395248839964844437),
        ("naïve".encode(), 11018684814441883233),
    ],
)
def test_fingerprint64_is_tensorflows_farmhash(data, expected):
    assert fingerprint64(data) == expected


@pytest.mark.parametrize(
    "length, expected",
    [
        (0, 0x726FDB47DD0E0E31),
        (1, 0x74F839C593DC67FD),
        (7, 0xAB0200F58B01D137),
        (8, 0x93F5F5799A932462),
        (15, 0xA129CA6149BE45E5),
        (63, 0x958A324CEB064572),
    ],
)
def test_siphash24_reference_vectors(length, expected):
    assert siphash24((0x0706050403020100, 0x0F0E0D0C0B0A0908), bytes(range(length))) == expected


# ------------------------------------------------------------------------------------------- StringLookup
def test_string_lookup_index_layout_int_mode():
    layer = StringLookup(vocabulary=VOCAB, mask_token="[MASK]", num_oov_indices=2)
    assert layer.get_vocabulary() == ["[MASK]", "[UNK]", "[UNK]"] + VOCAB
    assert layer.get_vocabulary(include_special_tokens=False) == VOCAB
    assert layer.vocabulary_size() == 7
    out = layer([["a", "[MASK]", "d"], ["m", "z", "b"]])
    assert out.dtype == torch.int64
    # mask -> 0; OOV "m", "z" -> 1 + Fingerprint64 % 2 (Keras's documented buckets: m -> 0, z -> 1)
    assert out.tolist() == [[3, 0, 6], [1, 2, 4]]


def test_string_lookup_keras_documented_outputs():
    assert StringLookup(vocabulary=VOCAB)([["a", "c", "d"], ["d", "z", "b"]]).tolist() == [[1, 3, 4], [4, 0, 2]]
    adapted = StringLookup()
    adapted.adapt([["a", "c", "d"], ["d", "z", "b"]])
    assert adapted.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    assert adapted([["a", "c", "d"], ["d", "z", "b"]]).tolist() == [[5, 3, 1], [1, 2, 4]]
    two_oov = StringLookup(vocabulary=VOCAB, num_oov_indices=2)
    assert two_oov([["a", "c", "d"], ["m", "z", "b"]]).tolist() == [[2, 4, 5], [0, 1, 3]]
    one_hot = StringLookup(vocabulary=VOCAB, output_mode="one_hot")(["a", "b", "c", "d", "z"])
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(5)[[1, 2, 3, 4, 0]])
    assert one_hot.dtype == torch.float32
    multi = StringLookup(vocabulary=VOCAB, output_mode="multi_hot")(DATA)
    assert multi.tolist() == [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]
    count = StringLookup(vocabulary=VOCAB, output_mode="count")(DATA)
    assert count.tolist() == [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]


def test_string_lookup_tf_idf_documented_values():
    layer = StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])  # OOV weight: the mean, 0.5
    np.testing.assert_allclose(layer(DATA).numpy(), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    layer.set_vocabulary(["[UNK]"] + VOCAB, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])  # OOV weight given
    np.testing.assert_allclose(layer(DATA).numpy(), [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)
    made = StringLookup(output_mode="tf_idf", vocabulary=VOCAB, idf_weights=np.array([0.25, 0.75, 0.6, 0.4]))
    np.testing.assert_allclose(made(DATA).numpy(), layer(DATA).numpy() * [[5 / 9, 1, 1, 1, 1]], rtol=1e-6)


def test_tf_idf_weights_learnt_by_adapt():
    layer = StringLookup(output_mode="tf_idf")
    layer.adapt([["a", "b"], ["a", "c"], ["a", "a"], ["d", "b"]])  # 4 documents
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "d", "c"]
    idf = np.log(1 + 4 / (1 + np.array([3.0, 2.0, 1.0, 1.0])))  # documents holding a, b, d, c
    expected_weights = np.concatenate([[idf.astype("float32").mean()], idf])
    out = layer([["a", "a", "b", "zz"]])
    np.testing.assert_allclose(out.numpy()[0], [1, 2, 1, 0, 0] * expected_weights, rtol=1e-6)


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count", "tf_idf"])
def test_mask_token_takes_no_slot_outside_int_mode(mode):
    idf = dict(idf_weights=[1.0, 2.0]) if mode == "tf_idf" else {}
    layer = StringLookup(vocabulary=["a", "b"], mask_token="", output_mode=mode, **idf)
    assert layer.get_vocabulary() == ["[UNK]", "a", "b"] and layer.vocabulary_size() == 3
    out = layer([["a", ""], ["", ""]] if mode != "one_hot" else ["a", ""])
    assert out.shape == (2, 3)
    assert out[1].tolist() == [0.0, 0.0, 0.0]  # masked inputs are dropped


def test_output_shapes_by_mode():
    layer = StringLookup(vocabulary=VOCAB, output_mode="one_hot")
    assert layer([["a"], ["b"]]).shape == (2, 5)  # a last axis of 1 is encoded in place
    assert layer([["a", "b"]]).shape == (1, 2, 5)
    assert layer("a").shape == (1, 5)
    assert StringLookup(vocabulary=VOCAB, output_mode="multi_hot")("a").shape == (5,)
    assert StringLookup(vocabulary=VOCAB, output_mode="count")(["a", "a"]).tolist() == [0, 2, 0, 0, 0]
    assert StringLookup(vocabulary=VOCAB)("c").shape == () and StringLookup(vocabulary=VOCAB)("c").item() == 3
    padded = StringLookup(vocabulary=VOCAB, max_tokens=8, pad_to_max_tokens=True, output_mode="multi_hot")
    assert padded([["a"]]).shape == (1, 8)
    assert padded.compute_output_shape((None, 3)) == (None, 8)
    assert StringLookup(vocabulary=VOCAB, output_mode="count").compute_output_shape((None, 3)) == (None, 5)


def test_inputs_bytes_arrays_and_nested_lists():
    layer = StringLookup(vocabulary=["é", "b"])
    assert layer(np.array([["é", "b"]])).tolist() == [[1, 2]]
    assert layer(np.array([["é".encode(), b"b"]])).tolist() == [[1, 2]]  # bytes are decoded
    assert layer(np.array(["é", b"x"], dtype=object)).tolist() == [1, 0]
    assert layer([]).shape == (0,)
    with pytest.raises(ValueError, match="rectangular"):
        layer([["a", "b"], ["c"]])
    with pytest.raises(ValueError, match="strings"):
        layer(torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="strings"):
        layer([1.5, 2.5])


def test_num_oov_indices_zero_rejects_unknown_tokens():
    layer = StringLookup(vocabulary=VOCAB, num_oov_indices=0)
    assert layer.get_vocabulary() == VOCAB
    assert layer(["a", "d"]).tolist() == [0, 3]
    with pytest.raises(ValueError, match=r"num_oov_indices=0.*\['q', 'z'\]"):
        layer(["a", "z", "q"])
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        IntegerLookup(vocabulary=[5], num_oov_indices=0)(torch.tensor([5, 6]))


def test_salted_oov_buckets_use_siphash():
    layer = StringLookup(vocabulary=VOCAB, num_oov_indices=3, salt=[7, 11])
    tokens = ["m", "z", "qq", "hello"]
    expected = [siphash24((7, 11), t.encode()) % 3 for t in tokens]
    assert layer(tokens).tolist() == expected
    assert StringLookup(num_oov_indices=3, salt=5).salt == [5, 5]


def test_string_lookup_invert():
    forward = StringLookup(vocabulary=VOCAB, mask_token="")
    inverse = StringLookup(vocabulary=forward.get_vocabulary(), mask_token="", invert=True)
    ids = forward([["a", "z", ""], ["d", "c", "b"]])
    out = inverse(ids)
    assert isinstance(out, np.ndarray) and out.dtype.kind == "U"
    assert out.tolist() == [["a", "[UNK]", ""], ["d", "c", "b"]]
    assert inverse([0, 1, 2, 5, 6, -1]).tolist() == ["", "[UNK]", "a", "d", "[UNK]", "[UNK]"]
    assert StringLookup(vocabulary=VOCAB, invert=True)(np.array([[1, 3, 4], [4, 0, 2]])).tolist() == [
        ["a", "c", "d"],
        ["d", "[UNK]", "b"],
    ]
    assert StringLookup(invert=True)(torch.tensor([0, 3])).tolist() == ["[UNK]", "[UNK]"]
    with pytest.raises(ValueError, match="integer indices"):
        inverse(torch.tensor([0.5]))


@given(tokens=st.lists(st.text(alphabet="abcde", min_size=1, max_size=3), min_size=1, max_size=30))
def test_adapt_orders_by_count_then_larger_token(tokens):
    layer = StringLookup()
    layer.adapt(tokens)
    counts = {t: tokens.count(t) for t in set(tokens)}
    expected = sorted(sorted(counts, reverse=True), key=lambda t: -counts[t])  # stable: ties stay larger first
    assert layer.get_vocabulary() == ["[UNK]"] + expected
    inverse = StringLookup(vocabulary=layer.get_vocabulary(), invert=True)
    assert inverse(layer(tokens)).tolist() == tokens


def test_adapt_max_tokens_special_tokens_and_sources():
    data = np.array(["x", "y", "y", "z", "z", "z", "[UNK]", "[UNK]", "", "", "", ""])
    layer = StringLookup(max_tokens=4, mask_token="")
    layer.adapt(data)
    assert layer.get_vocabulary() == ["", "[UNK]", "z", "y"]  # the special tokens never enter the vocabulary
    layer.adapt(iter([["q", "q"], ["r"], ["s"]]), steps=2)  # adapting again starts afresh; steps caps batches
    assert layer.get_vocabulary() == ["", "[UNK]", "q", "r"]
    dataset = [("b", 0), ("a", 1), ("b", 0)]
    loader = torch.utils.data.DataLoader(dataset, batch_size=2)  # (x, y) batches: x is read
    layer = StringLookup()
    layer.adapt(loader)
    assert layer.get_vocabulary() == ["[UNK]", "b", "a"]
    layer.adapt([])  # no data: the vocabulary is kept, as in Keras
    assert layer.get_vocabulary() == ["[UNK]", "b", "a"]


def test_adapt_refused_on_layer_made_with_vocabulary():
    with pytest.raises(ValueError, match=r'StringLookup layer "fixed": cannot adapt'):
        StringLookup(vocabulary=VOCAB, name="fixed").adapt(["a"])
    layer = StringLookup()
    layer.set_vocabulary(VOCAB)
    layer.adapt(["q"])  # set_vocabulary does not forbid adapt
    assert layer.get_vocabulary() == ["[UNK]", "q"]


def test_encoding_size_is_fixed_once_set_and_needed_before_call():
    layer = StringLookup(output_mode="multi_hot")
    with pytest.raises(RuntimeError, match="needs the vocabulary before"):
        layer(["a"])
    layer.adapt(["a", "b"])
    with pytest.raises(RuntimeError, match="cannot change"):
        layer.set_vocabulary(["a", "b", "c"])
    layer.set_vocabulary(["c", "d"])  # same size: fine
    assert layer(["c"]).tolist() == [0, 1, 0]
    resizable = StringLookup()  # "int" mode: any size
    resizable.set_vocabulary(["a"])
    resizable.set_vocabulary(["a", "b", "c"])
    assert resizable.vocabulary_size() == 4


def test_set_vocabulary_errors_name_layer_and_problem():
    layer = StringLookup(mask_token="[MASK]", max_tokens=5, name="lk")
    cases = [
        (["a", "b", "a"], "repeat a token"),
        (["a", "[MASK]"], "mask_token '\\[MASK\\]' at index 1"),
        ([], "must not be empty"),
        (["a", "b", "c", "d"], "more than max_tokens=5"),
        ([["a"]], "one-dimensional"),
        ([1, 2], "strings"),
    ]
    for vocabulary, message in cases:
        with pytest.raises(ValueError, match=r'StringLookup layer "lk": .*' + message):
            layer.set_vocabulary(vocabulary)
    with pytest.raises(ValueError, match="oov_token"):
        StringLookup(invert=True, vocabulary=["a", "[UNK]"])
    tf_idf = StringLookup(output_mode="tf_idf")
    with pytest.raises(ValueError, match="needs idf_weights"):
        tf_idf.set_vocabulary(["a"])
    with pytest.raises(ValueError, match="as long as the vocabulary"):
        tf_idf.set_vocabulary(["a", "b"], idf_weights=[1.0])
    with pytest.raises(ValueError, match="only used with output_mode='tf_idf'"):
        StringLookup().set_vocabulary(["a"], idf_weights=[1.0])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(max_tokens=1), "max_tokens must be None or an integer greater than 1, received max_tokens=1"),
        (dict(num_oov_indices=-1), "num_oov_indices must be an integer >= 0, received num_oov_indices=-1"),
        (dict(pad_to_max_tokens=True), "pad_to_max_tokens=True needs max_tokens"),
        (dict(output_mode="bag"), "output_mode must be one of .* received output_mode='bag'"),
        (dict(invert=True, output_mode="count"), "invert=True needs output_mode='int'"),
        (dict(sparse=True, output_mode="count"), "sparse outputs are not supported .* received sparse=True"),
        (dict(idf_weights=[1.0]), "idf_weights is only used with output_mode='tf_idf'"),
        (dict(output_mode="tf_idf", vocabulary=["a"]), "needs its idf_weights"),
        (dict(mask_token=3), "mask_token must be a string or None, received mask_token=3"),
        (dict(salt="x"), "salt must be an integer or a pair of integers, received salt='x'"),
        (dict(vocabulary="/no/such/vocabulary.txt"), "vocabulary file '/no/such/vocabulary.txt' does not exist"),
    ],
)
def test_string_lookup_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=r'StringLookup layer "bad": .*' + message):
        StringLookup(name="bad", **kwargs)


def test_deprecated_output_mode_names():
    assert StringLookup(output_mode="binary").output_mode == "multi_hot"
    assert StringLookup(output_mode="tf-idf").output_mode == "tf_idf"


# ------------------------------------------------------------------------------------------- IntegerLookup
def test_integer_lookup_layout_oov_and_mask():
    vocab = [12, 36, 1138, 42]
    layer = IntegerLookup(vocabulary=vocab, num_oov_indices=2)
    assert layer(np.array([[12, 1138, 42], [37, 1000, 36]])).tolist() == [[2, 4, 5], [1, 0, 3]]  # Keras's doc
    assert layer(torch.tensor([-3, -2])).tolist() == [1, 0]  # floor modulo, as tf.math.floormod
    masked = IntegerLookup(vocabulary=vocab, mask_token=0)
    assert masked.get_vocabulary() == [0, -1] + vocab
    assert masked(torch.tensor([[0, 12, 7]])).tolist() == [[0, 2, 1]]
    assert masked([12, 42]).tolist() == [2, 5]  # lists too
    farm = IntegerLookup(vocabulary=vocab, num_oov_indices=3, oov_method="farmhash")
    assert farm(torch.tensor([7, -8, 12])).tolist() == [fingerprint64(b"7") % 3, fingerprint64(b"-8") % 3, 3]
    salted = IntegerLookup(vocabulary=vocab, num_oov_indices=3, oov_method="farmhash", salt=(1, 2))
    assert salted(torch.tensor([7])).tolist() == [siphash24((1, 2), b"7") % 3]
    with pytest.raises(ValueError, match="salt is only used with oov_method='farmhash'"):
        IntegerLookup(salt=1)


def test_integer_lookup_invert_and_modes():
    vocab = [12, 36, 1138, 42]
    forward = IntegerLookup(vocabulary=vocab)
    inverse = IntegerLookup(vocabulary=forward.get_vocabulary(), invert=True)
    ids = forward(torch.tensor([[12, 1138, 42], [42, 1000, 36]]))
    assert inverse(ids).tolist() == [[12, 1138, 42], [42, -1, 36]]
    assert inverse(torch.tensor([9, -4])).tolist() == [-1, -1]
    assert IntegerLookup(vocabulary=vocab, invert=True, vocabulary_dtype="int32")([1]).dtype == torch.int32
    tf_idf = IntegerLookup(output_mode="tf_idf", vocabulary=[-1] + vocab, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(
        tf_idf(np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])).numpy(),
        [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]],
        rtol=1e-6,
    )
    layer = IntegerLookup()
    layer.adapt(np.array([[12, 1138, 42], [42, 1000, 36]]))
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]  # Keras's documented order
    layer.adapt(torch.tensor([5, 5, -1, 3]))
    assert layer.get_vocabulary() == [-1, 5, 3]
    with pytest.raises(ValueError, match="integers"):
        layer(["a"])


def test_integer_lookup_symbolic_shapes_and_dtypes():
    x = keras.Input(shape=(3,), dtype="int64")
    cases = [
        (dict(), (None, 3), "int64"),
        (dict(output_mode="multi_hot"), (None, 5), "float32"),
        (dict(output_mode="one_hot"), (None, 3, 5), "float32"),
        (dict(invert=True), (None, 3), "int64"),
        (dict(output_mode="count", max_tokens=9, pad_to_max_tokens=True), (None, 9), "float32"),
    ]
    for kwargs, shape, dtype in cases:
        out = IntegerLookup(vocabulary=[1, 2, 3, 4], **kwargs)(x)
        assert (out.shape, out.dtype) == (shape, dtype), kwargs


def test_integer_lookup_argument_errors():
    with pytest.raises(ValueError, match=r'IntegerLookup layer "il": vocabulary_dtype must be one of'):
        IntegerLookup(vocabulary_dtype="string", name="il")
    with pytest.raises(ValueError, match="oov_token must be an integer or None, received oov_token='x'"):
        IntegerLookup(oov_token="x")
    with pytest.raises(ValueError, match="oov_method must be 'floormod' or 'farmhash'"):
        IntegerLookup(oov_method="mod")


# ------------------------------------------------------------------------------------------- vocabulary files
def test_vocabulary_files(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_bytes("a\r\nb\né\n".encode())
    layer = StringLookup(vocabulary=str(path), mask_token="")
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "b", "é"]  # every line is a token, after the special ones
    assert layer(["é", "x", ""]).tolist() == [4, 1, 0]
    assert layer.get_config()["vocabulary"] is None  # a file travels as an asset, not in the config
    other = StringLookup()
    other.set_vocabulary(path)
    assert other.get_vocabulary(include_special_tokens=False) == ["a", "b", "é"]
    ints = tmp_path / "ints.txt"
    ints.write_text("7\n-3\n11\n")
    assert IntegerLookup(vocabulary=str(ints))(torch.tensor([11, 7, 5])).tolist() == [3, 1, 0]
    ints.write_text("7\nseven\n")
    with pytest.raises(ValueError, match="one integer"):
        IntegerLookup(vocabulary=str(ints))
    with pytest.raises(ValueError, match="cannot read its vocabulary from a file"):
        StringLookup(output_mode="tf_idf").set_vocabulary(str(path), idf_weights=[1.0])
    path.write_text("a\nb\na\n")
    with pytest.raises(ValueError, match="repeat"):
        StringLookup(vocabulary=str(path))


# ------------------------------------------------------------------------------------------- strings and models
def test_string_layers_cannot_enter_symbolic_models():
    with pytest.raises(ValueError, match="dtype"):
        keras.Input(shape=(1,), dtype="string")  # torch tensors hold no strings
    x = keras.Input(shape=(1,), dtype="int64")
    for layer in (StringLookup(vocabulary=VOCAB), StringLookup(vocabulary=VOCAB, invert=True), TextVectorization()):
        with pytest.raises(ValueError, match="strings cannot flow through a symbolic model.*eagerly"):
            layer(x)


def test_configs_round_trip():
    for layer in (
        StringLookup(vocabulary=VOCAB, mask_token="", num_oov_indices=2, name="s"),
        StringLookup(output_mode="tf_idf", vocabulary=("a", "b"), idf_weights=np.array([0.5, 1.0])),
        StringLookup(max_tokens=5, pad_to_max_tokens=True, output_mode="count", salt=3),
        IntegerLookup(vocabulary=np.array([3, 1]), mask_token=0, invert=True),
        IntegerLookup(num_oov_indices=2, oov_method="farmhash", salt=[1, 2]),
        TextVectorization(max_tokens=10, ngrams=(1, 3), output_sequence_length=6, vocabulary=VOCAB),
        TextVectorization(
            standardize=None,
            split="character",
            ngrams=2,
            output_mode="tf_idf",
            vocabulary=VOCAB,
            idf_weights=[1.0, 2.0, 3.0, 4.0],
        ),
    ):
        clone = roundtrip(layer)
        assert clone.get_vocabulary() == layer.get_vocabulary()
    config = StringLookup(vocabulary=VOCAB).get_config()
    assert set(config) == {
        "name",
        "trainable",
        "dtype",
        "invert",
        "max_tokens",
        "num_oov_indices",
        "oov_token",
        "mask_token",
        "output_mode",
        "sparse",
        "pad_to_max_tokens",
        "idf_weights",
        "vocabulary",
        "vocabulary_size",
        "oov_method",
        "salt",
        "encoding",
    }  # Keras 3's keys
    assert set(IntegerLookup().get_config()) == set(config) - {"encoding"} | {"vocabulary_dtype"}
    assert set(TextVectorization().get_config()) == {
        "name",
        "trainable",
        "dtype",
        "max_tokens",
        "standardize",
        "split",
        "ngrams",
        "output_mode",
        "output_sequence_length",
        "pad_to_max_tokens",
        "sparse",
        "ragged",
        "vocabulary",
        "idf_weights",
        "encoding",
        "vocabulary_size",
    }
    adapted = StringLookup(output_mode="multi_hot")
    adapted.adapt(["a", "b"])
    clone = StringLookup.from_config(adapted.get_config())  # the vocabulary travels as an asset
    assert clone.get_config()["vocabulary_size"] == 3 and clone.compute_output_shape((None, 2)) == (None, 3)


def test_save_and_load_assets(tmp_path):
    layer = StringLookup(output_mode="tf_idf", mask_token="", num_oov_indices=2, max_tokens=8, pad_to_max_tokens=True)
    layer.adapt([["x", "y"], ["x", "é"], ["x"]])
    layer.save_assets(str(tmp_path))
    assert (tmp_path / "vocabulary.txt").read_text(encoding="utf-8") == "[UNK]\n[UNK]\nx\né\ny"
    clone = StringLookup.from_config(layer.get_config())
    clone.load_assets(str(tmp_path))
    assert clone.get_vocabulary() == layer.get_vocabulary()
    data = [["x", "é", "q", ""]]
    np.testing.assert_array_equal(clone(data).numpy(), layer(data).numpy())
    given = tmp_path / "given"
    given.mkdir()
    StringLookup(vocabulary=VOCAB).save_assets(str(given))  # the config holds this vocabulary: no file
    assert os.listdir(given) == []
    text = TextVectorization(ngrams=2)
    text.adapt(["the cat", "the dog"])
    text.save_assets(str(given))
    fresh = TextVectorization.from_config(text.get_config())
    fresh.load_assets(str(given))
    assert fresh.get_vocabulary() == text.get_vocabulary()


def test_integer_lookup_model_saves_and_loads_its_vocabulary(tmp_path):
    lookup = IntegerLookup(output_mode="multi_hot", name="ids")
    lookup.adapt(np.array([[3, 5], [5, 9], [5, 3]]))
    inputs = keras.Input(shape=(2,), dtype="int64")
    model = keras.Model(inputs, keras.layers.Dense(1)(lookup(inputs)))
    x = torch.tensor([[3, 9], [5, 4]])
    path = str(tmp_path / "model.keras")
    model.save(path)
    assert "assets/layers/ids/vocabulary.txt" in zipfile.ZipFile(path).namelist()
    loaded = keras.models.load_model(path)
    assert loaded.get_layer("ids").get_vocabulary() == [-1, 5, 3, 9]
    np.testing.assert_allclose(loaded(x).detach().numpy(), model(x).detach().numpy(), rtol=1e-6)


@pytest.mark.cuda
def test_lookups_on_cuda():
    kerastorch.config.set_device("cuda")
    ints = IntegerLookup(vocabulary=[4, 8], num_oov_indices=2, oov_method="farmhash", output_mode="count")
    x = torch.tensor([[4, 8, 3, 8]], device="cuda")
    out = ints(x)
    assert out.device.type == "cuda"
    assert out.tolist() == ints(x.cpu()).cpu().tolist()
    assert IntegerLookup(vocabulary=[4, 8], invert=True)(torch.tensor([2, 0], device="cuda")).tolist() == [8, -1]
    text = TextVectorization(output_mode="tf_idf")
    text.adapt(["a b", "b c"])
    assert text(["a a c"]).device.type == "cuda"
    assert StringLookup(vocabulary=VOCAB)(["b"]).device.type == "cuda"


@keras.saving.register_keras_serializable("test_lookup_layers")
class _TextModel(keras.Model):
    """A subclassed model that vectorizes strings itself (the layer is called eagerly inside ``call``)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.vectorize = TextVectorization(output_sequence_length=4, name="vectorize")
        self.embed = keras.layers.Embedding(8, 3, name="embed")
        self.embed.build((None, 4))  # string inputs give no build shape to save
        self.pool = keras.layers.GlobalAveragePooling1D(name="pool")

    def call(self, texts):
        return self.pool(self.embed(self.vectorize(texts)))


def test_text_vectorization_inside_a_saved_model(tmp_path):
    model = _TextModel()
    model.vectorize.adapt(["a b c", "a b", "a"])
    texts = ["a b", "c d"]
    path = str(tmp_path / "text.keras")
    model.save(path)
    assert "assets/layers/vectorize/vocabulary.txt" in zipfile.ZipFile(path).namelist()
    loaded = keras.models.load_model(path)
    assert loaded.vectorize.get_vocabulary() == ["", "[UNK]", "a", "b", "c"]
    np.testing.assert_allclose(loaded(texts).detach().numpy(), model(texts).detach().numpy(), rtol=1e-6)


# ------------------------------------------------------------------------------------------- TextVectorization
def test_text_vectorization_keras_documented_outputs():
    layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    assert layer([["foo qux bar"], ["qux baz"]]).tolist() == [[4, 1, 3, 0], [1, 2, 0, 0]]
    given = TextVectorization(max_tokens=5000, output_sequence_length=4, vocabulary=["earth", "wind", "and", "fire"])
    assert given.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]


def test_standardize_and_split_options():
    text = ["Hello,  World!\tÉTÉ's\nEnd."]
    vocab_free = dict(vocabulary=["x"])

    def tokens(**kwargs):
        layer = TextVectorization(**vocab_free, **kwargs)
        return layer._preprocess(text)[2][0]

    assert tokens() == ["hello", "world", "ÉtÉs", "end"]  # ASCII letters only, as tf.strings.lower lowercases
    assert tokens(standardize="lower") == ["hello,", "world!", "ÉtÉ's", "end."]
    assert tokens(standardize="strip_punctuation") == ["Hello", "World", "ÉTÉs", "End"]
    assert tokens(standardize=None, split="character")[:6] == ["H", "e", "l", "l", "o", ","]
    assert tokens(standardize=lambda s: np.char.upper(s), split=lambda s: [x.split("!") for x in s]) == [
        "HELLO,  WORLD",
        "\tÉTÉ'S\nEND.",
    ]
    layer = TextVectorization(vocabulary=["hello", "world"])
    assert layer(np.array([b"HELLO world", "world"], dtype=object)).tolist() == [[2, 3], [3, 0]]
    assert layer("Hello").tolist() == [2]  # one string: one sequence
    assert layer([[" "], ["world hello x"]]).tolist() == [[0, 0, 0], [3, 2, 1]]
    with pytest.raises(ValueError, match=r"shape \(batch,\) or \(batch, 1\)"):
        layer([["a", "b"]])


def test_ngrams_and_sequence_length():
    layer = TextVectorization(ngrams=2, standardize=None)
    layer.adapt(["a b c"])
    assert set(layer.get_vocabulary()[2:]) == {"a", "b", "c", "a b", "b c"}
    out = layer(["a b c", "c"])
    vocab = layer.get_vocabulary()
    assert [[vocab[i] for i in row] for row in out.tolist()] == [["a", "b", "c", "a b", "b c"], ["c", "", "", "", ""]]
    widths = TextVectorization(ngrams=(2, 3), standardize=None, vocabulary=["a b", "a b c"])
    assert widths(["a b c"]).tolist() == [[2, 1, 3]]
    short = TextVectorization(vocabulary=["a", "b"], output_sequence_length=2)
    assert short(["a b a b", "b"]).tolist() == [[2, 3], [3, 0]]
    assert short(["", ""]).tolist() == [[0, 0], [0, 0]]
    assert TextVectorization(vocabulary=["a"])(["", ""]).shape == (2, 0)
    unsplit = TextVectorization(split=None, vocabulary=["a b", "c"], output_sequence_length=3)
    assert unsplit(["A b", "c", "d"]).tolist() == [[2, 0, 0], [3, 0, 0], [1, 0, 0]]


@pytest.mark.parametrize("mode", ["multi_hot", "count", "tf_idf"])
def test_text_vectorization_vector_modes(mode):
    layer = TextVectorization(output_mode=mode)
    layer.adapt(["b a a", "c a", "b"])
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    out = layer(["a a z", "", "c b"])
    counts = np.array([[1, 2, 0, 0], [0, 0, 0, 0], [0, 0, 1, 1]], dtype="float32")
    if mode == "multi_hot":
        np.testing.assert_array_equal(out.numpy(), np.minimum(counts, 1))
    elif mode == "count":
        np.testing.assert_array_equal(out.numpy(), counts)
    else:
        idf = np.log(1 + 3 / (1 + np.array([2.0, 2.0, 1.0])))
        np.testing.assert_allclose(
            out.numpy(), counts * np.concatenate([[idf.astype("float32").mean()], idf]), rtol=1e-6
        )
    assert out.dtype == torch.float32 and layer.compute_output_shape((None,)) == (None, 4)
    assert layer("a").shape == (4,)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(standardize="upper"), "standardize must be None, a callable or one of"),
        (dict(split="comma"), "split must be None, a callable or one of"),
        (dict(ngrams=0), "ngrams must be None, a positive integer or a tuple of positive integers, received ngrams=0"),
        (dict(output_mode="count", output_sequence_length=3), "output_sequence_length is only used with"),
        (dict(output_sequence_length=-1), "output_sequence_length must be None or an integer >= 0"),
        (dict(ragged=True), "ragged outputs are not supported"),
        (dict(sparse=True, output_mode="count"), "sparse outputs are not supported"),
        (dict(output_mode="words"), "output_mode must be one of"),
        (dict(max_tokens=1), "max_tokens must be None or an integer greater than 1"),
        (dict(vocabulary=["a", "a"]), "repeat a token"),
    ],
)
def test_text_vectorization_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=r'TextVectorization layer "tv": .*' + message):
        TextVectorization(name="tv", **kwargs)


@keras.saving.register_keras_serializable("test_lookup_layers")
def _shout(strings):
    return np.char.upper(strings)


def test_text_vectorization_callable_config_round_trip():
    layer = TextVectorization(standardize=_shout, split="whitespace", vocabulary=["HI"])
    clone = roundtrip(layer)
    assert clone(["hi there"]).tolist() == [[2, 1]]


def test_text_classification_end_to_end():
    kerastorch.utils.set_random_seed(1)
    sentences = [
        "what a great movie",
        "great acting and a great story",
        "i loved it",
        "truly wonderful film",
        "what a terrible movie",
        "awful acting and a dull story",
        "i hated it",
        "truly boring film",
    ]
    labels = torch.tensor([[1.0]] * 4 + [[0.0]] * 4)
    vectorize = TextVectorization(max_tokens=40, output_sequence_length=6)
    vectorize.adapt(sentences)
    x = vectorize(sentences)  # preprocess the data, then fit on integer sequences
    assert x.dtype == torch.int64 and x.shape == (8, 6)
    model = keras.Sequential(
        [
            keras.Input((6,), dtype="int64"),
            keras.layers.Embedding(40, 8),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, labels, epochs=30, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0
    scores = model.predict(vectorize(["a great story", "a dull story"]), verbose=0)
    assert scores[0, 0] > scores[1, 0]

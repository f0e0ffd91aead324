"""What every application shares: argument checks, input shapes, ImageNet weights through the Keras cache and
a (local) download, decode_predictions, and the transfer-learning rules on an application base."""

import hashlib
import json
import socket

import numpy as np
import pytest
import torch
from app_checks import randomize_keras_model, relative_difference, write_legacy_h5

import kerastorch as keras
from kerastorch.applications import builder, imagenet_utils, resnet


@pytest.mark.parity
def test_every_keras_application_is_here(keras3):
    theirs = {name for name in dir(keras3.applications) if not name.startswith("_")}
    beyond_keras = {"TorchImageModel", "TorchVisionModel", "TimmModel"}  # the PyTorch model zoos as Keras bases
    assert theirs == set(keras.applications.__all__) - beyond_keras
    for module in keras.applications.MODULES:
        if module != "imagenet_utils":
            family = getattr(keras.applications, module)
            assert callable(family.preprocess_input) and callable(family.decode_predictions), module


def test_argument_checks_name_what_is_wrong(tmp_path):
    with pytest.raises(
        ValueError,
        match="weights argument should be either None .* received weights='nope.h5' "
        r"\(no such file\)",
    ):
        keras.applications.ResNet50(weights="nope.h5")
    with pytest.raises(ValueError, match="classes should be 1000; received classes=10"):
        keras.applications.ResNet50(weights="imagenet", classes=10)
    with pytest.raises(
        ValueError, match="Only None and softmax activations .* received classifier_activation='sigmoid'"
    ):
        keras.applications.ResNet50(weights="imagenet", classifier_activation="sigmoid")
    with pytest.raises(ValueError, match=r"input_shape should be \(224, 224, 3\); received input_shape=\(64, 64, 3\)"):
        keras.applications.ResNet50(weights="imagenet", input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match=r"at least 32x32; received input_shape=\(16, 16, 3\)"):
        keras.applications.ResNet50(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="pooling must be None, 'avg' or 'max'; received pooling='sum'"):
        keras.applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="sum")


@pytest.mark.parametrize(
    "args, expected",
    [
        ((None, 224, 32, "channels_last", True), (224, 224, 3)),
        ((None, 224, 32, "channels_last", False), (None, None, 3)),
        ((None, 299, 75, "channels_first", False), (3, None, None)),
        (((100, 120, 3), 224, 32, "channels_last", False), (100, 120, 3)),
        (((1, 64, 64), 224, 32, "channels_first", True), (1, 64, 64)),
    ],
)
def test_obtain_input_shape(args, expected):
    assert imagenet_utils.obtain_input_shape(*args) == expected


def test_input_tensor_builds_on_an_existing_graph():
    inputs = keras.Input((32, 32, 3), name="image")
    x = keras.layers.Rescaling(1 / 255.0)(inputs)
    model = keras.applications.ResNet50(weights=None, include_top=False, input_tensor=x, pooling="avg")
    assert model.inputs[0] is inputs and model.layers[1].name == model.layers[1].name
    assert tuple(model(torch.ones(2, 32, 32, 3)).shape) == (2, 2048)


def test_channels_first(monkeypatch):
    keras.config.set_image_data_format("channels_first")
    model = keras.applications.ResNet50V2(weights=None, include_top=False, input_shape=(3, 32, 32), pooling="avg")
    assert model.output_shape == (None, 2048) and tuple(model(torch.ones(1, 3, 32, 32)).shape) == (1, 2048)


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parity
def test_imagenet_weights_come_from_the_keras_cache_or_a_checked_download(keras3, local_server, tmp_path, monkeypatch):
    theirs = keras3.applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3))
    randomize_keras_model(theirs)
    write_legacy_h5(theirs, tmp_path / "published.h5")
    data = (tmp_path / "published.h5").read_bytes()
    name = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    local_server.files["/" + name] = data
    published = builder.WeightsFile(
        local_server.url + "/", ("unused.h5", "0" * 32), (name, hashlib.md5(data).hexdigest())
    )
    monkeypatch.setitem(resnet.WEIGHTS, "resnet50", published)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    x = np.random.default_rng(0).uniform(0, 255, (1, 32, 32, 3)).astype("float32")
    expected = keras3.ops.convert_to_numpy(theirs(x))
    for _ in range(2):  # downloaded, then taken from the cache
        ours = keras.applications.ResNet50(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
        assert relative_difference(ours.predict(x, verbose=0), expected) < 1e-4
    assert local_server.hits == ["/" + name] and (tmp_path / "home" / "models" / name).is_file()
    monkeypatch.setitem(
        resnet.WEIGHTS, "resnet50", builder.WeightsFile(local_server.url + "/", published.top, (name, "1" * 32))
    )  # the cached file is no longer the published one
    with pytest.raises(ValueError, match="expected 1{32}: it is incomplete or not the published file"):
        keras.applications.ResNet50(weights="imagenet", include_top=False, input_shape=(32, 32, 3))


def test_offline_imagenet_weights_say_which_file_to_put_where(tmp_path, monkeypatch):
    origin = f"http://127.0.0.1:{_closed_port()}/"
    monkeypatch.setitem(
        resnet.WEIGHTS, "resnet50", builder.WeightsFile(origin, ("top.h5", "0" * 32), ("notop.h5", "0" * 32))
    )
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(OSError, match=f"'notop.h5' from {origin}notop.h5 .* put it at {tmp_path}/models/notop.h5"):
        keras.applications.ResNet50(weights="imagenet", include_top=False)


def test_decode_predictions_fetches_the_class_index_once(local_server, tmp_path, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    data = json.dumps(index).encode()
    local_server.files["/index.json"] = data
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_PATH", local_server.url + "/index.json")
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(data).hexdigest())
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    preds = np.zeros((2, 1000), "float32")
    preds[0, [5, 7]] = [0.9, 0.1]
    preds[1, 999] = 1.0
    decoded = imagenet_utils.decode_predictions(preds, top=2)
    assert decoded[0] == [("n00000005", "class_5", pytest.approx(0.9)), ("n00000007", "class_7", pytest.approx(0.1))]
    assert decoded[1][0][:2] == ("n00000999", "class_999")
    assert resnet.decode_predictions(torch.tensor(preds), top=1)[1][0][1] == "class_999"
    assert local_server.hits == ["/index.json"]
    with pytest.raises(ValueError, match=r"shaped \(samples, 1000\); received an array of shape \(2, 10\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_a_frozen_base_keeps_every_weight_through_fit():
    base = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")
    base.trainable = False
    model = keras.Sequential([keras.Input((32, 32, 3)), base, keras.layers.Dense(3)])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = [w.detach().clone() for w in base.weights]
    x = np.random.default_rng(0).uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    model.fit(x, np.arange(8) % 3, epochs=2, batch_size=4, verbose=0)
    assert all(torch.equal(a, b) for a, b in zip(before, base.weights))  # moving statistics included
    assert len(model.trainable_weights) == 2


def test_feature_extraction_from_an_inner_layer():
    base = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3))
    extractor = keras.Model(base.inputs, base.get_layer("conv3_block4_out").output)
    assert extractor.output_shape == (None, 4, 4, 512)
    assert tuple(extractor(torch.ones(1, 32, 32, 3)).shape) == (1, 4, 4, 512)


def test_unfreezing_the_top_of_a_base_and_recompiling():
    base = keras.applications.ResNet50V2(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")
    base.trainable = True
    for layer in base.layers[:-20]:
        layer.trainable = False
    model = keras.Sequential([keras.Input((32, 32, 3)), base, keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="mse")
    frozen = base.layers[5].weights[0].detach().clone()
    trainable_tail = [w for layer in base.layers[-20:] for w in layer.trainable_weights]
    before = [w.detach().clone() for w in trainable_tail]
    model.fit(np.ones((4, 32, 32, 3), "float32"), np.zeros((4, 2), "float32"), epochs=1, verbose=0)
    assert torch.equal(frozen, base.layers[5].weights[0])
    assert any(not torch.equal(a, b) for a, b in zip(before, trainable_tail))

"""TorchImageModel, the base of the torchvision and timm bases, on a small zoo model of the tests' own."""

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.applications.torch_image_model import TorchImageModel, load_state_dict_file


class SmallNet(torch.nn.Module):
    """A zoo-style model: weights on the model itself, a Sequential stem, a block and a classifier."""

    def __init__(self, classes, include_top):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.full((1,), 1.5))
        self.register_buffer("offset", torch.full((1,), 0.25))
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU())
        self.block = torch.nn.Sequential(torch.nn.Conv2d(4, 6, 3, padding=1), torch.nn.BatchNorm2d(6))
        self.head = torch.nn.Linear(6, classes) if include_top else torch.nn.Identity()

    def forward_features(self, x):
        return self.block(self.stem(x * self.scale + self.offset))

    def forward(self, x):
        return self.head(self.forward_features(x).mean(dim=(2, 3)))


@keras.saving.register_keras_serializable("tests")
class SmallZoo(TorchImageModel):
    zoo = "small"

    def create_zoo_module(self, architecture, weights, include_top, classes):
        net = SmallNet(classes, include_top)
        if weights is not None:
            load_state_dict_file(net, weights, "SmallZoo", allow_unused=not include_top)
        return net

    def zoo_features(self, x):
        return self.zoo_module.forward_features(x)


def images(n=4, size=8, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).uniform(0, 1, (n, size, size, 3)).astype("float32"))


def reference(base, x, training=False):
    """The zoo model itself on NCHW images (its own forward)."""
    base.zoo_module.train(training)
    return base.zoo_module.forward_features(x.permute(0, 3, 1, 2))


def test_layers_and_weights_mirror_the_zoo_model():
    base = SmallZoo("small", include_top=True)
    assert [layer.name for layer in base.layers] == ["root", "stem_0", "stem_1", "stem_2", "block_0", "block_1", "head"]
    paths = [w.path for w in base.weights]
    assert paths[:2] == ["root/scale", "root/offset"]
    assert "stem_1/running_mean" in paths and "head/weight" in paths
    non_trainable = {w.path for w in base.non_trainable_weights}
    assert non_trainable == {
        "root/offset",
        "stem_1/running_mean",
        "stem_1/running_var",
        "stem_1/num_batches_tracked",
        "block_1/running_mean",
        "block_1/running_var",
        "block_1/num_batches_tracked",
    }
    # the zoo model and the layers share each tensor: a Keras weight set through the layer is the model's
    base.get_layer("root").weights[0].assign(torch.full((1,), 3.0))
    assert base.zoo_module.scale.item() == 3.0
    assert base.zoo_module.state_dict().keys() == SmallNet(10, True).state_dict().keys()
    assert "head" not in [layer.name for layer in SmallZoo("small").layers]


@pytest.mark.parametrize("pooling", [None, "avg", "max"])
def test_outputs_are_the_zoo_models_features_channels_last(pooling):
    base = SmallZoo("small", pooling=pooling)
    x = images()
    features = reference(base, x)
    expected = {None: features.permute(0, 2, 3, 1), "avg": features.mean(dim=(2, 3)), "max": features.amax(dim=(2, 3))}[
        pooling
    ]
    torch.testing.assert_close(base(x), expected)


def test_top_applies_the_classifier_activation():
    x = images()
    logits = SmallZoo("small", include_top=True, classes=5, classifier_activation=None)
    probabilities = SmallZoo("small", include_top=True, classes=5)
    probabilities.set_weights(logits.get_weights())
    torch.testing.assert_close(logits(x), logits.zoo_module(x.permute(0, 3, 1, 2)))
    torch.testing.assert_close(probabilities(x), torch.softmax(logits(x), dim=-1))


def test_channels_first_data_format_takes_nchw():
    keras.config.set_image_data_format("channels_first")
    base = SmallZoo("small", pooling=None)
    x = images().permute(0, 3, 1, 2)
    torch.testing.assert_close(base(x), base.zoo_module.forward_features(x))


def test_symbolic_shapes_in_sequential_and_functional_models():
    base = SmallZoo("small", input_shape=(8, 8, 3))
    model = keras.Sequential([keras.Input((8, 8, 3)), base, keras.layers.Dense(2)])
    assert model.output_shape == (None, 2)
    inputs = keras.Input((8, 8, 3))
    assert SmallZoo("small", pooling=None)(inputs).shape == (None, 8, 8, 6)


def test_bad_arguments_and_inputs_are_named():
    with pytest.raises(ValueError, match="pooling must be None, 'avg' or 'max', received 'mean'"):
        SmallZoo("small", pooling="mean")
    with pytest.raises(ValueError, match="classes must be a positive int, received 0"):
        SmallZoo("small", classes=0)
    with pytest.raises(ValueError, match=r"input_shape must be \(height, width, channels\), received \(8, 8\)"):
        SmallZoo("small", input_shape=(8, 8))
    with pytest.raises(
        ValueError,
        match=r'Model "small_small": expected images of shape \(batch, height, width, 3\), '
        r"received shape \(2, 8, 8, 1\)",
    ):
        SmallZoo("small")(torch.zeros(2, 8, 8, 1))


def classifier(base, seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.layers.Dense(3)(base(inputs)))
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    return model


def fit(model):
    rng = np.random.default_rng(1)
    model.fit(
        rng.uniform(0, 1, (16, 8, 8, 3)).astype("float32"), rng.integers(0, 3, 16), batch_size=8, epochs=2, verbose=0
    )


def snapshot(layer):
    return {w.path: w.detach().clone() for w in layer.weights}


def changed(before, layer):
    return sorted(w.path for w in layer.weights if not torch.equal(before[w.path], w))


def test_a_frozen_base_keeps_every_weight_bit_identical_through_fit():
    trained = SmallZoo("small")
    before = snapshot(trained)
    fit(classifier(trained))
    assert "stem_1/running_mean" in changed(before, trained) and "stem_0/weight" in changed(before, trained)

    frozen = SmallZoo("small")
    frozen.trainable = False
    before = snapshot(frozen)
    fit(classifier(frozen))
    assert changed(before, frozen) == []


def test_freezing_the_bottom_layers_keeps_their_batch_norm_in_inference_mode():
    base = SmallZoo("small")
    for layer in base.layers[:-2]:
        layer.trainable = False
    model = classifier(base)
    before = snapshot(base)
    fit(model)
    moved = changed(before, base)
    assert all(path.startswith("block_") for path in moved), moved
    assert "block_1/running_mean" in moved and "block_0/weight" in moved


def test_model_save_and_load_keep_architecture_weights_statistics_and_frozen_layers(tmp_path):
    base = SmallZoo("small", input_shape=(8, 8, 3))
    base.layers[1].trainable = False
    model = classifier(base)
    fit(model)
    path = tmp_path / "zoo.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    x = images()
    torch.testing.assert_close(restored(x), model(x), rtol=0, atol=0)
    restored_base = restored.layers[1]
    assert isinstance(restored_base, SmallZoo) and restored_base.get_config() == base.get_config()
    assert [layer.trainable for layer in restored_base.layers] == [True, False, True, True, True, True]
    fit(restored)  # the optimizer state saved with the model fits the restored trainable weights
    assert base.get_config()["architecture"] == "small" and "module" not in base.get_config()


def test_save_weights_round_trip(tmp_path):
    base = SmallZoo("small")
    fit(classifier(base))
    base.save_weights(tmp_path / "w.safetensors")
    other = SmallZoo("small")
    other.load_weights(tmp_path / "w.safetensors")
    assert changed(snapshot(base), other) == []


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_weights_from_a_state_dict_file(tmp_path, suffix):
    source = SmallNet(4, True)
    with torch.no_grad():
        source.stem[1].running_mean.uniform_()
    path = str(tmp_path / f"net{suffix}")
    if suffix == ".pth":
        torch.save({"state_dict": source.state_dict(), "epoch": 3}, path)  # a training checkpoint
    else:
        from safetensors.torch import save_file

        save_file(source.state_dict(), path)
    with_top = SmallZoo("small", weights=path, include_top=True, classes=4, classifier_activation=None)
    x = images()
    source.eval()
    torch.testing.assert_close(with_top(x), source(x.permute(0, 3, 1, 2)))
    without_top = SmallZoo("small", weights=path)  # the file's classifier is left unused
    torch.testing.assert_close(without_top(x), source.forward_features(x.permute(0, 3, 1, 2)).mean(dim=(2, 3)))


def test_state_dict_files_of_another_model_are_refused(tmp_path):
    path = str(tmp_path / "net.pth")
    torch.save(SmallNet(4, True).state_dict(), path)
    with pytest.raises(ValueError, match=r"(?s)do not fit the model: .*size mismatch for head.weight"):
        SmallZoo("small", weights=path, include_top=True, classes=7)
    without_top = {k: v for k, v in SmallNet(4, False).state_dict().items() if not k.startswith("block")}
    torch.save(without_top, path)
    with pytest.raises(ValueError, match="it lacks 6 weight.*block.0.weight"):
        SmallZoo("small", weights=path)
    torch.save({**SmallNet(4, False).state_dict(), "extra.weight": torch.zeros(1)}, path)
    with pytest.raises(ValueError, match="holds 1 weight.*extra.weight"):
        SmallZoo("small", weights=path, include_top=True, classes=4)
    with pytest.raises(FileNotFoundError, match="'missing.pth' is neither a known name nor an existing file"):
        SmallZoo("small", weights="missing.pth")


def test_preprocess_input_uses_the_models_normalization():
    base = SmallZoo("small")
    x = np.full((1, 2, 2, 3), 255.0, dtype="float32")
    expected = (1 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(base.preprocess_input(x)[0, 0, 0].numpy(), expected, rtol=1e-6)

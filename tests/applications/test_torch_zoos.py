"""TorchVisionModel and TimmModel against torchvision's and timm's own models, and torchvision's cache.

The model tests need the vision extra (torchvision and timm, which must match the installed torch); CI
runs them in a second environment that has it. ``fetch_checkpoint`` needs only torch.
"""

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.applications.torchvision_models import TorchVisionModel, fetch_checkpoint


def images(n=2, size=64, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).uniform(0, 1, (n, size, size, 3)).astype("float32"))


def randomize_statistics(module, seed=0):
    """BatchNorm statistics away from (0, 1), so that a model that ignores them is caught."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for part in module.modules():
            if isinstance(part, torch.nn.BatchNorm2d):
                part.running_mean.copy_(torch.rand(part.running_mean.shape, generator=generator) * 0.2 - 0.1)
                part.running_var.copy_(torch.rand(part.running_var.shape, generator=generator) + 0.5)


# ------------------------------------------------------------------------------------------- torchvision
FAMILIES = [
    "resnet18",
    "mobilenet_v3_small",
    "efficientnet_b0",
    "densenet121",
    "regnet_y_400mf",
    "shufflenet_v2_x0_5",
    "squeezenet1_0",
    "mnasnet0_5",
    "vgg11",
    "convnext_tiny",
    "alexnet",
]


def torchvision_reference(architecture, state):
    models = pytest.importorskip("torchvision.models")
    reference = models.get_model(architecture)
    reference.load_state_dict(state, strict=False)
    return reference.eval()


def head_input(reference, x):
    """What torchvision's model feeds its classifier (the first of avgpool, fc, classifier it has)."""
    head = next(getattr(reference, name) for name in ("avgpool", "fc", "classifier") if hasattr(reference, name))
    seen = []
    handle = head.register_forward_pre_hook(lambda module, args: seen.append(args[0]))
    try:
        reference(x)
    finally:
        handle.remove()
    return seen[0]


@pytest.mark.parametrize("architecture", FAMILIES)
def test_torchvision_features_are_torchvisions(architecture):
    pytest.importorskip("torchvision")
    size = 64 if architecture != "alexnet" else 96
    base = TorchVisionModel(architecture, weights=None, pooling=None)
    randomize_statistics(base.zoo_module)
    reference = torchvision_reference(architecture, base.zoo_module.state_dict())
    x = images(size=size)
    expected = head_input(reference, x.permute(0, 3, 1, 2))
    if expected.ndim == 2:  # the model pools before its classifier: compare the pooled output
        pooled = TorchVisionModel(architecture, weights=None, pooling="avg")
        pooled.set_weights(base.get_weights())
        torch.testing.assert_close(pooled(x), expected, rtol=1e-4, atol=1e-5)
    else:
        torch.testing.assert_close(base(x), expected.permute(0, 2, 3, 1), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("architecture", ["resnet18", "mobilenet_v3_small", "inception_v3"])
def test_torchvision_top_gives_torchvisions_class_scores(architecture):
    pytest.importorskip("torchvision")
    base = TorchVisionModel(architecture, weights=None, include_top=True, classes=7, classifier_activation=None)
    randomize_statistics(base.zoo_module)
    x = images(size=299 if architecture == "inception_v3" else 64)
    reference = base.zoo_module
    reference.eval()
    expected = reference(x.permute(0, 3, 1, 2))
    torch.testing.assert_close(base(x), expected)
    assert base(x, training=True).shape == (2, 7)  # Inception's training outputs hold the logits


def test_torchvision_loads_a_state_dict_file_and_refuses_others(tmp_path):
    models = pytest.importorskip("torchvision.models")
    reference = models.resnet18(num_classes=5)
    randomize_statistics(reference)
    reference.eval()
    path = tmp_path / "resnet18.pth"
    torch.save(reference.state_dict(), path)
    x = images()
    with_top = TorchVisionModel("resnet18", weights=str(path), include_top=True, classes=5, classifier_activation=None)
    torch.testing.assert_close(with_top(x), reference(x.permute(0, 3, 1, 2)))
    without_top = TorchVisionModel("resnet18", weights=str(path))
    assert without_top(x).shape == (2, 512)
    with pytest.raises(ValueError, match="not a state dict of this model: it lacks"):
        TorchVisionModel("resnet34", weights=str(path))


def test_torchvision_arguments_are_checked():
    pytest.importorskip("torchvision")
    with pytest.raises(ValueError, match="not a torchvision classification model; they are: alexnet"):
        TorchVisionModel("resnet19", weights=None)
    with pytest.raises(ValueError, match="include_top=False is supported for the families"):
        TorchVisionModel("vit_b_16", weights=None)
    with pytest.raises(ValueError, match=r"weights must be None, 'imagenet', one of \['IMAGENET1K_V1'\]"):
        TorchVisionModel("resnet18", weights="IMAGENET21K")
    with pytest.raises(
        ValueError, match="the ResNet18_Weights.IMAGENET1K_V1 weights have 1000 classes; received classes=10"
    ):
        TorchVisionModel("resnet18", weights="imagenet", include_top=True, classes=10)


def test_torchvision_cached_file_with_a_wrong_hash_is_never_loaded(tmp_path, monkeypatch):
    pytest.importorskip("torchvision")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    folder = tmp_path / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    (folder / "resnet18-f37072fd.pth").write_bytes(b"not the published file")
    with pytest.raises(ValueError, match="does not start with f37072fd as its name says"):
        TorchVisionModel("resnet18", weights="imagenet")


def test_torchvision_base_trains_freezes_and_saves(tmp_path):
    pytest.importorskip("torchvision")
    base = TorchVisionModel("mobilenet_v3_small", weights=None, input_shape=(32, 32, 3))
    base.trainable = False
    inputs = keras.Input((32, 32, 3))
    model = keras.Model(inputs, keras.layers.Dense(2)(base(inputs)))
    model.compile("adam", "sparse_categorical_crossentropy")
    before = [w.detach().clone() for w in base.weights]
    rng = np.random.default_rng(0)
    model.fit(rng.uniform(0, 1, (8, 32, 32, 3)).astype("float32"), rng.integers(0, 2, 8), epochs=1, verbose=0)
    assert all(torch.equal(a, w) for a, w in zip(before, base.weights))
    model.save(tmp_path / "m.keras")
    restored = keras.models.load_model(tmp_path / "m.keras")
    x = images(size=32)
    torch.testing.assert_close(restored(x), model(x), rtol=0, atol=0)


def test_torchvision_preprocessing_is_the_weights_normalization():
    pytest.importorskip("torchvision")
    base = TorchVisionModel("resnet18", weights=None)
    assert base.input_mean == (0.485, 0.456, 0.406) and base.input_std == (0.229, 0.224, 0.225)


# -------------------------------------------------------------------------------------------------- timm
@pytest.mark.parametrize(
    "architecture", ["resnet18", "convnext_atto", "vit_tiny_patch16_224", "swin_tiny_patch4_window7_224"]
)
def test_timm_features_and_pooling_are_timms(architecture):
    pytest.importorskip("timm")
    from kerastorch.applications.timm_models import TimmModel

    size = 224 if "patch" in architecture else 64
    features = TimmModel(architecture, weights=None, pooling=None)
    randomize_statistics(features.zoo_module)
    pooled = TimmModel(architecture, weights=None, pooling="avg")
    pooled.set_weights(features.get_weights())
    x = images(n=1, size=size)
    module = features.zoo_module.eval()
    expected = module.forward_features(x.permute(0, 3, 1, 2))
    channels_last = expected.ndim == 4 and "NHWC" in str(getattr(module, "output_fmt", ""))
    if expected.ndim == 4 and not channels_last:
        torch.testing.assert_close(features(x), expected.permute(0, 2, 3, 1))
    else:
        torch.testing.assert_close(features(x), expected)
    torch.testing.assert_close(pooled(x), module.forward_head(expected, pre_logits=True))


def test_timm_top_and_file_weights(tmp_path):
    timm = pytest.importorskip("timm")
    from kerastorch.applications.timm_models import TimmModel

    reference = timm.create_model("resnet18", num_classes=3)
    randomize_statistics(reference)
    reference.eval()
    path = tmp_path / "resnet18.safetensors"
    from safetensors.torch import save_file

    save_file(reference.state_dict(), str(path))
    x = images()
    with_top = TimmModel("resnet18", weights=str(path), include_top=True, classes=3)
    torch.testing.assert_close(with_top(x), torch.softmax(reference(x.permute(0, 3, 1, 2)), dim=-1))
    assert [layer.name for layer in with_top.layers][-2:] == ["global_pool", "fc"]
    assert with_top.input_mean == tuple(reference.pretrained_cfg["mean"])


def test_timm_offline_pretrained_weights_give_a_clear_error(tmp_path):
    pytest.importorskip("timm")
    # the hub reads HF_HUB_OFFLINE when it is imported: a fresh interpreter, as an offline user has
    script = (
        "from kerastorch.applications import TimmModel\n"
        "try:\n    TimmModel('resnet18', weights='imagenet')\nexcept OSError as error:\n    print(error)\n"
    )
    env = {**os.environ, "HF_HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert "could not load timm's pretrained weights" in result.stdout, result.stdout + result.stderr
    assert "pass weights='path/to/file'" in result.stdout


def test_timm_unknown_name():
    pytest.importorskip("timm")
    from kerastorch.applications.timm_models import TimmModel

    with pytest.raises(ValueError, match=r"not a timm model name; timm.list_models\('resnet\*'\)"):
        TimmModel("resnet_nonexistent", weights=None)


# ----------------------------------------------------------------------------------- torchvision's cache
def published(local_server, data):
    name = f"model-{hashlib.sha256(data).hexdigest()[:8]}.pth"
    local_server.files[f"/{name}"] = data
    return f"{local_server.url}/{name}", name


def test_fetch_checkpoint_downloads_once_into_the_cache(local_server, tmp_path):
    url, name = published(local_server, b"weights" * 100)
    path = fetch_checkpoint(url, folder=str(tmp_path))
    assert path == str(tmp_path / name) and open(path, "rb").read() == b"weights" * 100
    assert fetch_checkpoint(url, folder=str(tmp_path)) == path
    assert local_server.hits == [f"/{name}"]


def test_fetch_checkpoint_refuses_a_file_that_is_not_the_published_one(local_server, tmp_path):
    url, name = published(local_server, b"weights")
    local_server.files[f"/{name}"] = b"other bytes"
    with pytest.raises(ValueError, match="is not the published one.*nothing was cached"):
        fetch_checkpoint(url, folder=str(tmp_path))
    assert os.listdir(tmp_path) == []


def test_fetch_checkpoint_interrupted_or_offline_caches_nothing(local_server, tmp_path):
    url, name = published(local_server, b"weights" * 1000)
    local_server.truncated.add(f"/{name}")
    with pytest.raises((OSError, ValueError), match="Nothing was cached|nothing was cached"):
        fetch_checkpoint(url, folder=str(tmp_path))
    assert os.listdir(tmp_path) == []
    local_server.close()
    with pytest.raises(OSError, match=rf"could not download '{name}' from {url}.*put it at .*{name}"):
        fetch_checkpoint(url, folder=str(tmp_path))

"""keras.config's switches for traceback filtering, flash attention, NNX and the backend."""

import pytest
import torch

import kerastorch as keras


def _attention_kernels(run):
    """The names of the fused attention kernels torch ran inside ``run()``."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profile:
        run()
    return {event.name for event in profile.events() if event.name.startswith("aten::_scaled_dot_product")}


@pytest.fixture
def restore_flash_attention():
    enabled = torch.backends.cuda.flash_sdp_enabled()
    yield
    torch.backends.cuda.enable_flash_sdp(enabled)


def test_traceback_filtering_flag():
    assert keras.config.is_traceback_filtering_enabled() is True
    try:
        keras.config.disable_traceback_filtering()
        assert keras.config.is_traceback_filtering_enabled() is False
        keras.config.disable_traceback_filtering()
        assert keras.config.is_traceback_filtering_enabled() is False
    finally:
        keras.config.enable_traceback_filtering()
    assert keras.config.is_traceback_filtering_enabled() is True


@pytest.mark.usefixtures("restore_flash_attention")
def test_flash_attention_switch_has_keras_values_and_is_torch_flag():
    keras.config.enable_flash_attention()
    assert keras.config.is_flash_attention_enabled() is None  # Keras 3's "enabled" value
    assert torch.backends.cuda.flash_sdp_enabled()
    keras.config.disable_flash_attention()
    assert keras.config.is_flash_attention_enabled() is False
    assert not torch.backends.cuda.flash_sdp_enabled()
    keras.config.enable_flash_attention()
    torch.backends.cuda.enable_flash_sdp(False)  # set on torch directly: the switch reports it
    assert keras.config.is_flash_attention_enabled() is False


@pytest.mark.parity
def test_flash_attention_default_and_values_match_keras(keras3):
    assert keras3.config.is_flash_attention_enabled() is keras.config.is_flash_attention_enabled() is None


@pytest.mark.usefixtures("restore_flash_attention")
@pytest.mark.parametrize("run", ["layer", "op"])
def test_disabling_flash_attention_changes_the_kernel_and_not_the_result(run):
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=8)
    query = torch.randn(2, 16, 8)
    if run == "layer":

        def attend():
            return layer(query, query)
    else:

        def attend():
            return keras.ops.dot_product_attention(
                query.view(2, 16, 2, 4), query.view(2, 16, 2, 4), query.view(2, 16, 2, 4)
            )

    keras.config.enable_flash_attention()
    with torch.no_grad():
        flash = attend()
        kernels_on = _attention_kernels(attend)
        keras.config.disable_flash_attention()
        plain = attend()
        kernels_off = _attention_kernels(attend)
    assert any("flash" in name for name in kernels_on), kernels_on
    assert not any("flash" in name for name in kernels_off), kernels_off
    torch.testing.assert_close(flash, plain, rtol=1e-5, atol=1e-6)


def test_nnx_is_never_enabled():
    assert keras.config.is_nnx_enabled() is False


def test_set_backend_accepts_torch_only():
    keras.config.set_backend("torch")
    assert keras.config.backend() == "torch"
    for backend in ("jax", "tensorflow", "numpy", "Torch", None):
        with pytest.raises(ValueError, match=f"torch backend only; received backend={backend!r}"):
            keras.config.set_backend(backend)
    assert keras.config.backend() == "torch"


@pytest.mark.cuda
@pytest.mark.usefixtures("restore_flash_attention")
def test_disabling_flash_attention_on_cuda_half_precision():
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=32, dtype="bfloat16")
    query = torch.randn(2, 64, 64, device="cuda", dtype=torch.bfloat16)

    def attend():
        return layer(query, query)

    keras.config.enable_flash_attention()
    with torch.no_grad():
        flash = attend()
        kernels_on = _attention_kernels(attend)
        keras.config.disable_flash_attention()
        other = attend()
        kernels_off = _attention_kernels(attend)
    assert any("flash" in name for name in kernels_on), kernels_on
    assert not any("flash" in name for name in kernels_off), kernels_off
    torch.testing.assert_close(flash.float(), other.float(), rtol=2e-2, atol=2e-2)

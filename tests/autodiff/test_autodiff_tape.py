"""GradientTape: TensorFlow's interface, custom training loops, Jacobians, nesting; parity with Keras 3."""

import numpy as np
import pytest
import torch
from ad_checks import F64, VECTOR_FUNCTIONS, tensors
from hypothesis import given
from hypothesis import strategies as st

import kerastorch as keras
from kerastorch import autodiff
from kerastorch.autodiff import GradientTape


def _mlp(lib, seed=0):
    lib.utils.set_random_seed(seed) if hasattr(lib.utils, "set_random_seed") else None
    return lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, activation="tanh"), lib.layers.Dense(2)])


def test_watch_restores_constant_and_nested_structures():
    x, y = torch.tensor(2.0), torch.tensor([1.0, 3.0])
    with GradientTape() as tape:
        tape.watch({"a": x, "b": [y]})
        z = x * (y**2).sum()
    g = tape.gradient(z, {"a": x, "b": [y]})
    assert g["a"].item() == 10.0 and g["b"][0].tolist() == [4.0, 12.0]
    assert not x.requires_grad and not y.requires_grad
    assert tape.watched_variables()[0] is x


def test_non_persistent_tape_gives_one_set_of_gradients():
    x = torch.tensor(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x**3
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can only be used to compute one set"):
        tape.gradient(y, x)


def test_persistent_tape_and_reset():
    x = torch.tensor(3.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y, z = x**2, x**3
    assert tape.gradient(y, x).item() == 6.0 and tape.gradient(z, x).item() == 27.0
    assert tape.gradient([y, z], x).item() == 33.0  # several targets are summed
    tape.reset()
    assert not x.requires_grad and tape.watched_variables() == ()


def test_output_gradients_unconnected_and_stop_recording():
    x, w = torch.tensor([1.0, 2.0]), torch.tensor(5.0)
    with GradientTape(persistent=True) as tape:
        tape.watch([x, w])
        y = x * 3
        with tape.stop_recording():
            z = x * w  # not recorded
    torch.testing.assert_close(
        tape.gradient(y, x, output_gradients=torch.tensor([1.0, -1.0])), torch.tensor([3.0, -3.0])
    )
    assert tape.gradient(y, w) is None
    assert tape.gradient(y, w, unconnected_gradients="zero").item() == 0.0
    assert not z.requires_grad
    with pytest.raises(ValueError, match="unconnected_gradients must be one of .* received 'nan'"):
        tape.gradient(y, x, unconnected_gradients="nan")


def test_watch_accessed_variables_false_only_sees_watched():
    model = _mlp(keras)
    x = torch.randn(2, 3)
    with GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(model.layers[1].kernel)
        loss = model(x).sum()
    grads = tape.gradient(loss, model.trainable_weights)
    assert [g is None for g in grads] == [True, True, False, True]


def test_tape_records_under_no_grad_and_nested_tapes_give_second_derivatives():
    x = torch.tensor(2.0)
    with torch.no_grad():
        with GradientTape() as outer:
            outer.watch(x)
            with GradientTape() as inner:
                inner.watch(x)
                y = x**4
            dy = inner.gradient(y, x)
        d2y = outer.gradient(dy, x)
    assert dy.item() == 32.0 and d2y.item() == 48.0


@given(tensors((2, 3)), st.sampled_from(sorted(VECTOR_FUNCTIONS)), st.booleans())
def test_jacobian_matches_autodiff_jacobian(x, name, vectorize):
    f = VECTOR_FUNCTIONS[name]
    with GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    jac = tape.jacobian(y, x, experimental_use_pfor=vectorize)
    torch.testing.assert_close(jac, autodiff.jacobian(f, x, mode="forward"))


@given(tensors((3, 2)))
def test_batch_jacobian_is_the_per_example_block(x):
    w = torch.tensor([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]], dtype=F64)
    f = lambda x: torch.tanh(x @ w)
    with GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    bj = tape.batch_jacobian(y, x)
    full = autodiff.jacobian(f, x, mode="reverse")  # (3, 3, 3, 2)
    assert bj.shape == (3, 3, 2)
    for i in range(3):
        torch.testing.assert_close(bj[i], full[i, :, i, :])


def test_custom_training_loop_reduces_the_loss():
    torch.manual_seed(0)
    model = _mlp(keras)
    optimizer = keras.optimizers.SGD(0.1)
    x, y = torch.randn(16, 3), torch.randn(16, 2)
    losses = []
    for _ in range(20):
        with GradientTape() as tape:
            loss = keras.losses.MeanSquaredError()(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.8 * losses[0]


@pytest.mark.parity
@given(tensors((4, 3)), tensors((4, 2)))
def test_tape_gradients_match_keras3(keras3, x, y):
    ours = _mlp(keras)
    theirs = keras3.Sequential([keras3.Input((3,)), keras3.layers.Dense(4, activation="tanh"), keras3.layers.Dense(2)])
    theirs.set_weights(ours.get_weights())
    x32, y32 = x.float(), y.float()
    with GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(y32, ours(x32))
    grads = tape.gradient(loss, ours.trainable_weights)
    their_loss = keras3.losses.MeanSquaredError()(y32, theirs(x32))
    their_grads = torch.autograd.grad(their_loss, [v.value for v in theirs.trainable_weights])
    np.testing.assert_allclose(float(loss), float(their_loss), rtol=1e-5)
    for g, h in zip(grads, their_grads):
        np.testing.assert_allclose(g.numpy(), h.detach().cpu().numpy(), rtol=1e-5, atol=1e-6)


def test_errors():
    tape = GradientTape()
    with pytest.raises(TypeError, match="can only watch floating-point tensors, received one of dtype torch.int64"):
        tape.watch(torch.ones(2, dtype=torch.int64))
    with pytest.raises(RuntimeError, match="stop_recording: the tape is not recording"):
        with tape.stop_recording():
            pass
    x = torch.ones(2, 3)
    with GradientTape() as tape:
        tape.watch(x)
        y = x.sum(1)
    with pytest.raises(ValueError, match=r"same first \(batch\) dimension, received shapes \(2,\) and \(3,\)"):
        tape.batch_jacobian(y, torch.ones(3))
    with GradientTape() as tape:
        with pytest.raises(ValueError, match="already recording"):
            tape.__enter__()


def test_exported_where_keras_users_look():
    assert keras.GradientTape is GradientTape and keras.autodiff is autodiff

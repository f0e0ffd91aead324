"""SwapEMAWeights, and fit leaving a use_ema model with its moving averages, against Keras 3."""

import numpy as np
import pytest

import kerastorch as keras


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")


def _train(lib, callbacks, epochs=3):
    x, y = _data()
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(4), lib.layers.Dense(1)])
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    model.compile(optimizer=lib.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.9), loss="mse")
    history = model.fit(
        x, y, batch_size=8, epochs=epochs, shuffle=False, validation_data=(x, y), verbose=0, callbacks=callbacks(lib)
    )
    return history.history, model.get_weights(), model.evaluate(x, y, verbose=0)


@pytest.mark.parity
@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_validation_uses_the_moving_averages_as_in_keras(keras3, swap_on_epoch):
    ours = _train(keras, lambda lib: [lib.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)])
    theirs = _train(keras3, lambda lib: [lib.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)])
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(ours[0][key], theirs[0][key], rtol=1e-5, atol=1e-6)
    for a, b in zip(ours[1], theirs[1]):  # after fit the model holds the averages, in both
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parity
def test_fit_ends_with_the_moving_averages_as_in_keras(keras3):
    ours, theirs = _train(keras, lambda lib: []), _train(keras3, lambda lib: [])
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_validation_loss_differs_from_the_training_weights_and_needs_use_ema():
    with_swap = _train(keras, lambda lib: [lib.callbacks.SwapEMAWeights()], epochs=2)[0]["val_loss"]
    without = _train(keras, lambda lib: [], epochs=2)[0]["val_loss"]
    assert with_swap != without
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data()
    with pytest.raises(ValueError, match="SwapEMAWeights must be used with an optimizer created with use_ema=True"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.SwapEMAWeights()])

"""Shared checks of the application tests: build, count, pool, and compare with Keras 3 on weights that
Keras 3 itself writes to a legacy HDF5 file (the format Keras publishes its ImageNet weights in)."""

import numpy as np

import kerastorch as keras


def randomize_keras_model(keras_model, seed=0):
    """Give every weight of a Keras 3 model random values, batch normalization statistics included, so that
    a layer mixed up on loading shows in the outputs."""
    rng = np.random.default_rng(seed)
    for layer in keras_model.layers:
        for weight in layer.weights:
            shape = tuple(weight.shape)
            name = weight.path.rsplit("/", 1)[-1]
            if "count" in name:
                continue
            if "moving_variance" in name or name == "variance":
                value = rng.uniform(0.5, 1.5, shape).astype("float32")
            elif "moving_mean" in name or name == "mean" or name in ("beta", "bias"):
                value = 0.1 * rng.standard_normal(shape, dtype=np.float32)
            elif name == "gamma":
                value = rng.uniform(0.8, 1.2, shape).astype("float32")
            else:
                fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
                value = rng.standard_normal(shape, dtype=np.float32) / np.float32(np.sqrt(max(fan_in, 1)))
            weight.assign(value)


def write_legacy_h5(keras_model, path):
    """Keras 3 writes ``keras_model``'s weights in the legacy HDF5 layout of keras.applications' files."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, keras_model)


def relative_difference(ours, theirs):
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    return float(np.abs(ours - theirs).max() / max(np.abs(theirs).max(), 1e-12))


def assert_predicts_what_keras_predicts(keras3, tmp_path, ours_fn, keras_fn, input_shape=(64, 64, 3), seed=0, **kwargs):
    """Build the application in Keras 3 and in kerastorch with the same arguments; Keras 3 writes its random
    weights to a legacy HDF5 file, kerastorch loads it by path, and both predict the same (relative
    difference below 1e-4)."""
    theirs = keras_fn(weights=None, input_shape=input_shape, **kwargs)
    randomize_keras_model(theirs, seed)
    path = str(tmp_path / f"{theirs.name}_weights.h5")
    write_legacy_h5(theirs, path)
    ours = ours_fn(weights=path, input_shape=input_shape, **kwargs)
    assert [layer.name for layer in ours.layers if layer.weights] == [
        layer.name for layer in theirs.layers if layer.weights
    ]
    x = np.random.default_rng(seed + 1).uniform(0, 255, (2,) + tuple(input_shape)).astype("float32")
    expected = keras3.ops.convert_to_numpy(theirs(x, training=False))
    got = ours.predict(x, verbose=0)
    assert got.shape == expected.shape
    assert relative_difference(got, expected) < 1e-4, relative_difference(got, expected)
    return ours


def parameter_counts(fn, **kwargs):
    """``(with top, without top)`` parameter counts, built on the meta device (shapes only, no values)."""
    keras.config.set_device("meta")
    try:
        return (fn(weights=None, **kwargs).count_params(), fn(weights=None, include_top=False, **kwargs).count_params())
    finally:
        keras.config.set_device(None)


def assert_pooling_shapes(fn, input_shape=(64, 64, 3), **kwargs):
    """``pooling`` None gives 4D features, ``"avg"`` and ``"max"`` 2D; the channels agree."""
    keras.config.set_device("meta")
    try:
        features = fn(weights=None, include_top=False, input_shape=input_shape, **kwargs).output_shape
        assert len(features) == 4
        channels = features[-1] if keras.config.image_data_format() == "channels_last" else features[1]
        for pooling in ("avg", "max"):
            assert fn(
                weights=None, include_top=False, input_shape=input_shape, pooling=pooling, **kwargs
            ).output_shape == (None, channels)
    finally:
        keras.config.set_device(None)


def forward_runs(model, input_shape):
    """One real forward pass of a small batch; the output is finite."""
    out = model.predict(
        np.random.default_rng(0).uniform(0, 255, (2,) + tuple(input_shape)).astype("float32"), verbose=0
    )
    assert np.isfinite(out).all()
    return out

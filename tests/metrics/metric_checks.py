"""Helpers shared by the metric tests: Keras 3 parity runs, hypothesis batches, config round trips.

pytest puts this folder first on ``sys.path`` (rootdir "prepend" import mode, no ``__init__.py``),
so the tests here can ``from metric_checks import ...``.
"""

import json

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kerastorch import metrics
from kerastorch.saving import deserialize_keras_object, serialize_keras_object

TOL = dict(rtol=1e-5, atol=1e-5)


def to_np(x):
    """A NumPy array of a torch tensor (any device) or anything array-like."""
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _torch(x):
    return None if x is None else torch.from_numpy(np.ascontiguousarray(x))


def _update_both(ours, theirs, batch):
    y_true, y_pred, weight = batch
    ours.update_state(_torch(y_true), _torch(y_pred), sample_weight=_torch(weight))
    theirs.update_state(y_true, y_pred, sample_weight=weight)


def assert_same_state(ours, theirs, tol=TOL):
    """Results and state tensors (count, names, shapes, values) agree; the result is a torch tensor."""
    result = ours.result()
    assert isinstance(result, torch.Tensor)
    np.testing.assert_allclose(to_np(result), to_np(theirs.result()), **tol)
    assert ours._variable_names == [v.name for v in theirs.variables]
    for mine, keras_var in zip(ours.variables, theirs.variables):
        assert isinstance(mine, torch.Tensor) and mine.shape == tuple(keras_var.shape)
        np.testing.assert_allclose(to_np(mine), to_np(keras_var.value), **tol)


def assert_parity(ours, theirs, batches, tol=TOL):
    """Feed the same ``(y_true, y_pred, sample_weight)`` batches to a kerastorch and a Keras 3
    metric; results and states must agree, also after ``reset_state`` and one more batch."""
    for batch in batches:
        _update_both(ours, theirs, batch)
    assert_same_state(ours, theirs, tol)
    ours.reset_state()
    theirs.reset_state()
    assert all(not v.any() for v in ours.variables)
    np.testing.assert_allclose(to_np(ours.result()), to_np(theirs.result()), **tol)
    _update_both(ours, theirs, batches[-1])
    assert_same_state(ours, theirs, tol)


def floats(low=-5.0, high=5.0):
    """Finite float32 values in ``[low, high]`` (the bounds rounded to float32)."""
    return st.floats(float(np.float32(low)), float(np.float32(high)), width=32)


def arrays(shape, elements, dtype=np.float32):
    return hnp.arrays(dtype, shape, elements=elements)


@st.composite
def weight_for(draw, shape, allow_none=True):
    """None or a non-negative sample weight of a shape Keras accepts for per-element values of ``shape``:
    per sample ``(batch,)``, ``(batch, 1)``, a leading part of ``shape``, or ``shape`` itself."""
    options = [(shape[0],), shape[:1] + (1,)] + [shape[:i] for i in range(2, len(shape) + 1)]
    if allow_none and draw(st.booleans()):
        return None
    return draw(arrays(draw(st.sampled_from(options)), floats(0.0, 3.0)))


@st.composite
def batches(draw, make_pair, tail=(), weights=True, max_batches=3, max_batch_size=5, per_sample=False):
    """1 to ``max_batches`` batches ``(y_true, y_pred, sample_weight)``: ``make_pair(draw, shape)`` draws
    labels and predictions for ``shape = (batch_size, *tail)``; weights follow :func:`weight_for`
    when ``weights``, against ``y_pred``'s shape, or without its last axis when ``per_sample``
    (for metrics that reduce the class axis); ``weights="full"`` draws only weights of that whole shape."""
    result = []
    for _ in range(draw(st.integers(1, max_batches))):
        shape = (draw(st.integers(1, max_batch_size)), *tail)
        y_true, y_pred = make_pair(draw, shape)
        weight_shape = y_pred.shape[:-1] if per_sample and y_pred.ndim > 1 else y_pred.shape
        if weights == "full":
            weight = draw(st.none() | arrays(weight_shape, floats(0.0, 3.0)))
        else:
            weight = draw(weight_for(weight_shape)) if weights else None
        result.append((y_true, y_pred, weight))
    return result


def roundtrip(metric):
    """The config is JSON-able and rebuilds an equal metric via ``from_config``, ``metrics.deserialize`` and
    ``deserialize_keras_object``; returns the rebuilt metric."""
    config = metric.get_config()
    clone = type(metric).from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    restored = metrics.deserialize(json.loads(json.dumps(metrics.serialize(metric))))
    assert type(restored) is type(metric) and restored.get_config() == config
    restored = deserialize_keras_object(json.loads(json.dumps(serialize_keras_object(metric))))
    assert type(restored) is type(metric) and restored.get_config() == config
    return clone

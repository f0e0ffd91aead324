"""kerastorch.testing.strategies: the drawn tensors, layer configurations and models are what they claim."""

import inspect
import pickle

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import kerastorch as keras
from kerastorch.testing import strategies as S


@settings(max_examples=15)
@given(x=S.tensors(dtype=torch.float32, low=-3, high=0.5, max_dims=3), shape=S.shapes(min_dims=2, batch=5))
def test_tensors_and_shapes(x, shape):
    assert x.dtype == torch.float32 and bool(torch.isfinite(x).all()) and bool(((x >= -3) & (x <= 0.5)).all())
    assert 1 <= x.dim() <= 3 and len(shape) >= 2 and shape[0] == 5


@settings(max_examples=10)
@given(xs=S.inputs_for(([(2, 3), S.IntShape((4,), high=3)], (1,))))
def test_inputs_for_follows_the_spec_structure(xs):
    (a, i), b = xs
    assert isinstance(xs, tuple) and a.shape == (2, 3) and a.dtype == torch.float64 and b.shape == (1,)
    assert i.dtype == torch.int64 and bool(((i >= 0) & (i < 3)).all())


def test_int_shape():
    s = S.IntShape((2, 3), high=7)
    assert s == (2, 3) and S.is_shape(s) and not S.is_shape([(2, 3)])
    restored = pickle.loads(pickle.dumps(s))
    assert restored == s and restored.high == 7


def _symbolic(spec):
    if isinstance(spec, S.IntShape):
        return keras.Input(tuple(spec)[1:], dtype="int64")
    return keras.Input(spec[1:]) if S.is_shape(spec) else [_symbolic(s) for s in spec]


def _shapes(out):
    return [tuple(o.shape) for o in (out if isinstance(out, (list, tuple)) else [out])]


@pytest.mark.parametrize("name", S.layer_names())
@settings(max_examples=3)
@given(data=st.data())
def test_every_layer_case_runs_and_matches_its_symbolic_shape(name, data):
    factory, spec = data.draw(S.layer_case(name))
    layer = factory()
    # a case may put the layer last in a Pipeline (hue cases shift the pixels off the gray axis first)
    tested = layer.layers[-1] if type(layer).__name__ == "Pipeline" and name != "Pipeline" else layer
    assert factory() is not layer and type(tested).__name__ == name or name in ("RNN", "StackedRNNCells")
    x = data.draw(S.inputs_for(spec, dtype=torch.float32))  # float64 lists hit the autocast bug below
    args = x if isinstance(x, tuple) else (x,)
    out = layer(*args, **S.CALL_KWARGS.get(name, {}))
    assert all(o.is_floating_point() and bool(torch.isfinite(o).all()) for o in torch.utils._pytree.tree_leaves(out))
    if S.is_shape(spec) or (isinstance(spec, list) and all(S.is_shape(s) for s in spec)):
        symbolic = factory()(_symbolic(spec))
        assert [s[1:] for s in _shapes(symbolic)] == [s[1:] for s in _shapes(out)]


def test_list_inputs_are_cast_to_the_compute_dtype():
    # found by this suite: only a tensor first argument used to be cast (Keras 3 casts lists too)
    x = [torch.zeros(2, 1, 1, dtype=torch.float64)] * 2
    assert keras.layers.Add()(x).dtype == torch.float32
    assert keras.layers.AdditiveAttention()(x).dtype == torch.float32


def test_family_strategies_cover_their_names():
    assert set(S.layer_names("pooling")) >= {"MaxPooling2D", "GlobalAveragePooling3D", "AdaptiveMaxPooling1D"}
    assert sum(len(S.layer_names(f)) for f in S.FAMILIES) == len(S.layer_names())
    assert S.rnn_layers.__name__ == "rnn_layers" and "LSTM" in S.rnn_layers.__doc__
    with pytest.raises(ValueError, match="unknown layer family 'dense'; expected one of"):
        S.layer_names("dense")
    with pytest.raises(ValueError, match="no case for layer 'Discretization'"):
        S.layer_case("Discretization")


@settings(max_examples=5)
@given(case=S.convolutional_layers())
def test_layer_factory_repr_is_the_config(case):
    factory, _ = case
    assert repr(factory).startswith(type(factory()).__name__ + "(") and "kernel_size=" in repr(factory)


@settings(max_examples=10)
@given(case=S.models(), data=st.data())
def test_models_build_and_run(case, data):
    factory, spec = case
    model = factory()
    assert isinstance(model, keras.Model) and repr(factory).startswith(("sequential(", "functional("))
    out = model(data.draw(S.inputs_for(spec)))
    assert all(o.shape[0] == 2 for o in (out if isinstance(out, (list, tuple)) else [out]))


# ------------------------------------------------------------------------------------ flags and coverage
BOOLS = (False, True)


@pytest.mark.parametrize("name", S.layer_names())
@settings(max_examples=1)
@given(data=st.data())
def test_covering_flags_reach_every_pair_of_values_and_the_case_uses_exactly_its_flags(name, data):
    """What the gradient suite relies on: run once per covering row, every value of every configuration flag
    (and every pair of values of two flags) is checked, and a drawn case is made with the flags it was given."""
    space = dict(S.flag_space(name), training=(False, True))
    rows = S.covering_flags(name, training=(False, True))
    assert S.uncovered(space, rows) == [] and S.uncovered(space, S.covering_flags(name, 1, training=BOOLS), 1) == []
    for row in rows:
        flags = {k: v for k, v in row.items() if k != "training"}
        factory, _ = data.draw(S.layer_case(name, **flags))
        assert factory.flags == flags  # every declared flag is read, and takes the value fixed for it
    factory, _ = data.draw(S.layer_case(name))
    assert set(factory.flags) == set(S.flag_space(name))


CASE_MODULES = ["_dense_cases", "_spatial_cases"]


@pytest.mark.parametrize("module", CASE_MODULES)
def test_layer_cases_make_every_configuration_choice_through_a_flag(module):
    """A choice drawn directly (``st.booleans()``, ``st.sampled_from``) would escape the covering rows."""
    import ast
    import importlib

    source = inspect.getsource(importlib.import_module(f"kerastorch.testing.strategies.{module}"))
    direct = [
        f"line {node.lineno}: st.{node.func.attr}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "st"
        and node.func.attr in ("booleans", "sampled_from", "permutations", "one_of", "just")
    ]
    assert direct == [], f"{module} draws configuration choices outside its flags: {direct}"


def test_the_layer_normalization_options_that_interact_are_covered():
    rows = S.covering_flags("LayerNormalization")
    assert len(rows) == 4 and {(r["scale"], r["rms_scaling"]) for r in rows} == {(a, b) for a in BOOLS for b in BOOLS}


def test_flag_errors_name_the_case_flag_and_values():
    with pytest.raises(ValueError, match=r"the case of Dense has no flag 'alpha' with value 1"):
        S.layer_case("Dense", alpha=1)
    with pytest.raises(ValueError, match=r"no flag 'activation' with value 'swish'"):
        S.layer_case("Dense", activation="swish")
    with pytest.raises(ValueError, match="no case for layer 'Discretization'"):
        S.flag_space("Discretization")

"""Keras 3 parity: the same variables and gradients give the same variables after every step."""

import re

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from optimizer_checks import (
    ARGS,
    CLIPPING,
    LEARNING_RATES,
    NAMES,
    SHAPES,
    TOL,
    WEIGHT_DECAY,
    assert_parity,
    keras_device,
    keras_variables,
    make,
    our_variables,
    random_problem,
)

import kerastorch

pytestmark = pytest.mark.parity


@pytest.mark.parametrize("class_name", NAMES)
@given(data=st.data())
def test_update_matches_keras(keras3, class_name, data):
    kwargs = {
        **data.draw(ARGS[class_name], "args"),
        **data.draw(CLIPPING, "clipping"),
        "learning_rate": data.draw(LEARNING_RATES, "learning_rate"),
    }
    if class_name != "AdamW":
        kwargs.update(data.draw(WEIGHT_DECAY, "weight_decay"))
    shapes, steps, seed = data.draw(SHAPES, "shapes"), data.draw(st.integers(3, 5)), data.draw(st.integers(0, 99))
    assert_parity(keras3, class_name, kwargs, shapes, steps=steps, seed=seed)


@pytest.mark.parametrize("class_name", NAMES)
def test_defaults_match_keras(keras3, class_name):
    ours, theirs = make(kerastorch, class_name), make(keras3, class_name)
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() == theirs_config.keys()
    for key, value in theirs_config.items():
        if key == "name":
            # "adam", "rm_sprop" ..., with a "_<n>" suffix for later instances in each library
            assert re.sub(r"_\d+$", "", ours_config[key]) == re.sub(r"_\d+$", "", value)
        elif isinstance(value, float):
            assert ours_config[key] == pytest.approx(value, rel=1e-6), key
        else:
            assert ours_config[key] == value, key
    assert_parity(keras3, class_name, {}, [(3, 2), (2,)], steps=4, seed=1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"use_ema": True, "ema_momentum": 0.5},
        {"use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 2},
        {"gradient_accumulation_steps": 2},
        {"gradient_accumulation_steps": 3, "use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 2},
        {"loss_scale_factor": 128.0},
        {
            "gradient_accumulation_steps": 2,
            "learning_rate": ("PiecewiseConstantDecay", {"boundaries": [1, 3], "values": [0.1, 0.2, 0.3]}),
        },
    ],
)
@pytest.mark.parametrize("class_name", ["SGD", "Adam", "Nadam"])
def test_base_features_match_keras(keras3, class_name, kwargs):
    ours, theirs = assert_parity(keras3, class_name, kwargs, [(3, 2), (4,)], steps=7, seed=3)
    assert int(ours.iterations) == int(theirs.iterations)
    if kwargs.get("use_ema"):
        for ours_average, theirs_average in zip(ours._averages, theirs._model_variables_moving_average):
            torch.testing.assert_close(ours_average, theirs_average.value.cpu(), rtol=1e-5, atol=1e-6)


def test_weight_decay_exclusion_matches_keras(keras3):
    names = ["kernel", "bias", "gamma"]
    for exclude in ({"var_names": ["bias"]}, {"var_names": ["bias", "gam"]}):
        ours, theirs = make(kerastorch, "AdamW", weight_decay=0.5), make(keras3, "AdamW", weight_decay=0.5)
        ours.exclude_from_weight_decay(**exclude)
        theirs.exclude_from_weight_decay(**exclude)
        initial, grads = random_problem([(2, 2), (2,), (2,)], 3, seed=5)
        our_vars, their_vars = our_variables(initial, names), keras_variables(keras3, initial, names)
        for step_grads in grads:
            ours.apply([torch.tensor(g) for g in step_grads], our_vars)
            theirs.apply([torch.tensor(g, device=keras_device()) for g in step_grads], their_vars)
        for o, t in zip(our_vars, their_vars):
            torch.testing.assert_close(o.detach(), t.value.cpu(), **TOL)


@pytest.mark.parametrize("class_name", NAMES)
def test_state_names_follow_keras_variable_order(keras3, class_name):
    """``state_dict`` keys line up with Keras's ``optimizer.variables``, for reading Keras optimizer state."""
    variants = {
        "SGD": {"momentum": 0.9},
        "RMSprop": {"momentum": 0.5, "centered": True},
        "Adam": {"amsgrad": True},
        "AdamW": {"amsgrad": True},
    }
    kwargs = {**variants.get(class_name, {}), "use_ema": True, "gradient_accumulation_steps": 2}
    ours, theirs = make(kerastorch, class_name, **kwargs), make(keras3, class_name, **kwargs)
    names = ["kernel", "bias"]
    initial = [torch.zeros(2, 3).numpy(), torch.zeros(3).numpy()]
    ours.build(our_variables(initial, names))
    theirs.build(keras_variables(keras3, initial, names))

    def keras_key(variable):
        path = variable.path.split("/", 1)[-1]
        if path == "iteration":
            return "iterations"
        if path == "learning_rate":
            return path
        for index, name in enumerate(names):
            if path.startswith(name + "_"):
                return f"{index}/{path[len(name) + 1 :]}"
        return "u_product"  # Nadam's unnamed scalar

    assert list(ours.state_dict()) == [keras_key(v) for v in theirs.variables]
    assert [tuple(t.shape) for t in ours.variables] == [tuple(v.shape) for v in theirs.variables]

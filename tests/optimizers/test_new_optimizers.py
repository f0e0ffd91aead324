"""Lamb, Adafactor and Muon: Keras 3 parity of the update trajectories, configs and state; resume; training."""

import json
import re

import numpy as np
import pytest
import torch
from optimizer_checks import TOL, assert_parity, keras_device, keras_variables, make, our_variables, random_problem

import kerastorch
from kerastorch.optimizers import schedules

NEW = ["Lamb", "Adafactor", "Muon"]
SHAPES = [(3,), (4, 5), (2, 3, 4), ()]
COSINE = ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 4, "warmup_target": 0.2, "warmup_steps": 2})
COMMON = {
    "defaults": {},
    "weight-decay": {"learning_rate": 0.1, "weight_decay": 0.05},
    "schedule-clipnorm": {"learning_rate": COSINE, "clipnorm": 0.5},
    "clipvalue": {"learning_rate": 0.05, "clipvalue": 0.3},
    "global-clipnorm-schedule": {
        "global_clipnorm": 1.0,
        "weight_decay": 0.01,
        "learning_rate": ("PiecewiseConstantDecay", {"boundaries": [1, 2], "values": [0.1, 0.05, 0.01]}),
    },
    "accumulation-ema": {"learning_rate": 0.05, "gradient_accumulation_steps": 2, "use_ema": True, "ema_momentum": 0.5},
}
OWN = {
    "Lamb": [{"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3, "learning_rate": 0.05}],
    "Adafactor": [
        {
            "beta_2_decay": -0.5,
            "epsilon_1": 1e-3,
            "epsilon_2": 0.05,
            "clip_threshold": 0.5,
            "relative_step": False,
            "learning_rate": 0.5,
        },
        {"learning_rate": ("ExponentialDecay", {"initial_learning_rate": 0.8, "decay_steps": 1, "decay_rate": 0.5})},
    ],
    "Muon": [
        {
            "nesterov": False,
            "rms_rate": None,
            "adam_lr_ratio": 0.5,
            "weight_decay": None,
            "adam_weight_decay": 0.1,
            "learning_rate": 0.1,
        },
        {
            "momentum": 0.8,
            "ns_steps": 3,
            "muon_a": 2.0,
            "muon_b": -1.5,
            "muon_c": 0.5,
            "adam_weight_decay": None,
            "weight_decay": 0.1,
            "learning_rate": 0.05,
            "exclude_embeddings": False,
        },
    ],
}
CASES = [(name, kwargs) for name in NEW for kwargs in COMMON.values()] + [
    (name, kwargs) for name, variants in OWN.items() for kwargs in variants
]
IDS = [f"{name}-{key}" for name in NEW for key in COMMON] + [
    f"{name}-own{i}" for name, variants in OWN.items() for i in range(len(variants))
]


# ------------------------------------------------------------------ update trajectories
@pytest.mark.parity
@pytest.mark.parametrize("class_name,kwargs", CASES, ids=IDS)
def test_update_matches_keras(keras3, class_name, kwargs):
    # several 2-D shapes: Muon batches the matrices of one shape (wide and tall ones transposed)
    assert_parity(keras3, class_name, kwargs, SHAPES + [(5, 4), (4, 5), (6, 2)], steps=4, seed=len(str(kwargs)))


@pytest.mark.parity
def test_lamb_trust_ratio_of_zero_variables_and_gradients_matches_keras(keras3):
    initial, grads = random_problem([(3, 2), (4,), (2,)], steps=3, seed=4)
    initial[0][:] = 0.0  # ||var|| = 0: ratio 1
    for step_grads in grads:
        step_grads[1][:] = 0.0  # ||update|| = 0: ratio 1
    ours, theirs = make(kerastorch, "Lamb", learning_rate=0.1), make(keras3, "Lamb", learning_rate=0.1)
    _run_both(ours, theirs, our_variables(initial), keras_variables(keras3, initial), grads)


@pytest.mark.parity
def test_muon_exclusions_match_keras(keras3):
    names = ["embedding", "dense_kernel", "head_kernel", "token_embedding_table", "bias"]
    shapes = [(5, 3), (3, 4), (4, 2), (6, 3), (4,)]
    kwargs = {"learning_rate": 0.05, "exclude_layers": ["head", "^tok"]}
    ours, _ = assert_parity(keras3, "Muon", kwargs, shapes, steps=3, seed=8, names=names)
    velocities = [key.split("/")[0] for key in ours.state_dict() if key.endswith("/velocity")]
    assert velocities == ["0", "2", "3", "4"]  # only dense_kernel takes the Muon step
    ours, _ = assert_parity(
        keras3, "Muon", {**kwargs, "exclude_embeddings": False}, shapes, steps=2, seed=8, names=names
    )
    assert [key for key in ours.state_dict() if key.endswith("/velocity")] == ["2/velocity", "3/velocity", "4/velocity"]


@pytest.mark.parity
@pytest.mark.parametrize("class_name", NEW)
def test_weight_decay_exclusion_matches_keras(keras3, class_name):
    names = ["kernel", "bias", "gamma"]
    initial, grads = random_problem([(3, 2), (2,), (2, 2)], 3, seed=5)
    ours = make(kerastorch, class_name, learning_rate=0.1, weight_decay=0.5)
    theirs = make(keras3, class_name, learning_rate=0.1, weight_decay=0.5)
    ours.exclude_from_weight_decay(var_names=["bias", "gam"])
    theirs.exclude_from_weight_decay(var_names=["bias", "gam"])
    _run_both(ours, theirs, our_variables(initial, names), keras_variables(keras3, initial, names), grads)


def _run_both(ours, theirs, our_vars, their_vars, grads):
    for step, step_grads in enumerate(grads):
        ours.apply([torch.tensor(g) for g in step_grads], our_vars)
        theirs.apply([torch.tensor(g, device=keras_device()) for g in step_grads], their_vars)
        for o, t in zip(our_vars, their_vars):
            np.testing.assert_allclose(o.numpy(), np.asarray(t.numpy()), **TOL, err_msg=f"step {step}")


# ------------------------------------------------------------------ configs
@pytest.mark.parity
@pytest.mark.parametrize("class_name", NEW)
def test_defaults_match_keras(keras3, class_name):
    ours, theirs = make(kerastorch, class_name).get_config(), make(keras3, class_name).get_config()
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        if key == "name":
            assert re.sub(r"_\d+$", "", ours[key]) == re.sub(r"_\d+$", "", value)
        elif isinstance(value, float):
            assert ours[key] == pytest.approx(value, rel=1e-6), key
        else:
            assert ours[key] == value and (isinstance(value, list) or type(ours[key]) is type(value)), key


@pytest.mark.parity
@pytest.mark.parametrize(
    "class_name,kwargs",
    [(name, variants[0]) for name, variants in OWN.items()]
    + [("Muon", {"exclude_layers": ["head"], "learning_rate": schedules.CosineDecay(0.1, 10)})],
    ids=NEW + ["Muon-schedule"],
)
def test_config_round_trip_and_interchange(keras3, class_name, kwargs):
    ours = make(kerastorch, class_name, **kwargs, name="opt")
    config = ours.get_config()
    assert type(ours).from_config(config).get_config() == config
    serialized = json.dumps(kerastorch.optimizers.serialize(ours))  # JSON, and a fresh copy each time
    assert type(kerastorch.optimizers.deserialize(json.loads(serialized))) is type(ours)
    # Keras 3.15's optimizers.deserialize lacks Lamb (it returns the name): its generic deserialize has it
    theirs = keras3.saving.deserialize_keras_object(json.loads(serialized))
    if class_name != "Lamb":
        assert type(keras3.optimizers.deserialize(json.loads(serialized))) is type(theirs)
    assert type(theirs).__name__ == class_name
    theirs_config = theirs.get_config()
    assert theirs_config.keys() == config.keys()
    back = kerastorch.optimizers.deserialize(json.loads(json.dumps(keras3.optimizers.serialize(theirs))))
    assert type(back) is type(ours)
    assert back.get_config().keys() == config.keys()
    for key, value in config.items():
        if isinstance(value, float):
            assert theirs_config[key] == pytest.approx(value, rel=1e-6) and back.get_config()[key] == pytest.approx(
                value, rel=1e-6
            ), key
        elif key != "learning_rate":
            assert theirs_config[key] == value and back.get_config()[key] == value, key


@pytest.mark.parametrize("name", ["lamb", "Lamb", "adafactor", "Adafactor", "muon", "Muon"])
def test_get_by_name(name):
    assert type(kerastorch.optimizers.get(name)).__name__.lower() == name.lower()
    assert name in kerastorch.optimizers.__all__ or name.capitalize() in kerastorch.optimizers.__all__


def test_argument_errors():
    optimizers = kerastorch.optimizers
    for cls, kwargs in [
        (optimizers.Lamb, {"beta_1": 1.5}),
        (optimizers.Lamb, {"epsilon": -1.0}),
        (optimizers.Adafactor, {"clip_threshold": 0.0}),
        (optimizers.Adafactor, {"epsilon_2": -1.0}),
        (optimizers.Muon, {"momentum": 2.0}),
        (optimizers.Muon, {"ns_steps": 1.5}),
        (optimizers.Muon, {"adam_beta_2": -0.1}),
        (optimizers.Lamb, {"amsgrad": True}),
    ]:
        with pytest.raises(ValueError):
            cls(**kwargs)
    with pytest.raises(TypeError):
        optimizers.Muon(0.01, 0.9, 0.999, 0.004, 1e-7, 0.004, 1.0)  # Keras's 7th argument is clipnorm


# ------------------------------------------------------------------ state
def _keras_key(path, names):
    """Our ``state_dict`` key of a Keras optimizer variable's path (Adafactor names its ``r`` and ``c`` after
    the variable itself: they come in that order)."""
    path = path.split("/", 1)[-1]
    if path in ("iteration", "learning_rate"):
        return "iterations" if path == "iteration" else path
    for index, name in enumerate(names):
        if path.startswith(name + "_"):
            return f"{index}/{path[len(name) + 1 :]}"
        if path == name:
            return f"{index}/factor"
    raise AssertionError(path)


@pytest.mark.parity
@pytest.mark.parametrize("class_name", NEW)
def test_state_follows_keras_variables(keras3, class_name):
    """Keys, order and shapes line up with Keras's ``optimizer.variables``; Keras's state loaded into ours
    continues Keras's trajectory."""
    names = ["kernel", "bias", "cube", "scale"]
    initial, grads = random_problem([(3, 4), (4,), (2, 3, 4), ()], steps=5, seed=2)
    kwargs = {"learning_rate": 0.05, "use_ema": True}
    ours, theirs = make(kerastorch, class_name, **kwargs), make(keras3, class_name, **kwargs)
    our_vars, their_vars = our_variables(initial, names), keras_variables(keras3, initial, names)
    ours.build(our_vars)
    theirs.build(their_vars)
    expected = [_keras_key(v.path, names) for v in theirs.variables]
    if class_name == "Adafactor":
        expected = [
            re.sub("factor$", "c" if expected[i - 1].endswith("/factor") else "r", key)
            if key.endswith("/factor")
            else key
            for i, key in enumerate(expected)
        ]
    assert list(ours.state_dict()) == expected
    assert [tuple(t.shape) for t in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    for step_grads in grads[:3]:
        theirs.apply([torch.tensor(g, device=keras_device()) for g in step_grads], their_vars)
    ours.load_state_dict({key: v.value.cpu() for key, v in zip(ours.state_dict(), theirs.variables)})
    for o, t in zip(our_vars, their_vars):
        o.assign(t.value.cpu())
    assert int(ours.iterations) == 3
    _run_both(ours, theirs, our_vars, their_vars, grads[3:])


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"learning_rate": schedules.CosineDecay(0.05, 10), "weight_decay": 0.01},
        {"gradient_accumulation_steps": 2, "use_ema": True, "clipvalue": 0.5},
    ],
    ids=["plain", "schedule-wd", "accumulation-ema"],
)
@pytest.mark.parametrize("class_name", NEW)
def test_resume_is_bitwise_identical(class_name, options):
    initial, grads = random_problem([(3, 4), (4,), (2, 2, 3), ()], steps=6, seed=7)
    straight = our_variables(initial)
    reference = make(kerastorch, class_name, **options)
    for step_grads in grads:
        reference.apply([torch.tensor(g) for g in step_grads], straight)
    interrupted_vars = our_variables(initial)
    interrupted = make(kerastorch, class_name, **options)
    for step_grads in grads[:3]:
        interrupted.apply([torch.tensor(g) for g in step_grads], interrupted_vars)
    saved = {key: value.clone() for key, value in interrupted.state_dict().items()}
    resumed_vars = our_variables([v.numpy() for v in interrupted_vars])
    resumed = make(kerastorch, class_name, **options)
    resumed.build(resumed_vars)
    resumed.load_state_dict(saved)
    for step_grads in grads[3:]:
        resumed.apply([torch.tensor(g) for g in step_grads], resumed_vars)
    for a, b in zip(straight, resumed_vars):
        assert torch.equal(a.detach(), b.detach())
    for (key, a), b in zip(reference.state_dict().items(), resumed.state_dict().values()):
        assert torch.equal(a, b), key


def test_adafactor_slot_shapes_and_muon_slots():
    variables = our_variables([np.zeros(s, "float32") for s in [(2, 3, 4), (5,), ()]])
    adafactor = kerastorch.optimizers.Adafactor()
    adafactor.build(variables)
    shapes = {key: tuple(value.shape) for key, value in adafactor.state_dict().items()}
    assert shapes == {
        "iterations": (),
        "learning_rate": (),
        "0/r": (2, 3),
        "0/c": (2, 4),
        "0/velocity": (2, 3, 4),
        "1/r": (),
        "1/c": (),
        "1/velocity": (5,),
        "2/r": (),
        "2/c": (),
        "2/velocity": (),
    }
    muon = kerastorch.optimizers.Muon()
    muon.build(our_variables([np.zeros(s, "float32") for s in [(3, 2), (2,), (2, 2, 2)]]))
    assert list(muon.state_dict())[2:] == ["0/momentum", "1/momentum", "1/velocity", "2/momentum", "2/velocity"]


# ------------------------------------------------------------------ speed properties
@pytest.mark.parametrize("class_name", NEW)
def test_speed_properties_of_the_other_optimizers_hold(class_name, monkeypatch):
    """No host sync in a step; the ops dispatched do not grow with the number of vectors (the checks that
    the other optimizers pass, in test_optimizer_base)."""
    import test_optimizer_base as base_checks

    base_checks.test_step_never_reads_a_tensor_back(class_name, monkeypatch)
    base_checks.test_op_count_does_not_grow_with_the_number_of_tensors(class_name)


def test_muon_orthogonalizes_matrices_of_one_shape_together():
    from test_optimizer_base import _CountOps

    def dispatched(count):
        matrices = our_variables([np.full((3, 5), 0.5, "float32")] * count + [np.ones((6, 2), "float32")] * count)
        optimizer = kerastorch.optimizers.Muon(learning_rate=schedules.ExponentialDecay(0.1, 5, 0.5))
        step = [torch.full(tuple(m.shape), 0.1) for m in matrices]
        optimizer.apply(step, matrices)
        with _CountOps() as ops:
            optimizer.apply(step, matrices)
        return ops.count

    assert dispatched(2) == dispatched(9)


@pytest.mark.cuda
@pytest.mark.parametrize("class_name", NEW)
def test_cuda_step_is_sync_free_and_matches_cpu(class_name):
    import test_optimizer_cuda

    test_optimizer_cuda.test_cuda_step_is_sync_free_and_matches_cpu(class_name)


# ------------------------------------------------------------------ training
@pytest.mark.parametrize("name", ["lamb", "adafactor", "muon"])
def test_compile_and_fit(name):
    layers = kerastorch.layers
    model = kerastorch.Sequential([kerastorch.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    optimizer = kerastorch.optimizers.get({"class_name": name, "config": {"learning_rate": 0.02}})
    model.compile(optimizer=optimizer, loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    history = model.fit(x, y, batch_size=16, epochs=4, verbose=0)
    losses = history.history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    assert int(model.optimizer.iterations) == 16

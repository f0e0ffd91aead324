"""Optimizer behaviour beyond the update formulas: state save/restore, convergence, configs, ``get``,
constraints, EMA helpers, learning rate handling, no host syncs, multi-tensor dispatch, errors."""

import copy

import numpy as np
import pytest
import torch
from optimizer_checks import NAMES, make, our_variables, quadratic_steps, random_problem
from torch.utils._python_dispatch import TorchDispatchMode

import kerastorch
from kerastorch import constraints
from kerastorch.backend.variable import Variable
from kerastorch.optimizers import schedules

OPTIONS = [
    {},
    {"learning_rate": schedules.CosineDecay(0.05, 10, warmup_target=0.1, warmup_steps=3)},
    {"use_ema": True, "ema_overwrite_frequency": 3, "global_clipnorm": 1.0, "weight_decay": 0.01},
    {"gradient_accumulation_steps": 3, "clipvalue": 0.5},
]


def run(optimizer, variables, grads):
    for step_grads in grads:
        optimizer.apply([torch.tensor(g) for g in step_grads], variables)


# ------------------------------------------------------------------ state_dict / load_state_dict
@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "schedule", "ema-clip-wd", "accumulation"])
@pytest.mark.parametrize("class_name", NAMES)
def test_resume_is_bitwise_identical(class_name, options):
    initial, grads = random_problem([(3, 4), (4,), ()], steps=10, seed=7)
    straight = our_variables(initial)
    reference = make(kerastorch, class_name, **copy.deepcopy(options))
    run(reference, straight, grads)

    first_half = our_variables(initial)
    interrupted = make(kerastorch, class_name, **copy.deepcopy(options))
    run(interrupted, first_half, grads[:4])
    saved_state = {k: v.clone() for k, v in interrupted.state_dict().items()}
    saved_values = [v.detach().clone() for v in first_half]
    interrupted.apply([torch.ones(3, 4), torch.ones(4), torch.ones(())], first_half)  # state moves on afterwards

    resumed_vars = our_variables([v.numpy() for v in saved_values])
    resumed = make(kerastorch, class_name, **copy.deepcopy(options))
    resumed.build(resumed_vars)
    resumed.load_state_dict(saved_state)
    assert int(resumed.iterations) == int(torch.as_tensor(saved_state["iterations"])) // (
        options.get("gradient_accumulation_steps") or 1
    )
    run(resumed, resumed_vars, grads[4:])
    for a, b in zip(straight, resumed_vars):
        assert torch.equal(a.detach(), b.detach())
    for (key, a), (_, b) in zip(reference.state_dict().items(), resumed.state_dict().items()):
        assert torch.equal(a, b), key


def test_state_dict_keys_and_load_errors():
    optimizer = kerastorch.optimizers.Adam(amsgrad=True)
    with pytest.raises(ValueError, match="build"):
        optimizer.load_state_dict({})
    variables = our_variables([np.zeros((2, 2), "float32"), np.zeros(3, "float32")])
    optimizer.build(variables)
    state = optimizer.state_dict()
    assert list(state) == [
        "iterations",
        "learning_rate",
        "0/momentum",
        "0/velocity",
        "1/momentum",
        "1/velocity",
        "0/velocity_hat",
        "1/velocity_hat",
    ]
    assert state["iterations"].dtype == torch.int64 and state["iterations"].shape == ()
    assert [t.data_ptr() for t in optimizer.variables] == [t.data_ptr() for t in state.values()]
    with pytest.raises(ValueError, match="missing keys \\['1/velocity_hat'\\]"):
        optimizer.load_state_dict({k: v for k, v in state.items() if k != "1/velocity_hat"})
    with pytest.raises(ValueError, match="'0/momentum' has shape \\(2, 2\\)"):
        optimizer.load_state_dict({**state, "0/momentum": torch.zeros(3)})
    numpy_state = {k: v.numpy() + (5 if k == "iterations" else 0.5) for k, v in state.items()}
    optimizer.load_state_dict(numpy_state)  # arrays (e.g. read from a file) load too
    assert int(optimizer.iterations) == 5 and optimizer.learning_rate == pytest.approx(0.5 + 1e-3)


# ------------------------------------------------------------------ convergence
CONVERGENCE = {
    "SGD": {"learning_rate": 0.1, "momentum": 0.5},
    "RMSprop": {"learning_rate": 0.05},
    "Adam": {"learning_rate": 0.1},
    "AdamW": {"learning_rate": 0.1},
    "Nadam": {"learning_rate": 0.1},
    "Adagrad": {"learning_rate": 0.5},
    "Adadelta": {"learning_rate": 1.0, "epsilon": 1e-2},
    "Adamax": {"learning_rate": 0.1},
    "Lion": {"learning_rate": 0.05},
    "Ftrl": {"learning_rate": 0.5},
}


@pytest.mark.parametrize("class_name", NAMES)
def test_decreases_a_quadratic_loss(class_name):
    first, last = quadratic_steps(make(kerastorch, class_name, **CONVERGENCE[class_name]), steps=50)
    assert last < 0.1 * first, (first, last)


# ------------------------------------------------------------------ configs, get
@pytest.mark.parametrize("class_name", NAMES)
def test_config_round_trip(class_name):
    optimizer = make(
        kerastorch,
        class_name,
        learning_rate=schedules.ExponentialDecay(0.1, 10, 0.9),
        clipnorm=2.0,
        use_ema=True,
        gradient_accumulation_steps=4,
        name="my_optimizer",
    )
    config = kerastorch.optimizers.serialize(optimizer)
    assert config["class_name"] == class_name and config["module"] == "keras.optimizers"
    restored = kerastorch.optimizers.deserialize(config)
    assert type(restored) is type(optimizer) and restored.get_config() == optimizer.get_config()
    assert isinstance(restored._learning_rate, schedules.ExponentialDecay)
    plain = make(kerastorch, class_name, learning_rate=0.25)
    assert type(plain).from_config(plain.get_config()).get_config() == plain.get_config()


@pytest.mark.parity
@pytest.mark.parametrize("class_name", NAMES)
def test_keras_configs_read(keras3, class_name):
    theirs = make(
        keras3, class_name, learning_rate=keras3.optimizers.schedules.PolynomialDecay(0.1, 100), global_clipnorm=1.0
    )
    ours = kerastorch.optimizers.deserialize(keras3.optimizers.serialize(theirs))
    assert type(ours).__name__ == class_name and ours.global_clipnorm == 1.0
    assert float(ours.learning_rate) == pytest.approx(0.1)


def test_get():
    for name in NAMES:
        assert type(kerastorch.optimizers.get(name)).__name__ == name
        assert type(kerastorch.optimizers.get(name.lower())).__name__ == name
    adam = kerastorch.optimizers.Adam()
    assert kerastorch.optimizers.get(adam) is adam
    torch_sgd = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    assert kerastorch.optimizers.get(torch_sgd) is torch_sgd
    assert kerastorch.optimizers.get({"class_name": "SGD", "config": {"momentum": 0.5}}).momentum == 0.5
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'adamm'.*'adam', 'adamax'"):
        kerastorch.optimizers.get("adamm")
    with pytest.raises(ValueError, match="Could not interpret"):
        kerastorch.optimizers.get(3)


# ------------------------------------------------------------------ constraints, EMA, None gradients
def test_constraint_applies_after_the_step_and_after_the_average():
    kernel = Variable(torch.tensor([1.0, -1.0, 2.0]), name="kernel", constraint=constraints.NonNeg())
    free = Variable(torch.tensor([1.0, -1.0, 2.0]), name="free")
    optimizer = kerastorch.optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    optimizer.apply([torch.tensor([3.0, 0.0, 1.0])] * 2, [kernel, free])
    assert kernel.tolist() == [0.0, 0.0, 1.0]  # max(0, [-2, -1, 1])
    assert free.tolist() == [-2.0, -1.0, 1.0]
    assert optimizer._averages[0].tolist() == [-2.0, -1.0, 1.0]  # Keras: the average sees the unconstrained value


def test_none_gradients_are_skipped():
    a, b = our_variables([np.ones(2, "float32"), np.ones(3, "float32")])
    optimizer = kerastorch.optimizers.Adam(learning_rate=0.1)
    optimizer.apply([None, torch.ones(3)], [a, b])
    assert a.tolist() == [1.0, 1.0] and b.tolist() == pytest.approx([0.9] * 3, rel=1e-5)
    assert optimizer.state_dict()["0/momentum"].abs().sum() == 0
    optimizer.apply([None, None], [a, b])
    assert int(optimizer.iterations) == 1


def test_finalize_and_swap_ema_weights():
    (v,) = our_variables([np.zeros(2, "float32")])
    optimizer = kerastorch.optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    for _ in range(3):
        optimizer.apply([torch.ones(2)], [v])  # v: -1, -2, -3; average: -1, -1.5, -2.25
    assert v.tolist() == [-3.0, -3.0]
    optimizer.swap_ema_weights()
    assert v.tolist() == [-2.25, -2.25] and optimizer._averages[0].tolist() == [-3.0, -3.0]
    optimizer.swap_ema_weights()
    assert v.tolist() == [-3.0, -3.0]
    optimizer.finalize_variable_values([v])
    assert v.tolist() == [-2.25, -2.25]


def test_mixed_dtypes_are_grouped():
    initial, grads = random_problem([(3,), (2, 2)], steps=3, seed=2)
    mixed = [Variable(torch.tensor(initial[0], dtype=torch.float64)), Variable(torch.tensor(initial[1]))]
    optimizer = kerastorch.optimizers.Adam(learning_rate=0.1, weight_decay=0.1, global_clipnorm=1.0)
    for step_grads in grads:
        optimizer.apply([torch.tensor(g).to(v.dtype) for g, v in zip(step_grads, mixed)], mixed)
    same = our_variables(initial)
    run(kerastorch.optimizers.Adam(learning_rate=0.1, weight_decay=0.1, global_clipnorm=1.0), same, grads)
    assert mixed[0].dtype == torch.float64 and optimizer.state_dict()["0/velocity"].dtype == torch.float64
    for a, b in zip(mixed, same):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ learning rate
def test_learning_rate_property_and_setter():
    optimizer = kerastorch.optimizers.SGD(learning_rate=0.1)
    assert optimizer.learning_rate == 0.1 and isinstance(optimizer.learning_rate, float)
    (v,) = our_variables([np.ones(1, "float32")])
    optimizer.apply([torch.ones(1)], [v])
    optimizer.learning_rate = 0.5  # what ReduceLROnPlateau does
    optimizer.apply([torch.ones(1)], [v])
    assert v.tolist() == pytest.approx([1 - 0.1 - 0.5])
    assert optimizer.get_config()["learning_rate"] == 0.5
    optimizer.learning_rate = lambda: 0.25  # a callable is evaluated at every step
    optimizer.apply([torch.ones(1)], [v])
    assert v.tolist() == pytest.approx([0.15])

    scheduled = kerastorch.optimizers.SGD(learning_rate=schedules.PiecewiseConstantDecay([0], [1.0, 2.0]))
    assert torch.is_tensor(scheduled.learning_rate) and float(scheduled.learning_rate) == 1.0
    scheduled.apply([torch.ones(1)], [v])
    assert float(scheduled.learning_rate) == 2.0  # evaluated at the current iterations
    with pytest.raises(TypeError, match="not settable"):
        scheduled.learning_rate = 0.1


# ------------------------------------------------------------------ speed properties
_SYNCS = ["item", "__bool__", "__float__", "__int__", "__index__", "tolist", "numpy"]


@pytest.mark.parametrize("class_name", NAMES)
def test_step_never_reads_a_tensor_back(class_name, monkeypatch):
    """No ``.item()``/``bool(tensor)``: on a GPU each would wait for the device."""
    optimizer = make(
        kerastorch,
        class_name,
        learning_rate=schedules.CosineDecay(0.1, 5),
        weight_decay=0.01,
        clipnorm=1.0,
        use_ema=True,
        ema_overwrite_frequency=2,
        loss_scale_factor=2.0,
    )
    variables = our_variables([np.ones((2, 3), "float32"), np.ones(3, "float32")])
    grads = [torch.full((2, 3), 0.5), torch.full((3,), -0.5)]
    optimizer.build(variables)

    def refuse(*args, **kwargs):
        raise AssertionError("host sync inside apply()")

    with monkeypatch.context() as patch:
        for name in _SYNCS:
            patch.setattr(torch.Tensor, name, refuse)
        for _ in range(3):
            optimizer.apply(grads, variables)
    assert int(optimizer.iterations) == 3


class _CountOps(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize("class_name", NAMES)
def test_op_count_does_not_grow_with_the_number_of_tensors(class_name):
    """Multi-tensor kernels: one step dispatches the same ops for 3 or 30 parameters."""
    counts = []
    for n in (3, 30):
        variables = our_variables([np.ones(4, "float32")] * n)
        grads = [torch.full((4,), 0.1)] * n
        optimizer = make(
            kerastorch,
            class_name,
            learning_rate=schedules.ExponentialDecay(0.1, 5, 0.5),
            weight_decay=0.01,
            global_clipnorm=1.0,
            use_ema=True,
        )
        optimizer.apply(grads, variables)
        with _CountOps() as counter:
            optimizer.apply(grads, variables)
        counts.append(counter.count)
    assert counts[0] == counts[1] and counts[0] < 60, counts


# ------------------------------------------------------------------ argument errors
def test_argument_errors():
    optimizers = kerastorch.optimizers
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="not recognized.*'lr'"):
        optimizers.Adam(lr=0.1)
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.Adam(gradient_accumulation_steps=1)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="learning_rate_power"):
        optimizers.Ftrl(learning_rate_power=0.5)
    optimizer = optimizers.SGD()
    a, b = our_variables([np.ones(1, "float32"), np.ones(1, "float32")])
    optimizer.build([a])
    with pytest.raises(ValueError, match="not passed to build"):
        optimizer.apply([torch.ones(1)], [b])
    with pytest.raises(ValueError, match="2 gradients for 1 variables"):
        optimizer.apply([torch.ones(1), torch.ones(1)], [a])


def test_weight_decay_exclusions():
    kernel, bias, other = our_variables([np.ones(2, "float32")] * 3, names=["kernel", "bias", "other"])
    optimizer = kerastorch.optimizers.SGD(learning_rate=0.5, weight_decay=0.1)
    optimizer.exclude_from_weight_decay(var_list=[other], var_names=["bia"])
    optimizer.apply([torch.zeros(2)] * 3, [kernel, bias, other])
    assert kernel.tolist() == pytest.approx([0.95, 0.95]) and bias.tolist() == other.tolist() == [1.0, 1.0]
    optimizer.weight_decay = 0.2  # read at every step
    optimizer.apply([torch.zeros(2)] * 3, [kernel, bias, other])
    assert kernel.tolist() == pytest.approx([0.95 * 0.9] * 2) and bias.tolist() == [1.0, 1.0]

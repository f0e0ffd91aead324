"""Helpers shared by the optimizer tests: variables, gradient sequences, Keras 3 twins, parity runs."""

import numpy as np
import torch
from hypothesis import strategies as st

import kerastorch
import kerastorch.optimizers
from kerastorch.backend.variable import Variable

TOL = dict(rtol=1e-5, atol=1e-6)

# Per optimizer: a strategy for its own arguments (Keras 3 names and ranges).
ARGS = {
    "SGD": st.fixed_dictionaries({"momentum": st.sampled_from([0.0, 0.5, 0.9]), "nesterov": st.booleans()}),
    "RMSprop": st.fixed_dictionaries(
        {
            "rho": st.sampled_from([0.8, 0.9]),
            "momentum": st.sampled_from([0.0, 0.5]),
            "centered": st.booleans(),
            "epsilon": st.sampled_from([1e-7, 1e-3]),
        }
    ),
    "Adam": st.fixed_dictionaries(
        {
            "beta_1": st.sampled_from([0.8, 0.9]),
            "beta_2": st.sampled_from([0.99, 0.999]),
            "amsgrad": st.booleans(),
            "epsilon": st.sampled_from([1e-7, 1e-3]),
        }
    ),
    "AdamW": st.fixed_dictionaries({"weight_decay": st.sampled_from([0.004, 0.1]), "amsgrad": st.booleans()}),
    "Nadam": st.fixed_dictionaries({"beta_1": st.sampled_from([0.8, 0.9]), "beta_2": st.sampled_from([0.99, 0.999])}),
    "Adagrad": st.fixed_dictionaries(
        {"initial_accumulator_value": st.sampled_from([0.1, 1.0]), "epsilon": st.sampled_from([1e-7, 1e-3])}
    ),
    "Adadelta": st.fixed_dictionaries({"rho": st.sampled_from([0.9, 0.95]), "epsilon": st.sampled_from([1e-7, 1e-3])}),
    "Adamax": st.fixed_dictionaries({"beta_1": st.sampled_from([0.8, 0.9]), "beta_2": st.sampled_from([0.99, 0.999])}),
    "Lion": st.fixed_dictionaries({"beta_1": st.sampled_from([0.8, 0.9]), "beta_2": st.sampled_from([0.9, 0.99])}),
    "Ftrl": st.fixed_dictionaries(
        {
            "learning_rate_power": st.sampled_from([-0.5, -0.2, 0.0]),
            "initial_accumulator_value": st.sampled_from([0.1, 0.5]),
            "l1_regularization_strength": st.sampled_from([0.0, 0.01]),
            "l2_regularization_strength": st.sampled_from([0.0, 0.1]),
            "l2_shrinkage_regularization_strength": st.sampled_from([0.0, 0.1]),
            "beta": st.sampled_from([0.0, 0.5]),
        }
    ),
}
NAMES = sorted(ARGS)

# Learning rates: a float, or a schedule given as (class name, config) and built in each library.
LEARNING_RATES = st.one_of(
    st.sampled_from([0.001, 0.01, 0.1, 0.5]),
    st.sampled_from(
        [
            ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}),
            ("PiecewiseConstantDecay", {"boundaries": [1, 2], "values": [0.1, 0.05, 0.01]}),
            ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 4, "warmup_target": 0.2, "warmup_steps": 2}),
        ]
    ),
)
# The base arguments: at most one clipping mode, optional weight decay.
CLIPPING = st.sampled_from([{}, {"clipnorm": 0.5}, {"clipvalue": 0.3}, {"global_clipnorm": 1.0}])
WEIGHT_DECAY = st.sampled_from([{}, {}, {"weight_decay": 0.05}])
SHAPES = st.lists(st.lists(st.integers(1, 5), min_size=0, max_size=3).map(tuple), min_size=1, max_size=3)


def keras_device():
    """The device Keras 3's torch backend puts tensors on: CUDA when available, else CPU."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def make(library, class_name, learning_rate=None, **kwargs):
    """``class_name(**kwargs)`` from ``library.optimizers``, with the learning rate built there too."""
    if isinstance(learning_rate, tuple):
        schedule_name, config = learning_rate
        learning_rate = getattr(library.optimizers.schedules, schedule_name)(**config)
    if learning_rate is not None:
        kwargs["learning_rate"] = learning_rate
    return getattr(library.optimizers, class_name)(**kwargs)


def random_problem(shapes, steps, seed, grad_scale=1.0):
    """Initial values and ``steps`` gradient lists (float32 numpy) for variables of ``shapes``."""
    rng = np.random.default_rng(seed)
    initial = [rng.standard_normal(s).astype("float32") for s in shapes]
    grads = [[(grad_scale * rng.standard_normal(s)).astype("float32") for s in shapes] for _ in range(steps)]
    return initial, grads


def our_variables(initial, names=None):
    names = names or [f"w{i}" for i in range(len(initial))]
    return [Variable(torch.tensor(x), name=name) for x, name in zip(initial, names)]


def keras_variables(keras3, initial, names=None):
    names = names or [f"w{i}" for i in range(len(initial))]
    return [keras3.Variable(x, name=name) for x, name in zip(initial, names)]


def assert_parity(keras3, class_name, kwargs, shapes, steps, seed, names=None):
    """Apply the same gradients with kerastorch and Keras 3; the variables agree after every step."""
    initial, grads = random_problem(shapes, steps, seed)
    ours, theirs = make(kerastorch, class_name, **kwargs), make(keras3, class_name, **kwargs)
    our_vars, their_vars = our_variables(initial, names), keras_variables(keras3, initial, names)
    for step, step_grads in enumerate(grads):
        ours.apply([torch.tensor(g) for g in step_grads], our_vars)
        theirs.apply([torch.tensor(g, device=keras_device()) for g in step_grads], their_vars)
        for ours_v, theirs_v in zip(our_vars, their_vars):
            np.testing.assert_allclose(
                ours_v.numpy(), np.asarray(theirs_v.numpy()), **TOL, err_msg=f"{class_name}({kwargs}) step {step}"
            )
    return ours, theirs


def quadratic_steps(optimizer, steps=50, seed=0):
    """Minimise ``sum((w - target)**2)`` over two tensors; the losses before and after."""
    generator = torch.Generator().manual_seed(seed)
    targets = [torch.randn(4, 3, generator=generator), torch.randn(3, generator=generator)]
    weights = [Variable(torch.zeros_like(t), name=f"w{i}") for i, t in enumerate(targets)]

    def loss():
        return sum(((w - t) ** 2).sum() for w, t in zip(weights, targets))

    first = loss().item()
    for _ in range(steps):
        for w in weights:
            w.grad = None
        loss().backward()
        optimizer.apply([w.grad for w in weights], weights)
    return first, loss().item()

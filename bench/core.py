"""Forward+backward of core-layer models: kerastorch vs the same model in plain torch.nn.

Prints kerastorch time / torch time for each model (same weights, same data).
Run: python bench/core.py [cpu|cuda]
"""

import sys

import torch
from timing import compare, report

import kerastorch as keras
from kerastorch import layers

DEVICE = sys.argv[1] if len(sys.argv) > 1 else "cpu"
torch.manual_seed(0)


def mirror(model):
    """The plain torch.nn equivalent of a Sequential of Dense layers, same weights."""
    modules = []
    for layer in model.layers:
        if isinstance(layer, layers.Dense):
            linear = torch.nn.Linear(layer.kernel.shape[0], layer.units)
            with torch.no_grad():
                linear.weight.copy_(layer.kernel.T)
                linear.bias.copy_(layer.bias)
            modules.append(linear)
            if layer.activation is keras.activations.relu:
                modules.append(torch.nn.ReLU())
        elif isinstance(layer, layers.Flatten):
            modules.append(torch.nn.Flatten())
        elif isinstance(layer, layers.Dropout):
            modules.append(torch.nn.Dropout(layer.rate))
    return torch.nn.Sequential(*modules).to(DEVICE)


def step(model, x, **kwargs):
    def run():
        model.zero_grad(set_to_none=True)
        model(x, **kwargs).sum().backward()

    return run


def bench(name, model, shape):
    model = model.to(DEVICE)
    reference = mirror(model).train()
    x = torch.randn(*shape, device=DEVICE)
    torch.testing.assert_close(model(x), reference.eval()(x))
    reference.train()
    ratio, ours, ref = compare(step(model, x, training=True), step(reference, x))
    report(name, ratio, ours, ref)
    return ratio


if __name__ == "__main__":
    print(f"device: {DEVICE}, torch {torch.__version__}")
    bench(
        "tiny MLP 32-64-10, batch 32",
        keras.Sequential([keras.Input((32,)), layers.Dense(64, activation="relu"), layers.Dense(10)]),
        (32, 32),
    )
    bench(
        "MLP 784-256-256-10, batch 128",
        keras.Sequential(
            [
                keras.Input((784,)),
                layers.Dense(256, activation="relu"),
                layers.Dense(256, activation="relu"),
                layers.Dense(10),
            ]
        ),
        (128, 784),
    )
    bench(
        "Flatten+Dense+Dropout, batch 64",
        keras.Sequential(
            [
                keras.Input((8, 8)),
                layers.Flatten(),
                layers.Dense(64, activation="relu"),
                layers.Dropout(0.2),
                layers.Dense(10),
            ]
        ),
        (64, 8, 8),
    )

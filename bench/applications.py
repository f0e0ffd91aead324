"""Forward and backward of keras.applications models against torchvision's, on the same run.

kerastorch's ResNet50 and MobileNetV2 (Keras's architectures, channels_last inputs as in Keras) against
torchvision's resnet50 and mobilenet_v2 (NCHW inputs, their default; and the same in torch's channels_last
memory format), batch 8 of 224x224 images, one forward and backward pass of the sum of the outputs, random
weights. The architectures are the same up to details Keras and torchvision chose differently (ResNet50:
Keras's v1 strides its 1x1 convolution and has convolution biases; parameter counts 25.64M and 25.56M), so
the ratio measures kerastorch's overhead and layout. Prints kerastorch time / torchvision time.

Needs torchvision (``pip install torchvision`` with a matching torch).
Run: python bench/applications.py [cpu|cuda] [batch]
"""

import sys

import torch
from timing import compare, report

import kerastorch as keras

DEVICE = sys.argv[1] if len(sys.argv) > 1 else "cpu"
BATCH = int(sys.argv[2]) if len(sys.argv) > 2 else 8


def step(model, x):
    def run():
        model.zero_grad(set_to_none=True)
        model(x).sum().backward()

    return run


def main():
    try:
        import torchvision  # optional: the reference models
    except (ImportError, RuntimeError) as error:
        sys.exit(f"bench/applications.py needs an importable torchvision matching torch {torch.__version__} ({error})")
    torch.manual_seed(0)
    keras.config.set_device(DEVICE)
    pairs = [
        ("ResNet50", keras.applications.ResNet50, torchvision.models.resnet50),
        ("MobileNetV2", keras.applications.MobileNetV2, torchvision.models.mobilenet_v2),
    ]
    number, rounds = (1, 5) if DEVICE == "cpu" else (10, 10)
    print(
        f"batch {BATCH}, 224x224, forward + backward, {DEVICE}, torch {torch.__version__}, "
        f"torchvision {torchvision.__version__}"
    )
    for name, ours_fn, theirs_fn in pairs:
        ours = ours_fn(weights=None, classifier_activation=None)
        ours.train()  # batch statistics, as the torchvision model in train mode
        theirs = theirs_fn(weights=None).to(DEVICE).train()
        x = torch.rand(BATCH, 224, 224, 3, device=DEVICE) * 255
        x_nchw = x.permute(0, 3, 1, 2).contiguous()
        x_channels_last = x_nchw.to(memory_format=torch.channels_last)
        print(
            f"{name}: {ours.count_params():,} parameters (torchvision: {sum(p.numel() for p in theirs.parameters()):,})"
        )
        ratio, t_ours, t_ref = compare(step(ours, x), step(theirs, x_nchw), number=number, rounds=rounds, warmup=2)
        report(f"{name} vs torchvision (NCHW)", ratio, t_ours, t_ref)
        theirs = theirs.to(memory_format=torch.channels_last)
        ratio, t_ours, t_ref = compare(
            step(ours, x), step(theirs, x_channels_last), number=number, rounds=rounds, warmup=2
        )
        report(f"{name} vs torchvision (channels_last)", ratio, t_ours, t_ref)


if __name__ == "__main__":
    main()

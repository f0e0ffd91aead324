"""Fine-tune a pretrained image model on a folder of images (one sub-folder per class) and save the result.

The Keras transfer-learning recipe: the base (without its top) is frozen under a new classification head,
the head is trained, then the top ``--fine-tune-layers`` layers of the base are unfrozen (batch
normalization stays frozen) and trained with a small learning rate. The saved model takes raw RGB images
with values in [0, 255]: the base's preprocessing is part of it, as layers (what ``preprocess_input`` of the
base's family does).

Run:
    python examples/fine_tune.py --data flowers/ --base mobilenet_v2 --weights imagenet --image-size 160 \\
        --epochs 5 --fine-tune-layers 30 --output flowers.keras

``--base`` is a Keras application (xception, resnet50, mobilenet_v2, efficientnet_b0) or a model of
torchvision or timm (``torchvision:resnet18``, ``timm:convnext_atto``; the ``vision`` extra). ``--weights
imagenet`` takes the published file from its library's cache (``~/.keras/models`` for Keras's, torch's hub
folder for torchvision's, the Hugging Face cache for timm's) or downloads it; ``--weights PATH`` loads a local
weights file; ``--weights none`` starts from random weights.
"""

import argparse

import numpy as np

import kerastorch as keras
from kerastorch import layers
from kerastorch.applications import TimmModel, TorchVisionModel, efficientnet, mobilenet_v2, resnet, xception

BASES = {  # name -> (model function, the preprocessing its weights expect)
    "xception": (xception.Xception, "tf"),
    "resnet50": (resnet.ResNet50, "caffe"),
    "mobilenet_v2": (mobilenet_v2.MobileNetV2, "tf"),
    "efficientnet_b0": (efficientnet.EfficientNetB0, "included"),
}
ZOOS = {"torchvision": TorchVisionModel, "timm": TimmModel}
CAFFE_MEANS_BGR = (103.939, 116.779, 123.68)


def preprocessing(mode):
    """The base's preprocessing as layers, so the saved model takes raw images."""
    if mode == "tf":  # to [-1, 1]
        return [layers.Rescaling(1 / 127.5, offset=-1.0, name="to_minus_one_one")]
    if mode == "caffe":  # RGB to BGR, minus the ImageNet means: one fixed linear map of the channels
        bgr = layers.Dense(3, trainable=False, name="rgb_to_bgr_minus_means")
        bgr.build((None, 3))
        bgr.set_weights([np.eye(3, dtype="float32")[::-1].copy(), -np.array(CAFFE_MEANS_BGR, dtype="float32")])
        return [bgr]
    return []  # the model rescales its inputs itself


def zoo_preprocessing(base):
    """A torchvision or timm base's normalization as layers: [0, 255] to [0, 1], then ``(x - mean) / std``."""
    return [
        layers.Rescaling(1 / 255, name="to_zero_one"),
        layers.Normalization(mean=base.input_mean, variance=[s * s for s in base.input_std], name="normalize"),
    ]


def base_name(value):
    """``--base``: a Keras application of BASES, or ``torchvision:NAME`` / ``timm:NAME``."""
    zoo, _, name = value.partition(":")
    if value in BASES or (zoo in ZOOS and name):
        return value
    raise argparse.ArgumentTypeError(
        f"expected one of {', '.join(sorted(BASES))}, torchvision:NAME or timm:NAME; received {value!r}"
    )


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with one sub-folder of images per class")
    parser.add_argument(
        "--base",
        default="mobilenet_v2",
        type=base_name,
        help=f"{', '.join(sorted(BASES))}, torchvision:NAME or timm:NAME",
    )
    parser.add_argument("--weights", default="imagenet", help="imagenet, none, or the path of a weights file")
    parser.add_argument("--image-size", type=int, default=160)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=5, help="epochs for the head, and again for fine-tuning")
    parser.add_argument("--fine-tune-layers", type=int, default=20, help="top layers of the base to unfreeze")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--validation-split", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--output", default="fine_tuned.keras", help="where to save the model")
    return parser.parse_args(argv)


def build(args, classes):
    weights = None if args.weights == "none" else args.weights
    size = (args.image_size, args.image_size, 3)
    zoo, _, name = args.base.partition(":")
    if zoo in ZOOS:
        base = ZOOS[zoo](name, weights=weights, include_top=False, input_shape=size, pooling="avg")
        steps = zoo_preprocessing(base)
    else:
        fn, mode = BASES[args.base]
        base = fn(weights=weights, include_top=False, input_shape=size, pooling="avg")
        steps = preprocessing(mode)
    base.trainable = False
    inputs = keras.Input(size)
    x = inputs
    for layer in steps:
        x = layer(x)
    x = base(x, training=False)  # inference mode for the base's batch normalization, frozen or not
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(classes, activation="softmax", name="classifier")(x)
    return base, keras.Model(inputs, outputs, name=f"{args.base.replace(':', '_')}_fine_tuned")


def train(model, learning_rate, train_loader, val_loader, epochs):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(train_loader, validation_data=val_loader, epochs=epochs, verbose=2)
    return history.history["val_accuracy"][-1]


def main(argv=None):
    args = arguments(argv)
    keras.utils.set_random_seed(args.seed)
    train_loader, val_loader = keras.utils.image_dataset_from_directory(
        args.data,
        image_size=(args.image_size, args.image_size),
        batch_size=args.batch_size,
        seed=args.seed,
        validation_split=args.validation_split,
        subset="both",
    )
    base, model = build(args, len(train_loader.class_names))
    print(f"base {args.base}: {len(base.layers)} layers, {base.count_params():,} parameters, frozen")
    head_accuracy = train(model, args.learning_rate, train_loader, val_loader, args.epochs)
    print(f"head trained: validation accuracy {head_accuracy:.3f}")

    base.trainable = True
    for layer in base.layers[: -args.fine_tune_layers] if args.fine_tune_layers else base.layers:
        layer.trainable = False
    for layer in base.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False  # keep the statistics the base was trained with
    trainable = sum(int(np.prod(w.shape)) for w in base.trainable_weights)
    print(f"fine-tuning the top {args.fine_tune_layers} layers of the base ({trainable:,} parameters)")
    tuned_accuracy = train(model, args.learning_rate / 100, train_loader, val_loader, args.epochs)
    print(f"fine-tuned: validation accuracy {tuned_accuracy:.3f}")
    model.save(args.output)
    print(f"saved to {args.output} (classes: {', '.join(train_loader.class_names)})")
    return model


if __name__ == "__main__":
    main()

"""Data-parallel training on the bundled digits data: the same script on one process, on several processes
of one machine, or on several machines.

``keras.distribution.DataParallel()`` makes the processes train one model together: each process takes its
share of every global batch (``batch_size`` is the global batch size), the gradients are averaged over the
processes before every update, the logged metrics are the global ones, and process 0 alone prints and
writes files. The processes talk with gloo on the CPU, with NCCL on GPUs (each process on its own GPU).

Run it on one process:

    python examples/distributed.py [epochs] [output_folder]

on two processes of this machine (on a GPU machine, ``--nproc-per-node`` is the number of GPUs):

    torchrun --nproc-per-node 2 examples/distributed.py [epochs] [output_folder]

(add ``--standalone`` to let torchrun pick a free port instead of 29500), or on two machines of 4 GPUs
each (the same command on both machines; ``host0`` is the first machine's address, and the output folder
must be one that every machine reads, such as a shared file system):

    torchrun --nnodes 2 --nproc-per-node 4 --rdzv-id digits --rdzv-backend c10d \\
        --rdzv-endpoint host0:29500 examples/distributed.py 20 /shared/digits

Expect about 96% test accuracy after 20 epochs, whatever the number of processes. With an output folder,
the best weights seen on the validation split and the final model are saved there (by process 0).
"""

import os
import sys

import numpy as np

import kerastorch as keras
from kerastorch import layers

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
OUTPUT = sys.argv[2] if len(sys.argv) > 2 else None

# Started by torchrun, this joins the job: the process group, and this process's device.
keras.distribution.set_distribution(keras.distribution.DataParallel())
distribution = keras.distribution.distribution()
keras.utils.set_random_seed(7)  # every process starts from process 0's initial weights anyway

(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train = x_train.astype("float32") / 16.0
x_test = x_test.astype("float32") / 16.0

model = keras.Sequential(
    [
        keras.Input(shape=(8, 8)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ],
    name="digits",
)
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=2e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)

callbacks = []
if OUTPUT:
    callbacks.append(
        keras.callbacks.ModelCheckpoint(
            os.path.join(OUTPUT, "best.weights.safetensors"),
            monitor="val_accuracy",
            save_best_only=True,
            save_weights_only=True,
        )
    )
# batch_size is global: with 2 processes each one trains on 32 samples of every batch of 64.
history = model.fit(
    x_train, y_train, batch_size=64, epochs=EPOCHS, validation_split=0.1, verbose=2, callbacks=callbacks
)
loss, accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)  # over every process's share
if OUTPUT:
    model.save(os.path.join(OUTPUT, "digits.keras"))

if distribution.process_id == 0:
    print(f"processes: {distribution.num_processes}")
    print(f"final validation accuracy: {history.history['val_accuracy'][-1]:.4f}")
    print(f"test accuracy: {accuracy:.4f}")
np.testing.assert_array_less(0.85, accuracy)

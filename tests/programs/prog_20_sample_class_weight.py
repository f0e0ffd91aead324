"""sample_weight and class_weight (the "Training & evaluation" guide): weighted fit, a weighted
evaluate, and weighted metrics (weighted_metrics in compile)."""
import json

import keras
import numpy as np
from keras import layers


def get_model():
    model = keras.Sequential([
        keras.Input(shape=(6,)),
        layers.Dense(10, activation="relu"),
        layers.Dense(3, activation="softmax"),
    ])
    w_rng = np.random.default_rng(0)
    model.set_weights([w_rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-2),
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
        weighted_metrics=[keras.metrics.SparseCategoricalCrossentropy(name="weighted_ce")],
    )
    return model


rng = np.random.default_rng(20)
x_train = rng.normal(size=(60, 6)).astype("float32")
y_train = rng.integers(0, 3, size=(60,))

results = {}
class_weight = {0: 1.0, 1: 0.5, 2: 2.0}
model = get_model()
history = model.fit(x_train, y_train, class_weight=class_weight, batch_size=15, epochs=3, shuffle=False, verbose=0)
results["class_weight_loss"] = float(history.history["loss"][-1])
results["class_weight_weighted_ce"] = float(history.history["weighted_ce"][-1])
results["class_weight_accuracy"] = float(history.history["sparse_categorical_accuracy"][-1])

sample_weight = np.ones(shape=(len(y_train),), dtype="float32")
sample_weight[y_train == 2] = 2.0
sample_weight[:10] = 0.25
model = get_model()
history = model.fit(x_train, y_train, sample_weight=sample_weight, batch_size=15, epochs=3, shuffle=False,
                    verbose=0)
results["sample_weight_loss"] = float(history.history["loss"][-1])
results["sample_weight_weighted_ce"] = float(history.history["weighted_ce"][-1])
evaluation = model.evaluate(x_train, y_train, sample_weight=sample_weight, batch_size=20, return_dict=True,
                            verbose=0)
results["weighted_eval_loss"] = float(evaluation["loss"])
results["weighted_eval_ce"] = float(evaluation["weighted_ce"])
results["unweighted_eval_loss"] = float(model.evaluate(x_train, y_train, batch_size=20, verbose=0)[0])

loss_fn = keras.losses.SparseCategoricalCrossentropy()
probs = model.predict(x_train[:10], verbose=0)
results["loss_fn_weighted"] = float(loss_fn(y_train[:10], probs, sample_weight=np.arange(10, dtype="float32")))

print("RESULT " + json.dumps(results))

"""Tests for ``metrics.get`` / ``serialize`` / ``deserialize`` and Keras config interchange."""

import importlib
import json
import re

import pytest
import torch

import kerastorch
from kerastorch import losses, metrics


def _base_name(name):
    return re.sub(r"_\d+$", "", name)


IMPLEMENTED = [name for name in metrics.__all__ if name[0].isupper() and name != "Metric"]
# metrics whose constructor has required arguments (in Keras 3 too): built with these
REQUIRED = {
    "PrecisionAtRecall": {"recall": 0.5},
    "RecallAtPrecision": {"precision": 0.5},
    "SensitivityAtSpecificity": {"specificity": 0.5},
    "SpecificityAtSensitivity": {"sensitivity": 0.5},
    "IoU": {"num_classes": 3, "target_class_ids": [0, 2]},
    "MeanIoU": {"num_classes": 3},
    "OneHotIoU": {"num_classes": 3, "target_class_ids": [1]},
    "OneHotMeanIoU": {"num_classes": 3},
}


@pytest.mark.parity
def test_get_resolves_every_keras_name_of_an_implemented_metric(keras3):
    from keras.src.metrics import ALL_OBJECTS_DICT

    checked = 0
    for name, cls in ALL_OBJECTS_DICT.items():
        if cls.__name__ not in IMPLEMENTED or cls.__name__ == "MeanMetricWrapper":
            continue
        args = REQUIRED.get(cls.__name__)
        if args is None:
            metric, theirs = metrics.get(name), cls()
        else:  # as in Keras 3, the name alone cannot build it; a config with that name can
            with pytest.raises(TypeError, match="required positional argument"):
                metrics.get(name)
            metric, theirs = metrics.get({"class_name": name, "config": args}), cls(**args)
        assert type(metric).__name__ == cls.__name__, name
        assert _base_name(metric.name) == _base_name(theirs.name)  # Keras numbers the unnamed: auc, auc_1 ...
        checked += 1
    assert checked > 60


def test_get_accepts_instances_classes_dicts_functions_and_none():
    auc = metrics.AUC()
    assert metrics.get(auc) is auc and metrics.get(None) is None
    assert type(metrics.get(metrics.Recall)) is metrics.Recall
    assert type(metrics.get("acc")) is metrics.Accuracy and type(metrics.get("accuracy")) is metrics.Accuracy
    assert metrics.get("MSE").name == "mean_squared_error"
    config = metrics.serialize(metrics.BinaryAccuracy(threshold=0.8, name="ba"))
    rebuilt = metrics.get(config)
    assert type(rebuilt) is metrics.BinaryAccuracy and rebuilt.get_config()["threshold"] == 0.8
    wrapped = metrics.get(losses.mean_absolute_error)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "mean_absolute_error"
    assert wrapped(torch.zeros(2, 2), torch.ones(2, 2)).item() == pytest.approx(1.0)

    def margin(y_true, y_pred):
        return y_pred - y_true

    assert metrics.get(margin).name == "margin"


def test_unknown_identifiers_raise_and_list_valid_names():
    with pytest.raises(ValueError, match="Could not interpret metric identifier: 'acuracy'.*'accuracy'"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match="Could not interpret metric"):
        metrics.get(42)
    with pytest.raises(ValueError, match="Unknown metric"):
        metrics.deserialize({"class_name": "NoSuchMetric", "config": {}})


@pytest.mark.parity
@pytest.mark.parametrize("name", IMPLEMENTED)
def test_keras_configs_load_and_ours_load_in_keras(keras3, name):
    if name == "MeanMetricWrapper":
        theirs = keras3.metrics.MeanMetricWrapper(keras3.metrics.categorical_accuracy, name="w")
    else:
        theirs = getattr(keras3.metrics, name)(**REQUIRED.get(name, {}))
    ours = metrics.deserialize(json.loads(json.dumps(keras3.metrics.serialize(theirs))))
    assert type(ours).__name__ == name and ours.name == theirs.name
    back = keras3.metrics.deserialize(json.loads(json.dumps(metrics.serialize(ours))))
    assert type(back).__name__ == name and back.name == ours.name


def test_public_namespace():
    assert kerastorch.metrics is metrics or importlib.import_module("kerastorch.metrics") is metrics
    for name in metrics.__all__:
        assert hasattr(metrics, name), name
    assert metrics.mean_squared_error is losses.mean_squared_error

"""``keras.wrappers``: scikit-learn estimators around models (targets prepared as Keras 3 prepares them, the
estimator API that pipelines, searches and ``clone`` rely on, clear errors); scikit-learn stays optional."""

import importlib.util
import sys

import numpy as np
import pytest

import kerastorch as keras

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from kerastorch.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402


def _builder(record=None, activation="softmax", loss="categorical_crossentropy"):
    def build(X, y, units=4):
        if record is not None:
            record.append((X, y))
        inputs = keras.Input((X.shape[1],))
        hidden = keras.layers.Dense(units, activation="relu")(inputs)
        model = keras.Model(inputs, keras.layers.Dense(y.shape[1], activation=activation)(hidden))
        model.compile(loss=loss, optimizer="sgd")
        return model

    return build


def _data(n=24, features=3, seed=0):
    return np.random.default_rng(seed).normal(size=(n, features))


def test_classifier_encodes_labels_and_predicts_them():
    record = []
    X, y = _data(), np.array(["b", "c", "a"] * 8)
    est = SKLearnClassifier(_builder(record), model_kwargs={"units": 5}, fit_kwargs={"epochs": 3, "verbose": 0})
    assert est.epoch_ == 0
    assert est.fit(X, y, epochs=2) is est  # fit's own arguments win over fit_kwargs
    ((seen_X, seen_y),) = record
    np.testing.assert_array_equal(seen_X, X)
    np.testing.assert_array_equal(seen_y, np.eye(3)[[1, 2, 0] * 8])
    assert est.classes_.tolist() == ["a", "b", "c"] and est.n_features_in_ == 3
    assert est.epoch_ == 2 and len(est.history_.history["loss"]) == 2
    assert est.model_.get_layer(index=1).units == 5
    scores = est.decision_function(X)
    assert scores.shape == (24, 3)
    np.testing.assert_array_equal(est.predict(X), est.classes_[scores.argmax(axis=1)])
    assert 0.0 <= est.score(X, y) <= 1.0


def test_targets_and_tags_match_keras(keras3):
    theirs_seen, ours_seen = [], []

    def their_build(X, y):
        theirs_seen.append(y)
        inputs = keras3.Input((X.shape[1],))
        model = keras3.Model(inputs, keras3.layers.Dense(y.shape[1])(inputs))
        model.compile(loss="mse", optimizer="sgd")
        return model

    def our_build(X, y):
        ours_seen.append(y)
        inputs = keras.Input((X.shape[1],))
        model = keras.Model(inputs, keras.layers.Dense(y.shape[1])(inputs))
        model.compile(loss="mse", optimizer="sgd")
        return model

    wrappers = keras3.wrappers
    X = _data(12)
    for labels in (np.array([3, 7] * 6), np.array(["x", "y", "z", "x"] * 3)):
        wrappers.SKLearnClassifier(their_build, fit_kwargs={"verbose": 0}).fit(X, labels)
        SKLearnClassifier(our_build, fit_kwargs={"verbose": 0}).fit(X, labels)
    targets = np.arange(12.0)
    for their_class, our_class in (
        (wrappers.SKLearnRegressor, SKLearnRegressor),
        (wrappers.SKLearnTransformer, SKLearnTransformer),
    ):
        their_class(their_build, fit_kwargs={"verbose": 0}).fit(X, targets)
        our_class(our_build, fit_kwargs={"verbose": 0}).fit(X, targets)
    assert len(ours_seen) == len(theirs_seen) == 4
    for ours, theirs in zip(ours_seen, theirs_seen):
        np.testing.assert_array_equal(ours, theirs)
    for their_class, our_class in (
        (wrappers.SKLearnClassifier, SKLearnClassifier),
        (wrappers.SKLearnRegressor, SKLearnRegressor),
        (wrappers.SKLearnTransformer, SKLearnTransformer),
    ):
        assert our_class(our_build).__sklearn_tags__() == their_class(their_build).__sklearn_tags__()
        assert sorted(our_class(our_build).get_params()) == sorted(their_class(their_build).get_params())


def test_regressor_and_transformer():
    X = _data(64)
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3

    def build(X, y):
        model = keras.Sequential([keras.Input((X.shape[1],)), keras.layers.Dense(y.shape[1])])
        model.compile(loss="mse", optimizer=keras.optimizers.SGD(0.1))
        return model

    est = SKLearnRegressor(build, fit_kwargs={"epochs": 60, "verbose": 0}).fit(X, y)
    prediction = est.predict(X)
    assert prediction.shape == (64,)
    assert est.score(X, y) > 0.99
    transformer = SKLearnTransformer(build, fit_kwargs={"verbose": 0})
    features = transformer.fit_transform(X, y)
    assert features.shape == (64, 1)
    assert transformer.predict(X).shape == (64,)
    np.testing.assert_array_equal(transformer.transform(X), features)


def test_a_given_model_is_cloned_unless_warm_start():
    X, y = _data(), np.array([0, 1] * 12)
    model = _builder()(X=X, y=np.zeros((24, 2)))
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01))
    weights = model.get_weights()
    est = SKLearnClassifier(model, fit_kwargs={"verbose": 0}).fit(X, y)
    assert est.model_ is not model
    assert type(est.model_.optimizer).__name__ == "Adam" and est.model_.optimizer is not model.optimizer
    assert est.model_.get_compile_config()["loss"] == "categorical_crossentropy"
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))  # the given model is untouched

    warm = SKLearnClassifier(model, warm_start=True, fit_kwargs={"verbose": 0}).fit(X, y)
    assert warm.model_ is model
    trained = model.get_weights()
    warm.fit(X, y, epochs=0)
    assert warm.model_ is model and all(np.array_equal(a, b) for a, b in zip(trained, model.get_weights()))

    record = []
    rebuilt = SKLearnClassifier(_builder(record), fit_kwargs={"verbose": 0})
    rebuilt.fit(X, y)
    first = rebuilt.model_
    rebuilt.fit(X, y)
    assert rebuilt.model_ is not first and len(record) == 2
    reused = SKLearnClassifier(_builder(record), warm_start=True, fit_kwargs={"verbose": 0})
    reused.fit(X, y)
    first = reused.model_
    reused.fit(X, y)
    assert reused.model_ is first and len(record) == 3


def test_errors():
    X, y = _data(), np.array([0, 1, 2] * 8)
    build = _builder()
    with pytest.raises(NotFittedError):
        SKLearnClassifier(build).predict(X)
    fitted = SKLearnClassifier(build, fit_kwargs={"verbose": 0}).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but SKLearnClassifier is expecting 3"):
        fitted.predict(X[:, :2])
    with pytest.raises(ValueError, match="1d array"):
        SKLearnRegressor(build).fit(X, np.zeros((24, 2)))
    with pytest.raises(ValueError, match="NaN"):
        SKLearnRegressor(build).fit(np.full((4, 3), np.nan), np.zeros(4))
    with pytest.raises(ValueError, match=r"model_kwargs must not contain \['X'\]"):
        SKLearnRegressor(build, model_kwargs={"X": 1}).fit(X, y)
    with pytest.raises(TypeError, match="must return a compiled kerastorch Model, returned int"):
        SKLearnRegressor(lambda X, y: 3).fit(X, y)
    with pytest.raises(TypeError, match="model must be a compiled kerastorch Model or a function"):
        SKLearnRegressor(3).fit(X, y)
    uncompiled = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(RuntimeError, match="must be compiled, with a loss and an optimizer"):
        SKLearnRegressor(uncompiled).fit(X, y)
    uncompiled.compile(optimizer="sgd")
    with pytest.raises(RuntimeError, match="must be compiled, with a loss and an optimizer"):
        SKLearnRegressor(uncompiled).fit(X, y)
    narrow = SKLearnClassifier(_builder(activation=None, loss="mse"), fit_kwargs={"verbose": 0}).fit(X, y)
    narrow.classes_ = np.array([0, 1, 2, 3])  # a model with fewer outputs than classes
    with pytest.raises(ValueError, match=r"one score per class, shape \(n_samples, 4\), returned shape \(24, 3\)"):
        narrow.predict(X)


def test_scikit_learn_tools_work_with_the_estimators():
    X, y = _data(), np.array([0, 1] * 12)
    est = SKLearnClassifier(_builder(), model_kwargs={"units": 3}, fit_kwargs={"verbose": 0})
    copy = clone(est)
    assert type(copy) is SKLearnClassifier and copy.model is est.model and not hasattr(copy, "model_")
    assert copy.get_params() == est.get_params() and copy.model_kwargs is not est.model_kwargs
    assert est.set_params(warm_start=True).warm_start is True
    pipeline = make_pipeline(StandardScaler(), SKLearnClassifier(_builder(), fit_kwargs={"verbose": 0}))
    search = GridSearchCV(pipeline, {"sklearnclassifier__model_kwargs": [{"units": 2}, {"units": 3}]}, cv=2)
    assert search.fit(X, y).best_params_["sklearnclassifier__model_kwargs"] in ({"units": 2}, {"units": 3})
    scores = cross_val_score(SKLearnClassifier(_builder(), fit_kwargs={"verbose": 0}), X, y, cv=2)
    assert scores.shape == (2,)
    with pytest.raises(RuntimeError, match="enable_metadata_routing=True"):
        est.set_fit_request(sample_weight=True)
    with sklearn.config_context(enable_metadata_routing=True):
        assert est.set_fit_request(sample_weight=True) is est
        assert est.get_metadata_routing().fit.requests == {"sample_weight": True}


def test_a_clear_import_error_without_scikit_learn(monkeypatch):
    spec = importlib.util.find_spec("kerastorch.wrappers.sklearn_wrapper")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # a fresh copy, whose classes are not defined yet
    for name in [n for n in sys.modules if n == "sklearn" or n.startswith("sklearn.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match="need scikit-learn, which is not installed: pip install scikit-learn"):
        module.SKLearnClassifier
    with pytest.raises(AttributeError, match="no attribute 'Other'"):
        module.Other

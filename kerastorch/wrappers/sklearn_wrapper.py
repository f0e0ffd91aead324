"""scikit-learn estimators around kerastorch models: ``SKLearnClassifier``, ``SKLearnRegressor``,
``SKLearnTransformer``.

Each wraps a compiled model, or a function that builds and compiles one from the training data, in the
scikit-learn estimator API, so that it works in pipelines, grid searches and cross-validation:

- ``fit(X, y, **kwargs)`` checks ``X`` (a 2-D numeric array without NaN; ``n_features_in_`` is set) and
  ``y`` (1-D), prepares the targets, gets the model (see ``model`` and ``warm_start`` below), runs
  ``model.fit`` with ``fit_kwargs`` updated by ``kwargs`` and keeps the ``History`` as ``history_``;
- the classifier one-hot encodes the labels (``classes_``, sorted; two columns for two classes) and
  ``predict`` returns the label of the largest output; ``decision_function`` returns the raw outputs;
- the regressor and the transformer train on ``y`` as a column ``(n, 1)``; their ``predict`` returns a
  1-D array again; ``transform`` returns the model's raw outputs (an embedding, say).

``model`` is either a compiled :class:`~kerastorch.Model`, cloned with ``keras.models.clone_model`` and
compiled like it before each fit (new weights), or a callable called as ``model(X=X, y=y,
**model_kwargs)`` with the checked inputs and prepared targets, which returns a compiled model. With
``warm_start=True`` a refit continues training the model of the previous fit, and a given model is
trained itself rather than a clone.

scikit-learn is an optional dependency: it is imported when one of these classes is first used.

Divergences from Keras 3.15, which documents these behaviours but does not have them: ``warm_start=True``
does reuse the model (Keras builds a new one on every fit), ``epoch_`` is the number of epochs of the last
fit (Keras's property fails once fitted), and ``set_fit_request`` records requests for ``fit``.

Example:
    >>> import contextlib, io
    >>> import numpy as np
    >>> import kerastorch as keras
    >>> from kerastorch.wrappers import SKLearnClassifier
    >>> def build(X, y, hidden=8):
    ...     inputs = keras.Input((X.shape[1],))
    ...     x = keras.layers.Dense(hidden, activation="relu")(inputs)
    ...     model = keras.Model(inputs, keras.layers.Dense(y.shape[1], activation="softmax")(x))
    ...     model.compile(loss="categorical_crossentropy", optimizer="adam")
    ...     return model
    >>> X = np.random.default_rng(0).normal(size=(40, 3))
    >>> y = np.where(X[:, 0] > 0, "up", "down")
    >>> est = SKLearnClassifier(build, model_kwargs={"hidden": 4}, fit_kwargs={"epochs": 2, "verbose": 0})
    >>> est.fit(X, y) is est, est.classes_.tolist(), est.n_features_in_
    (True, ['down', 'up'], 3)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # predict's progress bar
    ...     labels = est.predict(X)
    >>> labels.shape, set(labels) <= {"down", "up"}
    ((40,), True)
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np
import numpy.typing as npt

from kerastorch.models import Model, clone_model

_NAMES = ("SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer")
_ESTIMATORS: dict[str, type] = {}  # name -> class, made on first use (module attributes through __getattr__)


def __getattr__(name):
    if name in _NAMES:
        _define_estimators()
        return _ESTIMATORS[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _sklearn():
    """The scikit-learn modules the estimators use (an optional dependency)."""
    try:
        import sklearn
        import sklearn.base
        import sklearn.utils.validation
    except ImportError as error:
        raise ImportError(
            "kerastorch.wrappers.SKLearnClassifier, SKLearnRegressor and SKLearnTransformer need "
            "scikit-learn, which is not installed: pip install scikit-learn"
        ) from error
    return sklearn


class _KerasEstimator:
    """What the three estimators share: construction, fitting, prediction, cloning, tags."""

    _kind = "estimator"
    get_metadata_routing: Callable[[], Any]  # scikit-learn's BaseEstimator provides it (a base of the classes)

    def __init__(
        self,
        model: Model | Callable[..., Model],
        warm_start: bool = False,
        model_kwargs: dict[str, Any] | None = None,
        fit_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    # ------------------------------------------------------------------- fitting
    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike, **kwargs: Any) -> _KerasEstimator:
        """Fit the model.

        Args:
            X: array-like, shape ``(n_samples, n_features)``: the input samples.
            y: array-like, shape ``(n_samples,)``: the targets.
            **kwargs: keyword arguments passed to ``model.fit``; they take precedence over ``fit_kwargs``.

        Returns:
            The estimator itself.

        Raises:
            ValueError: for inputs scikit-learn's checks refuse (not 2-D, NaN, ``y`` not 1-D, lengths that
                differ) or ``model_kwargs`` naming ``X`` or ``y``.
            TypeError: when ``model`` is neither a Model nor a callable returning one.
            RuntimeError: when the model is not compiled with a loss and an optimizer.
        """
        X, y = self._validate(X, y, reset=True)
        y = self._process_target(y, reset=True)
        self.model_ = self._get_model(X, y)
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.update(kwargs)
        self.history_ = self.model_.fit(X, y, **fit_kwargs)
        return self

    def _get_model(self, X, y):
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if isinstance(self.model, Model):
            model = self.model
            if not self.warm_start:
                _check_compiled(model, self)
                config = model.get_compile_config()
                if config is None:
                    raise ValueError(
                        f"{type(self).__name__}: the model is compiled with a torch.optim optimizer, "
                        "which cannot be cloned; pass a function that builds the model, or "
                        "warm_start=True to train the given model itself"
                    )
                model = clone_model(model)
                model.compile_from_config(config)
        elif callable(self.model):
            model_kwargs = dict(self.model_kwargs or {})
            clash = sorted({"X", "y"} & set(model_kwargs))
            if clash:
                raise ValueError(
                    f"{type(self).__name__}: model_kwargs must not contain {clash}; the model "
                    "function receives X and y from fit"
                )
            model = self.model(X=X, y=y, **model_kwargs)
            if not isinstance(model, Model):
                raise TypeError(
                    f"{type(self).__name__}: the model function must return a compiled "
                    f"kerastorch Model, returned {type(model).__name__}"
                )
        else:
            raise TypeError(
                f"{type(self).__name__}: model must be a compiled kerastorch Model or a function "
                f"returning one, received {type(self.model).__name__}"
            )
        _check_compiled(model, self)
        return model

    # ---------------------------------------------------------------- predicting
    def predict(self, X: npt.ArrayLike) -> np.ndarray:
        """Predict using the model.

        Args:
            X: array-like, shape ``(n_samples, n_features)``: the input samples.

        Returns:
            A numpy array: the predicted labels (classifier) or values (``(n_samples,)`` for one output).

        Raises:
            sklearn.exceptions.NotFittedError: before ``fit``.
            ValueError: for ``X`` with another number of features than in ``fit``.
        """
        return self._reverse_process_target(self._raw_predict(X))

    def _raw_predict(self, X):
        sklearn = _sklearn()
        sklearn.utils.validation.check_is_fitted(self)
        X = self._validate(X, reset=False)
        return self.model_.predict(X)

    def _validate(self, X, y=None, reset=True):
        sklearn = _sklearn()
        validate_data = getattr(sklearn.utils.validation, "validate_data", None)
        arguments = {} if y is None else {"y": y, "y_numeric": self._kind != "classifier"}
        if validate_data is not None:  # scikit-learn >= 1.6
            return validate_data(self, X, reset=reset, **arguments)
        return self._validate_data(X, reset=reset, **arguments)

    def _process_target(self, y, reset=False):
        return np.asarray(y).reshape(-1, 1)

    def _reverse_process_target(self, y):
        y = np.asarray(y)
        return y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y

    @property
    def epoch_(self) -> int:
        """The number of epochs the last ``fit`` ran (0 before the first)."""
        history = getattr(self, "history_", None)
        return 0 if history is None else len(history.epoch)

    # --------------------------------------------------------- scikit-learn API
    def __sklearn_clone__(self):
        """An unfitted copy with the same parameters (``sklearn.base.clone`` calls it): the ``model``
        argument is shared (a model given as such is cloned by ``fit`` anyway), the other parameters are
        deep copies."""
        params = self.get_params(deep=False)
        model = params.pop("model")
        return type(self)(model=model, **copy.deepcopy(params))

    def set_fit_request(self, **kwargs: bool | str | None) -> _KerasEstimator:
        """Set the metadata that ``fit`` requests (scikit-learn's metadata routing).

        Args:
            **kwargs: ``param_name=alias``, the alias being True, False, None or a str.

        Returns:
            The estimator itself.

        Raises:
            RuntimeError: when metadata routing is not enabled
                (``sklearn.set_config(enable_metadata_routing=True)``).
        """
        sklearn = _sklearn()
        if not sklearn.get_config().get("enable_metadata_routing", False):
            raise RuntimeError(
                "set_fit_request is only available when metadata routing is enabled: "
                "sklearn.set_config(enable_metadata_routing=True)"
            )
        requests = self.get_metadata_routing()
        for param, alias in kwargs.items():
            requests.fit.add_request(param=param, alias=alias)
        self._metadata_request = requests
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        if tags.target_tags is not None:
            tags.target_tags.required = True
            tags.target_tags.single_output = True
            tags.target_tags.multi_output = False
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True, "requires_y": True, "poor_score": True}


def _check_compiled(model, estimator):
    config = model.get_compile_config() if getattr(model, "compiled", False) else None
    if (
        not getattr(model, "compiled", False)
        or getattr(model, "optimizer", None) is None
        or (config is not None and config.get("loss") is None)
    ):
        raise RuntimeError(
            f"{type(estimator).__name__}: the model must be compiled, with a loss and an "
            "optimizer (model.compile(optimizer=..., loss=...))"
        )


class _ClassifierMethods(_KerasEstimator):
    _kind = "classifier"

    def _process_target(self, y, reset=False):
        classes, indices = np.unique(y, return_inverse=True)
        if reset:
            self.classes_ = classes
        return np.eye(len(classes))[indices.reshape(-1)]

    def _reverse_process_target(self, y):
        y = np.asarray(y)
        if y.ndim != 2 or y.shape[1] != len(self.classes_):
            raise ValueError(
                f"{type(self).__name__}: the model must output one score per class, shape "
                f"(n_samples, {len(self.classes_)}), returned shape {y.shape}"
            )
        return self.classes_[np.argmax(y, axis=1)]

    def decision_function(self, X: npt.ArrayLike) -> np.ndarray:
        """The raw model outputs (one score per class).

        Args:
            X: array-like, shape ``(n_samples, n_features)``: the input samples.

        Returns:
            A numpy array of shape ``(n_samples, n_classes)``.
        """
        return self._raw_predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_label = False
            tags.classifier_tags.poor_score = True
        return tags


class _RegressorMethods(_KerasEstimator):
    _kind = "regressor"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if tags.regressor_tags is not None:
            tags.regressor_tags.poor_score = True
        return tags


class _TransformerMethods(_KerasEstimator):
    _kind = "transformer"

    def transform(self, X: npt.ArrayLike) -> np.ndarray:
        """Transform the data: the model's outputs.

        Args:
            X: array-like, shape ``(n_samples, n_features)``: the input samples.

        Returns:
            A numpy array, the model's outputs (shape ``(n_samples, n_outputs)``).
        """
        return self._raw_predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if tags.target_tags is not None:
            tags.target_tags.required = False  # as Keras declares it
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = []  # the outputs are in the model's dtype
        return tags


_ARGS = """
    Args:
        model: a compiled :class:`~kerastorch.Model`, or a callable returning one. A Model is cloned with
            ``keras.models.clone_model`` (new weights) and compiled like it before each fit, unless
            ``warm_start=True``. A callable is called as ``model(X=X, y=y, **model_kwargs)`` with the checked
            inputs and the prepared targets{targets}.
        warm_start: bool, default False: whether a refit continues from the model of the previous fit (and a
            given Model is trained itself, not cloned).
        model_kwargs: dict, default None: more keyword arguments for ``model`` when it is a callable.
        fit_kwargs: dict, default None: keyword arguments for ``model.fit`` (``epochs``, ``batch_size``,
            ``verbose`` ...); those given to :meth:`fit` take precedence.

    Attributes:
        model_: the fitted Model.
        history_: the ``History`` that ``model.fit`` returned.
        n_features_in_: int, the number of features seen by ``fit``.{attributes}

    Raises:
        ImportError: when scikit-learn is not installed (on first use of the class).
"""

_CLASSIFIER_DOC = (
    """A scikit-learn classifier around a kerastorch model.

    ``fit`` one-hot encodes the labels (any hashable values, sorted into ``classes_``; two classes give two
    columns), so the model ends with one output per class (a softmax, say); ``predict`` returns the label
    of the largest output and ``decision_function`` the outputs themselves. Training has sources of
    randomness (initialization, shuffling): seed them (``keras.utils.set_random_seed``) for reproducible
    fits.
"""
    + _ARGS.format(
        targets=" (one-hot, shape ``(n_samples, n_classes)``)",
        attributes="\n        classes_: numpy array, the class labels.",
    )
    + """
    Example:
        >>> import contextlib, io
        >>> import numpy as np
        >>> import kerastorch as keras
        >>> from kerastorch.wrappers import SKLearnClassifier
        >>> inputs = keras.Input((2,))
        >>> model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
        >>> model.compile(loss="categorical_crossentropy", optimizer="sgd")
        >>> X, y = np.random.default_rng(1).normal(size=(30, 2)), np.array([0, 1, 2] * 10)
        >>> est = SKLearnClassifier(model, fit_kwargs={"verbose": 0}).fit(X, y, epochs=2)
        >>> est.model_ is model, est.epoch_, est.classes_.tolist()
        (False, 2, [0, 1, 2])
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     scores = est.decision_function(X[:4])
        >>> scores.shape
        (4, 3)
"""
)

_REGRESSOR_DOC = (
    """A scikit-learn regressor around a kerastorch model.

    The model trains on ``y`` as a column ``(n_samples, 1)`` (so it ends with one output); ``predict``
    returns a 1-D array and ``score`` the coefficient of determination R².
"""
    + _ARGS.format(targets=" (shape ``(n_samples, 1)``)", attributes="")
    + """
    Example:
        >>> import contextlib, io
        >>> import numpy as np
        >>> import kerastorch as keras
        >>> from kerastorch.wrappers import SKLearnRegressor
        >>> def build(X, y):
        ...     model = keras.Sequential([keras.Input((X.shape[1],)), keras.layers.Dense(y.shape[1])])
        ...     model.compile(loss="mse", optimizer=keras.optimizers.SGD(0.1))
        ...     return model
        >>> X = np.random.default_rng(2).normal(size=(64, 3))
        >>> y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
        >>> est = SKLearnRegressor(build, fit_kwargs={"epochs": 60, "verbose": 0}).fit(X, y)
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     prediction, r2 = est.predict(X), est.score(X, y)
        >>> prediction.shape, bool(r2 > 0.99)
        ((64,), True)
"""
)

_TRANSFORMER_DOC = (
    """A scikit-learn transformer around a kerastorch model (a transformer in scikit-learn's
    sense: a step of a pipeline that maps samples to features, such as an embedding model).

    ``fit`` trains the model on ``(X, y)`` (``y`` as a column, as the regressor does); ``transform``
    returns the model's outputs. To use an already trained model as a fixed step, wrap the fitted
    transformer in ``sklearn.frozen.FrozenEstimator`` (scikit-learn >= 1.6).
"""
    + _ARGS.format(targets=" (shape ``(n_samples, 1)``)", attributes="")
    + """
    Example:
        >>> import contextlib, io
        >>> import numpy as np
        >>> import kerastorch as keras
        >>> from kerastorch.wrappers import SKLearnTransformer
        >>> def build(X, y):
        ...     inputs = keras.Input((X.shape[1],))
        ...     features = keras.layers.Dense(2, activation="tanh", name="features")(inputs)
        ...     model = keras.Model(inputs, keras.layers.Dense(y.shape[1])(features))
        ...     model.compile(loss="mse", optimizer="sgd")
        ...     return model
        >>> X, y = np.ones((10, 4)), np.zeros(10)
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     outputs = SKLearnTransformer(build, fit_kwargs={"verbose": 0}).fit_transform(X, y)
        >>> outputs.shape  # the model's outputs; a model that ends with its features gives those
        (10, 1)
"""
)


# The classes exist once scikit-learn is imported; their examples are collected from here in any case.
__test__ = {
    "SKLearnClassifier": _CLASSIFIER_DOC,
    "SKLearnRegressor": _REGRESSOR_DOC,
    "SKLearnTransformer": _TRANSFORMER_DOC,
}


def _define_estimators():
    """Create the three estimator classes on scikit-learn's bases (imported now)."""
    if _ESTIMATORS:
        return
    sklearn = _sklearn()
    base = sklearn.base
    specs = (
        ("SKLearnClassifier", base.ClassifierMixin, _ClassifierMethods, _CLASSIFIER_DOC),
        ("SKLearnRegressor", base.RegressorMixin, _RegressorMethods, _REGRESSOR_DOC),
        ("SKLearnTransformer", base.TransformerMixin, _TransformerMethods, _TRANSFORMER_DOC),
    )
    for name, mixin, methods, doc in specs:
        _ESTIMATORS[name] = type(
            name, (methods, mixin, base.BaseEstimator), {"__doc__": doc, "__module__": __name__, "__qualname__": name}
        )

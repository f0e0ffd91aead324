"""``keras.wrappers``: scikit-learn estimators around kerastorch models.

``SKLearnClassifier``, ``SKLearnRegressor`` and ``SKLearnTransformer`` (see
``kerastorch.wrappers.sklearn_wrapper``) are scikit-learn estimators, so scikit-learn (an optional
dependency: ``pip install scikit-learn``) is imported when one of them is first used, not with kerastorch.

Example:
    >>> import kerastorch
    >>> sorted(kerastorch.wrappers.__all__)
    ['SKLearnClassifier', 'SKLearnRegressor', 'SKLearnTransformer']
"""

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]


def __getattr__(name):
    if name in __all__:
        from kerastorch.wrappers import sklearn_wrapper

        return getattr(sklearn_wrapper, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)

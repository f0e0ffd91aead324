"""Fixtures of the dataset tests."""

import pytest


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty Keras cache: ``KERAS_HOME`` in the test's temporary folder."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"

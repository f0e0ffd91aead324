"""Fixtures of the ``ops`` tests."""

import pytest


@pytest.fixture
def _cpu():
    """Runs the test with kerastorch's default device set to the CPU (restored afterwards)."""
    import kerastorch

    kerastorch.config.set_device("cpu")
    yield
    kerastorch.config.set_device(None)

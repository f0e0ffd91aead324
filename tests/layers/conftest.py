"""Fixtures shared by the layer tests."""

import pytest

import kerastorch


@pytest.fixture
def _cpu_weights():
    """Run kerastorch on the CPU whatever the machine; CUDA has its own cuda-marked tests.

    Not autouse: the modules that want it opt in with ``pytestmark = pytest.mark.usefixtures("_cpu_weights")``,
    so the other layer tests keep the default device (CUDA when available).
    """
    kerastorch.config.set_device("cpu")
    yield
    kerastorch.config.set_device(None)

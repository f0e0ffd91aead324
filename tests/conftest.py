"""Shared test set-up: hypothesis profiles, Keras 3 for parity tests, CUDA skips."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import hypothesis
import pytest
import torch

# The function-scoped fixtures here (keras3, fresh layer names) need no reset between examples.
_SUPPRESSED = [hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.function_scoped_fixture]
hypothesis.settings.register_profile(
    "ci", max_examples=15, deadline=None, derandomize=True, print_blob=True, suppress_health_check=_SUPPRESSED,
)
hypothesis.settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=_SUPPRESSED)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The tests use tiny tensors: one thread is faster, and immune to OpenMP spinning on a busy machine.
torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
    skip_cuda = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "cuda" in item.keywords and not torch.cuda.is_available():
            item.add_marker(skip_cuda)


@pytest.fixture(scope="session")
def keras3():
    """Keras 3 on its torch backend, for parity tests."""
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("parity tests need KERAS_BACKEND=torch")
    return keras


@pytest.fixture(autouse=True)
def _fresh_names():
    """Each test starts with fresh layer names (dense, dense_1, ...)."""
    import kerastorch

    kerastorch.backend.clear_session()
    yield

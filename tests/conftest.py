"""Shared test set-up: hypothesis profiles, a known state per test, Keras 3 for parity tests, CUDA skips.

No test's outcome depends on which tests ran before it: every test starts with the random generators of
Python, NumPy and torch seeded, fresh layer names and the default settings (float type, image data format,
device, dtype policy), hypothesis re-seeds torch's generator before each example as it does Python's and
NumPy's, and every kerastorch module is imported before the first test (hypothesis draws constants from the
project's imported modules). ``python -m pytest --reverse`` (the ``pytest-reverse`` plugin of the test extra) runs the
suite backwards to check this.
"""

import http.server
import importlib
import os
import pkgutil
import threading

os.environ.setdefault("KERAS_BACKEND", "torch")

import hypothesis
import pytest
import torch

import kerastorch

# The function-scoped fixtures here (keras3, fresh layer names) need no reset between examples.
_SUPPRESSED = [hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.function_scoped_fixture]
# ci: the same examples on every run and machine (derandomized, no example database carried between runs).
hypothesis.settings.register_profile(
    "ci",
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_SUPPRESSED,
)
# mutation (tools/mutate.py): the ci examples, without shrinking a failure (only whether one fails matters)
hypothesis.settings.register_profile(
    "mutation",
    hypothesis.settings.get_profile("ci"),
    phases=[p for p in hypothesis.Phase if p is not hypothesis.Phase.shrink],
)
hypothesis.settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=_SUPPRESSED)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The tests use tiny tensors: one thread is faster, and immune to OpenMP spinning on a busy machine.
torch.set_num_threads(1)

# Hypothesis also draws the numeric and string constants it finds in the project's own modules, collected
# from the modules imported so far: a test's examples would then depend on which tests ran before it (and
# imported more modules). Importing every kerastorch module first gives every test the same constants.
for _module in pkgutil.walk_packages(kerastorch.__path__, "kerastorch."):
    importlib.import_module(_module.name)


class _TorchGlobalGenerator:
    """torch's global generator in the interface of ``random.Random`` that ``hypothesis.register_random``
    takes, so that every hypothesis example starts from the same torch random state."""

    def seed(self, seed):
        torch.manual_seed(seed)

    def getstate(self):
        return torch.random.get_rng_state()

    def setstate(self, state):
        torch.random.set_rng_state(state)


_TORCH_GENERATOR = _TorchGlobalGenerator()  # hypothesis keeps a weak reference only
hypothesis.register_random(_TORCH_GENERATOR)


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
def _known_state():
    """Each test starts from the same state: seeded random generators, fresh layer names (dense, dense_1,
    ...), the default settings."""
    import kerastorch

    kerastorch.backend.clear_session()
    kerastorch.utils.set_random_seed(0)
    kerastorch.config.set_floatx("float32")
    kerastorch.config.set_epsilon(1e-7)
    kerastorch.config.set_image_data_format("channels_last")
    kerastorch.config.set_device(None)
    kerastorch.config.set_max_epochs(None)
    kerastorch.config.set_max_steps_per_epoch(None)
    kerastorch.config.enable_interactive_logging()
    kerastorch.dtype_policies.set_global_policy(None)
    yield


class LocalServer:
    """A local HTTP server for download tests: ``files`` maps paths to bytes, paths in ``truncated`` stop half
    way through their announced length, ``hits`` lists the paths requested; ``posts`` records each POST as
    ``(path, headers, body)``."""

    def __init__(self):
        self.files, self.truncated, self.hits, self.posts = {}, set(), [], []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits.append(self.path)
                data = server.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2] if self.path in server.truncated else data)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.posts.append((self.path, dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server():
    """A :class:`LocalServer` on 127.0.0.1 for the test's duration."""
    server = LocalServer()
    yield server
    server.close()

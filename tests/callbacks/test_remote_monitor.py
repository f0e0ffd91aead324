"""RemoteMonitor posts each epoch's logs to a local server, as a form field or as JSON."""

import json
import urllib.parse

import numpy as np
import pytest

import kerastorch as keras


def _fit(callback, epochs=2):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 2)), np.zeros((4, 1)), epochs=epochs, verbose=0, callbacks=[callback])


def test_logs_are_posted_as_a_form_field_or_as_json(local_server):
    _fit(keras.callbacks.RemoteMonitor(root=local_server.url, headers={"X-Run": "a"}))
    path, headers, body = local_server.posts[1]
    sent = json.loads(urllib.parse.parse_qs(body.decode())["data"][0])
    assert path == "/publish/epoch/end/" and headers["X-Run"] == "a"
    assert sent["epoch"] == 1 and isinstance(sent["loss"], float)
    _fit(keras.callbacks.RemoteMonitor(root=local_server.url, path="/logs", send_as_json=True), epochs=1)
    path, headers, body = local_server.posts[-1]
    assert path == "/logs" and headers["Content-Type"] == "application/json" and json.loads(body)["epoch"] == 0


def test_an_unreachable_server_is_a_warning(local_server):
    root = local_server.url
    local_server.close()
    with pytest.warns(UserWarning, match=f"Could not reach RemoteMonitor root server at {root}"):
        _fit(keras.callbacks.RemoteMonitor(root=root), epochs=1)


@pytest.mark.parametrize("root", ["file:///etc", "ftp://host", "localhost:9000", None])
def test_root_must_be_an_http_address(root):
    with pytest.raises(ValueError, match="`root` must be an http:// or https:// address"):
        keras.callbacks.RemoteMonitor(root=root)

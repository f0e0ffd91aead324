"""``RemoteMonitor``: POST each epoch's logs to a server, as Keras's does (with the standard library).

Example:
    >>> monitor = RemoteMonitor(root="http://localhost:9000", send_as_json=True)
    >>> monitor.url
    'http://localhost:9000/publish/epoch/end/'
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings
from typing import Any

import numpy as np

from kerastorch.callbacks.callback import Callback
from kerastorch.distribution.data_parallel import is_chief_process

__all__ = ["RemoteMonitor"]


class RemoteMonitor(Callback):
    """Sends ``{"epoch": epoch, **logs}`` to ``root + path`` by HTTP POST at the end of every epoch.

    A server that cannot be reached is a warning, and training goes on (as in Keras).

    Args:
        root: str, default ``"http://localhost:9000"``: the server's address.
        path: str, default ``"/publish/epoch/end/"``: the path the logs are posted to.
        field: str, default ``"data"``: the form field holding the JSON text (without ``send_as_json``).
        headers: dict or None, default None: extra HTTP headers.
        send_as_json: bool, default False: send the logs as the JSON body (``application/json``) instead of a
            form field.

    Raises:
        ValueError: If ``root`` is not an ``http://`` or ``https://`` address.

    Example:
        >>> monitor = RemoteMonitor(path="/logs/", headers={"X-Run": "1"})
        >>> monitor.url, monitor.headers
        ('http://localhost:9000/logs/', {'X-Run': '1'})
    """

    def __init__(
        self,
        root: str = "http://localhost:9000",
        path: str = "/publish/epoch/end/",
        field: str = "data",
        headers: dict[str, str] | None = None,
        send_as_json: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(root, str) or urllib.parse.urlsplit(root).scheme not in ("http", "https"):
            raise ValueError(
                f"RemoteMonitor: argument `root` must be an http:// or https:// address; received {root!r}"
            )
        self.root, self.path, self.field = root, path, field
        self.headers = dict(headers or {})
        self.send_as_json = bool(send_as_json)

    @property
    def url(self) -> str:
        """Where the logs go: ``root + path``."""
        return self.root + self.path

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if not is_chief_process():  # data-parallel training: process 0 sends the logs
            return
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        if self.send_as_json:
            body, kind = json.dumps(send).encode("utf-8"), "application/json"
        else:
            body, kind = (
                urllib.parse.urlencode({self.field: json.dumps(send)}).encode("ascii"),
                "application/x-www-form-urlencoded",
            )
        headers = {"Content-Type": kind, **self.headers}
        request = urllib.request.Request(self.url, data=body, method="POST", headers=headers)  # noqa: S310 - http(s)
        try:
            with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - the user's own server
                pass
        except (urllib.error.URLError, OSError) as error:
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root} ({error})", stacklevel=2)

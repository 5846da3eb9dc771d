"""A real HTTP server on 127.0.0.1 for tests: uvicorn runs an ASGI app in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

__all__ = ["serve_app"]


@contextmanager
def serve_app(app: Any, *, startup_timeout: float = 10.0) -> Iterator[str]:
    """Serve *app* on a free port of 127.0.0.1 and yield its base URL (no trailing slash)."""
    # Binding the socket here and handing it to uvicorn leaves no window for a port race.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # surfaced in the test thread below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if failure or not thread.is_alive():
                raise RuntimeError(f"uvicorn exited before serving on port {port}") from (
                    failure[0] if failure else None
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"uvicorn did not start within {startup_timeout} s")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

"""A tiny OpenAI-compatible server on 127.0.0.1 for the LLM voice tests (never the internet)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Stub(ThreadingHTTPServer):
    """Answers every POST with ``reply`` (JSON, or raw bytes) and ``status``; keeps the requests."""

    reply: Any = None
    status = 200
    requests: list[dict[str, Any]]


class Handler(BaseHTTPRequestHandler):
    server: Stub

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
        )
        reply = self.server.reply
        raw = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
        pass


@contextmanager
def running() -> Iterator[Stub]:
    """A stub server on a free port of 127.0.0.1, shut down afterwards."""
    server = Stub(("127.0.0.1", 0), Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url_of(server: Stub) -> str:
    """The stub's base URL."""
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def answer(text: Any) -> dict[str, Any]:
    """A chat-completions answer whose message content is *text*."""
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}

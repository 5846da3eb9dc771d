"""The app's own ASGI middleware: admission, security headers, the upload limit.

Plain ASGI rather than Starlette's ``BaseHTTPMiddleware``: that one runs every request
through an extra task and memory stream, which cost more than the draft check itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SECURITY_HEADERS", "Admit", "BodyLimit", "SecurityHeaders"]

#: Sent with every response: no framing, no MIME sniffing, only our own scripts and styles
#: (inline style attributes are used for bar widths; there are no inline scripts).
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
_RAW_HEADERS = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]


class Admit:
    """Let at most *limit* HTTP requests in at once; the others wait, first come first served."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.gate = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with self.gate:
            await self.app(scope, receive, send)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in _RAW_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses a request whose declared body is over *limit* bytes before reading any of it.

    *refuse* builds the response (the JSON error or the error page) from the request and the
    declared length.
    """

    def __init__(self, app: ASGIApp, limit: int, refuse: Callable[[Request, int], Any]) -> None:
        self.app = app
        self.limit = limit
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers", ()):
                if name == b"content-length":
                    length = value.decode("latin-1")
                    if length.isdigit() and int(length) > self.limit:
                        response = self.refuse(Request(scope, receive), int(length))
                        await response(scope, receive, send)
                        return
                    break
        await self.app(scope, receive, send)

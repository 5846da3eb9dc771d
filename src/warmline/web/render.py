"""Jinja2 templates of the pages, and the helpers every page uses."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from warmline.engine.labels import ANTI_PATTERNS

_templates: Jinja2Templates | None = None


def templates() -> Jinja2Templates:
    """The template environment (built once; templates ship inside the package)."""
    global _templates
    if _templates is None:
        folder = resources.files("warmline.web").joinpath("templates")
        _templates = Jinja2Templates(directory=str(folder))
        env = _templates.env
        env.filters["label"] = label_name
        env.filters["when"] = when
        env.globals["ANTI_PATTERNS"] = frozenset(ANTI_PATTERNS)
    return _templates


def label_name(label: str | None) -> str:
    """``acknowledge_emotion`` → ``Acknowledge emotion``."""
    return (label or "").replace("_", " ").capitalize()


def when(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A timestamp for display (UTC)."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    return value.strftime(fmt)


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render template *name* with the common context (the user, their CSRF token)."""
    caller = getattr(request.state, "caller", None)
    base = {
        "user": caller.view if caller else None,
        "csrf": caller.csrf if caller else "",
        "path": request.url.path,
    }
    return templates().TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    """The error page."""
    return page(request, "error.html", status_code=status, status=status, message=message)


__all__ = ["label_name", "page", "render_error", "templates", "when"]

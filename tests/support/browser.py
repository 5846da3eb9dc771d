"""Headless Chromium for page tests: Debian's /usr/bin/chromium driven by Playwright.

`playwright install` needs a download, which CI machines may not allow, so the browser is the
distribution's package and Playwright only supplies the driver.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, ViewportSize

__all__ = [
    "CHROMIUM",
    "INSTALL_HINT",
    "SCREENSHOTS",
    "VIEWPORT",
    "launch_chromium",
    "missing_browser",
    "screenshot",
]

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = (
    "install chromium and fonts (apt-get install chromium fonts-dejavu-core) and the test "
    "extras (pip install -e '.[test]', which brings playwright)"
)
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


def missing_browser() -> str | None:
    """Why page tests cannot run here, or None when Chromium and Playwright are both present."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} not found"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is not installed"
    return None


def launch_chromium(playwright: Playwright) -> Browser:
    """Launch /usr/bin/chromium headless (sandbox off under root, where it cannot start)."""
    args = ["--disable-dev-shm-usage"]  # containers often give /dev/shm only 64 MB
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG of *page* as tests/screenshots/<name>.png and return its path."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, base: str, email: str, password: str, *, target: str | None = None) -> None:
    """Log in through the form; with *target*, wait until the browser lands there."""
    page.goto(f"{base}/login" + (f"?next={target}" if target else ""))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    # generous: password hashing on a loaded CI machine can take many seconds
    with page.expect_navigation(url=f"{base}{target}" if target else None, timeout=60_000):
        page.click("button[type=submit]")

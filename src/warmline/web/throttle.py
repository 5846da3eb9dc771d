"""Rate limiting with sliding windows: :class:`SlidingWindow` counts events per key, and
:class:`LoginThrottle` uses it for logins. After too many failed passwords for one account, or
from one address, further attempts are refused for a while, whatever the password. An address
gets four times the account allowance, since many people may share one (an office, a reverse
proxy). The public survey pages count their requests per address with a window of their own.

Counts live in the process (a restart forgets them); behind several app processes each one
counts on its own, so the effective limit is per process.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from threading import Lock

from warmline.engine.errors import WarmlineError

#: Failed attempts allowed per account within the window (an address: four times as many).
MAX_FAILURES = 5
ADDRESS_FACTOR = 4
#: The window, in seconds.
WINDOW_S = 15 * 60


class TooManyAttempts(WarmlineError):
    """Logins for this account or from this address are paused; ``retry_after`` in seconds."""

    def __init__(self, retry_after: int, what: str = "failed logins") -> None:
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            f"too many {what}; try again in {minutes} minute{'s' if minutes > 1 else ''}"
        )


class SlidingWindow:
    """Counts events per key over the last *window_s* seconds; a key at its limit must wait."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        what: str = "requests",
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.what = what
        self._clock = clock
        self._events: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    def allowance(self, key: str) -> int:
        """How many events *key* may have within the window."""
        return self.limit

    def check(self, keys: tuple[str, ...]) -> None:
        """Raise :class:`TooManyAttempts` if any key has used up its allowance."""
        now = self._clock()
        with self._lock:
            wait = 0.0
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.allowance(key):
                    wait = max(wait, times[0] + self.window_s - now)
        if wait > 0:
            raise TooManyAttempts(math.ceil(wait), self.what)

    def record(self, keys: tuple[str, ...]) -> None:
        """Count one event against every key."""
        now = self._clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def forget(self, key: str) -> None:
        """Clear *key*'s count."""
        with self._lock:
            self._events.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._events[key]
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times


#: Requests to the public survey pages allowed per client address within the window: a
#: customer opens and answers a survey in two or three requests; a scanner needs thousands.
SURVEY_REQUESTS = 30
SURVEY_WINDOW_S = 10 * 60


def survey_window() -> SlidingWindow:
    """The per-address limit of the public survey pages (/s/...)."""
    return SlidingWindow(SURVEY_REQUESTS, SURVEY_WINDOW_S, what="survey requests from your address")


class LoginThrottle(SlidingWindow):
    """Sliding-window count of failed logins per key (``email:...`` and ``ip:...``)."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(max_failures, window_s, clock, what="failed logins")
        self.max_failures = max_failures

    def allowance(self, key: str) -> int:
        """An account's allowance; an address gets :data:`ADDRESS_FACTOR` times as many."""
        return self.max_failures * (ADDRESS_FACTOR if key.startswith("ip:") else 1)

    @staticmethod
    def keys(email: str, address: str | None) -> tuple[str, ...]:
        """The keys one login attempt counts against."""
        return (f"email:{email.strip().lower()}", f"ip:{address or 'unknown'}")

    def failed(self, keys: tuple[str, ...]) -> None:
        """Count a wrong password against every key."""
        self.record(keys)

    def succeeded(self, keys: tuple[str, ...]) -> None:
        """A right password clears the account's count (not the address's)."""
        for key in keys:
            if key.startswith("email:"):
                self.forget(key)


__all__ = [
    "ADDRESS_FACTOR",
    "MAX_FAILURES",
    "WINDOW_S",
    "LoginThrottle",
    "SURVEY_REQUESTS",
    "SURVEY_WINDOW_S",
    "SlidingWindow",
    "TooManyAttempts",
    "survey_window",
]

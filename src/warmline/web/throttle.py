"""Login rate limiting: after too many failed passwords for one account, or from one address,
further attempts are refused for a while, whatever the password. An address gets four times
the account allowance, since many people may share one (an office, a reverse proxy).

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

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            f"too many failed logins; try again in {minutes} minute{'s' if minutes > 1 else ''}"
        )


class LoginThrottle:
    """Sliding-window count of failed logins per key (``email:...`` and ``ip:...``)."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    @staticmethod
    def keys(email: str, address: str | None) -> tuple[str, ...]:
        """The keys one login attempt counts against."""
        return (f"email:{email.strip().lower()}", f"ip:{address or 'unknown'}")

    def check(self, keys: tuple[str, ...]) -> None:
        """Raise :class:`TooManyAttempts` if any key has used up its failures."""
        now = self._clock()
        with self._lock:
            wait = 0.0
            for key in keys:
                times = self._recent(key, now)
                allowed = self.max_failures * (ADDRESS_FACTOR if key.startswith("ip:") else 1)
                if len(times) >= allowed:
                    wait = max(wait, times[0] + self.window_s - now)
        if wait > 0:
            raise TooManyAttempts(math.ceil(wait))

    def failed(self, keys: tuple[str, ...]) -> None:
        """Count a wrong password against every key."""
        now = self._clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, keys: tuple[str, ...]) -> None:
        """A right password clears the account's count (not the address's)."""
        with self._lock:
            for key in keys:
                if key.startswith("email:"):
                    self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times


__all__ = ["ADDRESS_FACTOR", "MAX_FAILURES", "WINDOW_S", "LoginThrottle", "TooManyAttempts"]

"""Login throttling that slows guessing without letting anyone lock a user out.

Three counters, each of failures only (a success or an attempt on another account never
counts against an address):

- **per account**, from browsers the account has not signed in from before: the first
  ``free_failures`` cost nothing; after that each attempt must wait an exponentially growing
  delay (``base_delay_s`` doubling, at most ``max_delay_s``) after the latest failure. Attempts
  made during the delay are refused without checking the password and are not counted, so
  an attacker cannot stretch the delay beyond ``max_delay_s``; the right password always gets
  in after at most that long.
- **per trusted device**: a browser that signed in to the account before carries a device
  cookie (``harness.accounts.devices``) and skips the account's delay and the address's limit,
  so a user at their usual browser is never locked out by someone else's guessing. Its own
  failures are counted; after ``device_failures`` the cookie is no longer trusted.
- **per address**: ``address_failures`` failures in ``window_s`` from one client address
  (after trusted-proxy handling, ``harness.accounts.addresses``) refuse further untrusted
  attempts from it until the oldest failure ages out.

State lives in this process (one API process is the supported deployment of the web app);
restarting it forgets the counters, which only ever errs towards letting users in.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LoginThrottle", "ThrottlePolicy"]


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 5
    base_delay_s: float = 2.0
    max_delay_s: float = 300.0
    window_s: float = 900.0
    """Failures older than this are forgotten."""
    address_failures: int = 30
    device_failures: int = 5


class LoginThrottle:
    """The three counters, thread-safe, with an injectable monotonic clock."""

    def __init__(
        self,
        policy: ThrottlePolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or ThrottlePolicy()
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.policy.window_s:
            q.popleft()
        return q

    def _account_wait(self, account: str, now: float) -> float:
        q = self._recent(f"account:{account}", now)
        extra = len(q) - self.policy.free_failures
        if extra < 0:
            return 0.0
        delay = min(self.policy.max_delay_s, self.policy.base_delay_s * 2.0**extra)
        return max(0.0, q[-1] + delay - now)

    def _address_wait(self, address: str, now: float) -> float:
        q = self._recent(f"address:{address}", now)
        if len(q) < self.policy.address_failures:
            return 0.0
        return max(0.0, q[0] + self.policy.window_s - now)

    def device_trusted(self, device: str | None) -> bool:
        """Whether a device id (from a valid cookie) is still trusted."""
        if not device:
            return False
        with self._lock:
            q = self._recent(f"device:{device}", self.clock())
            return len(q) < self.policy.device_failures

    def retry_after(self, *, account: str, address: str, device: str | None) -> int:
        """Whole seconds to wait before this attempt is looked at; 0 to go ahead."""
        if self.device_trusted(device):
            return 0
        now = self.clock()
        with self._lock:
            wait = max(
                self._account_wait(account.lower(), now), self._address_wait(address, now)
            )
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, *, account: str, address: str, device: str | None) -> None:
        now = self.clock()
        trusted = self.device_trusted(device)
        with self._lock:
            if trusted:
                self._recent(f"device:{device}", now).append(now)
            else:
                self._recent(f"account:{account.lower()}", now).append(now)
                self._recent(f"address:{address}", now).append(now)
            if len(self._failures) > 20_000:  # bound memory under a spray of names
                self._failures = {k: v for k, v in self._failures.items() if v}

    def succeeded(self, *, account: str, device: str | None) -> None:
        """The account's (and the device's) failures are forgiven; the address's are not."""
        with self._lock:
            self._failures.pop(f"account:{account.lower()}", None)
            if device:
                self._failures.pop(f"device:{device}", None)

"""Throttles of the login form, wall tokens and reveals, on the ``limits`` library: Redis when
``REDIS_URL`` is set (shared by every worker and host), memory otherwise.

Why ``limits`` and not Flask-Limiter's decorators: ``limits`` is the storage and window engine
under Flask-Limiter, and the part that fits. The decorators count *requests to a route*; here
the counted events are decided inside the handler — a wrong password for one account from one
address, a refused wall token, a reveal of a name in a Dash callback — and a refusal must
render the login page (429) and write an aggregated audit row, not a generic error.

Policies (settings, per fixed window of ``LOGIN_LOCKOUT_MINUTES``):

- login: ``LOGIN_MAX_FAILURES`` failures per (account, address), and
  ``LOGIN_ADDRESS_MAX_FAILURES`` per address across accounts. There is no account-wide lock:
  a stranger's failures cannot keep the owner out, who logs in from an address with none;
- wall tokens: ``WALL_REFUSED_MAX`` refused tokens per address, then 429 without a lookup;
- reveals: ``REVEAL_LIMIT_PER_HOUR`` per user and hour.

Refusals are counted too, so the audit log gets one row at the 1st, 10th, 100th, … refusal of
an address in a window (with the count) instead of one per request.
"""

from __future__ import annotations

from limits import RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

#: A counter that never refuses: only its count is read (aggregated audit rows).
_COUNTER_AMOUNT = 10**9


def audit_due(count: int) -> bool:
    """Whether the ``count``-th event of a window gets an audit row (1, 10, 100, …)."""
    while count >= 10 and count % 10 == 0:
        count //= 10
    return count == 1


class Throttles:
    """Every counter of the authentication layer, on one ``limits`` storage."""

    def __init__(self, storage_uri: str, *, login_max: int = 10, address_max: int = 30,
                 wall_max: int = 10, window_minutes: int = 15, reveals_per_hour: int = 20):
        self.storage = storage_from_string(storage_uri)
        self.limiter = FixedWindowRateLimiter(self.storage)
        minutes = max(1, window_minutes)
        self.window_minutes = minutes
        self.login_pair = RateLimitItemPerMinute(login_max, minutes)
        self.login_address = RateLimitItemPerMinute(address_max, minutes)
        self.wall_address = RateLimitItemPerMinute(wall_max, minutes)
        self.refusals = RateLimitItemPerMinute(_COUNTER_AMOUNT, minutes)
        self.reveals = RateLimitItemPerHour(reveals_per_hour, 1)

    # --- generic ----------------------------------------------------------------------------

    def _count(self, item, *keys: str) -> int:
        stats = self.limiter.get_window_stats(item, *keys)
        return item.amount - stats.remaining

    def _blocked(self, item, *keys: str) -> bool:
        return self._count(item, *keys) >= item.amount

    # --- login ------------------------------------------------------------------------------

    @staticmethod
    def _account(username: str) -> str:
        return (username or "").strip().lower()[:128]

    def login_blocked(self, addr: str, username: str) -> str | None:
        """``"address"`` or ``"account"`` (the pair) when this attempt must be refused."""
        if self._blocked(self.login_address, "login-addr", addr):
            return "address"
        if self._blocked(self.login_pair, "login", addr, self._account(username)):
            return "account"
        return None

    def login_failed(self, addr: str, username: str) -> None:
        self.limiter.hit(self.login_address, "login-addr", addr)
        self.limiter.hit(self.login_pair, "login", addr, self._account(username))

    def login_succeeded(self, addr: str, username: str) -> None:
        """The pair starts afresh; the address keeps its count (others may share it)."""
        self.limiter.clear(self.login_pair, "login", addr, self._account(username))

    # --- wall tokens ------------------------------------------------------------------------

    def wall_blocked(self, addr: str) -> bool:
        return self._blocked(self.wall_address, "wall", addr)

    def wall_refused(self, addr: str) -> None:
        self.limiter.hit(self.wall_address, "wall", addr)

    # --- refusals, counted for the audit log ------------------------------------------------

    def refusal(self, kind: str, addr: str) -> int:
        """Count one refusal of ``kind`` from ``addr``; returns the count in this window."""
        self.limiter.hit(self.refusals, "refused", kind, addr)
        return self._count(self.refusals, "refused", kind, addr)

    # --- reveals ----------------------------------------------------------------------------

    def reveal_allowed(self, user_key: str) -> bool:
        """Count one reveal of ``user_key``; False when over the hourly limit (not counted)."""
        if self._blocked(self.reveals, "reveal", user_key):
            return False
        return self.limiter.hit(self.reveals, "reveal", user_key)


def make_throttles(settings) -> Throttles:
    """The throttles of ``settings`` (Redis when ``redis_url`` is set)."""
    uri = settings.redis_url or "memory://"
    return Throttles(uri, login_max=settings.login_max_failures,
                     address_max=settings.login_address_max_failures,
                     wall_max=settings.wall_refused_max,
                     window_minutes=settings.login_lockout_minutes,
                     reveals_per_hour=settings.reveal_limit_per_hour)

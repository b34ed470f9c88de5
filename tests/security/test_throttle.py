"""Login throttling that cannot be turned against users (issue 11): exponential back-off per
account that always lets the right password in after a bounded wait, per-address limits that
count failures only, device cookies that keep a user's own browser out of an attacker's
lockout, and client addresses taken from trusted proxies only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from api.security import client_address
from harness.accounts.devices import DEVICE_COOKIE, issue_device, read_device
from harness.accounts.throttle import LoginThrottle, ThrottlePolicy
from tests.api.fixtures import Env, csrf_from
from tests.db.factories import PASSWORD, make_reviewer


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _throttle(**policy: float) -> tuple[LoginThrottle, FakeClock]:
    clock = FakeClock()
    return LoginThrottle(ThrottlePolicy(**policy), clock=clock), clock  # type: ignore[arg-type]


def test_back_off_grows_exponentially_and_stops_at_its_cap() -> None:
    throttle, clock = _throttle(free_failures=5, base_delay_s=2, max_delay_s=300)
    waits = []
    for _ in range(14):
        assert throttle.retry_after(account="a", address="1.1.1.1", device=None) == 0
        throttle.failed(account="a", address="1.1.1.1", device=None)
        waits.append(throttle.retry_after(account="a", address="1.1.1.1", device=None))
        clock.t += waits[-1]  # the guesser waits exactly as long as told
    assert waits[:4] == [0, 0, 0, 0]  # four failures are free; the fifth starts the delay
    assert waits[4:9] == [3, 5, 9, 17, 33]  # 2, 4, 8, 16, 32 s (+1 rounding up)
    assert max(waits) == 301 and waits[-1] == 301  # never more than the 300 s cap


def test_attempts_during_the_delay_do_not_stretch_it_and_the_right_password_gets_in() -> None:
    throttle, clock = _throttle(free_failures=5, base_delay_s=2, max_delay_s=300)
    for _ in range(20):  # a guesser that ignores the delay and keeps hammering
        if throttle.retry_after(account="a", address="6.6.6.6", device=None) == 0:
            throttle.failed(account="a", address="6.6.6.6", device=None)
        clock.t += 0.5
    wait = throttle.retry_after(account="a", address="9.9.9.9", device=None)
    assert 0 < wait <= 301  # the owner, elsewhere, waits a bounded time ...
    clock.t += wait
    assert throttle.retry_after(account="a", address="9.9.9.9", device=None) == 0  # ... then tries
    throttle.succeeded(account="a", device=None)
    assert throttle.retry_after(account="a", address="6.6.6.6", device=None) == 0


def test_the_address_limit_counts_failures_not_attempts_on_other_accounts() -> None:
    throttle, clock = _throttle(free_failures=5, address_failures=6)
    office = "10.0.0.1"  # a shared address: many people sign in from it
    for person in range(40):  # forty colleagues sign in successfully: no failure counted
        assert throttle.retry_after(account=f"p{person}", address=office, device=None) == 0
        throttle.succeeded(account=f"p{person}", device=None)
    for _ in range(5):  # one colleague mistypes five times
        throttle.failed(account="typo", address=office, device=None)
    assert throttle.retry_after(account="other", address=office, device=None) == 0  # near miss
    throttle.failed(account="typo", address=office, device=None)  # the sixth failure
    assert throttle.retry_after(account="other", address=office, device=None) > 0
    assert throttle.retry_after(account="other", address="10.0.0.2", device=None) == 0
    clock.t += 901  # failures age out of the window
    assert throttle.retry_after(account="other", address=office, device=None) == 0


def test_a_trusted_device_skips_the_lockout_until_it_fails_too_often() -> None:
    throttle, _clock = _throttle(free_failures=5, device_failures=3)
    for _ in range(30):
        throttle.failed(account="a", address="6.6.6.6", device=None)
    assert throttle.retry_after(account="a", address="6.6.6.6", device=None) > 0
    assert throttle.retry_after(account="a", address="6.6.6.6", device="a:laptop") == 0
    for _ in range(3):  # the device itself guessing wrong loses its trust
        throttle.failed(account="a", address="6.6.6.6", device="a:laptop")
    assert not throttle.device_trusted("a:laptop")
    assert throttle.retry_after(account="a", address="6.6.6.6", device="a:laptop") > 0


def test_device_cookies_are_signed_bound_to_an_account_and_expire() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    value = issue_device("k" * 40, 7, now)
    device = read_device("k" * 40, value, now)
    assert device is not None and device.reviewer_id == 7
    assert read_device("other-secret" * 4, value, now) is None
    assert read_device("k" * 40, value.replace("7.", "8.", 1), now) is None  # another account
    assert read_device("k" * 40, value, now + timedelta(days=91)) is None
    assert read_device("k" * 40, value, now + timedelta(days=89)) is not None


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 5000), "headers": headers})


def test_client_address_believes_forwarded_for_only_from_trusted_proxies() -> None:
    proxies = ["10.0.0.0/24"]
    assert client_address(_request("10.0.0.5", "203.0.113.7"), proxies) == "203.0.113.7"
    # A client cannot choose its address: what it wrote is left of the proxy's entry.
    assert client_address(_request("10.0.0.5", "1.2.3.4, 203.0.113.7"), proxies) == "203.0.113.7"
    assert client_address(_request("10.0.0.5", "203.0.113.7, 10.0.0.9"), proxies) == "203.0.113.7"
    # Near misses: an untrusted peer's header is ignored, and so is any without proxies set.
    assert client_address(_request("198.51.100.1", "203.0.113.7"), proxies) == "198.51.100.1"
    assert client_address(_request("10.0.0.5", "203.0.113.7"), []) == "10.0.0.5"
    assert client_address(_request("10.0.0.5", "not-an-ip"), proxies) == "10.0.0.5"


def _try(client: TestClient, email: str, password: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers or {},
    )


@pytest.fixture
def clocked_throttle(env: Env) -> FakeClock:
    clock = FakeClock()
    env.app.state.login_limiter = LoginThrottle(clock=clock)
    return clock


def test_through_the_app_the_owner_gets_in_after_the_attacker(
    env: Env, clocked_throttle: FakeClock
) -> None:
    owner = env.fresh_client()
    assert _try(owner, env.reviewer_email, PASSWORD).status_code == 303  # gets a device cookie
    assert owner.cookies.get(DEVICE_COOKIE, path="/login")
    attacker, fresh = env.fresh_client(), env.fresh_client()
    codes = [_try(attacker, env.reviewer_email, f"guess-{i}").status_code for i in range(8)]
    assert codes[:5] == [401] * 5 and 429 in codes[5:]
    assert _try(fresh, env.reviewer_email, PASSWORD).status_code == 429  # locked for strangers
    # The owner's own browser is not locked out by the attacker's guessing.
    assert _try(owner, env.reviewer_email, PASSWORD).status_code == 303
    # A new browser of the owner's waits out a bounded delay, then the right password works.
    for i in range(8):
        _try(attacker, env.reviewer_email, f"again-{i}")
    refused = _try(fresh, env.reviewer_email, PASSWORD)
    assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 301
    clocked_throttle.t += int(refused.headers["retry-after"])
    assert _try(fresh, env.reviewer_email, PASSWORD).status_code == 303


def test_through_the_app_one_locked_account_does_not_block_its_address(
    env: Env, clocked_throttle: FakeClock
) -> None:
    with env.db.session(write=True) as s:
        make_reviewer(s, "colleague@example.com")
    attacker, colleague = env.fresh_client(), env.fresh_client()
    for i in range(8):
        _try(attacker, env.reviewer_email, f"guess-{i}")
    # Same address (the test client's), another account: not refused.
    assert _try(colleague, "colleague@example.com", PASSWORD).status_code == 303


def test_a_device_cookie_of_another_account_does_not_skip_the_lockout(
    env: Env, clocked_throttle: FakeClock
) -> None:
    insider = env.fresh_client()
    assert _try(insider, env.admin_email, PASSWORD).status_code == 303  # a device of the admin
    codes = [_try(insider, env.reviewer_email, f"guess-{i}").status_code for i in range(8)]
    assert 429 in codes  # guessing someone else's password is throttled like anyone's

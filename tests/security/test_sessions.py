"""Server-side sessions (issue 11): sign-out revokes, "sign out everywhere", idle and absolute
expiry, rotation on a role change, a password change ends them; each with its near miss."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from harness.accounts.models import ReviewerSession, Role
from harness.accounts.repository import ReviewerRepository
from harness.accounts.service import set_password, set_role
from tests.api.fixtures import csrf_from, login
from tests.ledger.web import T0, Clocked, clocked_fixture  # noqa: F401

COOKIE = "harness_session"


def _signed_in(t: Clocked, email: str = "rev@example.com") -> TestClient:
    client = t.fresh_client()
    login(client, email)
    return client


def _copy(t: Clocked, client: TestClient) -> TestClient:
    """Another browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = t.fresh_client()
    thief.cookies.set(COOKIE, client.cookies[COOKIE])
    return thief


def _in(client: TestClient) -> bool:
    r = client.get("/")
    return r.status_code == 200


def test_signing_out_revokes_the_session_on_the_server(clocked: Clocked) -> None:
    t = clocked
    client = _signed_in(t)
    thief = _copy(t, client)
    assert _in(thief)  # a copied cookie works while the session lives...
    r = client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    assert r.status_code == 303
    assert not _in(thief)  # ...and not a moment after sign-out
    assert not _in(client)
    with t.db.session() as s:
        row = s.scalar(select(ReviewerSession))
        assert row is not None and row.revoked_reason == "sign_out"
        # Only a hash of the session id is stored.
        assert client.cookies.get(COOKIE) is None or row.token_hash not in str(client.cookies)


def test_sign_out_everywhere_ends_every_browser_of_the_account_only(clocked: Clocked) -> None:
    t = clocked
    laptop, phone = _signed_in(t), _signed_in(t)
    colleague = _signed_in(t, "admin@example.com")
    page = laptop.get("/account")
    assert 'data-testid="open-sessions">2 browsers' in page.text
    r = laptop.post("/logout/everywhere", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert not _in(laptop) and not _in(phone)
    assert _in(colleague)  # another account's session is untouched


def test_a_session_ends_after_an_hour_idle_but_activity_keeps_it(clocked: Clocked) -> None:
    t = clocked
    active, idle = _signed_in(t), _signed_in(t)
    for minutes in (50, 100, 150):  # active every 50 minutes: still signed in
        t.clock.set(T0 + timedelta(minutes=minutes))
        assert _in(active)
    assert not _in(idle)  # 150 minutes without a request
    t.clock.set(T0 + timedelta(minutes=150 + 61))
    assert not _in(active)  # now idle too


def test_a_session_ends_at_its_absolute_lifetime_however_active(clocked: Clocked) -> None:
    t = clocked
    client = _signed_in(t)
    for minutes in range(45, 12 * 60, 45):
        t.clock.set(T0 + timedelta(minutes=minutes))
        assert _in(client), minutes
    t.clock.set(T0 + timedelta(hours=12))
    assert not _in(client)
    login(client, "rev@example.com")  # signing in again starts a new session
    assert _in(client)


def test_a_role_change_rotates_the_session(clocked: Clocked) -> None:
    t = clocked
    client = _signed_in(t)
    before = client.cookies[COOKIE]
    stolen = _copy(t, client)
    assert _in(client)
    assert client.cookies[COOKIE] == before  # near miss: no change, no rotation
    with t.db.session(write=True) as s:
        rev = ReviewerRepository(s).by_email("rev@example.com")
        assert rev is not None
        set_role(s, rev, Role.admin, actor="test")
    assert client.get("/audit").status_code == 200  # the new role applies at once...
    assert client.cookies[COOKIE] != before  # ...under a new session id
    assert not _in(stolen)  # the id copied before the change opens nothing
    assert _in(client)
    with t.db.session() as s:
        reasons = sorted(str(r.revoked_reason) for r in s.scalars(select(ReviewerSession)))
    assert reasons == ["None", "rotated"]


def test_a_password_change_ends_every_session(clocked: Clocked) -> None:
    t = clocked
    client = _signed_in(t)
    with t.db.session(write=True) as s:
        rev = ReviewerRepository(s).by_email("rev@example.com")
        assert rev is not None
        set_password(s, rev, "a brand new password", now=t.clock.now())
    assert not _in(client)
    login(client, "rev@example.com", "a brand new password")
    assert _in(client)


def test_a_deactivated_account_is_signed_out(clocked: Clocked) -> None:
    t = clocked
    client = _signed_in(t)
    with t.db.session(write=True) as s:
        rev = ReviewerRepository(s).by_email("rev@example.com")
        assert rev is not None
        rev.active = False
    assert not _in(client)


def test_a_forged_or_unknown_session_id_opens_nothing(clocked: Clocked) -> None:
    t = clocked
    client = _signed_in(t)
    # The cookie is signed: an edited cookie is dropped; a well-signed cookie naming an
    # unknown id (one from another database, say) is refused by the server-side lookup.
    forged = t.fresh_client()
    forged.cookies.set(COOKIE, client.cookies[COOKIE][:-4] + "AAAA")
    assert not _in(forged)
    assert _in(client)

"""Links come from HARNESS_PUBLIC_URL, never from the Host header; unknown hosts are refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from harness.notify.notifier import MemoryNotifier
from tests.api.fixtures import Env


def _app(env: Env, **settings: object) -> tuple[TestClient, MemoryNotifier]:
    notifier = MemoryNotifier()
    app = create_app(env.settings.model_copy(update=settings), migrate=False, notifier=notifier)
    return TestClient(app, base_url="http://testserver", follow_redirects=False), notifier


def _invite(client: TestClient, env: Env, host: str | None = None, email: str = "h@example.com"):  # type: ignore[no-untyped-def]
    headers = {**env.auth(), **({"Host": host} if host else {})}
    return client.post(
        "/api/invitations",
        headers=headers,
        json={"assignment": "support-tickets", "name": "Hu Host", "email": email},
    )


def test_a_forged_host_is_refused_before_anything_happens(env: Env) -> None:
    client, notifier = _app(env, public_url="https://grading.example.com")
    with client:
        r = _invite(client, env, host="evil.example")
        assert r.status_code == 400 and "HARNESS_ALLOWED_HOSTS" in r.json()["detail"]
        assert notifier.sent == []
        listed = client.get(
            "/api/invitations", headers={**env.auth(), "Host": "grading.example.com"}
        ).json()
        assert listed == []  # nothing was created
        # Near miss: the public host (any port) and an allowed extra host are answered.
        assert _invite(client, env, host="grading.example.com:443").status_code == 201


def test_links_use_the_public_url_whatever_the_request_came_in_on(env: Env) -> None:
    client, notifier = _app(
        env, public_url="https://grading.example.com", allowed_hosts=["internal.lan"]
    )
    with client:
        r = _invite(client, env, host="internal.lan")
        assert r.status_code == 201
        link = r.json()["link"]
        assert link.startswith("https://grading.example.com/c/") and "internal.lan" not in link
    [mail] = notifier.sent
    assert link in mail.body and "internal.lan" not in mail.body


def test_health_answers_any_host_for_load_balancers(env: Env) -> None:
    client, _ = _app(env, public_url="https://grading.example.com")
    with client:
        assert client.get("/healthz", headers={"Host": "10.1.2.3:8000"}).status_code == 200
        assert client.get("/login", headers={"Host": "10.1.2.3:8000"}).status_code == 400


def test_ipv6_and_port_forms_of_an_allowed_host() -> None:
    from api.trusted_hosts import host_of

    assert host_of("[::1]:8000") == "::1"
    assert host_of("Grading.Example.com:8443") == "grading.example.com"
    assert host_of("grading.example.com") == "grading.example.com"
    assert host_of("") == ""

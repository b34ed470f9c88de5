"""One validation layer (issue 11): e-mail addresses and names refused the same way by the API,
the form, the CSV, accounts and the notifier; caps on extensions and regrades; one error shape
and every error status in the OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from harness.accounts.service import create_reviewer
from harness.notify.messages import NotificationKind
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.service import MAX_QUEUED_REGRADES, MAX_REPORTS
from harness.validation import InvalidInput, email_address, person_name
from tests.api.fixtures import Env, csrf_from, login
from tests.db.factories import make_invitation, make_report, make_submission
from tests.ledger.web import T0, Clocked, clocked_fixture  # noqa: F401

BAD_EMAILS = [
    "eve@example.com<script>alert(1)</script>",
    "Eve <eve@example.com>",
    "eve@example.com, mallory@example.com",
    "eve@localhost",
    "eve@example.test",
    "eve@example.com\r\nBcc: x@example.com",
    "no-at-sign",
]


@pytest.mark.parametrize("bad", BAD_EMAILS)
def test_every_path_refuses_the_same_bad_addresses(env: Env, bad: str) -> None:
    with pytest.raises(InvalidInput):
        email_address(bad)
    api = env.client.post(
        "/api/invitations",
        headers=env.auth(),
        json={"assignment": "support-tickets", "name": "Eve", "email": bad},
    )
    assert api.status_code == 422
    body = api.json()
    assert isinstance(body["detail"], str) and "email" in body["detail"]
    assert body["errors"][0]["loc"] == ["body", "email"]
    csv = env.client.post(
        "/api/invitations/bulk?assignment=support-tickets&notify=false",
        headers={**env.auth(), "Content-Type": "text/csv"},
        content=f'name,email\nEve,"{bad}"\n'.encode(),
    )
    assert csv.status_code == 200 and csv.json()["created"] == []
    with env.db.session(write=True) as s, pytest.raises(InvalidInput):
        create_reviewer(s, bad, "long enough password")


def test_the_form_refuses_what_the_api_refuses(env: Env) -> None:
    client = env.fresh_client()
    login(client, env.reviewer_email)
    csrf = csrf_from(client.get("/invitations").text)
    r = client.post(
        "/invitations",
        data={
            "csrf_token": csrf,
            "assignment": "support-tickets",
            "name": "Eve",
            "email": BAD_EMAILS[0],
        },
    )
    assert r.status_code == 422 and "not an email address" in r.text
    assert "&lt;script&gt;" in r.text and "<script>alert" not in r.text


def test_good_addresses_and_names_pass_everywhere_normalised(clocked: Clocked) -> None:
    t = clocked
    made = t.invite(
        name="  Zoë   O'Brien-Şahin ", email="Zoe.OBrien+take@Example.COM", anonymous_review=False
    )
    assert made["candidate"] == "Zoë O'Brien-Şahin"
    assert made["email"] == "zoe.obrien+take@example.com"
    [mail] = [n for n in t.notifier.sent if n.kind == NotificationKind.invitation_sent]
    assert mail.to == ("zoe.obrien+take@example.com",)  # what was accepted can be mailed


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("Ada Lovelace", True),
        ("李小龍", True),
        ("J. R. R. Tolkien", True),
        ("<b>Ada</b>", False),
        ("Ada\u202eecalevol", False),  # a right-to-left override
        ("   ", False),
        ("12345", False),
        ("x" * 201, False),
    ],
)
def test_names(name: str, ok: bool) -> None:
    if ok:
        assert person_name(name) == " ".join(name.split())
    else:
        with pytest.raises(InvalidInput):
            person_name(name)


def test_extensions_are_capped_in_total(clocked: Clocked) -> None:
    t = clocked
    made = t.invite()
    t.start(made["token"])
    url = f"/api/invitations/{made['id']}/extensions"
    week = 7 * 24 * 60
    for _ in range(2):  # two weeks in two grants: at the cap exactly (near miss)
        assert t.client.post(url, headers=t.auth(), json={"minutes": week, "reason": "r"}).status_code == 201
    more = t.client.post(url, headers=t.auth(), json={"minutes": 1, "reason": "one more"})
    assert more.status_code == 422 and "at most 0 more" in more.json()["detail"]
    box = t.timebox(made["token"])
    assert box["extension_minutes"] == 2 * week


def test_regrades_are_capped_per_submission_and_in_the_queue(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s)
        many = make_submission(s, env.settings, inv, status=SubmissionStatus.graded, report=make_report())
        for _ in range(MAX_REPORTS - 2):
            from harness.reports.store import store_report

            store_report(s, many, make_report(), artifacts_dir=env.settings.artifacts_dir)
        many_id = many.id
    url = f"/api/submissions/{many_id}/regrade"
    assert env.client.post(url, headers=env.auth()).status_code == 202  # the 20th report may come
    with env.db.session(write=True) as s:
        from harness.reports.store import store_report

        sub = s.get(Submission, many_id)
        assert sub is not None
        store_report(s, sub, make_report(), artifacts_dir=env.settings.artifacts_dir)
        sub.status = SubmissionStatus.graded.value
    capped = env.client.post(url, headers=env.auth())
    assert capped.status_code == 409 and f"{MAX_REPORTS} times" in capped.json()["detail"]

    with env.db.session(write=True) as s:
        ids = []
        for i in range(MAX_QUEUED_REGRADES + 1):
            other, _ = make_invitation(s, name=f"Q {chr(65 + i % 26)}", email=f"q{i}@example.com")
            ids.append(
                make_submission(
                    s, env.settings, other, status=SubmissionStatus.graded, report=make_report()
                ).id
            )
    codes = [env.client.post(f"/api/submissions/{i}/regrade", headers=env.auth()).status_code for i in ids]
    assert codes[:MAX_QUEUED_REGRADES] == [202] * MAX_QUEUED_REGRADES
    assert codes[-1] == 429
    with env.db.session() as s:
        queued = s.scalars(select(Submission.id).where(Submission.status == "queued")).all()
    assert ids[-1] not in queued  # the refused regrade changed nothing


def test_the_schema_documents_every_error_with_one_shape(env: Env) -> None:
    spec = env.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ErrorOut" in schemas
    for path, item in spec["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            if path.startswith("/api/") and not path.startswith("/api/c/"):
                assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if op.get("parameters") or op.get("requestBody"):
                assert "422" in codes, (method, path)
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), (method, path, code)


def test_validation_and_domain_errors_share_the_shape(env: Env) -> None:
    bad = env.client.get("/api/submissions?limit=0", headers=env.auth())
    assert bad.status_code == 422
    assert isinstance(bad.json()["detail"], str) and bad.json()["errors"][0]["loc"] == ["query", "limit"]
    missing = env.client.get("/api/submissions/999", headers=env.auth())
    assert missing.status_code == 404 and set(missing.json()) == {"detail"}


def test_clock_moves_do_not_stack_extensions_past_the_cap_before_the_start(clocked: Clocked) -> None:
    t = clocked
    made = t.invite()
    url = f"/api/invitations/{made['id']}/extensions"
    assert t.client.post(url, headers=t.auth(), json={"minutes": 14 * 24 * 60, "reason": "r"}).status_code == 201
    t.clock.set(T0 + timedelta(days=20))
    assert t.client.post(url, headers=t.auth(), json={"minutes": 5, "reason": "r"}).status_code == 422


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("  @Rival.Example ", "@rival.example"),
        ("jo@bücher.example", "jo@xn--bcher-kva.example"),
    ],
)
def test_review_conflicts_take_addresses_the_way_invitations_store_them(
    typed: str, stored: str
) -> None:
    from harness.review.service import conflict_pattern

    assert conflict_pattern(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["eve@example.com<script>x</script>", "Eve <eve@example.com>", "@", "@localhost", "nobody", ""],
)
def test_review_conflicts_refuse_what_invitations_refuse(typed: str) -> None:
    from harness.errors import HarnessError
    from harness.review.service import conflict_pattern

    with pytest.raises(HarnessError, match="e-mail address") as refused:
        conflict_pattern(typed)
    assert refused.value.status_code == 422

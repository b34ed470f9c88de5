"""The JSON API against the real app and a real database."""

from __future__ import annotations

import io
import tarfile

from sqlalchemy import select

from harness.audit.models import AuditEvent
from harness.submissions.models import Submission, SubmissionStatus
from tests.api.fixtures import Env
from tests.db.factories import (
    SAMPLE_FILES,
    make_invitation,
    make_report,
    make_reviewer,
    make_submission,
    zip_bytes,
)


def _invite(env: Env, **body: object) -> dict:
    r = env.client.post(
        "/api/invitations",
        headers=env.auth(),
        json={
            "assignment": "support-tickets",
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            **body,
        },
    )
    assert r.status_code == 201, r.text
    # Uploads are refused until the candidate starts the clock (issue 5).
    started = env.client.post(f"/api/c/{r.json()['token']}/start")
    assert started.status_code == 200, started.text
    return r.json()


def test_healthz(env: Env) -> None:
    r = env.client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_invite_upload_status_flow(env: Env) -> None:
    inv = _invite(env)
    assert inv["link"].startswith("http://testserver/c/") and inv["token"] in inv["link"]
    assert (
        inv["candidate"] == f"Candidate #{inv['id']}" and inv["email"] is None
    )  # anonymous by default
    token = inv["token"]
    r = env.client.post(
        f"/api/c/{token}/submissions",
        files={"file": ("my solution.zip", zip_bytes(SAMPLE_FILES))},
        data={"hours": "3.5"},
    )
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "queued" and body["version"] == 1
    status = env.client.get(body["status_url"])
    assert status.status_code == 200
    assert status.json()["status"] == "queued" and status.json()["filename"] == "my solution.zip"
    assert "overall_score" in status.json() and status.json()["overall_score"] is None

    # Resubmission makes version 2; both are kept.
    r2 = env.client.post(f"/api/c/{token}/submissions", files={"file": ("v2.tar.gz", _targz())})
    assert r2.status_code == 202 and r2.json()["version"] == 2

    listing = env.client.get("/api/submissions", headers=env.auth()).json()
    assert listing["total"] == 2
    assert {i["version"] for i in listing["items"]} == {1, 2}
    detail = env.client.get(f"/api/submissions/{body['id']}", headers=env.auth()).json()
    assert (
        detail["reported_hours"] == "3.50"
        and detail["report"] is None
        and detail["counts"] is False
    )
    with env.db.session() as s:
        sub = s.get(Submission, body["id"])
        assert sub is not None and (env.settings.blobs_dir / sub.blob_key).is_file()


def _targz() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, content in SAMPLE_FILES.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_rejected_archive_gets_a_specific_message(env: Env) -> None:
    token = _invite(env)["token"]
    r = env.client.post(
        f"/api/c/{token}/submissions", files={"file": ("notes.txt", b"just some text")}
    )
    assert r.status_code == 422
    assert "zip" in r.json()["detail"].lower()
    evil = zip_bytes({"../../escape.py": "x = 1\n", "submission.toml": "x"})
    r = env.client.post(f"/api/c/{token}/submissions", files={"file": ("evil.zip", evil)})
    assert (r.status_code == 422 and "outside" in r.json()["detail"].lower()) or ".." in r.json()[
        "detail"
    ]
    with env.db.session() as s:
        assert s.scalar(select(Submission.id)) is None
    assert not any((env.settings.blobs_dir / "incoming").glob("*")), "rejected uploads are deleted"


def test_upload_size_cap_is_enforced_while_streaming(env: Env) -> None:
    env.app.state.settings = env.settings.model_copy(update={"max_upload_mb": 1})
    token = _invite(env)["token"]
    big = zip_bytes(
        {"submission.toml": "x", "blob.bin": bytes(range(256)) * 8192}
    )  # ~2 MiB, incompressible-ish
    big = big + b"\0" * (2 * 1024 * 1024 - len(big)) if len(big) < 2 * 1024 * 1024 else big
    r = env.client.post(f"/api/c/{token}/submissions", files={"file": ("big.zip", big)})
    assert r.status_code == 413 and "MiB" in r.json()["detail"]
    assert not any((env.settings.blobs_dir / "incoming").glob("*"))


def test_upload_needs_a_file_and_valid_hours(env: Env) -> None:
    token = _invite(env)["token"]
    r = env.client.post(
        f"/api/c/{token}/submissions", data={"hours": "2"}, files={"other": ("a.zip", b"x")}
    )
    assert r.status_code == 422 and "file" in r.json()["detail"]
    r = env.client.post(
        f"/api/c/{token}/submissions",
        files={"file": ("a.zip", zip_bytes(SAMPLE_FILES))},
        data={"hours": "lots"},
    )
    assert r.status_code == 422 and "hours" in r.json()["detail"]


def test_unknown_token_is_404(env: Env) -> None:
    assert env.client.get("/api/c/not-a-real-token/submissions/1").status_code == 404
    r = env.client.post(
        "/api/c/not-a-real-token/submissions", files={"file": ("a.zip", zip_bytes(SAMPLE_FILES))}
    )
    assert r.status_code == 404


def test_reviewer_actions_and_audit(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s, name="Grace Hopper", email="grace@example.com")
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report(score=81)
        )
    auth = env.auth()
    d = env.client.get(f"/api/submissions/{sub.id}", headers=auth).json()
    assert d["candidate"] == f"Candidate #{inv.id}" and d["email"] is None
    assert d["report"]["overall"]["score"] == 81 and d["report"]["graders"][0]["name"] == "accuracy"
    assert d["counts"] is True and len(d["reports"]) == 1

    assert (
        env.client.post(
            f"/api/submissions/{sub.id}/notes", headers=auth, json={"body": "solid"}
        ).status_code
        == 201
    )
    r = env.client.post(
        f"/api/submissions/{sub.id}/decision",
        headers=auth,
        json={"outcome": "advance", "reason": "clear writeup"},
    )
    assert r.status_code == 201 and r.json()["outcome"] == "advance"
    d = env.client.get(f"/api/submissions/{sub.id}", headers=auth).json()
    assert (
        d["candidate"] == "Grace Hopper" and d["email"] == "grace@example.com"
    )  # revealed after decision
    assert d["notes"][0]["body"] == "solid" and d["decision"] == "advance"

    r = env.client.post(f"/api/submissions/{sub.id}/regrade", headers=auth)
    assert r.status_code == 202 and r.json()["status"] == "queued"
    assert env.client.post(f"/api/submissions/{sub.id}/regrade", headers=auth).status_code == 409

    bad = env.client.post(
        f"/api/submissions/{sub.id}/decision",
        headers=auth,
        json={"outcome": "maybe", "reason": "x"},
    )
    assert bad.status_code == 422
    with env.db.session() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"note.add", "decision.record", "submission.regrade", "invitation.create"} <= actions

    # The audit log is for admins only.
    assert env.client.get("/api/audit", headers=auth).status_code == 403


def test_list_filters_and_report_history(env: Env) -> None:
    with env.db.session(write=True) as s:
        for i, score in enumerate([40.0, 95.0]):
            inv, _ = make_invitation(s, name=f"N{i}", email=f"n{i}@example.com")
            make_submission(
                s,
                env.settings,
                inv,
                status=SubmissionStatus.graded,
                report=make_report(score=score),
            )
    r = env.client.get(
        "/api/submissions?status=graded&sort=score&order=desc", headers=env.auth()
    ).json()
    assert [i["overall_score"] for i in r["items"]] == [95.0, 40.0]
    assert env.client.get("/api/submissions?status=bogus", headers=env.auth()).status_code == 422
    assert env.client.get("/api/submissions?limit=0", headers=env.auth()).status_code == 422
    sid = r["items"][0]["id"]
    rid = env.client.get(f"/api/submissions/{sid}", headers=env.auth()).json()["reports"][0]["id"]
    rep = env.client.get(f"/api/submissions/{sid}/reports/{rid}", headers=env.auth())
    assert rep.status_code == 200 and rep.json()["status"] == "graded"
    assert (
        env.client.get(f"/api/submissions/{sid}/reports/99999", headers=env.auth()).status_code
        == 404
    )
    dash = env.client.get("/api/dashboard", headers=env.auth()).json()
    assert dash["awaiting_review"] == 2


def test_candidate_sees_scores_only_when_allowed(env: Env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.db.factories import make_assignment_dir

    make_assignment_dir(env.settings.assignments_dir, "open-scores", show_scores=True)  # type: ignore[arg-type]
    token = _invite(env, assignment="open-scores")["token"]
    with env.db.session(write=True) as s:
        from harness.invitations.service import invitation_for_token

        inv = invitation_for_token(s, token)
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report(score=66)
        )
    assert env.client.get(f"/api/c/{token}/submissions/{sub.id}").json()["overall_score"] == 66


def test_bearer_token_rules(env: Env) -> None:
    assert env.client.get("/api/submissions").status_code == 401
    assert (
        env.client.get("/api/submissions", headers={"Authorization": "Bearer hrt_nope"}).status_code
        == 401
    )
    assert (
        env.client.get("/api/submissions", headers={"Authorization": "Basic abc"}).status_code
        == 401
    )
    with env.db.session(write=True) as s:
        make_reviewer(s, "other@example.com")
    assert env.client.get("/api/submissions", headers=env.auth()).status_code == 200


def test_access_log_hides_candidate_tokens() -> None:
    import logging

    from harness.redaction import RedactSecrets

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/c/SECRET-token_1/submissions/3?x=1", "1.1", 200),
        None,
    )
    RedactSecrets().filter(record)
    message = record.getMessage()
    assert "SECRET" not in message and "/c/<redacted>/submissions/3?x=1" in message
    # The arguments stay a tuple of the same shape (uvicorn's formatter reads them by position).
    assert isinstance(record.args, tuple) and record.args[4] == 200


def test_late_uploads_are_marked_or_refused_by_policy(env: Env) -> None:
    from datetime import timedelta

    from harness.db.base import utcnow
    from harness.invitations.models import Invitation
    from tests.db.factories import make_assignment_dir

    make_assignment_dir(env.settings.assignments_dir, "strict-deadline", late="refuse")  # type: ignore[arg-type]
    tokens = {
        name: _invite(env, assignment=name)["token"]
        for name in ("support-tickets", "strict-deadline")
    }
    with env.db.session(write=True) as s:
        for inv in s.query(Invitation).all():
            # Started 5 h ago: the 4 h time box and its 15 min grace ended 45 min ago.
            inv.started_at = utcnow() - timedelta(hours=5)
            inv.deadline_at = utcnow() - timedelta(minutes=45)
    archive = zip_bytes(SAMPLE_FILES)
    late = env.client.post(
        f"/api/c/{tokens['support-tickets']}/submissions", files={"file": ("a.zip", archive)}
    )
    assert late.status_code == 202
    assert env.client.get(late.json()["status_url"]).json()["late"] is True
    refused = env.client.post(
        f"/api/c/{tokens['strict-deadline']}/submissions", files={"file": ("a.zip", archive)}
    )
    assert refused.status_code == 409 and "deadline" in refused.json()["detail"]

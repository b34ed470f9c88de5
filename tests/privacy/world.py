"""A hiring team's database with candidates who left data in every holder, built through the
real app: invitations and uploads through the API, a report stored the way grading stores it,
notes, decisions, extensions, a paid payment, a survey answer, a comment for the candidate,
and a test sent by an ATS through the Greenhouse endpoint.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from harness.ats.integrations import create_integration
from harness.ats.models import AtsAssessment
from harness.feedback.service import add_comment
from harness.reports.store import store_report
from harness.submissions.models import Submission, SubmissionStatus
from tests.api.fixtures import csrf_from
from tests.db.factories import make_report, zip_bytes
from tests.ledger.web import T0, Clocked

__all__ = ["Person", "add_person", "grade", "greenhouse_key"]

SHARED_FILES: dict[str, str | bytes] = {
    "submission.toml": '[train]\ncommand = "python train.py"\n[predict]\ncommand = "python p.py"\n',
    "train.py": "print('the same solution, sent by two candidates')\n",
}
SHARED_ARCHIVE = zip_bytes(SHARED_FILES)


@dataclass
class Person:
    """What one candidate left, and the strings that must vanish with them."""

    name: str
    email: str
    token: str
    invitation_id: int
    submission_ids: list[int] = field(default_factory=list)
    archives: list[bytes] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    """Texts only this candidate's rows and files hold."""
    ats_invitation_id: int | None = None
    ats_public_id: str | None = None

    @property
    def needles(self) -> list[str]:
        return [self.email, self.name, *self.markers]

    @property
    def invitation_ids(self) -> list[int]:
        return [self.invitation_id] + ([self.ats_invitation_id] if self.ats_invitation_id else [])


def greenhouse_key(t: Clocked) -> str:
    with t.db.session(write=True) as s:
        return create_integration(
            s, t.settings, provider="greenhouse", name="Greenhouse (test)", actor="test", now=T0
        ).key


def grade(t: Clocked, sid: int, *, score: float, marker: str) -> None:
    """Store a report as grading does (artifacts to files, headline numbers on the upload)."""
    report = make_report(
        score=score,
        notebook_html=f"<html><body><p>{marker}-notebook</p></body></html>",
        writeup=f"# Approach\n\n{marker}-writeup\n",
    )
    with t.db.session(write=True) as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        store_report(s, sub, report, artifacts_dir=t.settings.artifacts_dir)
        sub.status = SubmissionStatus.graded.value
        sub.graded_at = t.clock.now()


def _upload(t: Clocked, token: str, archive: bytes, filename: str) -> int:
    r = t.client.post(f"/api/c/{token}/submissions", files={"file": (filename, archive)})
    assert r.status_code == 202, r.text
    return int(r.json()["id"])


def _survey(t: Clocked, token: str, comment: str) -> None:
    page = t.client.get(f"/c/{token}/survey")
    form = {"hours": "4.5", "clarity": "4", "fairness": "5", "comment": comment}
    r = t.client.post(f"/c/{token}/survey", data={**form, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 303, r.text


def _pay(t: Clocked, invitation_id: int) -> None:
    items = t.client.get("/api/payments", headers=t.auth(admin=True)).json()["items"]
    [payment] = [p for p in items if p["invitation_id"] == invitation_id]
    pid = payment["id"]
    assert t.client.post(f"/api/payments/{pid}/approve", headers=t.auth(admin=True)).status_code == 200
    paid = {"paid_on": (T0 + timedelta(days=10)).date().isoformat(), "reference": "RUN-7"}
    # The approver cannot also mark it paid (issue 11): the payroll account does.
    r = t.client.post(f"/api/payments/{pid}/paid", headers=t.auth(payroll=True), json=paid)
    assert r.status_code == 200, r.text


def _send_test(t: Clocked, key: str, person: Person) -> None:
    first, _, last = person.name.partition(" ")
    body: dict[str, Any] = {
        "partner_test_id": "support-tickets",
        "candidate": {"first_name": first, "last_name": last, "email": person.email},
        "url": "http://127.0.0.1:9/integrations/testing_partners/take_home_tests/77",
    }
    auth = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    r = t.client.post("/api/ats/greenhouse/send_test", json=body, headers=auth)
    assert r.status_code == 200, r.text
    person.ats_public_id = r.json()["partner_interview_id"]
    with t.db.session() as s:
        person.ats_invitation_id = s.scalars(
            select(AtsAssessment.invitation_id).where(AtsAssessment.public_id == person.ats_public_id)
        ).one()


def add_person(
    t: Clocked,
    name: str,
    email: str,
    *,
    tag: str,
    shared_upload: bool,
    score: float,
    greenhouse: str | None = None,
) -> Person:
    """A candidate through the whole process: invited, extended, started, an upload of their
    own (and, with ``shared_upload``, one whose bytes another candidate also sent), graded,
    noted, decided, paid, surveyed, sent a comment; with ``greenhouse``, also sent a test by the
    ATS holding that key."""
    created = t.invite(name=name, email=email)
    person = Person(name, email, created["token"], created["id"], markers=[f"{tag}-"])
    ext = {"minutes": 30, "reason": f"{tag}-extension-reason"}
    r = t.client.post(f"/api/invitations/{person.invitation_id}/extensions", json=ext, headers=t.auth())
    assert r.status_code == 201, r.text
    t.start(person.token)
    t.clock.advance(timedelta(hours=1))
    own = zip_bytes({**SHARED_FILES, "train.py": f"print('{tag}-code')\n"})
    archives = [own] + ([SHARED_ARCHIVE] if shared_upload else [])
    for i, archive in enumerate(archives):
        sid = _upload(t, person.token, archive, f"{tag}-solution-{i}.zip")
        person.submission_ids.append(sid)
        person.archives.append(archive)
        t.clock.advance(timedelta(minutes=20))
        grade(t, sid, score=score + i, marker=tag)
    last = person.submission_ids[-1]
    t.clock.advance(timedelta(hours=5))
    r = t.client.post(f"/api/submissions/{last}/notes", json={"body": f"{tag}-note"}, headers=t.auth())
    assert r.status_code == 201, r.text
    decision = {"outcome": "reject", "reason": f"{tag}-decision-reason"}
    r = t.client.post(f"/api/submissions/{last}/decision", json=decision, headers=t.auth())
    assert r.status_code == 201, r.text
    with t.db.session(write=True) as s:
        from harness.accounts.models import Reviewer

        reviewer = s.scalars(select(Reviewer).where(Reviewer.email == "rev@example.com")).one()
        add_comment(s, last, reviewer, f"{tag}-comment for the candidate")
    _survey(t, person.token, f"{tag}-survey-comment")
    _pay(t, person.invitation_id)
    if greenhouse is not None:
        _send_test(t, greenhouse, person)
    return person


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

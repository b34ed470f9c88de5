"""Erasing a candidate leaves no row, file or blob of them, while the figures stay.

Two candidates share an archive's content (one blob). Erasing the first removes every row
that names or points at them in every table, every file of theirs under the data folder
(including the database file and its log), their own archive but not the shared one, and keeps
the dashboard's figures, the score distribution, the process medians and the survey numbers.
Before erasing, the same scans find each needle: they are not vacuous.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from harness.audit.models import AuditEvent
from harness.errors import NotFound
from harness.payments.models import PaymentRecord
from harness.privacy.models import AnonymousCandidate, AnonymousSubmission
from harness.retention.erase import ErasureBlocked
from harness.retention.service import erase_on_request
from harness.submissions import service as submissions_service
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.service import score_distribution
from tests.api.fixtures import csrf_from, login
from tests.ledger.web import Clocked, clocked_fixture  # noqa: F401
from tests.privacy.scan import files_holding, rows_holding, rows_pointing_at
from tests.privacy.world import Person, add_person, greenhouse_key, sha

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _figures(t: Clocked) -> dict[str, Any]:
    d = t.client.get("/api/dashboard", headers=t.auth()).json()
    process = d.pop("process")
    d.pop("erased")
    surveys = {s["assignment"]: s for s in t.client.get("/api/surveys", headers=t.auth()).json()}
    survey = surveys["support-tickets"]
    submissions_service._dist_cache.clear()  # a 10-second cache: read afresh
    with t.db.session() as s:
        scores = score_distribution(s, "support-tickets").scores
    return {
        **d,
        "medians": process["medians"],
        "survey": (survey["responses"], survey["median_hours"], survey["mean_clarity"],
                   survey["mean_fairness"], survey["clarity_counts"]),
        "scores": scores,
    }


def _ids(p: Person) -> dict[str, set[int]]:
    return {"invitations": set(p.invitation_ids), "submissions": set(p.submission_ids)}


def _two(t: Clocked) -> tuple[Person, Person]:
    key = greenhouse_key(t)
    ada = add_person(t, "Ada Quill", "ada.quill@example.com", tag="ADAQ", shared_upload=True,
                     score=71.0, greenhouse=key)
    t.clock.advance(timedelta(days=1))
    bob = add_person(t, "Bob Zeller", "bob.zeller@example.com", tag="BOBZ", shared_upload=False,
                     score=55.0)
    # Bob sends the very bytes Ada sent as her second upload: one blob, two uploads.
    r = t.client.post(f"/api/c/{bob.token}/submissions",
                      files={"file": ("BOBZ-again.zip", ada.archives[1])})
    assert r.status_code == 202, r.text
    bob.submission_ids.append(r.json()["id"])
    with t.db.session(write=True) as s:
        sub = s.get(Submission, bob.submission_ids[-1])
        assert sub is not None
        sub.status, sub.graded_at = SubmissionStatus.rejected.value, t.clock.now()
    return ada, bob


def test_erasure_leaves_no_row_file_or_blob_and_keeps_the_figures(clocked: Clocked) -> None:
    t = clocked
    ada, bob = _two(t)
    data = t.settings.data_dir
    own_archive = ada.archives[0]
    # The scans find Ada before: every needle, her ids, her own archive and the shared one.
    assert {n for n in ada.needles if any(n in h for h in rows_holding(t.db, [n]))} == set(ada.needles)
    assert rows_pointing_at(t.db, _ids(ada))
    before_files = files_holding(data, ada.needles, [own_archive, ada.archives[1]])
    assert any("is one of the archives" in h for h in before_files)
    if t.db.is_sqlite:  # the database file is in the data folder, and holds her before
        assert any("harness.db" in h and "ada.quill@example.com" in h for h in before_files)
    figures = _figures(t)

    receipt = erase_on_request(t.db, t.settings, "Ada.Quill@example.com", actor="test", now=t.clock.now())

    assert rows_holding(t.db, [*ada.needles, sha(own_archive), ada.ats_public_id or "?"]) == []
    assert rows_pointing_at(t.db, _ids(ada)) == []
    left = files_holding(data, ada.needles, [own_archive])
    assert left == [], left
    assert receipt.files.blobs == 1 and receipt.files.blobs_shared == 1
    assert (receipt.invitations, receipt.uploads) == (2, 2)
    # The shared blob stays for Bob, whose rows are untouched (the near miss).
    assert (t.settings.blobs_dir / sha(ada.archives[1])[:2] / sha(ada.archives[1])).is_file()
    assert {n for n in bob.needles if any(n in h for h in rows_holding(t.db, [n]))} == set(bob.needles)
    assert t.client.get(f"/api/submissions/{bob.submission_ids[0]}", headers=t.auth()).status_code == 200
    # The figures do not move.
    assert _figures(t) == figures
    with t.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AnonymousSubmission)) == 2
        assert s.scalar(select(func.count()).select_from(AnonymousCandidate)) == 2
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "candidate.erase")).one()
        assert event.detail["reference"] == receipt.reference and event.object_id is None
    # Erasing Bob too: the shared blob has no one left, and goes.
    erase_on_request(t.db, t.settings, bob.email, actor="test", now=t.clock.now())
    assert files_holding(data, bob.needles, [ada.archives[1], *bob.archives]) == []
    assert _figures(t) == figures


def test_erasure_through_the_admin_page_needs_the_address_twice(clocked: Clocked) -> None:
    t = clocked
    ada = add_person(t, "Ada Quill", "ada.quill@example.com", tag="ADAQ", shared_upload=False, score=60)
    admin = t.fresh_client()
    login(admin, "admin@example.com")
    page = admin.get("/admin/candidates")
    token = csrf_from(page.text)
    looked = admin.post("/admin/candidates/lookup", data={"email": ada.email, "csrf_token": token})
    assert looked.status_code == 200 and 'data-testid="erase"' in looked.text
    assert "submissions" in looked.text
    wrong = admin.post("/admin/candidates/erase",
                       data={"email": ada.email, "confirm": "someone@example.com", "csrf_token": token})
    assert wrong.status_code == 422 and "again" in wrong.text
    assert rows_holding(t.db, [ada.email])  # nothing happened
    done = admin.post("/admin/candidates/erase",
                      data={"email": ada.email, "confirm": ada.email.upper(), "csrf_token": token})
    assert done.status_code == 200 and 'data-testid="receipt"' in done.text
    assert ada.email not in done.text
    assert rows_holding(t.db, ada.needles) == []
    # A plain reviewer cannot reach the page at all.
    reviewer = t.fresh_client()
    login(reviewer, "rev@example.com")
    assert reviewer.get("/admin/candidates").status_code == 403


def test_erasure_waits_for_grading_and_for_money_owed(clocked: Clocked) -> None:
    t = clocked
    created = t.invite(name="Cy Owed", email="cy@example.com")
    t.start(created["token"])
    t.clock.advance(timedelta(hours=1))
    t.upload(created["token"])  # queued (nothing grades here) and a payment owed
    with pytest.raises(ErasureBlocked) as blocked:
        erase_on_request(t.db, t.settings, "cy@example.com", actor="test", now=t.clock.now())
    assert "being graded" in blocked.value.message and "owed" in blocked.value.message
    assert rows_holding(t.db, ["cy@example.com"])  # nothing erased
    with t.db.session(write=True) as s:
        sub = s.scalars(select(Submission)).one()
        sub.status = SubmissionStatus.graded.value
    with pytest.raises(ErasureBlocked) as still:
        erase_on_request(t.db, t.settings, "cy@example.com", actor="test", now=t.clock.now())
    assert "being graded" not in still.value.message and "owed" in still.value.message
    with t.db.session(write=True) as s:
        s.scalars(select(PaymentRecord)).one().status = "paid"
    erase_on_request(t.db, t.settings, "cy@example.com", actor="test", now=t.clock.now())
    assert rows_holding(t.db, ["cy@example.com", "Cy Owed"]) == []


def test_unknown_and_malformed_addresses_are_refused(clocked: Clocked) -> None:
    t = clocked
    t.invite(name="Dee", email="dee@example.com")
    with pytest.raises(NotFound):
        erase_on_request(t.db, t.settings, "nobody@example.com", actor="test", now=t.clock.now())
    with pytest.raises(Exception) as bad:
        erase_on_request(t.db, t.settings, "not an address", actor="test", now=t.clock.now())
    assert getattr(bad.value, "status_code", None) == 422
    assert rows_holding(t.db, ["dee@example.com"])

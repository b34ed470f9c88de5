"""Uploads (issue 11): one size limit, stated in one place and shown everywhere, enforced before
the 202; the candidate's own file name in every message; a rejected upload never becomes the
version that counts; a failed stage comes with a reason the candidate can act on, and nothing
a stage that read held-out data printed."""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path

import pytest

from graders.types import StageName, StageOutcome, Verdict
from harness.errors import InputRejected
from harness.grading.prepare import prepare_workspace
from harness.grading.workdir import RunDirs
from harness.settings import Settings
from harness.submissions.models import SubmissionStatus
from tests.api.fixtures import Env, login
from tests.db.factories import (
    SAMPLE_FILES,
    make_invitation,
    make_report,
    make_submission,
    zip_bytes,
)

REPO = Path(__file__).resolve().parents[2]
HELDOUT_TEXT = "my parcel from order 88123 never arrived"


def _started(env: Env) -> dict:  # type: ignore[type-arg]
    r = env.client.post(
        "/api/invitations",
        headers=env.auth(),
        json={"assignment": "support-tickets", "name": "Up Loader", "email": "up@example.com"},
    )
    assert r.status_code == 201, r.text
    assert env.client.post(f"/api/c/{r.json()['token']}/start").status_code == 200
    return r.json()  # type: ignore[no-any-return]


def test_the_limit_is_stated_once_and_shown_everywhere(env: Env) -> None:
    default = Settings.model_fields["max_upload_mb"].default
    for doc in (
        REPO / "assignments/support_tickets/TASK.md",
        REPO / "assignments/support_tickets/starter_kit/CHECKLIST.md",
    ):
        stated = {int(n) for n in re.findall(r"(\d+) MiB\**\s+compressed", doc.read_text())}
        assert stated == {default}, doc  # the shipped task states the shipped default
        assert not re.search(r"\d+ MB compressed", doc.read_text()), doc
    token = _started(env)["token"]
    env.app.state.settings = env.settings.model_copy(update={"max_upload_mb": 7})
    page = env.client.get(f"/c/{token}").text
    assert "at most 7 MiB" in page
    assert env.client.get(f"/api/c/{token}").json()["max_upload_mb"] == 7


def test_too_large_is_refused_before_the_202_with_the_candidates_file_name(env: Env) -> None:
    token = _started(env)["token"]
    env.app.state.settings = env.settings.model_copy(update={"max_upload_mb": 1})
    big = os.urandom(1024 * 1024 + 10)
    r = env.client.post(
        f"/api/c/{token}/submissions", files={"file": ("ada-final.zip", zip_bytes({"x.bin": big}))}
    )
    assert r.status_code == 413
    assert "'ada-final.zip'" in r.json()["detail"] and "1 MiB" in r.json()["detail"]
    assert env.client.get(f"/api/c/{token}").json()["submissions"] == []
    assert not any((env.settings.blobs_dir / "incoming").glob("*"))
    # Near miss: just under the limit is taken in.
    small = zip_bytes({**SAMPLE_FILES, "x.bin": os.urandom(900 * 1024)})
    ok = env.client.post(f"/api/c/{token}/submissions", files={"file": ("ada-final.zip", small)})
    assert ok.status_code == 202


def test_a_non_archive_is_refused_under_the_candidates_name(env: Env) -> None:
    token = _started(env)["token"]
    r = env.client.post(
        f"/api/c/{token}/submissions", files={"file": ("notes for you.txt", b"just some text")}
    )
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "'notes for you.txt'" in detail and ".part" not in detail and "upload-" not in detail


def test_grading_names_the_candidates_file_and_never_rejudges_its_size(tmp_path: Path) -> None:
    blob = tmp_path / ("ab" * 32)  # stored under its hash, like a blob
    blob.write_bytes(b"Rar!\x1a\x07\x00 not an archive we read")
    dirs = RunDirs(tmp_path / "run", "r1")
    dirs.create()
    with pytest.raises(InputRejected) as refused:
        prepare_workspace(blob, "my-work.rar", dirs)
    assert "'my-work.rar'" in refused.value.message and "abab" not in refused.value.message
    # An archive larger than the shipped default limit, admitted under a larger setting, grades.
    large = tmp_path / "large.zip"
    with zipfile.ZipFile(large, "w", zipfile.ZIP_STORED) as zf:
        for name, text in SAMPLE_FILES.items():
            zf.writestr(name, text)
        zf.writestr("data.bin", os.urandom(51 * 1024 * 1024))
    big_dirs = RunDirs(tmp_path / "big", "r2")
    big_dirs.create()
    prepared = prepare_workspace(large, "large.zip", big_dirs)
    assert prepared.info.filename == "large.zip" and prepared.info.files == len(SAMPLE_FILES) + 1


def test_a_rejected_upload_never_becomes_the_version_that_counts(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv, token = make_invitation(s)
        good = make_submission(s, env.settings, inv, status=SubmissionStatus.graded, report=make_report())
        bad = make_submission(s, env.settings, inv, status=SubmissionStatus.rejected, filename="oops.zip")
        bad.message = "'oops.zip' has no submission.toml"
        good_id, bad_id = good.id, bad.id
    assert env.client.get(f"/api/submissions/{good_id}", headers=env.auth()).json()["counts"] is True
    assert env.client.get(f"/api/submissions/{bad_id}", headers=env.auth()).json()["counts"] is False
    chosen = env.client.post(f"/api/submissions/{bad_id}/select", headers=env.auth())
    assert chosen.status_code == 409 and "cannot be the version that counts" in chosen.json()["detail"]
    mine = env.client.get(f"/api/c/{token}/submissions/{bad_id}").json()
    assert mine["counts"] is False and mine["status_label"] == "rejected: not graded"
    page = env.client.get(f"/c/{token}/submissions/{bad_id}").text
    assert 'data-testid="not-counted"' in page and "This upload does not count" in page
    client = env.fresh_client()
    login(client, env.reviewer_email)
    report = client.get(f"/submissions/{bad_id}").text
    assert "rejected: never counts" in report and "make this version count" not in report


def _failed_run_report():  # type: ignore[no-untyped-def]
    report = make_report()
    stages = [s for s in report.stages if s.name not in (StageName.predict, StageName.score)]
    stages.append(
        StageOutcome(
            name=StageName.predict,
            verdict=Verdict.failed,
            exit_code=1,
            message="exit code 1",
            log_tail=f"{HELDOUT_TEXT}\nKeyError: '{HELDOUT_TEXT}'",
        )
    )
    return report.model_copy(update={"stages": stages})


def test_a_failed_stage_gives_the_candidate_a_reason_without_held_out_output(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv, token = make_invitation(s)
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=_failed_run_report()
        )
        sub.stages = {"predict": {"state": "finished", "verdict": "failed", "message": HELDOUT_TEXT}}
        sid = sub.id
    r = env.client.get(f"/api/c/{token}/submissions/{sid}")
    body = r.json()
    assert body["status"] == "graded" and body["status_label"] == "graded: a stage failed"
    assert body["complete"] is False
    stages = {p["stage"]: p["reason"] for p in body["problems"]}
    assert "KeyError" in stages["predict"] and "held-out" in stages["predict"]
    assert "test_io" in stages["tests"] or "failed" in stages["tests"]
    assert HELDOUT_TEXT not in json.dumps(body) and "88123" not in r.text
    page = env.client.get(f"/c/{token}/submissions/{sid}").text
    assert "graded: a stage failed" in page and 's-incomplete' in page
    assert HELDOUT_TEXT not in page and 'data-testid="problems"' in page
    # Near miss: a fully successful run reads "graded", with no problems listed.
    with env.db.session(write=True) as s:
        inv2, token2 = make_invitation(s, name="Fine", email="fine@example.com")
        report = make_report()
        ok_stages = [st.model_copy(update={"verdict": Verdict.ok}) for st in report.stages]
        fine = make_submission(
            s,
            env.settings,
            inv2,
            status=SubmissionStatus.graded,
            report=report.model_copy(update={"stages": ok_stages}),
        )
        fine_id = fine.id
    fine_body = env.client.get(f"/api/c/{token2}/submissions/{fine_id}").json()
    assert fine_body["status_label"] == "graded" and fine_body["problems"] == []


def test_the_upload_box_and_the_api_schema_say_the_same_limit(env: Env) -> None:
    token = _started(env)["token"]
    page = env.client.get(f"/c/{token}").text
    assert f"at most {env.settings.max_upload_mb} MiB" in page
    schema = env.client.get("/openapi.json").json()
    body = schema["paths"]["/api/c/{token}/submissions"]["post"]["requestBody"]
    text = json.dumps(body)
    assert "HARNESS_MAX_UPLOAD_MB" in text and "50 MiB" in text

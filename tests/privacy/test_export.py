"""A candidate's export: everything held about them (and only them), in a zip with a manifest."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from harness.retention.export import EXPORT_FORMAT
from harness.retention.service import export_for
from harness.submissions.models import ReportRecord
from tests.api.fixtures import csrf_from, login
from tests.ledger.web import Clocked, clocked_fixture  # noqa: F401
from tests.privacy.world import Person, add_person, greenhouse_key, sha

REPO = Path(__file__).resolve().parents[2]


def _people(t: Clocked) -> tuple[Person, Person]:
    key = greenhouse_key(t)
    ada = add_person(t, "Ada Quill", "ada.quill@example.com", tag="ADAQ", shared_upload=True,
                     score=70.0, greenhouse=key)
    bob = add_person(t, "Bob Zeller", "bob.zeller@example.com", tag="BOBZ", shared_upload=False,
                     score=50.0)
    with t.db.session(write=True) as s:  # a report that names a held-out ticket (id H-1)
        record = s.scalars(select(ReportRecord).where(
            ReportRecord.submission_id == ada.submission_ids[0])).one()
        body = copy.deepcopy(record.body)
        body["graders"][0]["findings"].append({"rule": "accuracy:invalid-predictions",
                                               "message": "missing ids H-1", "severity": "error"})
        body["stages"][2]["log_tail"] = "H-1,account_access"
        record.body = body
    with t.db.session() as s:
        assert "H-1" in json.dumps(s.get(ReportRecord, record.id).body)  # type: ignore[union-attr]
    return ada, bob


def _read(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    return json.loads(files.pop("manifest.json")), files


def _check(manifest: dict[str, Any], files: dict[str, bytes], ada: Person, bob: Person) -> None:
    assert manifest["format"] == EXPORT_FORMAT and manifest["left_out"]
    records = manifest["records"]
    assert [c["email"] for c in records["candidates"]] == [ada.email]
    assert sorted(i["id"] for i in records["invitations"]) == sorted(ada.invitation_ids)
    assert all("token_hash" not in i for i in records["invitations"])
    assert sorted(s["id"] for s in records["submissions"]) == sorted(ada.submission_ids)
    assert all("blob_key" not in s and "claim_token" not in s for s in records["submissions"])
    assert len(records["reports"]) == 2 and records["reports"][0]["body"]["graders"]
    assert [n["body"] for n in records["notes"]] == ["ADAQ-note"]
    assert [d["reason"] for d in records["decisions"]] == ["ADAQ-decision-reason"]
    assert [e["reason"] for e in records["extensions"]] == ["ADAQ-extension-reason"]
    assert [p["status"] for p in records["payments"]] == ["paid"]
    assert [s["comment"] for s in records["survey"]] == ["ADAQ-survey-comment"]
    assert [c["body"] for c in records["feedback_comments"]] == ["ADAQ-comment for the candidate"]
    assert [a["id_in_the_ats"] for a in records["ats_tests"]] == [ada.ats_public_id]
    assert records["notifications"] and records["events"]
    # Every listed file is in the zip with the stated hash; her archives come back byte-exact.
    assert {f["name"] for f in manifest["files"]} == set(files)
    for f in manifest["files"]:
        assert hashlib.sha256(files[f["name"]]).hexdigest() == f["sha256"]
    digests = {sha(b) for b in files.values()}
    assert {sha(a) for a in ada.archives} <= digests
    assert any(b"ADAQ-writeup" in b for b in files.values())
    # Left out: the rendered notebook and the stage logs (they ran on the test data), and any
    # held-out ticket id a report holds (the near miss: the stored report has both).
    assert not any(b"ADAQ-notebook" in b for b in files.values())
    text = json.dumps(records["reports"])
    assert "log_tail" not in text and not re.search(r"\bH-1\b", text)
    assert "missing ids [a held-out ticket]" in text
    # Nothing of the other candidate (the near miss: Bob has the same kinds of rows).
    blob = json.dumps(manifest) + "".join(b.decode("latin-1") for b in files.values())
    assert "BOBZ" not in blob and bob.email not in blob and bob.name not in blob
    assert not {sha(a) for a in bob.archives} & digests


def test_export_holds_everything_about_the_candidate_and_nothing_else(
    clocked: Clocked, tmp_path: Path
) -> None:
    t = clocked
    ada, bob = _people(t)
    with t.db.session(write=True) as s:
        done = export_for(s, t.settings, "ADA.quill@example.com", now=t.clock.now(), actor="test",
                          dest=tmp_path / "ada.zip")
    assert done.files == 4  # two archives; each report's writeup copy
    manifest, files = _read((tmp_path / "ada.zip").read_bytes())
    _check(manifest, files, ada, bob)


def test_admin_page_export_is_a_download_that_leaves_no_copy(clocked: Clocked) -> None:
    t = clocked
    ada, bob = _people(t)
    admin = t.fresh_client()
    login(admin, "admin@example.com")
    token = csrf_from(admin.get("/admin/candidates").text)
    r = admin.post("/admin/candidates/export", data={"email": ada.email, "csrf_token": token})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert "attachment" in r.headers["content-disposition"]
    manifest, files = _read(r.content)
    _check(manifest, files, ada, bob)
    assert list((t.settings.data_dir / "exports").iterdir()) == []
    unknown = admin.post("/admin/candidates/export", data={"email": "no@example.com", "csrf_token": token})
    assert unknown.status_code == 404


def _cli(t: Clocked, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HARNESS_DATA_DIR": str(t.settings.data_dir),
        "HARNESS_ASSIGNMENTS_DIR": str(t.settings.assignments_dir),
        "HARNESS_SECRET_KEY": t.settings.secret_key,
        "HARNESS_ENVIRONMENT": "test",
        "HARNESS_DEMO": "false",
    }
    if t.settings.database_url:
        env["HARNESS_DATABASE_URL"] = t.settings.database_url
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )


def test_cli_export_and_erase(clocked: Clocked, tmp_path: Path) -> None:
    t = clocked
    ada, bob = _people(t)
    out = tmp_path / "export.zip"
    done = _cli(t, "candidate", "export", ada.email, "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "submissions 2" in done.stdout
    manifest, files = _read(out.read_bytes())
    _check(manifest, files, ada, bob)
    missing = _cli(t, "candidate", "erase", "nobody@example.com", "--yes")
    assert missing.returncode == 2 and "no candidate" in missing.stderr
    erased = _cli(t, "candidate", "erase", ada.email, "--yes")
    assert erased.returncode == 0, erased.stderr
    assert "erased (reference" in erased.stdout
    again = _cli(t, "candidate", "export", ada.email, "-o", str(tmp_path / "again.zip"))
    assert again.returncode == 2 and not (tmp_path / "again.zip").exists()


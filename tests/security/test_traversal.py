"""Path traversal: the code browser, notebook artifacts and blob names stay inside their folders."""

from __future__ import annotations

import pytest

from harness.reports.store import artifact_path
from harness.submissions.browse import list_files
from harness.submissions.models import SubmissionStatus
from tests.api.fixtures import Env, login
from tests.db.factories import SAMPLE_FILES, make_invitation, make_report, make_submission

EVIL_FILES = {
    **SAMPLE_FILES,
    "../../outside.py": "print('escaped')\n",
    "/etc/abs.py": "x = 1\n",
    "sub/../../../up.py": "y = 2\n",
}


def test_code_browser_refuses_traversal(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s)
        # Stored directly (upload checks would refuse this archive): the browser must be safe anyway.
        sub = make_submission(
            s,
            env.settings,
            inv,
            status=SubmissionStatus.graded,
            files=EVIL_FILES,
            report=make_report(),
        )
    listed = {e.path for e in list_files(env.settings.blobs_dir / sub.blob_key)}
    assert "train.py" in listed and not any(".." in p or p.startswith("/") for p in listed)
    client = env.fresh_client()
    login(client, env.reviewer_email)
    assert (
        client.get(f"/submissions/{sub.id}/files", params={"path": "train.py"}).status_code == 200
    )
    secret = env.settings.data_dir / "harness.db"
    for attempt in (
        "../../outside.py",
        "/etc/passwd",
        "../../../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        str(secret),
        "sub/../../../up.py",
        "train.py/../../harness.db",
        "./../train.py",
        "\\..\\..\\x",
        "train.py\x00.png",
    ):
        r = client.get(f"/submissions/{sub.id}/files", params={"path": attempt})
        assert r.status_code in (404, 422), attempt
        assert "root:" not in r.text and "SQLite" not in r.text


def test_notebook_name_cannot_leave_the_artifacts(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s)
        sub = make_submission(
            s, env.settings, inv, status=SubmissionStatus.graded, report=make_report()
        )
    client = env.fresh_client()
    login(client, env.reviewer_email)
    for name in (
        "../../harness.db",
        "/etc/passwd",
        "notebooks/../../../harness.db",
        "notebooks/notebook.html/..",
    ):
        assert (
            client.get(f"/submissions/{sub.id}/notebook", params={"name": name}).status_code == 404
        )
    with pytest.raises(ValueError):
        artifact_path(env.settings.artifacts_dir, "../harness.db")
    with pytest.raises(ValueError):
        artifact_path(env.settings.artifacts_dir, "/etc/passwd")

"""Distributed mode keeps candidate data on the API only: after a job a worker holds nothing of
the candidate (only its cache of the public training file and the held-out features, which
are the same for every job), and an erasure on the API then leaves nothing anywhere."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from harness.db.base import utcnow
from harness.invitations.models import Candidate
from harness.retention.service import erase_on_request
from harness.submissions.models import Submission
from harness.submissions.service import blob_path
from harness.worker.job import run_job
from tests.distributed.cluster import tiny_files
from tests.distributed.fixtures import WorkerApi
from tests.distributed.test_worker_job import _context
from tests.privacy.scan import files_holding, rows_holding

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")

MARKER = "KEEPNOTHING-7f3a"


def _worker_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.docker
def test_a_worker_keeps_nothing_of_the_candidate_after_a_job(
    wapi: WorkerApi, tmp_path: Path, sandbox_image: str
) -> None:
    files = tiny_files(tag=MARKER)
    files["train.py"] = f"# {MARKER}\n" + str(files["train.py"])
    graded = wapi.submit(files=files, name="ada")
    rejected = wapi.submit(files={"../escape.py": f"# {MARKER}\n", "train.py": "x = 1\n"}, name="bob")
    with wapi.db.session() as s:
        subs = [s.get(Submission, sid) for sid in (graded, rejected)]
        archives = [blob_path(wapi.settings, sub).read_bytes() for sub in subs if sub is not None]
    ctx = _context(wapi, tmp_path, name="keepsnothing")

    assert run_job(ctx, graded) == "graded"
    assert run_job(ctx, rejected) == "rejected"

    root = ctx.settings.data_dir
    kept = _worker_files(root)
    assert kept and all(name.startswith("inputs/") for name in kept), kept
    assert files_holding(root, [MARKER], archives) == []
    assert not any(ctx.settings.work_dir.iterdir())  # no run folder, no extracted code
    cached = {hashlib.sha256((root / k).read_bytes()).hexdigest() for k in kept}
    assert cached == {p.removeprefix("inputs/").removesuffix(".csv") for p in kept}  # by hash only
    # The API kept the worker's uploads only while grading them.
    assert not list(wapi.settings.worker_outputs_dir.rglob("*.csv"))

    # The candidate is then erased where their data lives, the API: nothing is left anywhere.
    for name in ("ada", "bob"):
        email = _email_of(wapi, name)
        erase_on_request(wapi.db, wapi.settings, email, actor="test", now=utcnow())
        assert rows_holding(wapi.db, [email, MARKER]) == []
    assert files_holding(wapi.settings.data_dir, [MARKER], archives) == []
    assert files_holding(root, [MARKER], archives) == []


def _email_of(wapi: WorkerApi, name: str) -> str:
    with wapi.db.session() as s:
        return str(s.scalars(select(Candidate.email).where(Candidate.name == name)).one())

"""The first step of every run: check and extract the archive, read the contract, take stock.

Never executes candidate code. A distributed worker and the API both run it on the same archive,
so they agree on what the submission is.
"""

from __future__ import annotations

import time
from pathlib import Path

from graders.types import StageName, StageOutcome, Verdict
from harness.errors import InputRejected
from harness.grading.job import Prepared
from harness.grading.progress import ProgressCallback, null_progress, timed
from harness.grading.workdir import RunDirs
from harness.reports.schema import SubmissionInfo
from harness.submissions.archive import ArchiveLimits, extract_submission
from harness.submissions.contract import detect_contract

__all__ = ["inventory", "prepare_workspace"]


def inventory(root: Path) -> tuple[str, dict[str, int]]:
    """A one-line summary of what the submission holds, and the counts behind it."""
    counts = {"files": 0, "python_files": 0, "notebooks": 0, "python_lines": 0, "bytes": 0}
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        counts["files"] += 1
        counts["bytes"] += path.stat().st_size
        if path.suffix == ".py":
            counts["python_files"] += 1
            with path.open("rb") as fh:
                counts["python_lines"] += sum(1 for _ in fh)
        elif path.suffix == ".ipynb":
            counts["notebooks"] += 1
    message = (f"{counts['files']} files, {counts['python_files']} Python files "
               f"({counts['python_lines']} lines), {counts['notebooks']} notebooks")
    return message, counts


def prepare_workspace(archive: Path, filename: str, dirs: RunDirs,
                      progress: ProgressCallback = null_progress) -> Prepared:
    """Extract ``archive`` (uploaded as ``filename``) into ``dirs.submission``; read its contract.

    Raises :class:`InputRejected` for unusable input (the caller turns it into a ``rejected``
    report).
    """
    with timed(progress, "extract") as state:
        try:
            # The upload's size was judged when it was admitted (HARNESS_MAX_UPLOAD_MB, before
            # the 202): grading never rejects an upload for a size intake accepted.
            checked = extract_submission(
                archive, dirs.submission, ArchiveLimits(max_archive_bytes=None), filename
            )
            contract = detect_contract(dirs.submission)
        except InputRejected as exc:
            state["verdict"], state["message"] = "rejected", exc.message
            raise
        info = SubmissionInfo(filename=filename, sha256=checked.sha256, kind=contract.kind,
                              files=checked.files, bytes=checked.total_bytes)
        state["message"] = f"{checked.files} files"
    with timed(progress, "static") as state:
        t0 = time.perf_counter()
        message, _ = inventory(dirs.submission)
        static = StageOutcome(name=StageName.static, verdict=Verdict.ok, message=message,
                              duration_s=round(time.perf_counter() - t0, 3))
        state["message"] = message
    return Prepared(info=info, contract=contract, static=static)

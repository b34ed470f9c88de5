"""The host folders of one grading run, created fresh and removed afterwards."""

from __future__ import annotations

import errno
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from graders.types import StageName
from harness.errors import InfrastructureError

__all__ = ["RunDirs", "run_folder"]


@dataclass(frozen=True)
class RunDirs:
    """Host folders of one grading run."""

    root: Path
    run_id: str
    """Short random id; containers of the run carry it as a label."""

    @property
    def submission(self) -> Path:
        """The extracted submission (hostile input: read, never execute on the host)."""
        return self.root / "submission"

    @property
    def model(self) -> Path:
        """The model folder train writes and predict reads."""
        return self.root / "model"

    @property
    def harness_files(self) -> Path:
        """Files the harness mounts into a stage (the test plan's plugins and config)."""
        return self.root / "harness-files"

    def out(self, stage: StageName) -> Path:
        """Where a stage's output files are collected (or a worker's uploads are put)."""
        return self.root / f"out-{stage.value}"

    def create(self) -> None:
        for path in (self.submission, self.model, self.harness_files):
            path.mkdir(parents=True, exist_ok=True)


@contextmanager
def run_folder(work_dir: Path, *, keep: bool = False) -> Iterator[RunDirs]:
    """A fresh work folder for one run under ``work_dir``, removed afterwards unless ``keep``.

    A full disk is the harness's trouble, not the candidate's: it becomes an
    :class:`InfrastructureError`, which callers retry.
    """
    run_id = uuid.uuid4().hex[:12]
    try:
        work_dir.mkdir(parents=True, exist_ok=True)
        root = Path(tempfile.mkdtemp(prefix=f"run-{run_id}-", dir=work_dir))
    except OSError as exc:
        raise InfrastructureError(f"Cannot create a work folder under {work_dir}: {exc}") from exc
    dirs = RunDirs(root, run_id)
    try:
        dirs.create()
        yield dirs
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InfrastructureError(
                f"The harness ran out of disk space under {work_dir} ({exc}). Free space and "
                "regrade; the submission was not judged."
            ) from exc
        raise
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)

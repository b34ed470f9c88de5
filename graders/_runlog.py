"""How the candidate's run ended, read from the stages' verdicts and log tails.

The train, predict and notebook stages leave a verdict, a message ("exit code 1") and the end of
their output. A reviewer needs more: *which* cell of the notebook stopped the run and with what
error, or the exception that ended ``train.py``. This module reads that from the log tail (the
harness's notebook runner prints nbclient's report of the failing cell; Python prints a
traceback), and is shared by the graders that report a failed run (``accuracy``, ``notebooks``).
The log was written by candidate code, so it is only searched with bounded patterns, never
trusted for anything but a description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from graders._notebooks import LoadedNotebook, notebooks
from graders.types import GradingContext, StageName, StageOutcome, Verdict

__all__ = ["RUN_STAGES", "RunFailure", "notebook_failure_cell", "run_failure"]

RUN_STAGES = (StageName.train, StageName.predict, StageName.notebook)
"""Stages whose failure means the submission does not run end to end."""

_FAILED = frozenset(
    {Verdict.failed, Verdict.timed_out, Verdict.out_of_memory, Verdict.output_too_large}
)
_CELL_SOURCE = re.compile(
    r"An error occurred while executing the following cell:\n-{6,}\n(.{0,20000}?)\n-{6,}\n",
    re.DOTALL,
)
_CELL_IN = re.compile(r"^Cell In\[(\d{1,6})\], line \d+", re.MULTILINE)
_ERROR_LINE = re.compile(
    r"^([A-Za-z_][\w.]{0,80}(?:Error|Exception|Exit|Interrupt)|StopIteration)(?::\s?(.{0,300}))?$",
    re.MULTILINE,
)
_ERRORISH = re.compile(r"(?i)error|not found|no such file|can't open|cannot|killed")
_CELL_TIMEOUT = re.compile(r"run_notebook: a cell ran longer than (\S+) s")
_DEAD_KERNEL = "run_notebook: the kernel died"
_VERDICT_TEXT = {
    Verdict.timed_out: "was killed at its time limit",
    Verdict.out_of_memory: "ran out of memory",
    Verdict.output_too_large: "wrote more output than allowed",
}


@dataclass(frozen=True)
class RunFailure:
    """The first run stage that did not finish, and why."""

    stage: StageName
    verdict: Verdict
    notebook: str | None = None
    """The notebook that was run, for a notebook submission."""
    cell: int | None = None
    """1-based position of the failing cell among all the notebook's cells (as reports number
    cells), when it could be told."""
    error: str | None = None
    """The exception line, e.g. ``NameError: name 'train_labels' is not defined``."""
    stage_message: str = ""

    @property
    def error_type(self) -> str | None:
        return self.error.split(":", 1)[0] if self.error else None

    def describe(self) -> str:
        """One clause for a summary: ``the notebook stopped at cell 6 with NameError: ...``."""
        if self.stage is StageName.notebook:
            where = f" at cell {self.cell}" if self.cell is not None else ""
            if self.verdict in _VERDICT_TEXT:
                return f"the notebook run {_VERDICT_TEXT[self.verdict]}{where}"
            if self.error:
                return f"the notebook stopped{where} with {self.error}"
            return f"the notebook stopped{where} ({self.stage_message or 'failed'})"
        what = f"the {self.stage.value} command"
        if self.verdict in _VERDICT_TEXT:
            return f"{what} {_VERDICT_TEXT[self.verdict]}"
        if self.error:
            return f"{what} failed with {self.error}"
        return f"{what} failed ({self.stage_message or 'non-zero exit'})"


def _last_error(text: str) -> str | None:
    """The last exception line of a traceback, or else the last line that reads like an error."""
    found = None
    for match in _ERROR_LINE.finditer(text):
        found = match
    if found is not None:
        kind, detail = found.group(1), (found.group(2) or "").strip()
        return f"{kind}: {detail}" if detail else kind
    lines = [line.strip() for line in text.splitlines()[-20:] if line.strip()]
    if lines and _ERRORISH.search(lines[-1]):
        return lines[-1][:300]
    return None


def _run_notebook(ctx: GradingContext) -> LoadedNotebook | None:
    """The notebook a notebook submission is run as: the single one at the root."""
    root = [nb for nb in notebooks(ctx) if len(PurePosixPath(nb.rel).parts) == 1]
    return root[0] if len(root) == 1 else None


def notebook_failure_cell(log: str, nb: LoadedNotebook | None) -> int | None:
    """The 1-based cell (among all cells) the runner reported as failing, if it can be told."""
    if nb is None:
        return None
    code = [c for c in nb.cells if c.cell_type == "code"]
    shown = _CELL_SOURCE.search(log)
    if shown is not None:
        source = shown.group(1)
        for cell in code:
            if cell.source == source or cell.source.strip() == source.strip():
                return cell.index + 1
    counted = _CELL_IN.search(log[shown.end() :] if shown else log)
    if counted is not None:
        # A fresh kernel numbers the cells it executes 1, 2, ...; empty cells are skipped.
        executed = [c for c in code if c.source.strip()]
        n = int(counted.group(1))
        if 1 <= n <= len(executed):
            return executed[n - 1].index + 1
    return None


def _failure(stage: StageOutcome, ctx: GradingContext) -> RunFailure:
    log = stage.log_tail[-200_000:]
    if stage.name is not StageName.notebook:
        return RunFailure(
            stage.name, stage.verdict, error=_last_error(log), stage_message=stage.message
        )
    nb = _run_notebook(ctx)
    cell = notebook_failure_cell(log, nb)
    error: str | None
    timeout = _CELL_TIMEOUT.search(log)
    if timeout is not None:
        error = f"a cell running longer than {timeout.group(1)} s"
    elif _DEAD_KERNEL in log:
        error = "the kernel dying (out of memory?)"
    else:
        error = _last_error(log)
    return RunFailure(
        stage.name,
        stage.verdict,
        notebook=nb.rel if nb else None,
        cell=cell,
        error=error,
        stage_message=stage.message,
    )


def run_failure(ctx: GradingContext) -> RunFailure | None:
    """The first train, predict or notebook stage that did not finish; None when all did."""
    for name in RUN_STAGES:
        stage = ctx.stage(name)
        if stage is not None and stage.verdict in _FAILED:
            return _failure(stage, ctx)
    return None

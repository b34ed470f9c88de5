"""``harness calibrate``: grade the calibration corpus and compare with the expert's judgments."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from harness.assignments.loader import load_assignment
from harness.calibration.compare import Calibration, calibration_dict, compare
from harness.calibration.judgments import check_coverage, load_judgments
from harness.calibration.run import DEFAULT_CORPUS, DEFAULT_JUDGMENTS, grade_corpus
from harness.cli.common import EXIT_HARNESS_ERROR, err, fail, load_settings, out
from harness.errors import HarnessError, InfrastructureError
from harness.grading.progress import ProgressEvent
from harness.reports.schema import Report

__all__ = ["calibrate", "print_calibration", "register"]


class _CorpusProgress:
    """One bar for the corpus, one line per submission being graded (its current stage)."""

    def __init__(self, progress: Progress, total: int) -> None:
        self._progress = progress
        self._overall = progress.add_task("corpus", total=total)
        self._running: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def stage(self, slug: str, event: ProgressEvent) -> None:
        if event.state != "started":
            return
        with self._lock:
            task = self._running.get(slug)
            if task is None:
                task = self._running[slug] = self._progress.add_task("", total=None)
        self._progress.update(task, description=f"  {escape(slug)}: {escape(event.label)}")

    def graded(self, slug: str, report: Report) -> None:
        with self._lock:
            task = self._running.pop(slug, None)
        if task is not None:
            self._progress.remove_task(task)
        self._progress.advance(self._overall)
        score = report.overall.score
        shown = f"{score:.1f}" if score is not None else report.status.value
        self._progress.console.print(f"{escape(slug)}: overall {escape(shown)}", highlight=False)


def _fmt(value: float | None, digits: int = 2, signed: bool = False) -> str:
    if value is None:
        return "undefined"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def print_calibration(calibration: Calibration, console: Console, *, submissions: int) -> None:
    """The agreement table, the thresholds and the largest disagreements."""
    table = Table(title=f"Agreement with the expert ({submissions} submissions)", title_justify="left")
    for column in ("grader ↔ judgment", "n", "Spearman rho", "MAE", "bias (harness - expert)"):
        table.add_column(column, justify="left" if column.startswith("grader") else "right")
    table.add_column("note")
    for stats in calibration.dimensions:
        label = escape(f"{stats.grader} ↔ {stats.dimension}")
        if not stats.graded:
            table.add_row(label, "-", "not graded", "-", "-", "no report has this grader")
            continue
        notes = []
        if stats.not_graded:
            notes.append(f"{stats.not_graded} not graded")
        if stats.unscored:
            notes.append(f"{stats.unscored} without a score")
        if stats.grader in calibration.weighted_graders:
            notes.append("weighted")
        table.add_row(label, str(stats.n), _fmt(stats.rho), _fmt(stats.mae, 1), _fmt(stats.bias, 1, signed=True),
                      escape(", ".join(notes)))
    console.print(table)

    t = calibration.thresholds
    failures = calibration.failures()
    verdict = "[green]met[/]" if not failures else f"[red]not met[/]: {escape('; '.join(failures))}"
    console.print(f"Thresholds (issue 9): overall rho ≥ {t.overall_rho}, each weighted grader's rho ≥ "
                  f"{t.grader_rho}, overall MAE ≤ {t.overall_mae:g}: {verdict}", highlight=False)

    worst = Table(title=f"Largest disagreements (top {len(calibration.disagreements)})", title_justify="left")
    for column in ("submission", "dimension", "expert", "harness", "diff"):
        worst.add_column(column, justify="right" if column in ("expert", "harness", "diff") else "left",
                         no_wrap=column in ("submission", "dimension"))
    worst.add_column("harness summary", overflow="fold", ratio=1)
    for d in calibration.disagreements:
        worst.add_row(escape(d.submission), escape(f"{d.grader} ↔ {d.dimension}"), str(d.expert),
                      f"{d.harness:.1f}", f"{d.difference:+.1f}", escape(d.summary))
    console.print(worst)


def calibrate(
    corpus: Annotated[Path, typer.Option(help="Folder of corpus submissions, one per sub-folder.")] = DEFAULT_CORPUS,
    judgments: Annotated[Path | None, typer.Option(
        help="Expert judgments (TOML); default: judgments.toml beside the corpus folder.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the figures and every score pair here.")] = None,
    only: Annotated[list[str] | None, typer.Option(
        "--only", help="Grade only these submissions (repeat, or separate with commas).")] = None,
    assignment: Annotated[str, typer.Option("--assignment", "-a", help="Assignment the corpus is for.")] = "support-tickets",
    jobs: Annotated[int, typer.Option(min=1, max=8, help="Submissions graded at once.")] = 2,
    check: Annotated[bool, typer.Option(help="Exit 1 when a threshold is not met.")] = False,
) -> None:
    """Grade every corpus submission and compare the scores with the expert's judgments."""
    settings = load_settings()
    judgments_path = judgments if judgments is not None else corpus.parent / DEFAULT_JUDGMENTS.name
    try:
        judged = load_judgments(judgments_path)
        slugs = check_coverage(judged, corpus)
        loaded = load_assignment(assignment, settings)
    except HarnessError as exc:
        fail(exc.message)
    if only:
        wanted = [s.strip() for item in only for s in item.split(",") if s.strip()]
        unknown = sorted(set(wanted) - set(slugs))
        if unknown:
            fail(f"not in the corpus: {', '.join(unknown)} (the corpus has {len(slugs)} submissions in {corpus})")
        slugs = [s for s in slugs if s in wanted]

    started = time.perf_counter()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        tracker = _CorpusProgress(progress, len(slugs))
        try:
            reports = grade_corpus(corpus, slugs, loaded, settings=settings, jobs=jobs,
                                   on_stage=tracker.stage, on_graded=tracker.graded)
        except InfrastructureError as exc:
            progress.stop()
            fail(exc.message, EXIT_HARNESS_ERROR)
    wall = time.perf_counter() - started
    try:
        calibration = compare(judged, reports)
    except HarnessError as exc:
        fail(exc.message, EXIT_HARNESS_ERROR)
    # Piped to a file, rich would fold the summaries into an 80-column table.
    console = out if out.is_terminal else Console(width=160, highlight=False)
    print_calibration(calibration, console, submissions=len(reports))
    console.print(f"Graded {len(reports)} submissions in {wall:.0f} s ({jobs} at a time).", highlight=False)
    if json_out is not None:
        document = {"corpus": str(corpus), "judgments": str(judgments_path), "assignment": loaded.name,
                    "wall_seconds": round(wall, 1), "jobs": jobs, **calibration_dict(calibration, judged)}
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(document, indent=2), encoding="utf-8")
        err.print(f"figures written to {escape(str(json_out))}", highlight=False)
    if check and calibration.failures():
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate)

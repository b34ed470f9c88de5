"""``harness grade PATH --assignment NAME --json report.json``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.status import Status
from rich.table import Table
from rich.text import Text

from harness.assignments.loader import load_assignment
from harness.cli.common import EXIT_HARNESS_ERROR, err, escape, fail, load_settings, out
from harness.errors import HarnessError, InfrastructureError
from harness.grading.job import GradingJob
from harness.grading.pipeline import error_report, grade_path
from harness.grading.progress import ProgressEvent
from harness.reports.schema import Report, ReportStatus

__all__ = ["register"]

_MARKS = {"ok": "[green]ok[/]", "rejected": "[red]rejected[/]", "skipped": "[dim]skipped[/]"}


class _Progress:
    """Prints one line per finished step; a spinner shows the running one on a terminal."""

    def __init__(self) -> None:
        self._status: Status | None = None
        self._t0 = time.perf_counter()

    def __call__(self, event: ProgressEvent) -> None:
        stamp = f"[dim]{time.perf_counter() - self._t0:6.1f}s[/]"
        if event.state == "started":
            if err.is_terminal:
                if self._status is not None:
                    self._status.stop()
                self._status = err.status(f"{escape(event.label)}...")
                self._status.start()
            else:
                err.print(f"{stamp} {escape(event.label)}...", highlight=False)
        elif event.state == "info":
            err.print(f"{stamp}   {escape(event.message)}", highlight=False)
        else:
            if self._status is not None:
                self._status.stop()
                self._status = None
            verdict = event.verdict or "ok"
            mark = _MARKS.get(verdict, f"[yellow]{escape(verdict.replace('_', ' '))}[/]")
            took = f" ({event.elapsed_s:.1f} s)" if event.elapsed_s is not None else ""
            detail = f" - {escape(event.message)}" if event.message and verdict != "ok" else ""
            err.print(f"{stamp} {escape(event.label)}: {mark}{took}{detail}", highlight=False)


def print_summary(report: Report) -> None:
    """The report for a terminal. Text from the report is never read as console markup (a
    ``[train]`` in a message stays ``[train]``), and long summaries wrap rather than being cut."""
    if report.status != ReportStatus.graded:
        colour = "red" if report.status == ReportStatus.rejected else "magenta"
        out.print(f"[bold {colour}]{report.status.value.upper()}[/]: {escape(report.message)}", highlight=False)
        return
    overall = report.overall
    score = "n/a" if overall.score is None else f"{overall.score:.1f} / 100"
    note = "" if overall.complete else f" [yellow](incomplete: {escape(', '.join(overall.missing))} errored)[/]"
    out.print(f"[bold]Overall: {score}[/]{note}  submission {escape(report.submission.filename)} "
              f"({report.submission.kind}), assignment {escape(report.assignment)} "
              f"v{escape(report.assignment_version)}", highlight=False)
    for flag in overall.flags:
        out.print(f"[bold red]![/] {escape(flag)}", highlight=False)
    for name, why in overall.not_applicable.items():
        out.print(f"{escape(name)}: {escape(why)} It is left out of the overall; the other weights "
                  "are renormalised.", highlight=False)
    stages = Table(title="Stages", show_lines=False)
    for col in ("stage", "verdict", "time", "peak memory"):
        stages.add_column(col, no_wrap=True)
    stages.add_column("detail", overflow="fold")
    for stage in report.stages:
        mem = "" if stage.peak_memory_bytes is None else f"{stage.peak_memory_bytes / 2**20:.0f} MiB"
        detail = "" if stage.verdict.value == "ok" else stage.message[:300]
        stages.add_row(stage.name.value, stage.verdict.value, f"{stage.duration_s:.1f} s", mem, Text(detail))
    out.print(stages)
    graders = Table(title="Graders")
    for col in ("grader", "status", "score", "weight"):
        graders.add_column(col, no_wrap=True)
    graders.add_column("summary", overflow="fold")
    applied = overall.applied_weights()
    for grader in report.graders:
        weight = applied.get(grader.name, 0.0)
        shown = "n/a" if grader.name in overall.not_applicable else f"{weight:.0%}" if weight else "-"
        graders.add_row(grader.name, grader.status.value,
                        "-" if grader.score is None else f"{grader.score:.1f}", shown, Text(grader.summary))
    out.print(graders)
    findings = [(g.name, f) for g in report.graders for f in g.findings if f.severity.value != "info"]
    if findings:
        out.print(f"[bold]Findings[/] ({len(findings)} warnings and errors; all in the JSON report):")
        for _, finding in findings[:12]:
            where = ""
            if finding.file:
                where = f" {finding.file}" + (f":{finding.line}" if finding.line is not None else "")
            out.print(f"  [{'red' if finding.severity.value == 'error' else 'yellow'}]{escape(finding.rule)}[/]"
                      f"{escape(where)} {escape(finding.message[:400])}", highlight=False)


def grade(
    path: Annotated[Path, typer.Argument(help="Submission: a folder, .zip or .tar.gz.")],
    assignment: Annotated[str, typer.Option("--assignment", "-a",
                                            help="Name of a shipped assignment or path of an assignment folder.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the full JSON report here.")] = None,
    keep_workdir: Annotated[bool, typer.Option(help="Keep the run's work folder for debugging.")] = False,
) -> None:
    """Grade one submission and print a summary. Exits 0 whenever a report was produced."""
    settings = load_settings()
    if not path.exists():
        fail(f"{path} does not exist; give a submission folder, .zip or .tar.gz")
    try:
        loaded = load_assignment(assignment, settings)
    except HarnessError as exc:
        fail(exc.message)
    try:
        report = grade_path(path, loaded, settings=settings, progress=_Progress(),
                            keep_workdir=keep_workdir)
    except InfrastructureError as exc:  # the harness's trouble: a report that says so, exit 3
        report = error_report(GradingJob.for_path(path, loaded), exc.message)
    except HarnessError as exc:
        fail(exc.message)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    print_summary(report)
    if json_out is not None:
        err.print(f"report written to {json_out}", highlight=False, markup=False)
    if report.status == ReportStatus.error:
        raise typer.Exit(EXIT_HARNESS_ERROR)


def register(app: typer.Typer) -> None:
    app.command("grade")(grade)

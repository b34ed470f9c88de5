"""Everything the report page shows, gathered from the stored report, the archive and the DB."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pydantic import ValidationError

from api import plots
from api.render import markdown_html
from harness.assignments.spec import AiPolicy
from harness.reports.schema import Report
from harness.reports.store import read_artifact
from harness.settings import Settings
from harness.submissions.browse import list_files, read_text
from harness.submissions.models import ReportRecord, Submission
from harness.submissions.service import ScoreDistribution, blob_path

__all__ = ["NotebookPane", "ReportView", "build_report_view", "notebook_panes", "writeup_markdown"]

_WRITEUP_NAMES = ("writeup.md", "report.md", "readme.md", "writeup.txt")


@dataclass(frozen=True)
class NotebookPane:
    """One notebook on the report page: the graded run's rendering when the harness ran it
    (shown first), and the notebook as submitted (on request)."""

    title: str
    run: str | None
    """Artifact key of the harness's run, with its outputs (notebook-only submissions)."""
    submitted: str | None
    """Artifact key of the notebook as the candidate saved it."""


_SUBMITTED = "notebooks/notebook:"
_RUN = "notebooks/notebook-run:"


def notebook_panes(artifacts: dict[str, str]) -> list[NotebookPane]:
    """The notebooks (and other HTML artifacts) of a report, one pane each."""
    titles: dict[str, dict[str, str]] = {}
    for key in artifacts:
        for prefix, kind in ((_RUN, "run"), (_SUBMITTED, "submitted")):
            if key.startswith(prefix):
                titles.setdefault(key[len(prefix) :], {})[kind] = key
                break
        else:
            if key.startswith("notebooks/") or key.lower().endswith((".html", ".htm")):
                titles.setdefault(key.split("/", 1)[-1], {})["submitted"] = key
    return [
        NotebookPane(title, keys.get("run"), keys.get("submitted"))
        for title, keys in sorted(titles.items())
    ]


@dataclass
class ReportView:
    report: Report | None
    record: ReportRecord | None
    plots: dict[str, Markup] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    notebooks: list[NotebookPane] = field(default_factory=list)
    writeup_html: Markup | None = None
    writeup_source: str = ""
    tests: list[dict[str, Any]] = field(default_factory=list)
    mutation: dict[str, Any] = field(default_factory=dict)
    """The tests grader's mutation details and score, for the mutation table."""
    percentile: float | None = None
    serving: dict[str, Any] | None = None
    """The serving section: bad-request rows, the server's log tail and headline metrics."""
    ai_statement: str = ""
    """The assignment's AI-assistance policy as candidates read it."""
    ai_disclosure: str = ""
    """What the writeup says about AI use (``used``, ``not_used``, ``none``), when graded."""


def _report(record: ReportRecord | None) -> Report | None:
    if record is None:
        return None
    try:
        return Report.model_validate(record.body)
    except ValidationError:
        return None


def _notebook_markdown(text: str) -> str | None:
    """The Markdown cells of a notebook, joined (the writeup of a notebook-only submission)."""
    try:
        nb = json.loads(text)
    except ValueError:
        return None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return None
    parts = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            parts.append("".join(source) if isinstance(source, list) else str(source))
    return "\n\n".join(parts) or None


def writeup_markdown(
    settings: Settings, sub: Submission, record: ReportRecord | None, report: Report | None = None
) -> tuple[str, str] | None:
    """(markdown, where it came from): the writeup grader's artifact, else the file(s) it read,
    else a conventional name in the archive."""
    if record is not None:
        for key, stored in record.artifacts.items():
            grader, _, name = key.partition("/")
            if grader == "writeup" and name.lower().endswith((".md", ".txt")):
                text = read_artifact(settings.artifacts_dir, stored, max_bytes=400_000)
                if text is not None:
                    return text, name
    blob = blob_path(settings, sub)
    writeup = report.grader("writeup") if report is not None else None
    sources = writeup.details.get("sources") if writeup is not None else None
    for source in sources if isinstance(sources, list) else []:
        got = read_text(blob, str(source))
        if got is None:
            continue
        if str(source).lower().endswith(".ipynb"):
            markdown = _notebook_markdown(got[0])
            if markdown:
                return markdown, f"{source} (Markdown cells)"
            continue
        return got[0], str(source)
    by_name = {e.path.lower(): e.path for e in list_files(blob) if "/" not in e.path}
    for name in _WRITEUP_NAMES:
        if name in by_name:
            found = read_text(blob, by_name[name])
            if found is not None:
                return found[0], by_name[name]
    return None


def _score_plots(view: ReportView, report: Report) -> None:
    """Confusion matrix, per-class F1 against the baseline, and the intervals table."""
    if report.scores is None or report.scores.heldout is None:
        return
    held = report.scores.heldout
    view.plots["confusion"] = plots.confusion_heatmap(held.confusion.labels, held.confusion.matrix)
    view.plots["f1"] = plots.f1_bars(
        [(c.label, c.f1) for c in held.per_class], report.scores.baseline_per_class_f1
    )
    rows: list[tuple[str, float, float, float, float | None]] = []
    base = report.scores.baseline
    for split in (report.scores.heldout, report.scores.shifted):
        if split is None:
            continue
        rows.append(
            (
                f"{split.split} accuracy",
                split.accuracy,
                split.accuracy_ci.low,
                split.accuracy_ci.high,
                base.get(f"{split.split}.accuracy"),
            )
        )
        rows.append(
            (
                f"{split.split} macro-F1",
                split.macro_f1,
                split.macro_f1_ci.low,
                split.macro_f1_ci.high,
                base.get(f"{split.split}.macro_f1"),
            )
        )
    view.plots["intervals"] = plots.intervals(rows)


def _distribution_plot(view: ReportView, sub: Submission, distribution: ScoreDistribution) -> None:
    """Where this submission's score sits among the assignment's."""
    if not distribution.scores:
        return
    share = distribution.share_below(sub.overall_score) if sub.overall_score is not None else None
    view.plots["distribution"] = plots.distribution(distribution.histogram, sub.overall_score, share)
    if share is not None:
        view.percentile = 100 * share


def _stages_and_tests(view: ReportView, report: Report) -> None:
    """The stage timeline (bar widths relative to the longest stage) and the test results."""
    longest = max((s.duration_s for s in report.stages), default=0.0) or 1.0
    view.timeline = [
        {"stage": s, "width": max(2.0, 100 * s.duration_s / longest)} for s in report.stages
    ]
    tests = report.grader("tests")
    if tests is not None:
        raw = tests.details.get("results") or tests.details.get("tests") or []
        if isinstance(raw, list):
            view.tests = [t for t in raw if isinstance(t, dict)][:500]
        mutation = tests.details.get("mutation")
        if isinstance(mutation, dict) and mutation.get("status"):
            rows = mutation.get("mutants")
            view.mutation = {
                "status": str(mutation["status"]),
                "reason": str(mutation.get("reason") or ""),
                "rows": [r for r in rows if isinstance(r, dict)][:200] if isinstance(rows, list) else [],
                **{k: tests.metrics.get(k) for k in ("mutation_score", "mutation_ci_low", "mutation_ci_high",
                                                      "mutants_judged", "mutants_killed")},
            }


def _serving(view: ReportView, report: Report) -> None:
    """The latency histogram, the bad-request table and the server's log tail."""
    grader = report.grader("serving")
    stage = next((s for s in report.stages if s.name.value == "serve"), None)
    if grader is None or stage is None or not grader.details:
        return
    latencies = grader.details.get("latencies_ms")
    if isinstance(latencies, dict):
        series = [(f"{name} ({len(values)})", [float(v) for v in values[:5000] if isinstance(v, int | float)])
                  for name, values in latencies.items() if isinstance(values, list) and values]
        if series:
            view.plots["latency"] = plots.latency_histogram(series)
    rows = grader.details.get("bad_requests")
    view.serving = {
        "bad_requests": [r for r in rows if isinstance(r, dict)][:32] if isinstance(rows, list) else [],
        "log_tail": stage.log_tail[-20_000:],
        "log_truncated": stage.log_truncated,
        "metrics": grader.metrics,
        "message": stage.message,
        "verdict": stage.verdict.value,
    }


def _files(view: ReportView, blob: Path, report: Report | None) -> None:
    """The archive's files, each with its findings and test coverage."""
    findings_per_file: Counter[str] = Counter()
    coverage: dict[str, Any] = {}
    if report is not None:
        findings_per_file.update(f.file for g in report.graders for f in g.findings if f.file)
        tests = report.grader("tests")
        if tests is not None and isinstance(tests.details.get("coverage_by_file"), dict):
            coverage = tests.details["coverage_by_file"]
    for e in list_files(blob):
        cov = coverage.get(e.path)
        pct = None
        if isinstance(cov, dict) and cov.get("statements"):
            pct = float(cov.get("covered", 0)) / float(cov["statements"])
        view.files.append(
            {
                "path": e.path,
                "size": e.size,
                "findings": findings_per_file.get(e.path, 0),
                "coverage": pct,
            }
        )


def _ai_policy(view: ReportView, report: Report) -> None:
    policy = report.integrity.ai_policy if report.integrity is not None else None
    if policy is not None and policy in AiPolicy.__members__:
        view.ai_statement = AiPolicy(policy).statement
    writeup = report.grader("writeup")
    disclosure = writeup.metrics.get("ai_disclosure") if writeup is not None else None
    view.ai_disclosure = disclosure if isinstance(disclosure, str) else ""


def build_report_view(
    settings: Settings,
    sub: Submission,
    record: ReportRecord | None,
    distribution: ScoreDistribution,
) -> ReportView:
    report = _report(record)
    view = ReportView(report=report, record=record)
    if report is not None:
        _score_plots(view, report)
    _distribution_plot(view, sub, distribution)
    if report is not None:
        _stages_and_tests(view, report)
        _serving(view, report)
        _ai_policy(view, report)
    _files(view, blob_path(settings, sub), report)
    if record is not None:
        # The notebooks grader's artifacts are rendered notebooks (as submitted, and as the
        # harness ran them); other graders' HTML artifacts are shown the same way.
        view.notebooks = notebook_panes(record.artifacts)
    writeup = writeup_markdown(settings, sub, record, report)
    if writeup is not None:
        view.writeup_html = markdown_html(writeup[0])
        view.writeup_source = writeup[1]
    return view


def code_view(
    settings: Settings, sub: Submission, record: ReportRecord | None, path: str
) -> dict[str, Any] | None:
    """Lines of one file with the findings that point at them; None if no such file."""
    report = _report(record)
    got = read_text(blob_path(settings, sub), path)
    if got is None:
        return None
    text, truncated = got
    by_line: dict[int, list[Any]] = {}
    unplaced = []
    if report is not None:
        for g in report.graders:
            for f in g.findings:
                if f.file == path:
                    if f.line:
                        by_line.setdefault(f.line, []).append(f)
                    else:
                        unplaced.append(f)
    lines = text.splitlines()[:20_000]
    return {
        "path": path,
        "lines": lines,
        "by_line": by_line,
        "unplaced": unplaced,
        "truncated": truncated,
    }

"""The ``notebooks`` grader: sanitised HTML for reviewers, and how reproducibly notebooks were run.

A notebook submission is run top to bottom by the harness; when that run stops (an exception in a
cell, a timeout, the kernel dying), the notebook does not run as submitted, whatever its saved
outputs show. So "no errors" is judged on the sandbox run as well as on the saved outputs, and
the failing cell is named.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from graders._notebooks import MAX_NOTEBOOK_BYTES, LoadedNotebook, load_notebook_text, notebooks
from graders._runlog import RunFailure, run_failure
from graders.notebooks.render import RenderedNotebook, render_notebook
from graders.types import (
    Finding,
    GraderResult,
    GraderStatus,
    GradingContext,
    MetricValue,
    ScoreComponent,
    Severity,
    StageName,
    score_from_breakdown,
)

__all__ = [
    "ARTIFACT_PREFIX",
    "EXECUTED_NOTEBOOK",
    "RUN_ARTIFACT_PREFIX",
    "NotebookStats",
    "NotebooksGrader",
    "notebook_stats",
]

ARTIFACT_PREFIX = "notebook:"
"""Artifacts are named ``notebook:<relative path>`` (the notebook as submitted)."""
RUN_ARTIFACT_PREFIX = "notebook-run:"
"""``notebook-run:<relative path>``: the harness's own run of a notebook-only submission, with
the outputs that run produced (what the grade rests on, not what the candidate saved)."""
EXECUTED_NOTEBOOK = "executed.ipynb"
"""The file the notebook stage writes: the notebook as it ran, outputs included."""


@dataclass(frozen=True)
class NotebookStats:
    """Execution facts of one notebook, from its saved state."""

    code_cells: int
    markdown_cells: int
    cells_with_outputs: int
    executed_cells: int
    """Code cells with an execution count."""
    unexecuted_cells: int
    """Non-empty code cells without an execution count."""
    order_problems: int
    """Places where an executed cell's count is not above the previous executed cell's."""
    counts: tuple[int, ...]
    """Execution counts in cell order."""
    error_cells: tuple[int, ...]
    """1-based numbers of cells whose outputs hold an error."""


def notebook_stats(nb: LoadedNotebook) -> NotebookStats:
    code = nb.code_cells
    counts = tuple(c.execution_count for c in code if c.execution_count is not None)
    problems = sum(1 for prev, cur in itertools.pairwise(counts) if cur <= prev)
    return NotebookStats(
        code_cells=len(code),
        markdown_cells=len(nb.markdown_cells),
        cells_with_outputs=sum(1 for c in code if c.outputs),
        executed_cells=len(counts),
        unexecuted_cells=sum(1 for c in code if c.execution_count is None and c.source.strip()),
        order_problems=problems,
        counts=counts,
        error_cells=tuple(
            c.index + 1 for c in code if any(o.get("output_type") == "error" for o in c.outputs)
        ),
    )


def _findings(nb: LoadedNotebook, stats: NotebookStats) -> list[Finding]:
    out: list[Finding] = []
    if stats.order_problems:
        shown = ", ".join(str(c) for c in stats.counts[:12]) + (
            " ..." if len(stats.counts) > 12 else ""
        )
        out.append(
            Finding(
                rule="notebooks:out-of-order",
                message=f"Cells were run out of order (execution counts in cell order: {shown}); the saved "
                "outputs may not be what running top to bottom gives. Restart and run all before submitting.",
                severity=Severity.warning,
                file=nb.rel,
            )
        )
    if stats.code_cells and stats.executed_cells == 0:
        out.append(
            Finding(
                rule="notebooks:not-executed",
                message="The notebook was saved without running it: reviewers see no outputs.",
                severity=Severity.info,
                file=nb.rel,
            )
        )
    elif stats.unexecuted_cells:
        out.append(
            Finding(
                rule="notebooks:partially-executed",
                message=f"{stats.unexecuted_cells} of {stats.code_cells} code cells were never run.",
                severity=Severity.info,
                file=nb.rel,
            )
        )
    for cell in stats.error_cells[:10]:
        out.append(
            Finding(
                rule="notebooks:error-output",
                message=f"Cell {cell} was saved with an error in its output.",
                severity=Severity.warning,
                file=nb.rel,
            )
        )
    return out


@dataclass
class _Reviewed:
    """What reading and rendering each notebook gave."""

    findings: list[Finding] = field(default_factory=list)
    artifacts: dict[str, str] = field(default_factory=dict)
    """Sanitised HTML by artifact name (``notebook:<relative path>``)."""
    readable: list[tuple[LoadedNotebook, NotebookStats]] = field(default_factory=list)
    removed: int = 0
    """Script or widget outputs removed from the rendered views, in all."""


class NotebooksGrader:
    """Renders each notebook for reviewers and checks it was run top to bottom."""

    name = "notebooks"
    version = "1.2.0"

    def grade(self, ctx: GradingContext) -> GraderResult:
        loaded = notebooks(ctx)
        if not loaded:
            return GraderResult(
                name=self.name,
                version=self.version,
                status=GraderStatus.skipped,
                summary="No notebooks in the submission.",
                metrics={"notebooks": 0},
            )
        failure = run_failure(ctx)
        if failure is not None and failure.stage is not StageName.notebook:
            failure = None
        findings = [_run_finding(failure, loaded)] if failure is not None else []
        reviewed = _review(loaded)
        findings.extend(reviewed.findings)
        readable, artifacts = reviewed.readable, reviewed.artifacts
        rendered_count = len(artifacts)  # the submitted notebooks: what the score counts
        run_artifact = _rendered_run(ctx, loaded)
        if run_artifact is not None:
            artifacts[run_artifact[0]] = run_artifact[1]
        metrics = _metrics(loaded, readable, rendered_count, reviewed.removed)
        metrics["graded_run_rendered"] = run_artifact is not None
        metrics["run_failure"] = failure.describe() if failure is not None else None
        failed_run = _failed_notebook(failure, loaded)
        breakdown = _breakdown(len(loaded), readable, rendered_count, failed_run)
        run_text = f" The sandbox run failed: {failure.describe()}." if failure is not None else ""
        return GraderResult(
            name=self.name,
            version=self.version,
            status=GraderStatus.ok,
            score=score_from_breakdown(breakdown),
            summary=f"{len(loaded)} notebooks ({metrics['code_cells']} code cells); "
            f"{metrics['execution_order_problems']} execution-order problems; "
            f"{rendered_count} rendered for reviewers"
            f"{' (and the graded run, with its outputs)' if run_artifact else ''}.{run_text}",
            metrics=metrics,
            findings=sorted(
                findings, key=lambda f: {"error": 0, "warning": 1, "info": 2}[f.severity.value]
            ),
            breakdown=breakdown,
            artifacts=artifacts,
            details={
                "notebooks": [
                    {
                        "file": nb.rel,
                        "execution_counts": list(s.counts[:200]),
                        "error_cells": list(s.error_cells),
                    }
                    for nb, s in readable
                ]
            },
        )


def _rendered_run(ctx: GradingContext, loaded: list[LoadedNotebook]) -> tuple[str, str] | None:
    """The notebook stage's executed notebook, rendered like the submitted one, under the name
    of the notebook it ran (a notebook-only submission has exactly one at its root)."""
    stage = ctx.stages.get(StageName.notebook)
    path = stage.files.get(EXECUTED_NOTEBOOK) if stage is not None else None
    roots = [nb.rel for nb in loaded if "/" not in nb.rel]
    if path is None or len(roots) != 1:
        return None
    try:
        if path.is_symlink() or path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    rendered = render_notebook(load_notebook_text(roots[0], text))
    if rendered.html is None:
        return None
    return f"{RUN_ARTIFACT_PREFIX}{roots[0]}", rendered.html


def _review(loaded: list[LoadedNotebook]) -> _Reviewed:
    """Each notebook read for its execution facts and rendered for reviewers; one that cannot
    be read is a finding."""
    reviewed = _Reviewed()
    for nb in loaded:
        if nb.problem is not None:
            reviewed.findings.append(
                Finding(
                    rule="notebooks:malformed",
                    message=f"The notebook cannot be read: {nb.problem}.",
                    severity=Severity.warning,
                    file=nb.rel,
                )
            )
            continue
        stats = notebook_stats(nb)
        reviewed.readable.append((nb, stats))
        reviewed.findings.extend(_findings(nb, stats))
        rendered = render_notebook(nb)
        if rendered.html is not None:
            reviewed.artifacts[f"{ARTIFACT_PREFIX}{nb.rel}"] = rendered.html
        reviewed.removed += rendered.removed_active_outputs
        reviewed.findings.extend(_render_findings(nb, rendered))
    return reviewed


def _render_findings(nb: LoadedNotebook, rendered: RenderedNotebook) -> list[Finding]:
    """A notebook that could not be rendered, and outputs left out of its rendered view."""
    out: list[Finding] = []
    if rendered.html is None:
        out.append(
            Finding(
                rule="notebooks:render-failed",
                message=f"The notebook could not be rendered for reviewers: {rendered.problem}.",
                severity=Severity.warning,
                file=nb.rel,
            )
        )
    if rendered.removed_active_outputs or rendered.omitted_outputs:
        out.append(
            Finding(
                rule="notebooks:content-removed",
                message=f"For reviewers' safety, {rendered.removed_active_outputs} script or widget "
                f"outputs were removed and {rendered.omitted_outputs} oversized outputs were omitted "
                "from the rendered view.",
                severity=Severity.info,
                file=nb.rel,
            )
        )
    return out


def _metrics(
    loaded: list[LoadedNotebook],
    readable: list[tuple[LoadedNotebook, NotebookStats]],
    rendered: int,
    removed: int,
) -> dict[str, MetricValue]:
    stats = [s for _, s in readable]
    return {
        "notebooks": len(loaded),
        "notebooks_rendered": rendered,
        "malformed_notebooks": len(loaded) - len(readable),
        "code_cells": sum(s.code_cells for s in stats),
        "markdown_cells": sum(s.markdown_cells for s in stats),
        "cells_with_outputs": sum(s.cells_with_outputs for s in stats),
        "executed_cells": sum(s.executed_cells for s in stats),
        "unexecuted_cells": sum(s.unexecuted_cells for s in stats),
        "execution_order_problems": sum(s.order_problems for s in stats),
        "error_outputs": sum(len(s.error_cells) for s in stats),
        "active_outputs_removed": removed,
    }


def _failed_notebook(failure: RunFailure | None, loaded: list[LoadedNotebook]) -> str | None:
    """The notebook whose sandbox run failed (the submission's only root notebook)."""
    if failure is None:
        return None
    if failure.notebook is not None:
        return failure.notebook
    root = [nb.rel for nb in loaded if "/" not in nb.rel]
    return root[0] if len(root) == 1 else None


def _run_finding(failure: RunFailure, loaded: list[LoadedNotebook]) -> Finding:
    return Finding(
        rule="notebooks:run-failed",
        message="The harness ran this notebook top to bottom in a fresh kernel, and "
        f"{failure.describe()}: it does not run as submitted, whatever its saved outputs show. "
        "Restart the kernel and run all cells before submitting.",
        severity=Severity.error,
        file=_failed_notebook(failure, loaded),
    )


def _breakdown(
    total: int,
    readable: list[tuple[LoadedNotebook, NotebookStats]],
    rendered: int,
    failed_run: str | None = None,
) -> list[ScoreComponent]:
    stats = [s for _, s in readable]
    in_order = sum(1 for s in stats if s.order_problems == 0 and s.executed_cells)
    no_errors = sum(1 for nb, s in readable if not s.error_cells and nb.rel != failed_run)
    code = sum(s.code_cells for s in stats)
    executed = sum(s.executed_cells for s in stats)

    def part(criterion: str, max_points: float, fraction: float, basis: str) -> ScoreComponent:
        return ScoreComponent(
            criterion=criterion,
            points=round(max_points * max(0.0, min(1.0, fraction)), 2),
            max_points=max_points,
            basis=basis,
        )

    return [
        part("Notebooks can be read and rendered", 20, rendered / total, "metrics.notebooks_rendered"),
        part("Cells were run top to bottom (increasing execution counts)", 40,
             in_order / len(stats) if stats else 0.0, "metrics.execution_order_problems"),
        part("No errors: the harness's run finished and no errors are saved in outputs", 20,
             no_errors / len(stats) if stats else 0.0, "metrics.error_outputs"),
        part("Code cells executed with outputs saved", 20, executed / code if code else 0.0, "metrics.executed_cells"),
    ]  # fmt: skip

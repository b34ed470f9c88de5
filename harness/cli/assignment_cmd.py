"""``harness assignment validate PATH`` and ``harness assignment kit NAME``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.assignments.loader import load_assignment
from harness.assignments.validate import compare_scores, validate_assignment
from harness.cli.common import EXIT_HARNESS_ERROR, err, escape, fail, load_settings, out
from harness.errors import HarnessError
from harness.grading.pipeline import grade_path

__all__ = ["app"]

app = typer.Typer(help="Check and package assignments.", no_args_is_help=True)


def _measured(report_scores: object) -> dict[str, float]:
    from graders.types import PredictionScores

    assert isinstance(report_scores, PredictionScores)
    out_: dict[str, float] = {}
    for split in (report_scores.heldout, report_scores.shifted):
        if split is not None:
            out_[f"{split.split}.accuracy"] = split.accuracy
            out_[f"{split.split}.macro_f1"] = split.macro_f1
    return out_


@app.command("validate")
def validate(
    path: Annotated[str, typer.Argument(help="Assignment folder (or shipped assignment name).")],
    run_solutions: Annotated[bool, typer.Option(
        "--run/--no-run", help="Also grade solutions/baseline and solutions/reference in the sandbox "
        "and compare their scores with the ones recorded in the spec.")] = True,
) -> None:
    """Check an assignment: spec, data, labels apart from features, starter kit, baseline runs."""
    settings = load_settings()
    try:
        assignment = load_assignment(path, settings)
    except HarnessError as exc:
        fail(exc.message)
    report = validate_assignment(assignment)
    for note in report.notes:
        out.print(f"[green]ok[/] {escape(note)}", highlight=False)
    if report.ok and run_solutions:
        for name, recorded in (("baseline", assignment.spec.baseline), ("reference", assignment.spec.reference)):
            folder = assignment.root / "solutions" / name
            if recorded is None or not folder.is_dir():
                continue
            err.print(f"grading solutions/{name} in the sandbox...", markup=False)
            try:
                graded = grade_path(folder, assignment, settings=settings)
            except HarnessError as exc:
                fail(f"could not grade solutions/{name}: {exc.message}", EXIT_HARNESS_ERROR)
            if graded.scores is None or not graded.scores.check.ok:
                report.problems.append(f"solutions/{name} did not produce valid predictions: "
                                       f"{graded.message or [s.message for s in graded.stages]}")
                continue
            diffs = compare_scores(recorded, _measured(graded.scores))
            report.problems += [f"solutions/{name} {d}" for d in diffs]
            if not diffs:
                out.print(f"[green]ok[/] solutions/{name} scores match the spec", highlight=False)
    for problem in report.problems:
        out.print(f"[red]problem[/] {escape(problem)}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)
    out.print(f"[bold green]{escape(assignment.name)} is valid[/]")


@app.command("kit")
def kit(
    name: Annotated[str, typer.Argument(help="Assignment name or folder.")],
    output: Annotated[Path, typer.Option("--out", "-o", help="Zip file to write.")] = Path("starter-kit.zip"),
) -> None:
    """Build the candidate starter kit zip."""
    settings = load_settings()
    try:
        assignment = load_assignment(name, settings)
    except HarnessError as exc:
        fail(exc.message)
    assignment.starter_kit_zip(output)
    out.print(f"starter kit written to {output}", markup=False)

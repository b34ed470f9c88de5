"""The mutation part of the ``tests`` grader: metrics, findings and details from the stage.

Three outcomes, told apart on every report:

- ``measured``: mutants were judged; the score is killed / judged, with the sample size and a
  95% Wilson interval, and every surviving mutant is listed with its file, line, change and the
  tests that ran it;
- ``not_applicable``: there was nothing to mutate (no module of the candidate's that a passing
  test runs, no passing test, or mutation testing is off for the assignment); the grader's other
  criteria make the score;
- ``not_measured``: the stage ran but gave nothing usable (it failed, or the tests could not be
  run on the unmodified code there); said in a warning, and the other criteria make the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graders.candidate_tests.mutation.catalogue import Catalogue, build_catalogue
from graders.candidate_tests.mutation.operators import OPERATORS
from graders.candidate_tests.mutation.plan import MUTATION_JSON
from graders.candidate_tests.mutation.results import MutationRun, read_results
from graders.candidate_tests.plan import CONTEXTS_JSON, JUNIT_XML
from graders.types import (
    Finding,
    GradingContext,
    MetricValue,
    Severity,
    StageName,
    StageOutcome,
    Verdict,
)

__all__ = ["MEASURED", "NOT_APPLICABLE", "NOT_MEASURED", "MutationAssessment", "assess_mutation", "catalogue_for"]

MEASURED, NOT_APPLICABLE, NOT_MEASURED = "measured", "not_applicable", "not_measured"
MAX_SURVIVOR_FINDINGS = 15
MAX_LISTED = 200
MAX_TESTS_NAMED = 3


@dataclass
class MutationAssessment:
    status: str
    reason: str = ""
    run: MutationRun | None = None
    catalogue: Catalogue | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        return self.run.score if self.status == MEASURED and self.run is not None else None

    def metrics(self) -> dict[str, MetricValue]:
        run = self.run if self.status == MEASURED else None
        interval = run.interval if run is not None else None
        return {
            "mutation_status": self.status,
            "mutation_score": round(run.score, 4) if run is not None and run.score is not None else None,
            "mutation_ci_low": round(interval[0], 4) if interval else None,
            "mutation_ci_high": round(interval[1], 4) if interval else None,
            "mutants_judged": len(run.judged) if run is not None else None,
            "mutants_killed": run.killed if run is not None else None,
            "mutants_timed_out": run.count("timeout") if run is not None else None,
            "mutants_survived": len(run.survivors) if run is not None else None,
            "mutants_in_covered_code": len(self.catalogue.mutants) if self.catalogue is not None else None,
        }

    def details(self) -> dict[str, Any]:
        run = self.run
        out: dict[str, Any] = {"status": self.status, "reason": self.reason, "operators": OPERATORS}
        if run is None:
            return out
        out.update(
            stopped=run.stopped,
            baseline_seconds=run.baseline_seconds,
            elapsed_s=run.elapsed_s,
            budget_s=run.budget_s,
            not_judged=run.not_judged,
            mutants=[
                {
                    "file": v.mutant.file,
                    "line": v.mutant.line,
                    "operator": v.mutant.operator,
                    "change": v.mutant.change,
                    "status": v.status,
                    "tests": list(v.tests_run[:20]),
                    "tests_count": len(v.tests_run),
                    "killed_by": v.killed_by,
                }
                for v in sorted(run.judged, key=lambda v: (v.status != "survived", v.mutant.file, v.mutant.line))[:MAX_LISTED]
            ],
        )
        return out

    def summary(self) -> str:
        run = self.run
        if self.status == MEASURED and run is not None and run.score is not None and run.interval:
            low, high = run.interval
            return (
                f"mutation score {run.score:.0%} ({run.killed} of {len(run.judged)} seeded bugs caught, "
                f"95% CI {low:.0%} to {high:.0%})"
            )
        if self.status == NOT_MEASURED:
            return "mutation score not measured"
        return "mutation testing not applicable"


def catalogue_for(ctx: GradingContext) -> Catalogue:
    """The catalogue the stage builder planned from: same workspace, same tests-stage files."""
    tests = ctx.stage(StageName.tests)
    files = tests.files if tests is not None else {}
    return build_catalogue(ctx.workspace, files.get(CONTEXTS_JSON), files.get(JUNIT_XML))


def _names(tests: tuple[str, ...]) -> str:
    shown = ", ".join(tests[:MAX_TESTS_NAMED])
    more = len(tests) - MAX_TESTS_NAMED
    return shown + (f" and {more} more" if more > 0 else "")


def _survivor_findings(run: MutationRun) -> list[Finding]:
    survivors = sorted(run.survivors, key=lambda v: (v.mutant.file, v.mutant.line, v.mutant.start))
    out = [
        Finding(
            rule="tests:mutant-survived",
            message=f"A seeded bug went unnoticed: {v.mutant.change} ({v.mutant.operator}); the tests "
            f"that run this line still pass: {_names(v.tests_run)}.",
            severity=Severity.warning,
            file=v.mutant.file,
            line=v.mutant.line,
        )
        for v in survivors[:MAX_SURVIVOR_FINDINGS]
    ]
    if len(survivors) > MAX_SURVIVOR_FINDINGS:
        out.append(Finding(rule="tests:findings-truncated", severity=Severity.info,
                           message=f"{len(survivors) - MAX_SURVIVOR_FINDINGS} more surviving mutants "
                           "are listed in the report's mutation table."))
    return out


def _not_measured(reason: str, catalogue: Catalogue | None = None, run: MutationRun | None = None) -> MutationAssessment:
    finding = Finding(rule="tests:mutation-not-measured", severity=Severity.warning,
                      message=f"The mutation score could not be measured: {reason}. The other criteria make "
                      "the score.")
    return MutationAssessment(NOT_MEASURED, reason, run, catalogue, [finding])


def _from_run(stage: StageOutcome, catalogue: Catalogue, run: MutationRun) -> MutationAssessment:
    if run.problem is not None:
        return _not_measured(run.problem, catalogue)
    if run.baseline_status not in {"passed", "failed"}:
        detail = f": {run.baseline_detail[:300]}" if run.baseline_detail else ""
        return _not_measured(
            f"the tests did not run on the unmodified code in the mutation stage ({run.baseline_status or 'no result'})"
            f"{detail}", catalogue, run)
    if not run.judged:
        why = {"baseline": "none of the tests that run the mutated code passed there"}.get(run.stopped, "")
        return _not_measured(f"no mutant could be judged{(': ' + why) if why else ''}", catalogue, run)
    assessment = MutationAssessment(MEASURED, run=run, catalogue=catalogue, findings=_survivor_findings(run))
    if stage.verdict is not Verdict.ok or run.stopped == "budget":
        cause = "the time budget ran out" if run.stopped == "budget" else f"the stage ended {stage.verdict.value}"
        assessment.findings.append(Finding(
            rule="tests:mutation-partial", severity=Severity.info,
            message=f"Mutation testing judged {len(run.judged)} mutants before {cause}; the score and its "
            "interval rest on those."))
    return assessment


def assess_mutation(ctx: GradingContext) -> MutationAssessment:
    """How the mutation stage went, as the ``tests`` grader reports and scores it."""
    stage = ctx.stage(StageName.mutation)
    if stage is None:
        return MutationAssessment(NOT_APPLICABLE, "the mutation stage did not run in this grading")
    if stage.verdict is Verdict.skipped:
        return MutationAssessment(NOT_APPLICABLE, stage.message or "the mutation stage was skipped")
    if stage.verdict is Verdict.infra_error:
        return _not_measured(f"a harness problem stopped the stage ({stage.message})")
    catalogue = catalogue_for(ctx)
    if catalogue.problem is not None:
        return _not_measured(catalogue.problem, catalogue)
    run = read_results(stage.files.get(MUTATION_JSON), catalogue)
    if run.problem is not None and stage.verdict is not Verdict.ok:
        return _not_measured(f"the stage ended {stage.verdict.value} ({stage.message})", catalogue)
    return _from_run(stage, catalogue, run)

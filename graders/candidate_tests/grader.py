"""The ``tests`` grader: the candidate's own tests, found statically and run in the sandbox."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from graders._pysource import source_units
from graders.candidate_tests.discovery import Discovery, discover
from graders.candidate_tests.mutation.assess import MutationAssessment, assess_mutation
from graders.candidate_tests.plan import (
    COVERAGE_JSON,
    JUNIT_XML,
    PYTEST_NO_TESTS,
    TIMEOUT_MARKER,
    WORKDIR,
)
from graders.candidate_tests.reports import (
    CoverageReport,
    JUnitCase,
    JUnitReport,
    Outcome,
    read_coverage,
    read_junit,
)
from graders.types import (
    Finding,
    GraderResult,
    GraderStatus,
    GradingContext,
    MetricValue,
    ScoreComponent,
    Severity,
    StageName,
    StageOutcome,
    Verdict,
    score_from_breakdown,
)

__all__ = ["TestsGrader", "missing_data_file"]

MEANINGFUL_TESTS_FOR_FULL = 8
"""Non-trivial test functions that earn the full "tests exist" points; passing ones, the full
"tests pass" points (a small suite that passes is not yet evidence of a tested codebase)."""
TRIVIAL_TEST_WEIGHT = 0.25
"""What a trivial test counts for, against a meaningful one, in the "exist" and "pass" criteria."""
PASSING_TESTS_FOR_FULL_COVERAGE = 4
"""Passing non-trivial tests from which coverage counts in full: the lines one or two tests run
(often by importing a script that does everything at import time) are executed, not checked."""
COVERAGE_FOR_FULL = 80.0
"""Statement coverage (percent) that earns the full coverage points."""
DENSITY_FOR_FULL = 2.0
"""Assertions per test function that earn the full assertion points."""
MUTATION_FOR_FULL = 0.8
"""Mutation score (share of seeded bugs the tests catch) that earns the full mutation points."""
POINTS = {"exist": 10.0, "pass": 25.0, "coverage": 20.0, "density": 10.0, "trivial": 10.0, "mutation": 25.0}
"""Points of each criterion. Without a measured mutation score its criterion is left out and the
score is the share of the other points (see ``docs/scoring/tests.md``)."""
MAX_CASE_FINDINGS = 40
_SEVERITY_ORDER = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}
MAX_TRIVIAL_FINDINGS = 30

_NETWORK = re.compile(
    r"gaierror|Temporary failure in name resolution|Name or service not known|nodename nor servname|"
    r"No address associated with hostname|getaddrinfo failed|Network is unreachable|Errno 101|"
    r"Connection refused|ConnectionRefusedError|NewConnectionError|Failed to establish a new connection|"
    r"Max retries exceeded|urlopen error|ConnectTimeout|ConnectionError|HTTPSConnectionPool|HTTPConnectionPool|"
    r"Could not resolve host|socket\.timeout",
)
_VERDICT_FINDINGS: dict[Verdict, tuple[str, str]] = {
    Verdict.timed_out: (
        "tests:timed-out",
        "The test run was killed at the stage's wall-clock limit: a test hangs (or blocks signals) or the "
        "suite is too slow. Results are incomplete.",
    ),
    Verdict.out_of_memory: (
        "tests:out-of-memory",
        "The test run went over its memory limit and was killed.",
    ),
    Verdict.output_too_large: (
        "tests:output-too-large",
        "The test run wrote more output than allowed (stdout flood or huge files) and was stopped.",
    ),
    Verdict.skipped: ("tests:not-run", "The test stage was skipped."),
}
_EXIT_FINDINGS: dict[int, tuple[str, str]] = {
    2: ("tests:interrupted", "pytest was interrupted (exit code 2) before finishing."),
    3: (
        "tests:pytest-internal-error",
        "pytest hit an internal error (exit code 3), often from a broken conftest.py.",
    ),
    4: (
        "tests:pytest-usage-error",
        "pytest refused its command line (exit code 4), usually because the submission's pytest config "
        "asks for a plugin or option the grading environment does not have.",
    ),
}


@dataclass
class _Run:
    """What the sandboxed run produced, once read."""

    stage: StageOutcome | None
    junit: JUnitReport | None = None
    coverage: CoverageReport | None = None

    @property
    def ran(self) -> bool:
        return self.junit is not None and self.junit.problem is None


class TestsGrader:
    """Grades the candidate's tests: static discovery plus the sandboxed pytest run."""

    __test__ = False  # not a pytest test class, despite the name

    name = "tests"
    version = "3.0.0"

    def grade(self, ctx: GradingContext) -> GraderResult:
        found = discover(source_units(ctx))
        stage = ctx.stage(StageName.tests)
        if stage is not None and stage.verdict is Verdict.infra_error:
            return GraderResult(
                name=self.name,
                version=self.version,
                status=GraderStatus.error,
                summary=f"The test stage could not run because of a harness problem: {stage.message}. "
                "Regrade once the sandbox works.",
                metrics=_static_metrics(found),
            )
        run = _read_run(stage)
        findings = _static_findings(found)
        findings.extend(_run_findings(run, found, ctx.workspace))
        metrics = _static_metrics(found)
        metrics.update(_run_metrics(run, ctx.workspace))
        mutation = assess_mutation(ctx)
        metrics.update(mutation.metrics())
        findings.extend(mutation.findings)
        if found.functions == 0:
            findings.insert(
                0,
                Finding(
                    rule="tests:no-tests",
                    message="No tests were found: no test_*.py or *_test.py file defines a test function. "
                    "Tests of the data handling and the model's interface are part of the assignment.",
                    severity=Severity.error,
                ),
            )
        breakdown = _breakdown(found, run, metrics, mutation)
        findings.sort(key=lambda f: _SEVERITY_ORDER[f.severity])
        return GraderResult(
            name=self.name,
            version=self.version,
            status=GraderStatus.failed if found.functions == 0 else GraderStatus.ok,
            score=score_from_breakdown(breakdown),
            summary=_summary(found, run, metrics, mutation),
            metrics=metrics,
            findings=findings,
            breakdown=breakdown,
            details=_details(found, run, mutation, stage),
        )


def _read_run(stage: StageOutcome | None) -> _Run:
    run = _Run(stage)
    if stage is None:
        return run
    junit = stage.files.get(JUNIT_XML)
    if junit is not None:
        run.junit = read_junit(junit)
    cov = stage.files.get(COVERAGE_JSON)
    if cov is not None:
        run.coverage = read_coverage(cov, workdir=WORKDIR)
    return run


def _static_metrics(found: Discovery) -> dict[str, MetricValue]:
    return {
        "test_files": len(found.files),
        "test_functions": found.functions,
        "tests_found": found.cases,
        "parametrized_cases": sum(t.cases for t in found.tests if t.cases > 1),
        "assertions": found.assertions,
        "assertion_density": round(found.assertions / found.functions, 2)
        if found.functions
        else 0.0,
        "trivial_tests": len(found.trivial),
    }


def _run_metrics(run: _Run, workspace: Path) -> dict[str, MetricValue]:
    junit = run.junit if run.ran else None
    missing = (
        sum(
            1
            for c in junit.cases
            if c.outcome in {Outcome.failed, Outcome.errored}
            and missing_data_file(f"{c.message}\n{c.text}", workspace) is not None
        )
        if junit
        else None
    )
    coverage = run.coverage if run.coverage is not None and run.coverage.problem is None else None
    return {
        "tests_run": len(junit.cases) if junit else None,
        "tests_passed": junit.count(Outcome.passed) if junit else None,
        "tests_failed": junit.count(Outcome.failed) if junit else None,
        "tests_errored": junit.count(Outcome.errored) if junit else None,
        "tests_skipped": junit.count(Outcome.skipped) if junit else None,
        "collection_errors": len(junit.collection_errors) if junit else None,
        "tests_missing_data_file": missing,
        "coverage_percent": coverage.percent if coverage else None,
        "statements": coverage.statements if coverage else None,
        "statements_covered": coverage.covered if coverage else None,
        "test_stage_verdict": run.stage.verdict.value if run.stage else None,
    }


def _static_findings(found: Discovery) -> list[Finding]:
    out = [
        Finding(
            rule="tests:unparseable-test-file",
            message=f"This test module cannot be parsed ({unit.detail or unit.problem}); pytest cannot collect it.",
            severity=Severity.error,
            file=unit.rel,
            line=unit.problem_line,
        )
        for unit in found.unparseable
    ]
    trivial = found.trivial
    out.extend(
        Finding(
            rule="tests:trivial-test",
            message=f"{t.name} is trivial: {_TRIVIAL_TEXT[t.trivial.value]}.",
            severity=Severity.warning,
            file=t.rel,
            line=t.line,
        )
        for t in trivial[:MAX_TRIVIAL_FINDINGS]
        if t.trivial is not None
    )
    return out


_TRIVIAL_TEXT = {
    "empty": "its body is empty",
    "imports-only": "it only imports modules",
    "no-assertion": "it has no assertion",
    "constant-assertion": "it asserts only constants or tautologies, such as `assert True`",
    "restates-config": "it only restates configuration (a setting compared with the constant it "
    "was set from, such as `assert vec.max_features == MAX_FEATURES`), which cannot fail unless "
    "someone edits the constant; test what the code does with its input instead",
    "structure-only": "it only checks that things exist or have a type (hasattr, callable, "
    "isinstance, is not None), not what they do",
    "mocks-only": "it replaces the candidate's own code with mocks and asserts only that the "
    "mocks were called, so the real code is never checked",
}


_MISSING_FILE = re.compile(
    r"FileNotFoundError: \[Errno 2\] No such file or directory: ['\"]([^'\"\n]{1,300})['\"]"
)
_DATA_DIRS = frozenset({"data", "dataset", "datasets", "input", "inputs", "raw", "processed"})
_DATA_SUFFIXES = frozenset(
    {
        ".csv",
        ".tsv",
        ".parquet",
        ".json",
        ".jsonl",
        ".xlsx",
        ".feather",
        ".pkl",
        ".pickle",
        ".joblib",
        ".npy",
        ".npz",
    }
)


def missing_data_file(text: str, workspace: Path) -> str | None:
    """The data file a failure could not open, when the submission does not ship it."""
    match = _MISSING_FILE.search(text)
    if match is None:
        return None
    raw = match.group(1)
    path = PurePosixPath(raw)
    parts = {p.lower() for p in path.parts[:-1]}
    if not (parts & _DATA_DIRS or path.suffix.lower() in _DATA_SUFFIXES):
        return None
    if path.is_absolute():
        if not raw.startswith(f"{WORKDIR}/"):
            return raw  # a path on the candidate's own machine
        path = PurePosixPath(raw[len(WORKDIR) + 1 :])
    if ".." in path.parts or os.path.lexists(workspace / path):
        return None  # shipped: the test failed for another reason (its working folder?)
    return raw


def _case_finding(case: JUnitCase, found: Discovery, workspace: Path) -> Finding:
    rel = case.rel
    static = found.find(rel, case.test_name) if rel else None
    first = (case.message or case.text).strip().splitlines()
    summary = first[0][:240] if first else ""
    text = f"{case.message}\n{case.text}"
    if case.collection_error:
        return Finding(
            rule="tests:collection-error",
            message=f"pytest could not collect this module: {_last_error_line(case.text) or summary}",
            severity=Severity.error,
            file=rel,
        )
    missing = missing_data_file(text, workspace)
    if missing is not None:
        rule, severity, message = (
            "tests:missing-data-file",
            Severity.warning,
            f"{case.test_name} needs {missing}, which is not in the submission, so it cannot run "
            "anywhere but the author's machine. Build a small table in a fixture, or read the "
            "training data from TRAIN_CSV as the task says.",
        )
    elif TIMEOUT_MARKER in text:
        rule, severity, message = (
            "tests:test-timeout",
            Severity.error,
            f"{case.test_name} ran past the per-test time limit and was stopped.",
        )
    elif _NETWORK.search(text):
        rule, severity, message = (
            "tests:needs-network",
            Severity.warning,
            f"{case.test_name} needs the network, which the grading sandbox does not have: {summary}. "
            "Tests should not depend on network access; mock it.",
        )
    elif case.outcome is Outcome.errored:
        rule, severity, message = (
            "tests:errored",
            Severity.warning,
            f"{case.test_name} errored: {summary}",
        )
    else:
        rule, severity, message = (
            "tests:failed",
            Severity.warning,
            f"{case.test_name} failed: {summary}",
        )
    return Finding(
        rule=rule,
        message=message,
        severity=severity,
        file=rel,
        line=static.line if static else None,
    )


def _last_error_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.startswith("E "):
            return line[1:].strip()[:240]
    return ""


def _run_findings(run: _Run, found: Discovery, workspace: Path) -> list[Finding]:
    out: list[Finding] = []
    stage = run.stage
    if stage is None:
        if found.functions:
            out.append(
                Finding(
                    rule="tests:not-run",
                    message="The tests were not run: the test stage is missing from this grading run "
                    "(for example, the submission was rejected before it). Only static checks apply.",
                    severity=Severity.warning,
                )
            )
        return out
    if stage.verdict in _VERDICT_FINDINGS:
        rule, text = _VERDICT_FINDINGS[stage.verdict]
        detail = f" ({stage.message})" if stage.message else ""
        out.append(Finding(rule=rule, message=f"{text}{detail}", severity=Severity.error))
    if stage.exit_code in _EXIT_FINDINGS:
        rule, text = _EXIT_FINDINGS[stage.exit_code]
        out.append(
            Finding(
                rule=rule,
                message=f"{text} Log tail: {stage.log_tail[-300:].strip()}",
                severity=Severity.error,
            )
        )
    if _none_collected(stage) and found.functions:
        out.append(
            Finding(
                rule="tests:none-collected",
                message=f"pytest collected no tests although {found.functions} test functions exist; "
                "check the pytest configuration (testpaths, python_files) and that the test files "
                "are not excluded.",
                severity=Severity.error,
            )
        )
    out.extend(_report_findings(run, stage))
    if run.ran and run.junit is not None:
        out.extend(_case_findings(run.junit, found, workspace))
    return out


def _report_findings(run: _Run, stage: StageOutcome) -> list[Finding]:
    """Findings about the JUnit and coverage reports the run wrote (missing or unusable)."""
    out: list[Finding] = []
    if run.junit is None and stage.verdict in {Verdict.ok, Verdict.failed}:
        out.append(
            Finding(
                rule="tests:no-report",
                message=f"The test run wrote no JUnit report. Log tail: {stage.log_tail[-300:].strip()}",
                severity=Severity.error,
            )
        )
    elif run.junit is not None and run.junit.problem is not None:
        out.append(
            Finding(
                rule="tests:bad-report",
                message=f"The JUnit report is unusable: {run.junit.problem}.",
                severity=Severity.error,
            )
        )
    if run.coverage is not None and run.coverage.problem is not None:
        out.append(
            Finding(
                rule="tests:bad-coverage",
                message=f"The coverage report is unusable: {run.coverage.problem}.",
                severity=Severity.warning,
            )
        )
    return out


def _case_findings(junit: JUnitReport, found: Discovery, workspace: Path) -> list[Finding]:
    """Findings for failing tests (the first few), and a report whose size does not fit the
    source."""
    out: list[Finding] = []
    bad = [c for c in junit.cases if c.outcome in {Outcome.failed, Outcome.errored}]
    out.extend(_case_finding(c, found, workspace) for c in bad[:MAX_CASE_FINDINGS])
    if len(bad) > MAX_CASE_FINDINGS:
        out.append(
            Finding(
                rule="tests:findings-truncated",
                message=f"{len(bad) - MAX_CASE_FINDINGS} more failing tests are not listed.",
                severity=Severity.info,
            )
        )
    reported = len(junit.cases) - len(junit.collection_errors)
    if found.functions and reported > 3 * found.cases + 20:
        out.append(
            Finding(
                rule="tests:report-mismatch",
                message=f"The JUnit report lists {reported} tests but the source defines about "
                f"{found.cases}; the report was written by the candidate's own process, so treat "
                "its numbers with care.",
                severity=Severity.warning,
            )
        )
    return out


def _details(
    found: Discovery, run: _Run, mutation: MutationAssessment, stage: StageOutcome | None
) -> dict[str, object]:
    """What the report keeps for reviewers: each test, each result, the mutants, coverage per
    file and the stage's end."""
    return {
        "tests": [
            {
                "file": t.rel,
                "name": t.name,
                "line": t.line,
                "cases": t.cases,
                "assertions": t.assertions,
                "trivial": t.trivial.value if t.trivial else None,
            }
            for t in found.tests[:500]
        ],
        "results": [
            {
                "file": c.rel,
                "name": c.test_name,
                "outcome": c.outcome.value,
                "time_s": c.time_s,
            }
            for c in (run.junit.cases[:1000] if run.junit else [])
        ],
        "mutation": mutation.details(),
        "coverage_by_file": {
            rel: {"covered": c, "statements": n}
            for rel, (c, n) in (run.coverage.files.items() if run.coverage else [])
        },
        "stage": None
        if stage is None
        else {
            "verdict": stage.verdict.value,
            "exit_code": stage.exit_code,
            "message": stage.message,
        },
    }


def _none_collected(stage: StageOutcome | None) -> bool:
    if stage is None:
        return False
    return stage.verdict is Verdict.no_tests or (
        stage.verdict is Verdict.failed and stage.exit_code == PYTEST_NO_TESTS
    )


def _fractions(found: Discovery, run: _Run, metrics: dict[str, MetricValue],
               mutation: MutationAssessment) -> dict[str, float]:
    if found.functions == 0:
        return dict.fromkeys(("exist", "pass", "coverage", "density", "trivial", "mutation"), 0.0)
    meaningful = found.functions - len(found.trivial)
    executed = sum(int(metrics.get(k) or 0) for k in ("tests_passed", "tests_failed", "tests_errored"))
    pass_share = int(metrics.get("tests_passed") or 0) / executed if executed and run.ran else 0.0
    # Each criterion counts in proportion to how much meaningful testing there is; a trivial
    # test counts a quarter of one towards "exist" and "pass" (a suite that runs shows a
    # working setup, if nothing else).
    passing = meaningful * pass_share
    trivial = len(found.trivial) * TRIVIAL_TEST_WEIGHT
    size = min(1.0, meaningful / MEANINGFUL_TESTS_FOR_FULL)
    substance = min(1.0, passing / MEANINGFUL_TESTS_FOR_FULL)
    reach = min(1.0, passing / PASSING_TESTS_FOR_FULL_COVERAGE)
    coverage = metrics.get("coverage_percent")
    score = mutation.score
    return {
        "exist": min(1.0, (meaningful + trivial) / MEANINGFUL_TESTS_FOR_FULL),
        "pass": min(1.0, (meaningful + trivial) * pass_share / MEANINGFUL_TESTS_FOR_FULL),
        "coverage": float(coverage) / COVERAGE_FOR_FULL * reach if isinstance(coverage, (int, float)) else 0.0,
        "density": found.assertions / found.functions / DENSITY_FOR_FULL * substance,
        "trivial": (1.0 - len(found.trivial) / found.functions) * size,
        "mutation": score / MUTATION_FOR_FULL * reach if score is not None else 0.0,
    }


def _breakdown(
    found: Discovery, run: _Run, metrics: dict[str, MetricValue], mutation: MutationAssessment
) -> list[ScoreComponent]:
    def part(criterion: str, max_points: float, fraction: float, basis: str) -> ScoreComponent:
        return ScoreComponent(
            criterion=criterion,
            points=round(max_points * max(0.0, min(1.0, fraction)), 2),
            max_points=max_points,
            basis=basis,
        )

    fractions = _fractions(found, run, metrics, mutation)
    full, cov_full = MEANINGFUL_TESTS_FOR_FULL, PASSING_TESTS_FOR_FULL_COVERAGE
    parts = [
        part(f"Meaningful tests exist ({full}+ non-trivial tests for full points)", POINTS["exist"],
             fractions["exist"], "metrics.tests_found"),
        part(f"Meaningful tests pass in the sandbox ({full}+ passing for full points)", POINTS["pass"],
             fractions["pass"], "metrics.tests_passed"),
        part(f"Statement coverage of the candidate's own code ({COVERAGE_FOR_FULL:.0f}% for full points, "
             f"in full once {cov_full}+ meaningful tests pass)", POINTS["coverage"],
             fractions["coverage"], "metrics.coverage_percent"),
        part(f"Assertions per test ({DENSITY_FOR_FULL:g}+ for full points, in proportion to passing tests)",
             POINTS["density"], fractions["density"], "metrics.assertion_density"),
        part("No trivial tests (in proportion to the suite's size)", POINTS["trivial"], fractions["trivial"],
             "metrics.trivial_tests"),
    ]
    if mutation.score is not None:
        parts.append(part(
            f"Tests catch bugs seeded in the candidate's code (mutation score, {MUTATION_FOR_FULL:.0%} for "
            f"full points, in full once {cov_full}+ meaningful tests pass)", POINTS["mutation"],
            fractions["mutation"], "metrics.mutation_score"))
    return parts


def _count(n: int, noun: str) -> str:
    """``1 test function``, ``2 test functions``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _summary(found: Discovery, run: _Run, metrics: dict[str, MetricValue],
             mutation: MutationAssessment) -> str:
    if found.functions == 0:
        return "No tests found."
    head = (
        f"{_count(found.functions, 'test function')} ({_count(found.cases, 'case')}) "
        f"in {_count(len(found.files), 'file')}"
    )
    if _none_collected(run.stage):
        return f"{head}, but pytest collected none of them (no tests collected, exit code 5)."
    if not run.ran:
        verdict = run.stage.verdict.value if run.stage else "not run"
        return f"{head}; the sandboxed run produced no results ({verdict})."
    cov = metrics.get("coverage_percent")
    cov_text = f"{cov:.0f}% coverage" if isinstance(cov, (int, float)) else "coverage unknown"
    missing = metrics.get("tests_missing_data_file") or 0
    missing_text = f" ({missing} for want of a data file not in the submission)" if missing else ""
    return (
        f"{head}: {metrics['tests_passed']} passed, {metrics['tests_failed']} failed, "
        f"{metrics['tests_errored']} errored{missing_text}; {cov_text}; "
        f"{metrics['trivial_tests']} trivial; {mutation.summary()}."
    )

"""Mutation testing without Docker: operators, the catalogue, the sample, reading results, scoring.

The stage itself (the runner in a real sandbox, hostile mutants) is in ``test_mutation_stage.py``.
"""

from __future__ import annotations

import ast
import json
import os
import textwrap
from pathlib import Path

import pytest
from coverage import CoverageData

from graders.candidate_tests import TestsGrader
from graders.candidate_tests.mutation import build_catalogue, mutation_stage_plan, sample_mutants
from graders.candidate_tests.mutation.assess import (
    MEASURED,
    NOT_APPLICABLE,
    NOT_MEASURED,
    assess_mutation,
)
from graders.candidate_tests.mutation.catalogue import Mutant, read_contexts
from graders.candidate_tests.mutation.export_contexts import export
from graders.candidate_tests.mutation.operators import OPERATORS, find_sites
from graders.candidate_tests.mutation.plan import PLAN_JSON, RUNNER
from graders.candidate_tests.mutation.results import read_results, wilson_interval
from graders.candidate_tests.plan import (
    CONTEXTS_EXPORTER,
    CONTEXTS_JSON,
    JUNIT_XML,
    test_stage_plan,
)
from graders.types import StageName, StageOutcome, Verdict
from tests.graders.conftest import make_context


def sites(source: str) -> list[tuple[str, str, str]]:
    text = textwrap.dedent(source)
    return [(s.operator, s.original, s.replacement) for s in find_sites(text, ast.parse(text))]


# --- operators ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x = a < b\n", ("comparison", "<", "<=")),
        ("x = a >= b\n", ("comparison", ">=", ">")),
        ("x = a == b\n", ("comparison", "==", "!=")),
        ("x = a is not None\n", ("comparison", "is not", "is")),
        ("x = a not  in b\n", ("comparison", "not  in", "in")),
        ("x = (a) - (b)\n", ("arithmetic", "-", "+")),
        ("x = a // b\n", ("arithmetic", "//", "/")),
        ("x = a ** b\n", ("arithmetic", "**", "*")),
        ("x = (a > 1) & (b < 2)\n", ("arithmetic", "&", "|")),
        ("x += y\n", ("arithmetic", "+=", "-=")),
        ("x = a and b\n", ("boolean", "and", "or")),
        ("if ready:\n    go()\n", ("condition", "ready", "not (ready)")),
        ("x = a if ok else b\n", ("condition", "ok", "not (ok)")),
        ("x = not ready\n", ("not", "not ", "")),
        ("x = -y\n", ("minus", "-", "")),
        ("x = f(3)\n", ("number", "3", "4")),
        ("x = f(0.5)\n", ("number", "0.5", "1.5")),
        ("x = True\n", ("true-false", "True", "False")),
        ("x = frame['label']\n", ("string", "'label'", "'XXlabelXX'")),
        ("def f(x):\n    return x\n", ("return", "x", "None")),
        ("model.fit(X, y)\n", ("call", "model.fit(X, y)", "None")),
        ("for x in y:\n    break\n", ("loop", "break", "continue")),
    ],
)
def test_each_operator_finds_its_site(source: str, expected: tuple[str, str, str]) -> None:
    assert expected in sites(source)
    assert expected[0] in OPERATORS


ALL = frozenset(OPERATORS)


@pytest.mark.parametrize(
    ("source", "left_alone"),
    [
        ('"""Module docstring."""\n', ALL),
        ('def f():\n    """Docstring."""\n', ALL),
        ('x: "Frame" = None\n', ALL),
        ("def f(x: int = 3) -> dict[str, int]:\n    pass\n", ALL),
        ("print('done', a < b, 3)\n", ALL),
        ("logger.info('seen %d', n + 1)\n", ALL),
        ("log.warning('x')\n", ALL),
        ("warnings.warn('old', stacklevel=2)\n", ALL),
        ("plt.savefig('out.png', dpi=120)\n", ALL),
        ("clf = LogisticRegression(C=1.0, max_iter=1000, random_state=42)\n", ALL),
        ("x = items[:1000]\n", ALL),
        ("raise ValueError('bad input')\n", ALL),
        ("assert ok, 'message'\n", ALL),
        ("__all__ = ['f']\n", ALL),
        ("if TYPE_CHECKING:\n    import pandas\n", ALL),
        ("x = f'value {a}'\n", ALL),
        ("x = a < b  # pragma: no mutate\n", ALL),
        ("x = a + 0\n", {"arithmetic"}),
        ("x = a * 1\n", {"arithmetic"}),
        ("x = 'id: ' + name\n", {"arithmetic"}),
        ("x = 'ticket %s' % name\n", {"arithmetic"}),
        ("x = -0\n", {"minus"}),
    ],
)
def test_cheaply_recognised_equivalents_and_text_for_people_are_left_alone(
    source: str, left_alone: frozenset[str]
) -> None:
    assert not [s for s in sites(source) if s[0] in left_alone]


def test_help_text_is_left_alone_but_the_option_name_is_not() -> None:
    found = sites("parser.add_argument('--train', help='training CSV')\n")
    assert ("string", "'--train'", "'XX--trainXX'") in found
    assert not [s for s in found if s[1] == "'training CSV'"]


def test_near_misses_are_still_mutated() -> None:
    """Strings that are data (dict keys, column names, CSV separators) and positional numbers
    are logic, not text for people."""
    found = sites("x = pd.read_csv(path, sep=',')[cols[1]]\ny = {'billing': 2}\n")
    assert ("string", "','", "'XX,XX'") in found
    assert ("number", "1", "2") in found
    assert ("string", "'billing'", "'XXbillingXX'") in found
    assert ("number", "2", "3") in found


def test_main_guard_test_is_kept_but_its_body_is_mutated() -> None:
    found = sites("if __name__ == '__main__':\n    main(3)\n")
    assert ("number", "3", "4") in found
    assert not [s for s in found if s[0] in {"comparison", "condition", "string"}]


def test_offsets_are_characters_even_after_non_ascii_text() -> None:
    text = "s = 'café ünïcode'; x = a < b\n"
    (site,) = [s for s in find_sites(text, ast.parse(text)) if s.operator == "comparison"]
    assert text[site.start : site.end] == "<"
    assert text[: site.start] + site.replacement + text[site.end :] == "s = 'café ünïcode'; x = a <= b\n"


def test_sites_are_in_source_order_and_on_their_statement_line() -> None:
    text = "x = (a <\n     b)\ny = 1\n"
    found = find_sites(text, ast.parse(text))
    assert [s.start for s in found] == sorted(s.start for s in found)
    comparison = next(s for s in found if s.operator == "comparison")
    assert (comparison.line, comparison.stmt_line) == (1, 1)


# --- per-test coverage and the catalogue --------------------------------------------------------


def write_contexts(path: Path, tests: list[str], files: dict[str, dict[str, list[int]]]) -> Path:
    path.write_text(json.dumps({"format": 1, "tests": tests, "files": files, "truncated": False}))
    return path


JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_a" name="test_big" time="0.01"/>
<testcase classname="tests.test_a" name="test_small" time="0.01"/>
<testcase classname="tests.test_a" name="test_broken" time="0.01"><failure message="boom">x</failure></testcase>
</testsuite></testsuites>"""

MODULE = "LIMIT = 3\n\n\ndef f(x):\n    if x > LIMIT:\n        return x * 2\n    return x\n\n\ndef unused(y):\n    return y - 1\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "sub"
    (root / "tests").mkdir(parents=True)
    (root / "mod.py").write_text(MODULE)
    (root / "tests" / "test_a.py").write_text("from mod import f\n\ndef test_big():\n    assert f(5) == 10\n")
    (root / "conftest.py").write_text("X = 1 + 2\n")
    (root / "out").mkdir()
    (root / "out" / JUNIT_XML).write_text(JUNIT)
    tests = ["tests/test_a.py::test_big", "tests/test_a.py::test_small", "tests/test_a.py::test_broken"]
    write_contexts(root / "out" / CONTEXTS_JSON, tests, {
        "mod.py": {"1": [-1], "4": [-1], "5": [0, 1, 2], "6": [0, 2], "7": [1]},
        "conftest.py": {"1": [-1, 0]},
        "tests/test_a.py": {"4": [0]},
        "../outside.py": {"1": [0]},
    })
    return root


def catalogue_of(root: Path):  # type: ignore[no-untyped-def]
    return build_catalogue(root, root / "out" / CONTEXTS_JSON, root / "out" / JUNIT_XML)


def test_catalogue_holds_covered_lines_of_the_candidates_modules_only(workspace: Path) -> None:
    catalogue = catalogue_of(workspace)
    assert catalogue.problem is None
    assert {m.file for m in catalogue.mutants} == {"mod.py"}  # never tests, conftest or outside
    lines = {m.line for m in catalogue.mutants}
    assert 11 not in lines and catalogue.uncovered >= 2  # unused() runs in no test
    by_line = {m.line: m.tests for m in catalogue.mutants}
    assert by_line[5] == ("tests/test_a.py::test_big", "tests/test_a.py::test_small")  # not the failing one
    assert by_line[6] == ("tests/test_a.py::test_big",)
    # a module constant runs at import: the tests that ran any line of its file judge it
    assert by_line[1] == ("tests/test_a.py::test_big", "tests/test_a.py::test_small")


def test_catalogue_is_stable_and_ids_are_unique(workspace: Path) -> None:
    first, second = catalogue_of(workspace), catalogue_of(workspace)
    assert [m.id for m in first.mutants] == [m.id for m in second.mutants]
    assert len({m.id for m in first.mutants}) == len(first.mutants)
    mutant = next(m for m in first.mutants if m.operator == "comparison")
    assert mutant.apply(MODULE).count("x >= LIMIT") == 1
    assert mutant.change == "`>` → `>=`"


def test_a_linked_module_is_never_read(workspace: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text("TOKEN = 'abc'\n")
    (workspace / "linked.py").symlink_to(secret)
    contexts = json.loads((workspace / "out" / CONTEXTS_JSON).read_text())
    contexts["files"]["linked.py"] = {"1": [0]}
    (workspace / "out" / CONTEXTS_JSON).write_text(json.dumps(contexts))
    assert "linked.py" not in {m.file for m in catalogue_of(workspace).mutants}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json", "not a per-test coverage export"),
        ('{"format": 2, "tests": [], "files": {}}', "not a per-test coverage export"),
        ('{"format": 1, "tests": "x", "files": {}}', "not a per-test coverage export"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_a_bad_contexts_file_is_a_problem_not_a_crash(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / CONTEXTS_JSON
    path.write_text(content)
    found = read_contexts(path).problem
    assert found is not None and problem in found


def test_a_fifo_or_missing_contexts_file_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    assert "not a regular file" in (read_contexts(fifo).problem or "")
    assert read_contexts(None).problem is not None
    assert build_catalogue(tmp_path, None, None).problem is not None


def test_out_of_range_test_numbers_are_dropped(tmp_path: Path) -> None:
    path = write_contexts(tmp_path / CONTEXTS_JSON, ["t::a"], {"m.py": {"3": [0, 7, -5, -1]}})
    assert read_contexts(path).lines == {"m.py": {3: frozenset({0, -1})}}


def test_contexts_export_merges_phases_and_marks_import_time(tmp_path: Path) -> None:
    data = CoverageData(basename=str(tmp_path / ".coverage"))
    data.set_context("")
    data.add_lines({"mod.py": [1, 4]})
    data.set_context("tests/test_a.py::test_big|setup")
    data.add_lines({"mod.py": [5]})
    data.set_context("tests/test_a.py::test_big|run")
    data.add_lines({"mod.py": [5, 6]})
    data.write()
    exported = export(str(tmp_path / ".coverage"))
    assert exported["tests"] == ["tests/test_a.py::test_big"]
    assert exported["files"] == {"mod.py": {"1": [-1], "4": [-1], "5": [0], "6": [0]}}
    path = tmp_path / CONTEXTS_JSON
    path.write_text(json.dumps(exported))
    assert read_contexts(path).lines["mod.py"][5] == frozenset({0})


# --- the sample ---------------------------------------------------------------------------------


def test_the_sample_is_reproducible_spread_over_lines_and_sized(workspace: Path) -> None:
    catalogue = catalogue_of(workspace)
    first = sample_mutants(catalogue, size=4, seed=16)
    assert [m.id for m in first] == [m.id for m in sample_mutants(catalogue_of(workspace), size=4, seed=16)]
    assert len(first) == 4
    assert len({m.line for m in first}) == 4  # one per line before any line gets a second
    everything = sample_mutants(catalogue, size=1000, seed=16)
    assert len(everything) == len(catalogue.mutants)
    assert [m.id for m in sample_mutants(catalogue, size=4, seed=17)] != [m.id for m in first]


def test_mutants_that_compile_to_the_original_or_not_at_all_are_never_sampled(tmp_path: Path) -> None:
    text = "def f():\n    return 1\n    y = 2\n"
    base = dict(file="m.py", line=3, operator="number", tests=("t",))
    dead = Mutant(id="dead", start=text.index("2"), end=text.index("2") + 1, original="2", replacement="3", **base)
    broken = Mutant(id="broken", start=text.index("1"), end=text.index("1") + 1, original="1", replacement="(", **base)
    live = Mutant(id="live", start=text.index("1"), end=text.index("1") + 1, original="1", replacement="2",
                  **{**base, "line": 2})
    from graders.candidate_tests.mutation.catalogue import Catalogue

    catalogue = Catalogue(mutants=[dead, broken, live], texts={"m.py": text})
    assert [m.id for m in sample_mutants(catalogue, size=10, seed=1)] == ["live"]


# --- the stage plans ------------------------------------------------------------------------------


def test_the_tests_stage_exports_per_test_coverage_only_when_asked() -> None:
    plain = test_stage_plan()
    assert plain.command[:3] == ["python", "-m", "pytest"] and CONTEXTS_EXPORTER not in plain.files
    plan = test_stage_plan(per_test_contexts=True)
    assert plan.command[:2] == ["/bin/sh", "-c"]
    assert 'python -m pytest "$@"; status=$?;' in plan.command[2] and plan.command[2].endswith("exit $status")
    assert "--cov-context=test" in plan.command and "--junitxml=/out/junit.xml" in plan.command
    assert CONTEXTS_JSON in plan.outputs
    compile(plan.files[CONTEXTS_EXPORTER], CONTEXTS_EXPORTER, "exec")


def test_the_mutation_plan_numbers_tests_once_and_mounts_the_runner(workspace: Path) -> None:
    mutants = sample_mutants(catalogue_of(workspace), size=5, seed=16)
    plan = mutation_stage_plan(mutants, judge=3, budget_s=60, wall_s=90)
    assert plan.command == ["python", RUNNER, PLAN_JSON]
    body = json.loads(plan.files[PLAN_JSON])
    assert body["judge"] == 3 and body["budget_s"] == 60 and body["deadline_s"] == 80
    assert [m["id"] for m in body["mutants"]] == [m.id for m in mutants]
    first = body["mutants"][0]
    assert [body["tests"][i] for i in first["tests"]] == list(mutants[0].tests)
    assert all(path.startswith("/harness/") for path in plan.files)
    compile(plan.files[RUNNER], RUNNER, "exec")


# --- reading results, the interval ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("killed", "judged", "low", "high"),
    [(46, 50, 0.81, 0.97), (0, 20, 0.0, 0.161), (20, 20, 0.839, 1.0), (5, 10, 0.237, 0.763)],
)
def test_wilson_interval(killed: int, judged: int, low: float, high: float) -> None:
    got = wilson_interval(killed, judged)
    assert got == (pytest.approx(low, abs=0.005), pytest.approx(high, abs=0.005))


def results(path: Path, mutants: list[dict[str, object]], baseline: str = "passed",
            passed: list[str] | None = None) -> Path:
    path.write_text(json.dumps({
        "format": 1, "stopped": "done", "budget_s": 60, "elapsed_s": 12.5, "resets": 0,
        "baseline": {"status": baseline, "seconds": 1.0, "tests": 2, "detail": "",
                     "passed": ["tests/test_a.py::test_big", "tests/test_a.py::test_small"] if passed is None else passed},
        "mutants": mutants,
    }))
    return path


def test_results_join_the_catalogue_and_ignore_unknown_ids(workspace: Path, tmp_path: Path) -> None:
    catalogue = catalogue_of(workspace)
    ids = [m.id for m in catalogue.mutants[:5]]
    path = results(tmp_path / "mutation.json", [
        {"id": ids[0], "status": "killed", "killed_by": "tests/test_a.py::test_big"},
        {"id": ids[1], "status": "timeout"},
        {"id": ids[2], "status": "crashed"},
        {"id": ids[3], "status": "survived"},
        {"id": ids[4], "status": "no_tests"},
        {"id": "ffffffffffff", "status": "survived"},
        {"id": ids[0], "status": "survived"},
    ])
    run = read_results(path, catalogue)
    assert run.problem is None
    assert (len(run.judged), run.killed, run.not_judged, run.unknown) == (4, 3, 1, 2)
    assert run.score == 0.75
    assert run.judged[0].killed_by == "tests/test_a.py::test_big"
    assert run.survivors[0].mutant.id == ids[3]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{", "does not match"),
        ('{"format": 1, "mutants": [{"id": "x", "status": "exploded"}]}', "does not match"),
        ('{"format": 1, "mutants": [{"id": "' + "x" * 100 + '", "status": "killed"}]}', "does not match"),
    ],
)
def test_bad_results_are_a_problem_not_a_crash(workspace: Path, tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "mutation.json"
    path.write_text(content)
    assert problem in (read_results(path, catalogue_of(workspace)).problem or "")


def test_oversized_results_are_not_read(workspace: Path, tmp_path: Path) -> None:
    path = tmp_path / "mutation.json"
    with path.open("wb") as handle:
        handle.truncate(9 * 1024 * 1024)
    assert "cap" in (read_results(path, catalogue_of(workspace)).problem or "")


# --- the grader ---------------------------------------------------------------------------------


def stages(workspace: Path, mutation: StageOutcome | None) -> dict[StageName, StageOutcome]:
    out = workspace / "out"
    tests = StageOutcome(name=StageName.tests, verdict=Verdict.ok, exit_code=0,
                         files={JUNIT_XML: out / JUNIT_XML, CONTEXTS_JSON: out / CONTEXTS_JSON})
    return {StageName.tests: tests} | ({StageName.mutation: mutation} if mutation else {})


def mutation_stage(path: Path | None, verdict: Verdict = Verdict.ok, message: str = "") -> StageOutcome:
    files = {"mutation.json": path} if path is not None else {}
    return StageOutcome(name=StageName.mutation, verdict=verdict, message=message, files=files)


def test_measured_mutation_score_earns_its_share_and_lists_survivors(workspace: Path, tmp_path: Path) -> None:
    catalogue = catalogue_of(workspace)
    rows = [{"id": m.id, "status": "killed" if i % 4 else "survived"} for i, m in enumerate(catalogue.mutants)]
    ctx = make_context(workspace, stages=stages(workspace, mutation_stage(results(tmp_path / "m.json", rows))))
    assessment = assess_mutation(ctx)
    assert assessment.status == MEASURED
    result = TestsGrader().grade(ctx)
    assert result.metrics["mutation_status"] == MEASURED
    assert result.metrics["mutants_judged"] == len(rows)
    assert result.metrics["mutation_ci_low"] < result.metrics["mutation_score"] < result.metrics["mutation_ci_high"]
    part = next(c for c in result.breakdown if c.basis == "metrics.mutation_score")
    assert part.max_points > 0
    survivors = [f for f in result.findings if f.rule == "tests:mutant-survived"]
    assert survivors and all(f.file == "mod.py" and f.line for f in survivors)
    assert "test_big" in survivors[0].message
    assert "mutation score" in result.summary
    table = result.details["mutation"]["mutants"]
    assert table[0]["status"] == "survived" and table[0]["change"]


def test_a_skipped_stage_is_not_applicable_and_scores_from_the_other_criteria(workspace: Path) -> None:
    skipped = mutation_stage(None, Verdict.skipped, "nothing to mutate: no passing test runs a module")
    result = TestsGrader().grade(make_context(workspace, stages=stages(workspace, skipped)))
    assert result.metrics["mutation_status"] == NOT_APPLICABLE
    assert result.details["mutation"]["reason"].startswith("nothing to mutate")
    assert all(c.basis != "metrics.mutation_score" for c in result.breakdown)
    assert not [f for f in result.findings if f.rule.startswith("tests:mutation")]


@pytest.mark.parametrize(
    ("verdict", "baseline", "reason"),
    [
        (Verdict.timed_out, None, "ended timed_out"),
        (Verdict.ok, "timeout", "did not run on the unmodified code"),
        (Verdict.ok, "passed-none", "no mutant could be judged"),
        (Verdict.infra_error, None, "harness problem"),
    ],
)
def test_unusable_runs_are_not_measured_with_a_warning(
    workspace: Path, tmp_path: Path, verdict: Verdict, baseline: str | None, reason: str
) -> None:
    path = None
    if baseline == "timeout":
        path = results(tmp_path / "m.json", [], baseline="timeout")
    elif baseline == "passed-none":
        path = results(tmp_path / "m.json", [], passed=[])
    ctx = make_context(workspace, stages=stages(workspace, mutation_stage(path, verdict, "killed after 90 s")))
    result = TestsGrader().grade(ctx)
    assert result.metrics["mutation_status"] == NOT_MEASURED
    (warning,) = [f for f in result.findings if f.rule == "tests:mutation-not-measured"]
    assert reason in warning.message
    assert all(c.basis != "metrics.mutation_score" for c in result.breakdown)


def test_a_stronger_suite_scores_higher_on_the_same_code(workspace: Path, tmp_path: Path) -> None:
    catalogue = catalogue_of(workspace)

    def graded(killed_share: float) -> float:
        rows = [{"id": m.id, "status": "killed" if i < killed_share * len(catalogue.mutants) else "survived"}
                for i, m in enumerate(catalogue.mutants)]
        path = results(tmp_path / f"m{killed_share}.json", rows)
        score = TestsGrader().grade(make_context(workspace, stages=stages(workspace, mutation_stage(path)))).score
        assert score is not None
        return score

    assert graded(1.0) > graded(0.5) > graded(0.0)

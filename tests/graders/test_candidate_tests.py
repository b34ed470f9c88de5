"""The ``tests`` grader: static discovery, the stage plan, report parsing, and real sandboxed runs."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from graders._pysource import parse_source
from graders.candidate_tests import TestsGrader, test_stage_plan
from graders.candidate_tests.discovery import TrivialReason, discover
from graders.candidate_tests.grader import POINTS, missing_data_file
from graders.candidate_tests.plan import COVERAGERC, GUARD_PLUGIN
from graders.candidate_tests.reports import read_coverage, read_junit
from graders.types import GraderResult, GraderStatus, StageName, StageOutcome, Verdict
from tests.graders.conftest import golden_copy, make_context

Stage = Callable[[str], tuple[Path, StageOutcome]]


def grade_golden(golden_stage: Stage, name: str) -> GraderResult:
    workspace, stage = golden_stage(name)
    return TestsGrader().grade(make_context(workspace, stages={StageName.tests: stage}))


def rules(result: GraderResult) -> set[str]:
    return {f.rule for f in result.findings}


# --- static discovery -------------------------------------------------------------------------


def discovered(source: str, rel: str = "tests/test_x.py"):  # type: ignore[no-untyped-def]
    return discover([parse_source(rel, textwrap.dedent(source))])


def test_discovery_counts_functions_cases_and_assertions() -> None:
    found = discovered(
        """
        import pytest
        import unittest

        def check_shape(frame):
            assert frame.shape[0] > 0

        @pytest.mark.parametrize("a,b", [(1, 2), (3, 4), pytest.param(5, 6, id="x")])
        @pytest.mark.parametrize("c", [True, False])
        def test_grid(a, b, c):
            assert a < b

        def test_helper_counts(frame):
            check_shape(frame)

        def test_raises():
            with pytest.raises(ValueError):
                int("x")

        class TestThing:
            def test_method(self):
                assert 1 + 1 == 2
                assert "a" in "abc"

            def helper(self):
                assert False

        class TestWithInit:
            def __init__(self):
                pass

            def test_ignored(self):
                assert True

        class Legacy(unittest.TestCase):
            def test_equal(self):
                self.assertEqual(1, 1)
                self.assertIn(1, [1])

        def not_a_test():
            assert True
        """
    )
    names = {t.name: t for t in found.tests}
    assert set(names) == {
        "test_grid",
        "test_helper_counts",
        "test_raises",
        "TestThing::test_method",
        "Legacy::test_equal",
    }
    assert names["test_grid"].cases == 6
    assert found.cases == 10
    assert names["test_helper_counts"].assertions == 1
    assert names["test_raises"].assertions == 1
    assert names["TestThing::test_method"].assertions == 2
    assert names["Legacy::test_equal"].assertions == 2
    assert found.trivial == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("pass", TrivialReason.empty),
        ('"""TODO."""\n    ...', TrivialReason.empty),
        ("import model\n    from model import train", TrivialReason.imports_only),
        ("model = train()\n    model.predict([1])", TrivialReason.no_assertion),
        ("assert True", TrivialReason.constant_assertion),
        ("x = 1\n    assert 1\n    assert 'yes'", TrivialReason.constant_assertion),
        ("x = compute()\n    assert x == x", TrivialReason.constant_assertion),
        ("x = compute()\n    assert x == 2", None),
        ("x = compute()\n    assert x", None),
    ],
)
def test_trivial_tests_are_recognised(body: str, reason: TrivialReason | None) -> None:
    found = discovered(f"def test_it():\n    {body}\n")
    assert found.tests[0].trivial is reason


TRIVIAL_MODULE = """\
from unittest import mock
from unittest.mock import MagicMock, patch

import pytest
import requests

from ticket_classifier import config, model
from ticket_classifier.config import CONFIG, MAX_FEATURES, SEED
from ticket_classifier.features import build_vectorizer

"""


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # configuration restated
        ("vec = build_vectorizer()\n    assert vec.max_features == MAX_FEATURES", TrivialReason.restates_config),
        ('assert CONFIG["seed"] == 42', TrivialReason.restates_config),
        ("assert config.SEED == SEED", TrivialReason.restates_config),
        ("assert MAX_FEATURES > 0", TrivialReason.restates_config),
        ("assert build_vectorizer().max_features == MAX_FEATURES", TrivialReason.restates_config),
        ('m = model.build()\n    assert m.named_steps["clf"].C == config.REGULARISATION', TrivialReason.restates_config),
        # only the shape of the API
        ('assert hasattr(model, "train")', TrivialReason.structure_only),
        ("assert callable(model.train)", TrivialReason.structure_only),
        ("m = model.build()\n    assert isinstance(m, object)\n    assert m is not None", TrivialReason.structure_only),
        ('assert hasattr(model, "train") and callable(model.predict)', TrivialReason.structure_only),
        # mocks of the candidate's own code
        ('with patch("ticket_classifier.model.train") as fake:\n        model.main([])\n'
         "    fake.assert_called_once()", TrivialReason.mocks_only),
        ('with mock.patch.object(model, "save") as fake:\n        model.main([])\n'
         "    assert fake.called", TrivialReason.mocks_only),
        # near misses: behaviour, possibly next to a constant
        ('vec = build_vectorizer()\n    assert vec.max_features == MAX_FEATURES\n'
         '    assert vec.fit_transform(["a b", "b c"]).shape[0] == 2', None),
        ('pipeline = model.train(tiny_tickets)\n    assert pipeline.predict(["refund please"])[0] == "refund"', None),
        ("cfg = config.load(tmp_path / 'c.toml')\n    assert cfg['seed'] == 42", None),
        ("m = model.train(tiny_tickets)\n    assert len(m.classes_) == config.N_LABELS", None),
        ("m = model.train(tiny_tickets)\n    assert m.n_features_in_ == MAX_FEATURES", None),
        ('with patch("requests.get") as get:\n        model.fetch_labels()\n    get.assert_called_once()', None),
        ('with patch("ticket_classifier.model.save") as save:\n        out = model.main([])\n'
         "    save.assert_called_once()\n    assert out == 0", None),
        ("fake = MagicMock()\n    model.evaluate(fake, tiny_tickets)\n    fake.predict.assert_called_once()", None),
        # constants of the code under test, read in other ways
        ("assert len(config.LABELS) == 8\n    assert 'billing' in config.LABELS", TrivialReason.restates_config),
        ("assert list(model.build().named_steps) == ['tfidf', 'clf']", TrivialReason.restates_config),
        ("assert model.accuracy > 0.8", TrivialReason.restates_config),
        ("assert list(model.build_features(tiny_tickets).columns) == ['text']", None),
        # a mock placed inside the candidate's object, then echoed back
        ("clf = model.TicketModel()\n    clf.pipeline = MagicMock()\n"
         "    clf.pipeline.predict.return_value = ['billing']\n"
         "    assert clf.predict(['my invoice'])[0] == 'billing'", TrivialReason.mocks_only),
        ("clf = model.TicketModel()\n    with mock.patch.object(clf.pipeline, 'fit') as fit:\n"
         "        clf.fit(['a'], ['b'])\n        fit.assert_called_once()", TrivialReason.mocks_only),
        ("clf = model.TicketModel()\n    clf.pipeline = MagicMock()\n"
         "    clf.pipeline.predict.return_value = ['billing']\n"
         "    assert clf.predict(['my invoice']) == ['billing', 'refund']", None),
        ("session = MagicMock()\n    session.get.return_value = 'billing'\n"
         "    assert model.fetch_label(session) == 'billing'", None),
    ],
)  # fmt: skip
def test_tests_that_check_no_behaviour_are_trivial(body: str, reason: TrivialReason | None) -> None:
    found = discover(
        [
            parse_source("tests/test_x.py", f"{TRIVIAL_MODULE}def test_it(tiny_tickets, tmp_path):\n    {body}\n"),
            parse_source("ticket_classifier/model.py", "def train(frame):\n    return frame\n"),
        ]
    )
    assert found.tests[0].trivial is reason


def test_patch_decorators_make_the_arguments_mocks() -> None:
    source = (
        f"{TRIVIAL_MODULE}"
        '@patch("ticket_classifier.model.load")\n'
        '@patch("ticket_classifier.model.predict")\n'
        "def test_cli(fake_predict, fake_load):\n"
        "    model.main(['--input', 'x.csv'])\n"
        "    fake_load.assert_called_once()\n"
        "    assert fake_predict.call_count == 1\n"
    )
    found = discover(
        [parse_source("tests/test_cli.py", source), parse_source("ticket_classifier/__init__.py", "")]
    )
    assert found.tests[0].trivial is TrivialReason.mocks_only


@pytest.mark.parametrize(
    ("text", "shipped", "expected"),
    [
        ("E   FileNotFoundError: [Errno 2] No such file or directory: 'data/train.csv'", False, "data/train.csv"),
        ("FileNotFoundError: [Errno 2] No such file or directory: '/work/model/model.joblib'", False,
         "/work/model/model.joblib"),
        ('FileNotFoundError: [Errno 2] No such file or directory: "/home/ana/tickets.csv"', False,
         "/home/ana/tickets.csv"),
        # near misses: the file is shipped, the path is not data, or it is another error
        ("FileNotFoundError: [Errno 2] No such file or directory: 'data/train.csv'", True, None),
        ("FileNotFoundError: [Errno 2] No such file or directory: 'settings.yaml'", False, None),
        ("KeyError: 'data/train.csv'", False, None),
    ],
)  # fmt: skip
def test_missing_data_files_are_told_apart_from_failures(
    tmp_path: Path, text: str, shipped: bool, expected: str | None
) -> None:
    if shipped:
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "train.csv").write_text("id,label\n")
    assert missing_data_file(text, tmp_path) == expected


def test_no_tests_collected_is_its_own_outcome(tmp_path: Path) -> None:
    workspace = golden_copy("solid", tmp_path)
    stage = StageOutcome(
        name=StageName.tests,
        verdict=Verdict.no_tests,
        exit_code=5,
        message="pytest collected no tests (exit code 5)",
    )
    result = TestsGrader().grade(make_context(workspace, stages={StageName.tests: stage}))
    assert "tests:none-collected" in rules(result)
    assert "collected none of them" in result.summary
    assert result.metrics["test_stage_verdict"] == "no_tests"
    empty = StageOutcome(name=StageName.tests, verdict=Verdict.no_tests, exit_code=5)
    bare = TestsGrader().grade(make_context(tmp_path / "empty", stages={StageName.tests: empty}))
    assert bare.summary == "No tests found."
    assert rules(bare) == {"tests:no-tests"}


def test_only_pytest_test_modules_are_discovered() -> None:
    units = [
        parse_source("tests/helpers.py", "def test_like():\n    assert 1 == 1\n"),
        parse_source("model_test.py", "def test_a():\n    assert f() == 1\n"),
        parse_source("tests/test_broken.py", "def test_(:\n"),
    ]
    found = discover(units)
    assert found.files == ["model_test.py", "tests/test_broken.py"]
    assert [t.name for t in found.tests] == ["test_a"]
    assert [u.rel for u in found.unparseable] == ["tests/test_broken.py"]


# --- the stage plan ---------------------------------------------------------------------------


def test_the_plan_runs_pytest_with_junit_coverage_and_the_guard() -> None:
    plan = test_stage_plan(per_test_timeout_s=7)
    assert plan.command[:3] == ["python", "-m", "pytest"]
    assert "--junitxml=/out/junit.xml" in plan.command
    assert "--cov-report=json:/out/coverage.json" in plan.command
    assert f"--cov-config={COVERAGERC}" in plan.command
    assert "--continue-on-collection-errors" in plan.command
    assert plan.outputs == ["junit.xml", "coverage.json"]
    assert set(plan.files) == {COVERAGERC, GUARD_PLUGIN}
    assert all(path.startswith(plan.config_dir + "/") for path in plan.files)
    assert plan.env["HARNESS_TEST_TIMEOUT_S"] == "7"
    assert plan.env["PYTHONPATH"] == plan.config_dir
    coveragerc = plan.files[COVERAGERC]
    assert "relative_files = True" in coveragerc
    assert "*/conftest.py" in coveragerc and "*/tests/*" in coveragerc
    compile(plan.files[GUARD_PLUGIN], GUARD_PLUGIN, "exec")  # valid Python, not executed here


def test_plan_helpers_are_not_collected_as_tests() -> None:
    assert getattr(test_stage_plan, "__test__", True) is False
    assert TestsGrader.__test__ is False


# --- reading what the stage wrote -------------------------------------------------------------


def test_junit_with_entities_or_dtd_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "junit.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<testsuites><testsuite><testcase classname="t" name="&lol2;"/></testsuite></testsuites>'
    )
    assert read_junit(bomb).problem is not None
    xxe = tmp_path / "xxe.xml"
    xxe.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<testsuite><testcase classname="t" name="&e;"/></testsuite>'
    )
    report = read_junit(xxe)
    assert report.problem is not None and report.cases == []


@pytest.mark.parametrize("content", ["", "not xml", "<testsuite><testcase", "\x00\x01\x02"])
def test_malformed_junit_is_a_problem_not_a_crash(tmp_path: Path, content: str) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(content)
    assert read_junit(path).problem is not None


def test_oversized_and_linked_reports_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graders.candidate_tests.reports as reports

    monkeypatch.setattr(reports, "MAX_REPORT_BYTES", 100)
    big = tmp_path / "junit.xml"
    big.write_text("<testsuite>" + "<testcase classname='a' name='b'/>" * 10 + "</testsuite>")
    assert "cap" in (read_junit(big).problem or "")
    link = tmp_path / "coverage.json"
    link.symlink_to("/etc/passwd")
    assert read_coverage(link).problem is not None


@pytest.mark.parametrize(
    "payload",
    [
        "[]",
        '{"files": {}}',
        '{"meta": {}, "files": {"a.py": {"summary": {"covered_lines": -1, "num_statements": 3}}}, '
        '"totals": {"covered_lines": 0, "num_statements": 0}}',
        '{"meta": {}, "files": {"a.py": {"summary": {"covered_lines": "x"}}}, "totals": {}}',
        "[" * 50_000,
    ],
)
def test_coverage_json_is_schema_checked(tmp_path: Path, payload: str) -> None:
    path = tmp_path / "coverage.json"
    path.write_text(payload)
    assert read_coverage(path).problem is not None


def test_coverage_counts_only_the_candidates_own_source(tmp_path: Path) -> None:
    def entry(covered: int, statements: int) -> dict[str, object]:
        return {"summary": {"covered_lines": covered, "num_statements": statements}}

    path = tmp_path / "coverage.json"
    path.write_text(
        json.dumps(
            {
                "meta": {"format": 3},
                "files": {
                    "pkg/model.py": entry(8, 10),
                    "/work/pkg/data.py": entry(2, 10),
                    "tests/test_model.py": entry(50, 50),
                    "conftest.py": entry(5, 5),
                    "/usr/lib/python3/os.py": entry(100, 100),
                    "../escape.py": entry(9, 9),
                    "over.py": entry(30, 10),
                },
                "totals": {"covered_lines": 0, "num_statements": 0},
            }
        )
    )
    report = read_coverage(path)
    assert set(report.files) == {"pkg/model.py", "pkg/data.py", "over.py"}
    assert report.percent == pytest.approx(100 * 20 / 30, abs=0.01)


def test_report_numbers_far_beyond_the_source_are_flagged(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_a():\n    assert f() == 1\n")
    junit = tmp_path / "junit.xml"
    junit.write_text(
        "<testsuite>"
        + "".join(f"<testcase classname='tests.test_a' name='t{i}'/>" for i in range(500))
        + "</testsuite>"
    )
    stage = StageOutcome(
        name=StageName.tests, verdict=Verdict.ok, exit_code=0, files={"junit.xml": junit}
    )
    result = TestsGrader().grade(make_context(tmp_path, stages={StageName.tests: stage}))
    assert "tests:report-mismatch" in rules(result)


# --- stage verdicts without a run -------------------------------------------------------------


def test_missing_stage_is_reported_and_scores_static_parts_only(tmp_path: Path) -> None:
    result = TestsGrader().grade(make_context(golden_copy("strong", tmp_path)))
    assert "tests:not-run" in rules(result)
    assert result.metrics["tests_run"] is None
    passed = next(c for c in result.breakdown if c.basis == "metrics.tests_passed")
    assert passed.points == 0


def test_an_infrastructure_error_is_the_graders_error_not_the_candidates(tmp_path: Path) -> None:
    stage = StageOutcome(
        name=StageName.tests, verdict=Verdict.infra_error, message="Docker daemon unreachable"
    )
    result = TestsGrader().grade(
        make_context(golden_copy("strong", tmp_path), stages={StageName.tests: stage})
    )
    assert result.status is GraderStatus.error
    assert result.score is None
    assert "Docker daemon unreachable" in result.summary


@pytest.mark.parametrize(
    ("verdict", "exit_code", "rule"),
    [
        (Verdict.out_of_memory, 137, "tests:out-of-memory"),
        (Verdict.output_too_large, None, "tests:output-too-large"),
        (Verdict.failed, 4, "tests:pytest-usage-error"),
        (Verdict.failed, 3, "tests:pytest-internal-error"),
        (Verdict.failed, 5, "tests:none-collected"),
        (Verdict.failed, 1, "tests:no-report"),
    ],
)
def test_stage_verdicts_become_findings(
    tmp_path: Path, verdict: Verdict, exit_code: int | None, rule: str
) -> None:
    stage = StageOutcome(
        name=StageName.tests, verdict=verdict, exit_code=exit_code, log_tail="ERROR: boom"
    )
    result = TestsGrader().grade(
        make_context(golden_copy("solid", tmp_path), stages={StageName.tests: stage})
    )
    assert result.status is GraderStatus.ok
    assert rule in rules(result)


# --- golden submissions through the real sandbox ----------------------------------------------


@pytest.mark.docker
def test_tests_grader_orders_the_goldens(golden_stage: Stage) -> None:
    scores = {
        name: grade_golden(golden_stage, name).score or 0.0
        for name in ("strong", "solid", "messy", "trivial_tests", "no_tests")
    }
    assert scores["strong"] > scores["solid"] > scores["trivial_tests"] > scores["no_tests"] == 0
    assert scores["solid"] > scores["messy"]
    assert scores["strong"] >= 90


@pytest.mark.docker
def test_strong_tests_all_pass_with_high_coverage(golden_stage: Stage) -> None:
    result = grade_golden(golden_stage, "strong")
    m = result.metrics
    assert m["test_stage_verdict"] == "ok"
    assert m["tests_run"] == m["tests_passed"] == m["tests_found"] == 17
    assert m["tests_failed"] == m["tests_errored"] == m["trivial_tests"] == 0
    assert m["parametrized_cases"] == 6
    assert isinstance(m["coverage_percent"], float) and m["coverage_percent"] >= 85
    # tests and conftest are not part of the measured source
    assert not any("tests/" in path for path in result.details["coverage_by_file"])
    assert "ticket_classifier/model.py" in result.details["coverage_by_file"]


@pytest.mark.docker
def test_no_tests_scores_zero_with_a_finding(golden_stage: Stage) -> None:
    result = grade_golden(golden_stage, "no_tests")
    assert result.status is GraderStatus.failed
    assert result.score == 0
    assert "tests:no-tests" in rules(result)
    assert result.findings[0].rule == "tests:no-tests"


@pytest.mark.docker
def test_trivial_tests_pass_but_are_named_one_by_one(golden_stage: Stage) -> None:
    result = grade_golden(golden_stage, "trivial_tests")
    assert result.metrics["tests_passed"] == 6
    assert result.metrics["trivial_tests"] == 6
    trivial = {
        (f.line, f.message.split(" ")[0]) for f in result.findings if f.rule == "tests:trivial-test"
    }
    assert {
        (6, "test_imports"),
        (11, "test_true"),
        (15, "test_runs"),
        (19, "test_todo"),
        (23, "test_same"),
    } <= trivial
    assert next(c for c in result.breakdown if c.basis == "metrics.trivial_tests").points == 0


@pytest.mark.docker
def test_restated_config_structure_mocks_and_missing_data_in_a_real_run(golden_stage: Stage) -> None:
    result = grade_golden(golden_stage, "config_tests")
    m = result.metrics
    assert (m["tests_passed"], m["tests_failed"], m["tests_errored"]) == (5, 1, 0)
    assert m["trivial_tests"] == 4 and m["tests_missing_data_file"] == 1
    trivial = {
        f.message.split(" ")[0]: f.message for f in result.findings if f.rule == "tests:trivial-test"
    }
    assert set(trivial) == {
        "test_vectorizer_uses_the_configured_size",
        "test_seed_is_set",
        "test_api_exists",
        "test_main_trains",
    }
    assert "restates configuration" in trivial["test_seed_is_set"]
    assert "exist or have a type" in trivial["test_api_exists"]
    assert "mocks" in trivial["test_main_trains"]
    (missing,) = [f for f in result.findings if f.rule == "tests:missing-data-file"]
    assert (missing.file, missing.line) == ("tests/test_model.py", 47)
    assert "data/train.csv" in missing.message and "TRAIN_CSV" in missing.message
    assert not any(f.rule == "tests:failed" for f in result.findings)
    assert "1 for want of a data file" in result.summary


@pytest.mark.docker
def test_hostile_tests_collection_errors_network_and_hangs(golden_stage: Stage) -> None:
    result = grade_golden(golden_stage, "hostile_tests")
    assert result.status is GraderStatus.ok
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["tests:collection-error"].file == "tests/test_broken_import.py"
    assert "package_that_does_not_exist" in by_rule["tests:collection-error"].message
    network = by_rule["tests:needs-network"]
    assert (network.file, network.line) == ("tests/test_main.py", 25)
    timeout = by_rule["tests:test-timeout"]
    assert (timeout.file, timeout.line) == ("tests/test_main.py", 30)
    assert by_rule["tests:failed"].line == 18
    m = result.metrics
    assert (m["tests_passed"], m["tests_failed"], m["tests_errored"], m["collection_errors"]) == (
        1,
        3,
        1,
        1,
    )
    # the hanging test was stopped by the per-test guard, so the rest of the run still reported
    assert m["test_stage_verdict"] == "failed"
    assert isinstance(m["coverage_percent"], float)


@pytest.mark.docker
def test_a_suite_that_blocks_the_guard_times_out_the_stage(golden_stage: Stage) -> None:
    result = grade_golden(golden_stage, "stuck_tests")
    assert result.metrics["test_stage_verdict"] == "timed_out"
    assert result.findings[0].rule == "tests:timed-out"
    assert result.metrics["tests_run"] is None
    assert next(c for c in result.breakdown if c.basis == "metrics.tests_passed").points == 0
    assert result.metrics["tests_found"] == 2


def _suite(tmp_path: Path, tests: int, coverage_percent: float) -> GraderResult:
    """A workspace with ``tests`` behavioural tests that all pass, at the given coverage."""
    body = "".join(
        f"def test_{i}():\n    assert clean('a{i} ') == 'a{i}'\n    assert clean('') == ''\n\n"
        for i in range(tests)
    )
    (tmp_path / "tests").mkdir(parents=True, exist_ok=True)
    (tmp_path / "tests" / "test_clean.py").write_text("from pkg import clean\n\n\n" + body)
    (tmp_path / "pkg").mkdir(exist_ok=True)
    (tmp_path / "pkg" / "__init__.py").write_text("def clean(text):\n    return text.strip()\n")
    junit = tmp_path / "junit.xml"
    junit.write_text("<testsuite>" + "".join(
        f"<testcase classname='tests.test_clean' name='test_{i}'/>" for i in range(tests)) + "</testsuite>")
    cov = tmp_path / "coverage.json"
    statements = 100
    covered = round(coverage_percent)
    cov.write_text(json.dumps({"meta": {"format": 3}, "files": {"pkg/__init__.py": {
        "summary": {"covered_lines": covered, "num_statements": statements}}},
        "totals": {"covered_lines": covered, "num_statements": statements}}))
    stage = StageOutcome(name=StageName.tests, verdict=Verdict.ok, exit_code=0,
                         files={"junit.xml": junit, "coverage.json": cov})
    return TestsGrader().grade(make_context(tmp_path, stages={StageName.tests: stage}))


def _points(result: GraderResult, basis: str) -> float:
    return next(c.points for c in result.breakdown if c.basis == basis)


def test_a_small_passing_suite_earns_in_proportion_to_its_size(tmp_path: Path) -> None:
    two = _suite(tmp_path / "two", 2, 80.0)
    eight = _suite(tmp_path / "eight", 8, 80.0)
    assert two.score is not None and eight.score is not None
    # Two passing tests are a quarter of the "tests pass" points, not all of them.
    assert _points(two, "metrics.tests_passed") == pytest.approx(POINTS["pass"] / 4)
    assert _points(eight, "metrics.tests_passed") == pytest.approx(POINTS["pass"])
    # Coverage from two tests counts half; from four or more, in full.
    assert _points(two, "metrics.coverage_percent") == pytest.approx(POINTS["coverage"] / 2)
    assert _points(eight, "metrics.coverage_percent") == pytest.approx(POINTS["coverage"])
    assert two.score < 40 < 90 < eight.score


def test_coverage_counts_in_full_from_four_passing_tests(tmp_path: Path) -> None:
    four = _suite(tmp_path, 4, 80.0)
    assert _points(four, "metrics.coverage_percent") == pytest.approx(POINTS["coverage"])
    assert _points(four, "metrics.tests_passed") == pytest.approx(POINTS["pass"] / 2)

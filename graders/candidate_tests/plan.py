"""How the harness runs the candidate's own tests: a pure description the pipeline executes.

The pipeline copies the submission to ``/work`` (a writable tmpfs), mounts public training data
at ``/data/train.csv`` (``TRAIN_CSV``), mounts :attr:`TestStagePlan.files` read-only (all under
:data:`CONFIG_DIR`, so one read-only folder mount does), runs :attr:`TestStagePlan.command` with
``cwd=/work`` and no network, and hands the grader the files of :attr:`TestStagePlan.outputs` it
finds in ``/out``.

A small pytest plugin (:data:`GUARD_PLUGIN`) bounds each test's phases with ``SIGALRM``, so one
hanging test fails on its own (with a message the grader recognises) and the rest of the suite
still runs and reports; the stage's wall-clock limit stays the backstop for code that blocks
signals. Coverage uses the harness's own config (``--cov-config``), so a candidate's coverage
settings cannot exclude code from measurement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CONFIG_DIR",
    "CONTEXTS_EXPORTER",
    "CONTEXTS_JSON",
    "COVERAGERC",
    "COVERAGE_JSON",
    "GUARD_PLUGIN",
    "JUNIT_XML",
    "OUTPUT_DIR",
    "PYTEST_NO_TESTS",
    "TIMEOUT_MARKER",
    "WORKDIR",
    "TestStagePlan",
    "test_stage_plan",
]

WORKDIR = "/work"
OUTPUT_DIR = "/out"
CONFIG_DIR = "/harness"
COVERAGERC = f"{CONFIG_DIR}/coveragerc"
GUARD_MODULE = "harness_pytest_guard"
GUARD_PLUGIN = f"{CONFIG_DIR}/{GUARD_MODULE}.py"
JUNIT_XML = "junit.xml"
COVERAGE_JSON = "coverage.json"
CONTEXTS_JSON = "coverage_contexts.json"
"""Which test ran which line (written when the plan asks for per-test contexts)."""
CONTEXTS_EXPORTER = f"{CONFIG_DIR}/harness_contexts.py"
COVERAGE_DATA = "/tmp/.coverage"
PYTEST_NO_TESTS = 5
"""pytest's exit code when it collected no tests: the stage's own outcome (``no_tests``)."""
TIMEOUT_MARKER = "HarnessTestTimeout"
"""Name of the exception the guard raises in a test that runs past its limit."""
DEFAULT_TEST_TIMEOUT_S = 60

_COVERAGERC = f"""\
# Written by the grading harness; the candidate's own coverage config is not used.
[run]
relative_files = True
data_file = {COVERAGE_DATA}
omit =
    */tests/*
    */test/*
    */testing/*
    */test_*.py
    *_test.py
    */conftest.py
    */setup.py
    /harness/*

[report]
include_namespace_packages = True
ignore_errors = True
"""

_GUARD = f'''\
"""Per-test time limit for the candidate's pytest run (installed by the grading harness)."""

import os
import signal

import pytest

_LIMIT = float(os.environ.get("HARNESS_TEST_TIMEOUT_S", "{DEFAULT_TEST_TIMEOUT_S}"))


class {TIMEOUT_MARKER}(Exception):
    """A test phase ran past the harness's per-test time limit."""


def _expire(signum, frame):
    raise {TIMEOUT_MARKER}(f"test phase exceeded the harness limit of {{_LIMIT:g}} s")


def _guard():
    if _LIMIT <= 0 or not hasattr(signal, "setitimer"):
        return None
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, _LIMIT)
    return previous


def _release(previous):
    if previous is None:
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    previous = _guard()
    try:
        return (yield)
    finally:
        _release(previous)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    previous = _guard()
    try:
        return (yield)
    finally:
        _release(previous)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    previous = _guard()
    try:
        return (yield)
    finally:
        _release(previous)
'''


@dataclass(frozen=True)
class TestStagePlan:
    """What the harness runs in the test stage's sandbox, and what it collects."""

    __test__ = False  # not a pytest test class, despite the name

    command: list[str]
    """Argv, run with ``cwd`` :attr:`workdir`."""
    files: dict[str, str]
    """Container path -> text of a config file to mount read-only. All paths are under
    :attr:`config_dir`, so the harness may write them to one folder and mount it there."""
    outputs: list[str]
    """File names the command writes into :attr:`output_dir`."""
    env: dict[str, str]
    """Environment for the command, on top of the harness's own (``TRAIN_CSV``, ``PATH`` ...)."""
    workdir: str = WORKDIR
    """Where the writable copy of the submission is."""
    output_dir: str = OUTPUT_DIR
    """The only writable output folder."""
    config_dir: str = CONFIG_DIR
    """Folder holding every file of :attr:`files`."""
    per_test_timeout_s: int = DEFAULT_TEST_TIMEOUT_S
    """Limit of each test phase (setup, call, teardown) before the guard fails it."""
    notes: list[str] = field(default_factory=list)
    """Why the plan looks the way it does, for operators."""


def test_stage_plan(
    *, per_test_timeout_s: int = DEFAULT_TEST_TIMEOUT_S, per_test_contexts: bool = False
) -> TestStagePlan:
    """The test stage: pytest with JUnit XML and coverage JSON, bounded per test.

    With ``per_test_contexts``, coverage also records which test ran each line
    (``--cov-context=test``) and the harness's exporter writes :data:`CONTEXTS_JSON` after pytest
    (the mutation stage picks each mutant's tests from it); pytest's exit status stays the
    command's.
    """
    pytest_args = [
        "-p",
        GUARD_MODULE,
        "-p",
        "no:cacheprovider",
        f"--rootdir={WORKDIR}",
        "--continue-on-collection-errors",
        "--color=no",
        "--tb=short",
        "-q",
        "-rfE",
        f"--junitxml={OUTPUT_DIR}/{JUNIT_XML}",
        "-o",
        "junit_family=xunit2",
        "--cov=.",
        f"--cov-config={COVERAGERC}",
        f"--cov-report=json:{OUTPUT_DIR}/{COVERAGE_JSON}",
    ]
    files = {COVERAGERC: _COVERAGERC, GUARD_PLUGIN: _GUARD}
    outputs = [JUNIT_XML, COVERAGE_JSON]
    command = ["python", "-m", "pytest", *pytest_args]
    if per_test_contexts:
        export = f"python {CONTEXTS_EXPORTER} {COVERAGE_DATA} {OUTPUT_DIR}/{CONTEXTS_JSON}"
        script = f'python -m pytest "$@"; status=$?; {export}; exit $status'
        command = ["/bin/sh", "-c", script, "pytest", *pytest_args, "--cov-context=test"]
        files[CONTEXTS_EXPORTER] = (Path(__file__).parent / "mutation" / "export_contexts.py").read_text(
            encoding="utf-8"
        )
        outputs.append(CONTEXTS_JSON)
    env = {
        "PYTHONPATH": CONFIG_DIR,
        "HARNESS_TEST_TIMEOUT_S": str(per_test_timeout_s),
        "COVERAGE_FILE": COVERAGE_DATA,
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    return TestStagePlan(
        command=command,
        files=files,
        outputs=outputs,
        env=env,
        per_test_timeout_s=per_test_timeout_s,
        notes=[
            "python -m pytest puts /work on sys.path, as candidates expect when they run pytest there",
            "--continue-on-collection-errors: one broken test file does not hide the others' results",
            "the guard plugin fails a single hanging test; the stage wall time is the backstop",
        ],
    )


test_stage_plan.__test__ = False  # type: ignore[attr-defined]  # a plan factory, not a pytest test

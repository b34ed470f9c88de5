"""``make bench``: what the sandbox costs.

Grades the reference solution through the real pipeline and, in the same run, times the same
test, train and predict commands natively on the host (same package versions, same thread pinning).
Prints the sandboxed/native ratio of train+predict and the fixed per-submission overhead:
the whole grading wall time minus the native time of the same work. The mutation stage (the
reference's own tests against mutants of its code) has no native counterpart: its time is printed
on its own, against the assignment's budget, and left out of the comparison.

Targets on the 2-core development machine, images already built: ratio <= 1.15, overhead <= 2 s.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sandbox
from harness.assignments.loader import load_assignment
from harness.grading import stages
from harness.grading.features import write_test_features
from harness.grading.local import image_recipe
from harness.grading.pipeline import grade_path
from harness.grading.progress import ProgressEvent
from harness.settings import Settings
from harness.submissions.contract import ProjectContract, detect_contract, render_command

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))


def native_times(assignment_name: str, solution: Path, settings: Settings) -> dict[str, float]:
    assignment = load_assignment(assignment_name, settings)
    contract = detect_contract(solution)
    assert isinstance(contract, ProjectContract)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        work = root / "work"
        shutil.copytree(solution, work)
        (root / "model").mkdir()
        (root / "out").mkdir()
        write_test_features(assignment, root / "test.csv")
        paths = {"train": str(assignment.train_csv), "test": str(root / "test.csv"),
                 "model_dir": str(root / "model"), "predictions": str(root / "out" / "predictions.csv")}
        env = {**os.environ, **stages.stage_env(assignment.spec.limits.train),
               "TRAIN_CSV": str(assignment.train_csv), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        from graders.candidate_tests.plan import test_stage_plan

        plan = test_stage_plan()
        # The test stage natively: the same pytest command and config files, at host paths.
        def host(text: str) -> str:
            mapping = {"/harness": root / "harness", "/out": root / "out", "/work": work,
                       "/tmp": root}
            return re.sub(r"(?<![\w.])(/harness|/out|/work|/tmp)(?=/|$|\s)",
                          lambda m: str(mapping[m.group(1)]), text)

        for container_path, content in plan.files.items():
            target = Path(host(container_path))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(host(content))
        test_cmd = [sys.executable if c == "python" else host(c) for c in plan.command]
        # The host venv also holds the harness's own test plugins (hypothesis, schemathesis,
        # playwright...); the sandbox has only pytest-cov. Load the same plugins natively.
        test_cmd[3:3] = ["-p", "pytest_cov"]
        env.update({k: host(v) for k, v in plan.env.items()})
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        times: dict[str, float] = {}
        for name, command in (
            ("tests", test_cmd),
            ("train", ["/bin/sh", "-c", render_command(contract.train_command, paths)]),
            ("predict", ["/bin/sh", "-c", render_command(contract.predict_command, paths)]),
        ):
            started = time.perf_counter()
            done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"native {name} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
            times[name] = time.perf_counter() - started
    return times


def sandboxed_times(assignment_name: str, solution: Path, settings: Settings) -> dict[str, float]:
    assignment = load_assignment(assignment_name, settings)
    elapsed: dict[str, float] = {}

    def progress(event: ProgressEvent) -> None:
        if event.state == "finished" and event.elapsed_s is not None:
            elapsed[event.stage] = event.elapsed_s

    started = time.perf_counter()
    report = grade_path(solution, assignment, settings=settings, progress=progress)
    elapsed["total"] = time.perf_counter() - started
    assert report.status.value == "graded", report.message
    tests = report.grader("tests")
    metrics = tests.metrics if tests is not None else {}
    elapsed["mutants_judged"] = float(metrics.get("mutants_judged") or 0)
    elapsed["mutation_score"] = float(metrics.get("mutation_score") or 0.0)
    return elapsed


NULL_SUBMISSION = {
    "submission.toml": (
        '[train]\ncommand = "python -c pass {train} {model_dir}"\n'
        '[predict]\ncommand = "python -c pass {test} {predictions}"\n'
    ),
}


def null_grading_time(settings: Settings) -> float:
    """Wall time to grade a submission whose commands do nothing: the harness's fixed cost."""
    assignment = load_assignment("support-tickets", settings)
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in NULL_SUBMISSION.items():
            (Path(tmp) / name).write_text(text)
        started = time.perf_counter()
        grade_path(Path(tmp), assignment, settings=settings)
        return time.perf_counter() - started


def main() -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-")))
    sandbox.ensure_image(image_recipe(settings), progress=print)
    assignment = load_assignment("support-tickets", settings)
    solution = assignment.root / "solutions" / "reference"
    boxed_runs, native_runs = [], []
    for i in range(REPEATS):
        boxed_runs.append(sandboxed_times("support-tickets", solution, settings))
        native_runs.append(native_times("support-tickets", solution, settings))
        print(f"run {i + 1}/{REPEATS}: sandboxed {boxed_runs[-1]['total']:.2f} s total", flush=True)

    def med(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r.get(key, 0.0) for r in runs)

    print(f"\nstage        sandboxed   native   (median of {REPEATS} runs)")
    for key in ("tests", "train", "predict"):
        print(f"{key:10s} {med(boxed_runs, key):9.2f} s {med(native_runs, key):7.2f} s")
    boxed_tp = med(boxed_runs, "train") + med(boxed_runs, "predict")
    native_tp = med(native_runs, "train") + med(native_runs, "predict")
    native_all = native_tp + med(native_runs, "tests")
    limits = assignment.spec.limits.mutation
    print(f"mutation   {med(boxed_runs, 'mutation'):9.2f} s  (budget {limits.budget_seconds} s, "
          f"{med(boxed_runs, 'mutants_judged'):.0f} of {limits.mutants} mutants judged, "
          f"mutation score {med(boxed_runs, 'mutation_score'):.0%})")
    total = statistics.median(r["total"] - r.get("mutation", 0.0) for r in boxed_runs)
    ratio = boxed_tp / native_tp
    overhead = total - native_all
    print(f"\ntrain+predict: sandboxed {boxed_tp:.2f} s, native {native_tp:.2f} s, ratio {ratio:.2f} (target <= 1.15)")
    print(f"whole grading without the mutation stage {total:.2f} s vs native tests+train+predict "
          f"{native_all:.2f} s (difference {overhead:+.2f} s)")
    null = statistics.median(null_grading_time(settings) for _ in range(REPEATS))
    print(f"fixed overhead per submission: {null:.2f} s to grade a submission that does nothing "
          "(archive checks, 3 containers, scoring, all graders; target <= 2 s)")
    shutil.rmtree(settings.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

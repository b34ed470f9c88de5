"""The grading pipeline end to end, with real Docker, on a tiny assignment.

Each hostile submission gets a report with the right verdict, and the harness keeps working.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from graders.registry import GraderRegistry, default_registry
from graders.types import GraderResult, GradingContext, StageName, Verdict
from harness.assignments.loader import Assignment, load_assignment
from harness.errors import InfrastructureError
from harness.grading.pipeline import grade_path
from harness.grading.progress import ProgressEvent
from harness.reports.schema import Report, ReportStatus
from harness.settings import Settings
from tests.factories import make_assignment, make_submission, model_submission

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_assignment(tmp_path_factory.mktemp("tiny"), wall_seconds=20, memory_mb=256)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var")


def grade(source: Path, assignment_dir: Path, settings: Settings, **kwargs: object) -> Report:
    assignment = load_assignment(str(assignment_dir), settings)
    return grade_path(source, assignment, settings=settings, **kwargs)  # type: ignore[arg-type]


def stage(report: Report, name: StageName) -> object:
    return next(s for s in report.stages if s.name == name)


def test_working_submission_is_graded(sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    report = grade(model_submission(tmp_path / "sub"), tiny, settings, progress=events.append)
    assert report.status == ReportStatus.graded
    verdicts = {s.name: s.verdict for s in report.stages}
    assert verdicts[StageName.train] == Verdict.ok and verdicts[StageName.predict] == Verdict.ok
    assert verdicts[StageName.score] == Verdict.ok
    accuracy = report.grader("accuracy")
    assert accuracy is not None and accuracy.status.value == "ok"
    assert 0.8 <= float(accuracy.metrics["accuracy"]) <= 1.0  # type: ignore[arg-type]
    assert 0.0 <= float(accuracy.metrics["macro_f1"]) <= 1.0  # type: ignore[arg-type]
    assert {g.name for g in report.graders} >= {"accuracy", "tests", "quality", "writeup"}
    assert report.overall.score is not None and report.sandbox_image == sandbox_image
    assert report.scores is not None and report.scores.heldout is not None and report.scores.shifted is not None
    assert report.scores.heldout.n == 60 and report.scores.shifted.n == 30
    train = stage(report, StageName.train)
    assert train.peak_memory_bytes is None or train.peak_memory_bytes > 0  # type: ignore[attr-defined]
    started = [e.stage for e in events if e.state == "started"]
    assert started[:2] == ["extract", "static"] and "train" in started and started[-1] == "graders"
    # The work folder is gone afterwards.
    assert not any((settings.work_dir).iterdir())


def test_same_submission_twice_gives_identical_metrics(sandbox_image: str, tiny: Path, settings: Settings,
                                                       tmp_path: Path) -> None:
    sub = model_submission(tmp_path / "sub")
    first, second = grade(sub, tiny, settings), grade(sub, tiny, settings)
    assert first.scores == second.scores
    assert first.submission.sha256 == second.submission.sha256


def test_crashing_submission(sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path) -> None:
    sub = model_submission(tmp_path / "sub", train_py="import sys\nraise SystemExit('cannot find the data, sorry')\n")
    report = grade(sub, tiny, settings)
    assert report.status == ReportStatus.graded
    train = stage(report, StageName.train)
    assert train.verdict == Verdict.failed and train.exit_code == 1  # type: ignore[attr-defined]
    assert "cannot find the data, sorry" in train.log_tail  # type: ignore[attr-defined]
    assert stage(report, StageName.predict).verdict == Verdict.skipped  # type: ignore[attr-defined]
    accuracy = report.grader("accuracy")
    assert accuracy is not None and accuracy.score == 0.0
    assert any(f.rule == "accuracy:train-failed" for f in accuracy.findings)


def test_sleeping_past_the_limit_times_out(sandbox_image: str, tmp_path: Path, settings: Settings) -> None:
    assignment = make_assignment(tmp_path / "a", wall_seconds=3)
    sub = model_submission(tmp_path / "sub", train_py="import time\ntime.sleep(60)\n")
    report = grade(sub, assignment, settings)
    train = stage(report, StageName.train)
    assert train.verdict == Verdict.timed_out  # type: ignore[attr-defined]
    assert train.duration_s < 15  # type: ignore[attr-defined]


def test_memory_bomb_is_out_of_memory(sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path) -> None:
    bomb = "blocks = []\nwhile True:\n    blocks.append(bytearray(16 * 1024 * 1024))\n"
    report = grade(model_submission(tmp_path / "sub", train_py=bomb), tiny, settings)
    assert stage(report, StageName.train).verdict == Verdict.out_of_memory  # type: ignore[attr-defined]


def test_flooding_stdout_is_bounded(sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path) -> None:
    flood = "import sys\nwhile True:\n    sys.stdout.write('spam ' * 2000 + '\\n')\n"
    report = grade(model_submission(tmp_path / "sub", train_py=flood), tiny, settings)
    train = stage(report, StageName.train)
    assert train.verdict in (Verdict.output_too_large, Verdict.failed)  # type: ignore[attr-defined]
    assert train.log_truncated  # type: ignore[attr-defined]
    assert len(train.log_tail.encode()) <= 16 * 1024 + 512  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("predict_py", "problem"),
    [
        ("import os, sys\nos.symlink('/etc/passwd', sys.argv[3])\n", "symlink"),
        ("import os, sys\nos.mkfifo(sys.argv[3])\n", "FIFO"),
        ("import sys\nopen(sys.argv[3], 'w').write('id;label\\n1;2\\n')\n", "header"),
        ("import sys\nopen(sys.argv[3], 'wb').write(b'id,label\\n\\xff\\xfe\\n')\n", "not UTF-8"),
    ],
)
def test_hostile_predictions_files(sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path,
                                   predict_py: str, problem: str) -> None:
    report = grade(model_submission(tmp_path / "sub", predict_py=predict_py), tiny, settings)
    assert report.status == ReportStatus.graded
    assert report.scores is not None and not report.scores.check.ok
    assert any(problem.lower() in p.lower() for p in report.scores.check.problems), report.scores.check.problems
    accuracy = report.grader("accuracy")
    assert accuracy is not None and accuracy.score == 0.0


def test_huge_predictions_file_is_output_too_large(sandbox_image: str, tiny: Path, settings: Settings,
                                                   tmp_path: Path) -> None:
    huge = "import sys\nwith open(sys.argv[3], 'wb') as f:\n    while True:\n        f.write(b'x' * 1048576)\n"
    report = grade(model_submission(tmp_path / "sub", predict_py=huge), tiny, settings)
    assert stage(report, StageName.predict).verdict == Verdict.output_too_large  # type: ignore[attr-defined]


def test_held_out_labels_are_nowhere_in_the_container(sandbox_image: str, tmp_path: Path, settings: Settings) -> None:
    # The label "zzcanary" exists only in the held-out labels, never in training data.
    assignment = make_assignment(tmp_path / "a", labels=["billing", "refund"],
                                 heldout_labels=["billing", "refund", "zzcanary"])
    search = '''
import os, sys
needle = ("zz" + "canary").encode()
hits = []
for root in ("/",):
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        if dirpath.startswith(("/proc", "/sys", "/dev")):
            dirnames[:] = []
            continue
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as fh:
                    if needle in fh.read(50_000_000):
                        hits.append(path)
            except OSError:
                pass
for pid in os.listdir("/proc"):
    for part in ("environ", "cmdline"):
        try:
            if needle in open(f"/proc/{pid}/{part}", "rb").read():
                hits.append(f"/proc/{pid}/{part}")
        except OSError:
            pass
if needle.decode() in str(os.environ):
    hits.append("environment")
print("CANARY-HITS:", len(hits), hits[:5])
'''
    # The search's own source sits in /work and /submission; it spells the needle in two pieces.
    sub = model_submission(tmp_path / "sub", extra={"search.py": search},
                           predict_py="import runpy, sys\nrunpy.run_path('search.py')\n")
    report = grade(sub, assignment, settings)
    predict = stage(report, StageName.predict)
    assert "CANARY-HITS: 0 []" in predict.log_tail, predict.log_tail  # type: ignore[attr-defined]


def test_notebook_only_submission(sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Approach\nKeyword counts."),
        nbformat.v4.new_code_cell("import os, csv, collections\nTRAIN, TEST = os.environ['TRAIN_CSV'], os.environ['TEST_CSV']"),
        nbformat.v4.new_code_cell(
            "counts = collections.defaultdict(collections.Counter)\n"
            "for row in csv.DictReader(open(TRAIN)):\n"
            "    for w in (row['subject'] + ' ' + row['body']).split():\n"
            "        counts[w][row['label']] += 1"),
        nbformat.v4.new_code_cell(
            "with open(os.environ['PREDICTIONS_CSV'], 'w', newline='') as fh:\n"
            "    out = csv.writer(fh); out.writerow(['id', 'label'])\n"
            "    for row in csv.DictReader(open(TEST)):\n"
            "        votes = collections.Counter()\n"
            "        for w in (row['subject'] + ' ' + row['body']).split():\n"
            "            votes.update(counts.get(w, {}))\n"
            "        out.writerow([row['id'], votes.most_common(1)[0][0] if votes else 'billing'])"),
        nbformat.v4.new_code_cell("print('RUN-ONLY-MARKER', len(counts) > 0)"),
    ]
    sub = tmp_path / "sub"
    sub.mkdir()
    nbformat.write(nb, sub / "solution.ipynb")
    report = grade(sub, tiny, settings)
    assert report.submission.kind == "notebook"
    assert stage(report, StageName.notebook).verdict == Verdict.ok, stage(report, StageName.notebook)
    assert report.scores is not None and report.scores.check.ok
    # Reviewers read the graded run (the outputs the harness's own run produced), and the
    # notebook as submitted (saved here without any output) on request (issue 11).
    notebooks = report.grader("notebooks")
    assert notebooks is not None
    run = notebooks.artifacts["notebook-run:solution.ipynb"]
    submitted = notebooks.artifacts["notebook:solution.ipynb"]
    assert "RUN-ONLY-MARKER True" in run and "RUN-ONLY-MARKER True" not in submitted


def test_unusable_input_is_rejected_with_a_report(sandbox_image: str, tiny: Path, settings: Settings,
                                                  tmp_path: Path) -> None:
    report = grade(make_submission(tmp_path / "sub", {"train.py": "x = 1\n"}), tiny, settings)
    assert report.status == ReportStatus.rejected
    assert "no submission.toml" in report.message and report.graders == []


def test_grader_that_raises_is_recorded_and_others_survive(sandbox_image: str, tiny: Path, settings: Settings,
                                                           tmp_path: Path) -> None:
    class Exploding:
        name = "writeup"
        version = "9"

        def grade(self, ctx: GradingContext) -> GraderResult:
            raise ValueError("malformed markdown table")

    registry = GraderRegistry()
    for grader in default_registry(plugins=False):
        registry.register(Exploding() if grader.name == "writeup" else grader)
    report = grade(model_submission(tmp_path / "sub"), tiny, settings, registry=registry)
    writeup = report.grader("writeup")
    assert writeup is not None and writeup.status.value == "error" and "malformed markdown table" in writeup.summary
    accuracy = report.grader("accuracy")
    assert accuracy is not None and accuracy.status.value == "ok"
    assert not report.overall.complete and report.overall.missing == ["writeup"]


def test_dead_docker_daemon_is_an_infrastructure_error(tiny: Path, settings: Settings, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    sub = model_submission(tmp_path / "sub")
    assignment: Assignment = load_assignment(str(tiny), settings)
    with pytest.raises(InfrastructureError) as raised:
        grade_path(sub, assignment, settings=settings)
    assert "docker" in raised.value.message.lower()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB filesystem (tmpfs) to stand in for a full disk."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.parametrize("archive_format", ["folder", "gztar"])
def test_full_disk_is_an_infrastructure_error_not_the_candidates(
    tiny: Path, tmp_path: Path, tiny_disk: Path, archive_format: str
) -> None:
    sub = model_submission(tmp_path / "sub")
    (sub / "weights.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    source = sub if archive_format == "folder" else Path(shutil.make_archive(str(tmp_path / "sub"), archive_format, sub))
    settings = Settings(data_dir=tiny_disk)
    assignment = load_assignment(str(tiny), settings)
    with pytest.raises(InfrastructureError, match="disk space"):
        grade_path(source, assignment, settings=settings)
    assert not any(settings.work_dir.iterdir())

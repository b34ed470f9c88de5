"""Factory functions for database rows and report values used across the web-app tests."""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from graders.types import (
    ClassScore,
    ConfusionMatrix,
    Finding,
    GraderResult,
    GraderStatus,
    Interval,
    PredictionCheck,
    PredictionScores,
    Severity,
    SplitScores,
    StageName,
    StageOutcome,
    Verdict,
)
from harness.accounts.models import Reviewer, Role
from harness.accounts.service import create_reviewer
from harness.assignments.spec import AssignmentSpec
from harness.db.base import utcnow
from harness.invitations.models import Invitation
from harness.invitations.service import create_invitation
from harness.reports.schema import Overall, Report, ReportStatus, SubmissionInfo
from harness.settings import Settings
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.service import store_blob

LABELS = [
    "billing",
    "account_access",
    "bug_report",
    "how_to",
    "feature_request",
    "refund",
    "shipping",
    "security_privacy",
]
PASSWORD = "correct horse battery"


def make_spec(name: str = "support-tickets", **overrides: Any) -> AssignmentSpec:
    data: dict[str, Any] = {
        "name": name,
        "title": "Support ticket classifier",
        "summary": "Classify support tickets.",
        "labels": LABELS,
        "data": {
            "train": "public/train.csv",
            "heldout_features": "private/x.csv",
            "heldout_labels": "private/y.csv",
        },
        "rubric": {"accuracy": 50, "tests": 15, "quality": 15, "writeup": 20},
        "time_box_hours": Decimal("4"),
        "pay": {"kind": "hourly", "hourly_rate": Decimal("50"), "currency": "USD"},
        "baseline": {
            "heldout_accuracy": 0.8,
            "heldout_macro_f1": 0.75,
            "per_class_f1": {label: 0.75 for label in LABELS},
        },
    }
    data.update(overrides)
    return AssignmentSpec.model_validate(data)


def make_reviewer(
    session: Session,
    email: str = "rev@example.com",
    *,
    role: Role = Role.reviewer,
    password: str = PASSWORD,
) -> Reviewer:
    return create_reviewer(session, email, password, role=role, actor="test")


def make_invitation(
    session: Session,
    *,
    name: str = "Ada Lovelace",
    email: str = "ada@example.com",
    spec: AssignmentSpec | None = None,
    anonymous: bool = True,
    actor: Reviewer | None = None,
) -> tuple[Invitation, str]:
    return create_invitation(
        session,
        spec or make_spec(),
        name=name,
        email=email,
        actor=actor or "test",
        anonymous_review=anonymous,
    )


def zip_bytes(files: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


SAMPLE_FILES: dict[str, str | bytes] = {
    "submission.toml": '[train]\ncommand = "python train.py --train {train} --model-dir {model_dir}"\n'
    '[predict]\ncommand = "python predict.py --model-dir {model_dir} --input {test} --output {predictions}"\n',
    "train.py": "import os\nimport sys\n\n\ndef main():\n    print('training')\n",
    "predict.py": "def main():\n    return 1\n",
    "WRITEUP.md": "# Approach\nTF-IDF and a linear model.\n",
}


def make_submission(
    session: Session,
    settings: Settings,
    invitation: Invitation,
    *,
    status: SubmissionStatus = SubmissionStatus.queued,
    files: dict[str, str | bytes] | None = None,
    filename: str = "solution.zip",
    report: Report | None = None,
) -> Submission:
    """A stored submission with a real zip blob; with ``report``, its current report too."""
    from harness.reports.store import store_report
    from harness.submissions.repository import SubmissionRepository

    data = zip_bytes(files or SAMPLE_FILES)
    sha = hashlib.sha256(data).hexdigest()
    tmp = settings.blobs_dir / "incoming" / f"{sha}.part"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_bytes(data)
    key = store_blob(settings.blobs_dir, tmp, sha)
    sub = Submission(
        invitation_id=invitation.id,
        version=SubmissionRepository(session).next_version(invitation.id),
        assignment_name=invitation.assignment_name,
        filename=filename,
        sha256=sha,
        blob_key=key,
        size_bytes=len(data),
        status=status.value,
        stages={},
    )
    session.add(sub)
    session.flush()
    if report is not None:
        store_report(session, sub, report, artifacts_dir=settings.artifacts_dir)
        sub.graded_at = utcnow()
    return sub


def _split(name: str, rng: random.Random, accuracy: float) -> SplitScores:
    n = len(LABELS)
    matrix = [[0] * n for _ in range(n)]
    per_class = []
    for i in range(n):
        support = rng.randint(60, 300)
        right = int(support * accuracy)
        matrix[i][i] = right
        for _ in range(support - right):
            matrix[i][rng.randrange(n)] += 1
    for i, label in enumerate(LABELS):
        tp = matrix[i][i]
        support = sum(matrix[i])
        predicted = sum(row[i] for row in matrix)
        p = tp / predicted if predicted else 0.0
        r = tp / support if support else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        per_class.append(ClassScore(label=label, precision=p, recall=r, f1=f1, support=support))
    total = sum(map(sum, matrix))
    acc = sum(matrix[i][i] for i in range(n)) / total
    macro = sum(c.f1 for c in per_class) / n
    return SplitScores(
        split=name,
        n=total,
        accuracy=acc,
        macro_f1=macro,
        weighted_f1=macro,
        accuracy_ci=Interval(low=acc - 0.02, high=acc + 0.02),
        macro_f1_ci=Interval(low=macro - 0.03, high=macro + 0.03),
        per_class=per_class,
        confusion=ConfusionMatrix(labels=LABELS, matrix=matrix),
    )


def make_report(
    *,
    score: float = 72.5,
    seed: int = 1,
    status: ReportStatus = ReportStatus.graded,
    notebook_html: str | None = "<html><body><h1>Notebook</h1><p>output</p></body></html>",
    writeup: str = "# Approach\n\nTF-IDF + logistic regression.\n",
    filename: str = "solution.zip",
) -> Report:
    """A realistic graded report (scores, per-class, confusion, findings, artifacts)."""
    rng = random.Random(seed)
    heldout = _split("heldout", rng, 0.82)
    shifted = _split("shifted", rng, 0.74)
    scores = PredictionScores(
        check=PredictionCheck(ok=True, rows=heldout.n),
        heldout=heldout,
        shifted=shifted,
        baseline={"heldout.accuracy": 0.8, "heldout.macro_f1": 0.75},
        baseline_per_class_f1={label: 0.7 + 0.02 * i for i, label in enumerate(LABELS)},
        bootstrap_samples=1000,
        seed=7,
    )
    graders = [
        GraderResult(
            name="accuracy",
            version="1.0",
            status=GraderStatus.ok,
            score=score,
            summary="Macro-F1 above the baseline.",
            metrics={"accuracy": heldout.accuracy, "macro_f1": heldout.macro_f1},
        ),
        GraderResult(
            name="tests",
            version="1.0",
            status=GraderStatus.ok,
            score=60.0,
            summary="5 tests, 4 passed.",
            metrics={"passed": 4, "failed": 1, "coverage": 0.61},
            details={
                "tests": [
                    {"name": "tests/test_model.py::test_fit", "outcome": "passed"},
                    {
                        "name": "tests/test_model.py::test_io",
                        "outcome": "failed",
                        "message": "AssertionError",
                    },
                ]
            },
            findings=[
                Finding(
                    rule="tests:failed",
                    message="test_io failed",
                    severity=Severity.error,
                    file="tests/test_model.py",
                    line=3,
                )
            ],
        ),
        GraderResult(
            name="quality",
            version="1.0",
            status=GraderStatus.ok,
            score=80.0,
            summary="Two lint findings.",
            metrics={"ruff_findings": 2},
            findings=[
                Finding(
                    rule="quality:F401", message="`os` imported but unused", file="train.py", line=1
                ),
                Finding(
                    rule="quality:F401",
                    message="`sys` imported but unused",
                    file="train.py",
                    line=2,
                ),
            ],
        ),
        GraderResult(
            name="writeup",
            version="1.0",
            status=GraderStatus.ok,
            score=70.0,
            summary="Covers approach.",
            artifacts={"writeup.md": writeup},
        ),
    ]
    if notebook_html is not None:
        graders.append(
            GraderResult(
                name="notebooks",
                version="1.0",
                status=GraderStatus.ok,
                score=None,
                summary="One notebook.",
                artifacts={"notebook.html": notebook_html},
            )
        )
    stages = [
        StageOutcome(name=StageName.static, verdict=Verdict.ok, duration_s=1.2),
        StageOutcome(
            name=StageName.tests,
            verdict=Verdict.failed,
            duration_s=4.0,
            exit_code=1,
            log_tail="FAILED tests/test_model.py::test_io",
        ),
        StageOutcome(
            name=StageName.train, verdict=Verdict.ok, duration_s=12.5, log_tail="training done"
        ),
        StageOutcome(name=StageName.predict, verdict=Verdict.ok, duration_s=3.1),
        StageOutcome(name=StageName.score, verdict=Verdict.ok, duration_s=0.4),
    ]
    now = utcnow()
    return Report(
        status=status,
        assignment="support-tickets",
        assignment_version="1",
        submission=SubmissionInfo(filename=filename, sha256="0" * 64, kind="project", files=4),
        overall=Overall(score=score, weights={"accuracy": 0.5}),
        graders=graders,
        stages=stages,
        scores=scores,
        harness_version="test",
        started_at=now,
        finished_at=now,
    )


def write_file(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


ASSIGNMENT_TOML = """
name = "{name}"
version = "1"
title = "Support ticket classifier (test copy)"
summary = "Classify support tickets into eight queues."
labels = {labels}
rubric = {{ accuracy = 50, tests = 15, quality = 15, writeup = 20 }}
time_box_hours = "4"

[data]
train = "public/train.csv"
heldout_features = "private/heldout_features.csv"
heldout_labels = "private/heldout_labels.csv"

[pay]
kind = "hourly"
hourly_rate = "50"
currency = "USD"

[policy]
show_scores_to_candidate = {show_scores}
late = "{late}"
candidate_feedback = {feedback}

[baseline]
heldout_accuracy = 0.8
heldout_macro_f1 = 0.75
"""


def make_assignment_dir(
    root: Path,
    name: str = "support-tickets",
    *,
    show_scores: bool = False,
    task: str = "# The task\n\nBuild a classifier.\n",
    late: str = "accept",
    feedback: bool = False,
    retention: str = "",
) -> Path:
    """A small, valid assignment folder (for web tests that must not depend on the real data).
    ``retention`` is the body of a ``[retention]`` table (``"archives_days = 10"``)."""
    folder = root / name.replace("-", "_")
    (folder / "public").mkdir(parents=True, exist_ok=True)
    (folder / "private").mkdir(parents=True, exist_ok=True)
    labels = "[" + ", ".join(f'"{label}"' for label in LABELS) + "]"
    (folder / "assignment.toml").write_text(
        ASSIGNMENT_TOML.format(
            name=name,
            labels=labels,
            show_scores=str(show_scores).lower(),
            late=late,
            feedback=str(feedback).lower(),
        )
        + (f"\n[retention]\n{retention}\n" if retention else "")
    )
    (folder / "TASK.md").write_text(task)
    (folder / "public" / "train.csv").write_text(
        "id,subject,body,label\nT-1,Hi,I was charged twice,billing\n"
    )
    (folder / "private" / "heldout_features.csv").write_text(
        "id,subject,body\nH-1,Hello,Cannot log in\n"
    )
    (folder / "private" / "heldout_labels.csv").write_text("id,label\nH-1,account_access\n")
    return folder

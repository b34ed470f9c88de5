"""What the CLI prints is plain text: never eaten or broken by console markup, never cut short."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import typer

from graders.types import (
    Finding,
    GraderResult,
    GraderStatus,
    Severity,
    StageName,
    StageOutcome,
    Verdict,
)
from harness.cli.common import err, fail, out
from harness.cli.grade_cmd import print_summary
from harness.reports.schema import Overall, Report, ReportStatus, SubmissionInfo

INFO = SubmissionInfo(filename="sub[1].zip", sha256="0" * 64, kind="project")


def _plain(text: str) -> str:
    """Terminal output without table borders and line breaks, so wrapped text reads as one."""
    return re.sub(r"\s+", " ", re.sub(r"[│┃┏┓┗┛┡┩└┘┌┐├┤┬┴┼━─═╇╈╋]", " ", text)).strip()


def report(**kwargs: object) -> Report:
    values: dict[str, object] = {
        "status": ReportStatus.graded,
        "assignment": "support-tickets",
        "assignment_version": "1",
        "submission": INFO,
        "started_at": datetime.now(UTC),
    }
    values.update(kwargs)
    return Report.model_validate(values)


def test_a_rejection_keeps_the_section_name_in_brackets() -> None:
    rejected = report(
        status=ReportStatus.rejected,
        message="submission.toml: [train] command uses unknown placeholder(s) {data}; [/bold] stays",
    )
    with out.capture() as captured:
        print_summary(rejected)
    text = _plain(captured.get())
    assert "REJECTED" in text
    assert "submission.toml: [train] command uses unknown placeholder(s) {data}; [/bold] stays" in text


def test_summaries_wrap_in_full_and_candidate_text_is_not_markup() -> None:
    summary = (
        "The run did not finish: the notebook stopped at cell 6 with NameError: name "
        "'train_labels' is not defined; no valid predictions, so prediction quality scores 0 "
        "[red]and this bracketed text came from the candidate[/red] — end of summary."
    )
    graded = report(
        overall=Overall(
            score=12.5,
            weights={"accuracy": 0.4},
            flags=["The run did not finish: the notebook stopped at cell 6. The overall is capped at 50."],
        ),
        graders=[
            GraderResult(
                name="accuracy",
                version="1",
                status=GraderStatus.failed,
                score=0.0,
                summary=summary,
                findings=[
                    Finding(
                        rule="accuracy:notebook-failed",
                        message="The notebook stopped [at] cell 6 with NameError.",
                        severity=Severity.error,
                        file="solution.ipynb",
                    )
                ],
            )
        ],
        stages=[
            StageOutcome(
                name=StageName.notebook,
                verdict=Verdict.failed,
                message="exit code 1 [/]",
            )
        ],
    )
    with out.capture() as captured:
        print_summary(graded)
    text = _plain(captured.get())
    assert _plain(summary) in text
    assert "! The run did not finish: the notebook stopped at cell 6. The overall is capped at 50." in text
    assert "exit code 1 [/]" in text
    assert "accuracy:notebook-failed solution.ipynb The notebook stopped [at] cell 6" in text
    assert "solution.ipynb:None" not in text
    assert "sub[1].zip" in text


def test_fail_prints_the_message_verbatim_and_exits_2() -> None:
    with err.capture() as captured, pytest.raises(typer.Exit) as info:
        fail("bad value [train] [/closing] tag")
    assert info.value.exit_code == 2
    assert "error: bad value [train] [/closing] tag" in _plain(captured.get())

"""The ``writeup`` grader: finding the writeup, its sections and length, and checking its claims."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from graders.types import GraderResult, GraderStatus, PredictionScores, Severity
from graders.writeup import WriteupGrader, extract_claims
from graders.writeup.claims import ClaimContext
from graders.writeup.sections import SectionMatch, extract_headings, match_section
from tests.graders.conftest import golden_copy, make_context, make_scores

# What the harness measures on the held-out set for the goldens' model families (TF-IDF + linear
# model): about 0.88 accuracy, 0.86 macro-F1, bootstrap intervals of about +-0.016.
MEASURED = make_scores(0.88, 0.865, half_width=0.016)


def grade(
    workspace: Path, scores: PredictionScores | None = MEASURED, **kwargs: object
) -> GraderResult:
    return WriteupGrader().grade(make_context(workspace, scores=scores, **kwargs))  # type: ignore[arg-type]


def rules(result: GraderResult) -> set[str]:
    return {f.rule for f in result.findings}


def test_inflated_claims_are_flagged_with_claimed_and_measured_numbers(tmp_path: Path) -> None:
    result = grade(golden_copy("inflated_writeup", tmp_path))
    inflated = [f for f in result.findings if f.rule == "writeup:inflated-claim"]
    assert len(inflated) >= 2
    accuracy = next(f for f in inflated if "accuracy 0.97" in f.message)
    assert "0.88" in accuracy.message and "0.864-0.896" in accuracy.message
    assert accuracy.severity is Severity.error
    assert accuracy.file == "README.md" and accuracy.line == 14
    assert any("macro-F1 0.96" in f.message for f in inflated)
    assert result.metrics["inflated_claims"] == len(inflated)
    honesty = next(c for c in result.breakdown if c.basis == "writeup:inflated-claim")
    assert honesty.points == 0


def test_an_honest_writeup_has_no_inflated_claim(tmp_path: Path) -> None:
    result = grade(golden_copy("strong", tmp_path))
    assert "writeup:inflated-claim" not in rules(result)
    assert result.metrics["claims_checked"] == 4
    assert result.metrics["sections_covered"] == 4
    assert result.score == 100


def test_writeup_scores_order_strong_over_inflated_and_terse(tmp_path: Path) -> None:
    scores = {
        name: grade(golden_copy(name, tmp_path)).score or 0
        for name in ("strong", "solid", "inflated_writeup", "messy")
    }
    assert scores["strong"] > scores["solid"] > scores["messy"]
    assert scores["strong"] > scores["inflated_writeup"]
    assert scores["inflated_writeup"] <= 70


def test_claims_cannot_be_checked_without_predictions(tmp_path: Path) -> None:
    result = grade(golden_copy("inflated_writeup", tmp_path), scores=None)
    assert "writeup:claims-unchecked" in rules(result)
    assert "writeup:inflated-claim" not in rules(result)
    assert result.metrics["claims_checkable"] is False
    assert result.metrics["claims_found"] >= 4
    assert all(c.basis != "writeup:inflated-claim" for c in result.breakdown)


def test_no_writeup_fails_with_a_finding(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("print('hi')\n")
    result = grade(tmp_path)
    assert result.status is GraderStatus.failed
    assert result.score == 0
    assert rules(result) == {"writeup:missing"}


def test_notebook_markdown_is_the_writeup_of_a_notebook_only_submission(tmp_path: Path) -> None:
    result = grade(golden_copy("notebook_only", tmp_path), kind="notebook")
    assert result.metrics["source"] == "solution.ipynb"
    assert result.metrics["sections_covered"] == 4
    assert result.metrics["claims_found"] == 1
    assert "writeup:inflated-claim" not in rules(result)


def test_missing_sections_and_short_writeups_are_reported(tmp_path: Path) -> None:
    messy = grade(golden_copy("messy", tmp_path))
    missing = {
        f.message.split("'")[1] for f in messy.findings if f.rule == "writeup:missing-section"
    }
    assert missing == {"approach", "evaluation", "trade-offs", "next steps"}
    assert "writeup:too-short" in rules(messy)
    solid = grade(golden_copy("solid", tmp_path))
    assert {
        f.message.split("'")[1] for f in solid.findings if f.rule == "writeup:missing-section"
    } == {"next steps"}


def test_a_very_long_writeup_is_flagged(tmp_path: Path) -> None:
    filler = " ".join(["the model routes tickets to queues"] * 700)
    (tmp_path / "WRITEUP.md").write_text(
        f"# Approach\n{filler}\n# Results\nok\n# Trade-offs\nsome\n# Next steps\nmore\n"
    )
    result = grade(tmp_path)
    assert "writeup:too-long" in rules(result)
    assert result.metrics["source"] == "WRITEUP.md"


def test_writeup_file_is_preferred_and_combined_with_readme(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Usage\nRun `python train.py`.\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "WRITEUP.md").write_text("# Approach\nNot at the root, so not used.\n")
    (tmp_path / "writeup.rst").write_text(
        "Approach\n========\n\nWords.\n\nResults\n-------\n\nAccuracy 0.5.\n"
    )
    result = grade(tmp_path)
    assert result.metrics["source"] == "writeup.rst, README.md"
    assert result.details["sections"][0]["match"] == "heading"


@pytest.mark.parametrize(
    ("section", "heading"),
    [
        ("approach", "Methodology"),
        ("approach", "How it works"),
        ("evaluation", "Results"),
        ("evaluation", "Results & error analysis"),
        ("evaluation", "Performance on validation data"),
        ("trade-offs", "Limitations and caveats"),
        ("trade-offs", "Design decisions"),
        ("trade-offs", "Tradeoffs"),
        ("next steps", "Future work"),
        ("next steps", "What I would do with more time"),
        ("next steps", "Improvements"),
        ("data quality", "Data-quality checks"),
    ],
)
def test_section_headings_match_fuzzily(section: str, heading: str) -> None:
    assert match_section(section, [(1, heading)], "").match is SectionMatch.heading


def test_unrelated_headings_do_not_count() -> None:
    coverage = match_section("next steps", [(1, "Installation"), (5, "Usage")], "pip install it")
    assert coverage.match is SectionMatch.missing
    passing = match_section("trade-offs", [(1, "Notes")], "The main trade-off was speed.")
    assert passing.match is SectionMatch.body


def test_headings_in_every_common_style() -> None:
    text = (
        "# Title\n\nSetext\n======\n\nReST sub\n--------\n\n**Bold heading**\n\nLabel line:\n\n"
        "```\n# not a heading inside code\n```\n- list item\n---\n"
    )
    assert [h for _, h in extract_headings(text)] == [
        "Title",
        "Setext",
        "ReST sub",
        "Bold heading",
        "Label line",
    ]


@pytest.mark.parametrize(
    ("text", "metric", "value", "context"),
    [
        (
            "The model reaches an accuracy of 0.91 on held-out data.",
            "accuracy",
            0.91,
            ClaimContext.test,
        ),
        ("We get an F1 of 88% overall.", "f1", 0.88, ClaimContext.test),
        ("macro-F1: 0.87", "macro_f1", 0.87, ClaimContext.test),
        ("| accuracy | 0.91 |", "accuracy", 0.91, ClaimContext.test),
        ("It scores 91.5% accuracy.", "accuracy", 0.915, ClaimContext.test),
        ("Macro averaged F1 score = .84", "macro_f1", 0.84, ClaimContext.test),
        ("Weighted F1 is 0.9", "weighted_f1", 0.9, ClaimContext.test),
        ("micro-F1 = 0.9", "accuracy", 0.9, ClaimContext.test),
        ("5-fold cross-validation accuracy: 0.89", "accuracy", 0.89, ClaimContext.cv),
        ("Training accuracy was 0.99.", "accuracy", 0.99, ClaimContext.train),
        ("The baseline (0.80 accuracy) is behind.", "accuracy", 0.80, ClaimContext.baseline),
        ("We hope to reach 95% accuracy.", "accuracy", 0.95, ClaimContext.target),
    ],
)
def test_claim_extraction(text: str, metric: str, value: float, context: ClaimContext) -> None:
    claims = extract_claims(text, "README.md")
    assert [(c.metric, c.value, c.context) for c in claims] == [
        (metric, pytest.approx(value), context)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Accuracy improved by 5% over the baseline.",
        "The macro-F1 is 0.85 ± 0.01.",
        "Training took 0.5 seconds per accuracy evaluation.",
        "We use scikit-learn 1.5 for accuracy computations.",
        "Balanced accuracy 0.99.",
    ],
)
def test_non_claims_are_not_extracted_as_inflatable_numbers(text: str) -> None:
    claims = extract_claims(text, "README.md")
    assert all(c.value < 0.9 for c in claims)


def test_a_metric_table_with_a_cv_column_and_a_baseline_row() -> None:
    table = (
        "| model | accuracy | macro-F1 |\n|---|---|---|\n| baseline | 0.80 | 0.75 |\n"
        "| tfidf + LR (5-fold CV) | 0.88 | 0.86 |\n| final, test set | 91.2% | 0.89 |\n"
    )
    claims = [(c.metric, c.value, c.context, c.line) for c in extract_claims(table, "README.md")]
    assert ("accuracy", 0.8, ClaimContext.baseline, 3) in claims
    assert ("macro_f1", 0.86, ClaimContext.cv, 4) in claims
    assert ("accuracy", pytest.approx(0.912), ClaimContext.test, 5) in claims


def test_cv_claims_get_a_wider_margin_than_test_claims(tmp_path: Path) -> None:
    # measured 0.88, interval high 0.896: 0.93 is 0.034 above it
    (tmp_path / "README.md").write_text("# Results\n\nCross-validated accuracy 0.93.\n")
    assert "writeup:inflated-claim" not in rules(grade(tmp_path))
    (tmp_path / "README.md").write_text("# Results\n\nAccuracy on the test set is 0.93.\n")
    assert "writeup:inflated-claim" in rules(grade(tmp_path))
    (tmp_path / "README.md").write_text("# Results\n\nCross-validated accuracy 0.97.\n")
    flagged = [f for f in grade(tmp_path).findings if f.rule == "writeup:inflated-claim"]
    assert flagged and flagged[0].severity is Severity.warning
    assert "validation score" in flagged[0].message


def test_training_and_baseline_numbers_are_never_inflated_claims(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "# Results\n\nTraining accuracy was 0.99. The baseline got 0.99 accuracy in their paper.\n"
    )
    result = grade(tmp_path)
    assert "writeup:inflated-claim" not in rules(result)
    assert result.metrics["claims_found"] == 2
    assert result.metrics["claims_checked"] == 0


def test_unqualified_f1_is_compared_with_the_kinder_reading(tmp_path: Path) -> None:
    # macro-F1 0.80 (high 0.816) but weighted-F1 0.87: "F1 0.88" is fine, "F1 0.95" is not
    scores = make_scores(0.88, 0.80, half_width=0.016, weighted_f1=0.87)
    (tmp_path / "README.md").write_text("# Results\n\nOur F1 is 0.88.\n")
    assert "writeup:inflated-claim" not in rules(grade(tmp_path, scores=scores))
    (tmp_path / "README.md").write_text("# Results\n\nOur F1 is 0.95.\n")
    assert "writeup:inflated-claim" in rules(grade(tmp_path, scores=scores))


def test_hostile_writeups_do_not_crash(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_bytes(b"\xff\xfe\x00binary")
    (tmp_path / "README.txt").write_text("accuracy " * 50_000 + "0.99 " * 50_000)
    result = grade(tmp_path)
    assert result.status is GraderStatus.ok
    assert result.metrics["source"] == "README.txt"


def test_pathological_markdown_is_read_in_linear_time(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("```\nword\n" * 100_000 + "| a | b |\n" * 10_000)
    started = time.perf_counter()
    result = grade(tmp_path)
    assert time.perf_counter() - started < 5
    assert result.status is GraderStatus.ok

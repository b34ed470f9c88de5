"""The accuracy grader turns measured scores into points a reviewer can trace."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from graders.accuracy import AccuracyGrader
from graders.types import (
    AssignmentView,
    ConfusionMatrix,
    GraderStatus,
    GradingContext,
    Interval,
    PredictionCheck,
    PredictionScores,
    SplitScores,
    StageName,
    StageOutcome,
    Verdict,
)
from harness.evaluation.metrics import score_split

LABELS = ["billing", "refund", "bug_report", "how_to"]
BASELINE = {"heldout.accuracy": 0.80, "heldout.macro_f1": 0.74, "shifted.accuracy": 0.72, "shifted.macro_f1": 0.65}
REFERENCE = {"heldout.accuracy": 0.88, "heldout.macro_f1": 0.84, "shifted.accuracy": 0.80, "shifted.macro_f1": 0.75}


def predictions(accuracy: float, seed: int, n: int = 1500, only: list[str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    rng = np.random.default_rng(seed)
    truth = rng.choice(len(LABELS), size=n, p=[0.4, 0.3, 0.2, 0.1])
    noise = rng.integers(0, len(LABELS), size=n)
    pred = np.where(rng.random(n) < accuracy, truth, noise)
    if only is not None:
        allowed = [LABELS.index(label) for label in only]
        pred = np.where(np.isin(pred, allowed), pred, allowed[0])
    return ({f"T-{i}": LABELS[t] for i, t in enumerate(truth)}, {f"T-{i}": LABELS[p] for i, p in enumerate(pred)})


def context(tmp_path: Path, heldout_acc: float, shifted_acc: float, only: list[str] | None = None) -> GradingContext:
    truth, pred = predictions(heldout_acc, 1, only=only)
    s_truth, s_pred = predictions(shifted_acc, 2, n=1000, only=only)
    scores = PredictionScores(
        check=PredictionCheck(ok=True, rows=2500),
        heldout=score_split("heldout", truth, pred, LABELS, bootstrap_samples=300, seed=0),
        shifted=score_split("shifted", s_truth, s_pred, LABELS, bootstrap_samples=300, seed=1),
        baseline=BASELINE, reference=REFERENCE,
        baseline_per_class_f1={"billing": 0.8, "refund": 0.75, "bug_report": 0.7, "how_to": 0.99},
    )
    stages = {StageName.train: StageOutcome(name=StageName.train, verdict=Verdict.ok, duration_s=12.5,
                                            peak_memory_bytes=300 * 2**20)}
    return GradingContext(workspace=tmp_path, assignment=AssignmentView(name="t", title="T", labels=LABELS),
                          stages=stages, scores=scores)


def test_better_predictions_score_higher(tmp_path: Path) -> None:
    grader = AccuracyGrader()
    weak = grader.grade(context(tmp_path, 0.55, 0.45))
    middling = grader.grade(context(tmp_path, 0.80, 0.70))
    strong = grader.grade(context(tmp_path, 0.93, 0.90))
    assert weak.score is not None and middling.score is not None and strong.score is not None
    assert weak.score < middling.score < strong.score
    assert strong.score >= 90


def test_every_point_is_traced(tmp_path: Path) -> None:
    result = AccuracyGrader().grade(context(tmp_path, 0.85, 0.75))
    assert result.status == GraderStatus.ok
    earned = sum(c.points for c in result.breakdown)
    available = sum(c.max_points for c in result.breakdown)
    assert result.score == round(100 * earned / available, 2)
    for component in result.breakdown:
        assert component.basis.startswith("metrics.")
        assert component.basis.removeprefix("metrics.") in result.metrics
    assert 0 <= result.metrics["accuracy"] <= 1 and 0 <= result.metrics["macro_f1"] <= 1  # type: ignore[operator]
    assert result.metrics["train_seconds"] == 12.5 and result.metrics["train_peak_memory_mb"] == 300.0


def test_findings_for_shift_drop_and_collapsed_classes(tmp_path: Path) -> None:
    result = AccuracyGrader().grade(context(tmp_path, 0.9, 0.5, only=["billing", "refund", "bug_report"]))
    rules = {f.rule for f in result.findings}
    assert "accuracy:shift-drop" in rules
    assert "accuracy:classes-never-predicted" in rules
    never = next(f for f in result.findings if f.rule == "accuracy:classes-never-predicted")
    assert "how_to" in never.message
    assert "accuracy:class-below-baseline" in rules


def test_invalid_predictions_fail_with_the_problems(tmp_path: Path) -> None:
    scores = PredictionScores(check=PredictionCheck(ok=False, problems=["312 ids missing, first: T-10023"]))
    stages = {StageName.predict: StageOutcome(name=StageName.predict, verdict=Verdict.timed_out,
                                              message="killed after 300 s wall-clock limit")}
    ctx = GradingContext(workspace=tmp_path, assignment=AssignmentView(name="t", title="T", labels=LABELS),
                         stages=stages, scores=scores)
    result = AccuracyGrader().grade(ctx)
    assert result.status == GraderStatus.failed and result.score == 0.0
    messages = [f.message for f in result.findings]
    assert any("312 ids missing, first: T-10023" in m for m in messages)
    assert any(f.rule == "accuracy:predict-timed-out" for f in result.findings)


def _scores_at(f1: float, acc: float, shifted_f1: float) -> PredictionScores:
    """Scores with exactly these point estimates (intervals ±0.01), to read the curve off."""

    def split(name: str, macro: float, accuracy: float) -> SplitScores:
        return SplitScores(
            split=name, n=1600, accuracy=accuracy, macro_f1=macro, weighted_f1=macro,
            accuracy_ci=Interval(low=accuracy - 0.01, high=accuracy + 0.01),
            macro_f1_ci=Interval(low=macro - 0.01, high=macro + 0.01), per_class=[],
            confusion=ConfusionMatrix(labels=[], matrix=[]),
        )

    return PredictionScores(
        check=PredictionCheck(ok=True, rows=2500), heldout=split("heldout", f1, acc),
        shifted=split("shifted", shifted_f1, shifted_f1 + 0.05), baseline=BASELINE,
        reference=REFERENCE,
    )


def _score_at(tmp_path: Path, f1: float, acc: float, shifted_f1: float) -> float:
    ctx = GradingContext(workspace=tmp_path, assignment=AssignmentView(name="t", title="T", labels=LABELS),
                         scores=_scores_at(f1, acc, shifted_f1))
    result = AccuracyGrader().grade(ctx)
    assert result.score is not None
    return result.score


def test_matching_the_baseline_is_a_middling_result_not_a_good_one(tmp_path: Path) -> None:
    at_baseline = _score_at(tmp_path, 0.74, 0.80, 0.65)
    at_reference = _score_at(tmp_path, 0.84, 0.88, 0.75)
    beyond = _score_at(tmp_path, 0.95, 0.96, 0.90)
    assert 45 <= at_baseline <= 52  # half of each curve; the baseline is not beaten
    assert 83 <= at_reference <= 90  # 85% of each curve, and the whole interval beats the baseline
    assert beyond == 100.0


def test_below_the_floor_earns_nothing_and_the_curve_never_goes_down(tmp_path: Path) -> None:
    assert _score_at(tmp_path, 0.40, 0.45, 0.30) == 0.0
    values = [_score_at(tmp_path, f, f + 0.05, f - 0.1) for f in np.linspace(0.40, 0.95, 23)]
    assert values == sorted(values)
    breakdown = AccuracyGrader().grade(GradingContext(
        workspace=tmp_path, assignment=AssignmentView(name="t", title="T", labels=LABELS),
        scores=_scores_at(0.74, 0.80, 0.65))).breakdown
    assert "baseline 0.740 = half" in breakdown[0].criterion

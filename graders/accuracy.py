"""The ``accuracy`` grader: prediction quality on held-out tickets, against the baseline.

Points (100 in all, before normalisation):

- macro-F1 on the held-out split (55), on a curve anchored at the assignment's own solutions;
- accuracy on the held-out split (15): likewise;
- macro-F1 on the shifted split (20): robustness, likewise (left out when there is no shifted set);
- beating the baseline (10): full when the lower end of the macro-F1 interval is above the
  baseline's macro-F1, half when only the point estimate is.

The curve says what an expert reviewer says of a 5-hour take-home: matching the baseline (the
simple model the task hands out) is a middling result, not a good one. It is piecewise linear
through four anchors: the *floor* (the baseline minus 0.30) earns nothing, the *baseline* half the
points, the *target* (the reference solution) 85%, and the *ceiling* (the target plus half the
baseline-to-target gap, at least 0.02) all of them. So a submission at the baseline scores about
50, one at the reference about 86. Without a reference the target is the baseline plus 0.08. The
spec's ``[graders.accuracy]`` table can set ``<split>_<metric>_floor`` / ``_target``. Labels are
never seen here: the harness scored the predictions already, and this grader only turns those
numbers into points and findings.

A run that did not finish (the train, predict or notebook stage failed, timed out or ran out of
memory) makes the status ``failed`` and leads the summary, with the failing cell and error when
the log tells them. Predictions written before the failure are still measured and keep their
points; the metric ``run_failure`` describes the failure, and the overall score caps a
submission whose run failed (see ``harness/grading/overall.py``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from graders._runlog import RUN_STAGES, RunFailure, run_failure
from graders.types import (
    Finding,
    GraderResult,
    GraderStatus,
    GradingContext,
    MetricValue,
    PredictionScores,
    ScoreComponent,
    Severity,
    SplitScores,
    Verdict,
    score_from_breakdown,
)

__all__ = ["AccuracyGrader"]

_RUN_STAGES = RUN_STAGES


@dataclass(frozen=True)
class _Curve:
    """Points for one metric: 0 at ``floor``, half at ``baseline``, 85% at ``target``, all at
    ``ceiling``; linear in between."""

    floor: float
    baseline: float
    target: float
    ceiling: float

    def share(self, value: float) -> float:
        anchors = ((self.floor, 0.0), (self.baseline, 0.5), (self.target, 0.85), (self.ceiling, 1.0))
        if value <= self.floor:
            return 0.0
        for (x0, y0), (x1, y1) in itertools.pairwise(anchors):
            if value <= x1:
                return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
        return 1.0

    def describe(self) -> str:
        return (f"{self.floor:.3f} = 0, baseline {self.baseline:.3f} = half, reference "
                f"{self.target:.3f} = 85%, {self.ceiling:.3f} = full")


def _curve(ctx: GradingContext, scores: PredictionScores, key: str) -> _Curve:
    opts = ctx.options("accuracy")
    name = key.replace(".", "_")
    base = scores.baseline.get(key, 0.5)
    ref = scores.reference.get(key)
    target = ref if ref is not None and ref > base else min(1.0, base + 0.08)
    floor = float(opts.get(f"{name}_floor", max(0.0, base - 0.30)))
    target = max(float(opts.get(f"{name}_target", target)), floor + 0.01)
    # Anchors set in the spec may leave the baseline outside (floor, target): it then sits halfway.
    baseline = base if floor < base < target else (floor + target) / 2
    ceiling = max(min(1.0, target + max(0.02, (target - baseline) / 2)), target + 1e-6)
    return _Curve(floor=floor, baseline=baseline, target=target, ceiling=ceiling)


def _points(curve: _Curve, value: float, max_points: float) -> float:
    return round(max_points * curve.share(value), 2)


def _stage_findings(ctx: GradingContext, failure: RunFailure | None) -> list[Finding]:
    findings: list[Finding] = []
    for name in _RUN_STAGES:
        stage = ctx.stage(name)
        if stage is None or stage.verdict in (Verdict.ok, Verdict.skipped):
            continue
        message = f"The {name.value} stage ended {stage.verdict.value.replace('_', ' ')}: {stage.message}"
        file = None
        if failure is not None and failure.stage is name:
            message = f"{_sentence(failure.describe())} ({stage.message}); see the stage's log."
            file = failure.notebook
        findings.append(
            Finding(
                rule=f"accuracy:{name.value}-{stage.verdict.value.replace('_', '-')}",
                message=message,
                severity=Severity.error,
                file=file,
            )
        )
    return findings


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _class_filter_hint(ctx: GradingContext) -> str:
    """Where the code drops classes before training, when the methodology pass found it."""
    from graders.methodology import methodology_observations
    from graders.methodology.flow import Rule

    for placed in methodology_observations(ctx).placed:
        if placed.observation.rule is Rule.dropped_classes:
            line, cell = placed.unit.place(placed.observation.line)
            where = f"line {line}" if line is not None else cell.strip(" ()")
            return (
                f" The code drops classes before training ({placed.unit.rel}, {where}; see the "
                "methodology findings)."
            )
    return ""


def _split_metrics(prefix: str, split: SplitScores) -> dict[str, MetricValue]:
    return {
        f"{prefix}accuracy": split.accuracy,
        f"{prefix}macro_f1": split.macro_f1,
        f"{prefix}weighted_f1": split.weighted_f1,
        f"{prefix}accuracy_ci_low": split.accuracy_ci.low,
        f"{prefix}accuracy_ci_high": split.accuracy_ci.high,
        f"{prefix}macro_f1_ci_low": split.macro_f1_ci.low,
        f"{prefix}macro_f1_ci_high": split.macro_f1_ci.high,
    }


def _resource_metrics(ctx: GradingContext) -> dict[str, MetricValue]:
    out: dict[str, MetricValue] = {}
    for name in _RUN_STAGES:
        stage = ctx.stage(name)
        if stage is None or stage.verdict == Verdict.skipped:
            continue
        out[f"{name.value}_seconds"] = round(stage.duration_s, 2)
        if stage.peak_memory_bytes is not None:
            out[f"{name.value}_peak_memory_mb"] = round(stage.peak_memory_bytes / (1024 * 1024), 1)
    return out


def _unscorable(ctx: GradingContext, failure: RunFailure | None,
                findings: list[Finding]) -> tuple[str, list[Finding]]:
    """The summary and findings when there are no valid predictions to score."""
    scores = ctx.scores
    problems = scores.check.problems if scores is not None else ["no predictions were produced"]
    findings = findings + [
        Finding(rule="accuracy:invalid-predictions", message=f"Predictions cannot be scored: {p}",
                severity=Severity.error)
        for p in problems
    ]
    if failure is not None:
        summary = f"{_sentence(failure.describe())}; no valid predictions, so prediction quality scores 0."
    else:
        summary = "No valid predictions, so prediction quality scores 0. " + "; ".join(problems[:2])
    return summary, findings


def _quality_points(ctx: GradingContext, scores: PredictionScores, heldout: SplitScores,
                    metrics: dict[str, MetricValue]) -> list[ScoreComponent]:
    """Macro-F1, accuracy and shifted-set macro-F1, each on its curve."""
    breakdown: list[ScoreComponent] = []
    curve = _curve(ctx, scores, "heldout.macro_f1")
    breakdown.append(ScoreComponent(
        criterion=f"Macro-F1 on held-out tickets ({curve.describe()})",
        points=_points(curve, heldout.macro_f1, 55.0), max_points=55.0, basis="metrics.macro_f1"))
    curve = _curve(ctx, scores, "heldout.accuracy")
    breakdown.append(ScoreComponent(
        criterion=f"Accuracy on held-out tickets ({curve.describe()})",
        points=_points(curve, heldout.accuracy, 15.0), max_points=15.0, basis="metrics.accuracy"))
    if scores.shifted is not None:
        metrics.update(_split_metrics("shifted_", scores.shifted))
        curve = _curve(ctx, scores, "shifted.macro_f1")
        breakdown.append(ScoreComponent(
            criterion=f"Macro-F1 on the shifted set, robustness ({curve.describe()})",
            points=_points(curve, scores.shifted.macro_f1, 20.0), max_points=20.0,
            basis="metrics.shifted_macro_f1"))
    return breakdown


def _against_baseline(scores: PredictionScores, heldout: SplitScores,
                      metrics: dict[str, MetricValue]) -> tuple[list[ScoreComponent], list[Finding]]:
    """Points for beating the baseline's macro-F1, and the deltas against it."""
    breakdown: list[ScoreComponent] = []
    findings: list[Finding] = []
    base_f1 = scores.baseline.get("heldout.macro_f1")
    base_acc = scores.baseline.get("heldout.accuracy")
    if base_f1 is not None:
        metrics["baseline_macro_f1"] = base_f1
        metrics["delta_macro_f1_vs_baseline"] = round(heldout.macro_f1 - base_f1, 4)
        if heldout.macro_f1_ci.low > base_f1:
            beat, how = 10.0, "the whole 95% interval is above the baseline"
        elif heldout.macro_f1 > base_f1:
            beat, how = 5.0, "above the baseline, but within noise"
        else:
            beat, how = 0.0, "not above the baseline"
        breakdown.append(ScoreComponent(criterion=f"Beats the baseline's macro-F1 {base_f1:.3f} ({how})",
                                        points=beat, max_points=10.0, basis="metrics.delta_macro_f1_vs_baseline"))
        if heldout.macro_f1 < base_f1:
            findings.append(Finding(
                rule="accuracy:below-baseline", severity=Severity.warning,
                message=f"Macro-F1 {heldout.macro_f1:.3f} is below the baseline's {base_f1:.3f}."))
    if base_acc is not None:
        metrics["baseline_accuracy"] = base_acc
        metrics["delta_accuracy_vs_baseline"] = round(heldout.accuracy - base_acc, 4)
    return breakdown, findings


def _class_findings(ctx: GradingContext, scores: PredictionScores, heldout: SplitScores,
                    metrics: dict[str, MetricValue]) -> list[Finding]:
    """Classes below the baseline or never predicted, and the drop on the shifted set."""
    findings: list[Finding] = []
    for cls in heldout.per_class:
        base = scores.baseline_per_class_f1.get(cls.label)
        if base is not None and cls.f1 < base - 0.05:
            findings.append(Finding(
                rule="accuracy:class-below-baseline", severity=Severity.info,
                message=f"F1 on '{cls.label}' is {cls.f1:.3f}, below the baseline's {base:.3f}."))
    matrix = heldout.confusion.matrix
    predicted_counts = [sum(row[j] for row in matrix) for j in range(len(heldout.confusion.labels))]
    never = [label for label, count, cls in zip(heldout.confusion.labels, predicted_counts,
                                                heldout.per_class, strict=True)
             if count == 0 and cls.support > 0]
    if never:
        findings.append(Finding(
            rule="accuracy:classes-never-predicted", severity=Severity.warning,
            message=f"{len(never)} classes are never predicted: {', '.join(never)}."
                    + _class_filter_hint(ctx)))
    if scores.shifted is not None:
        drop = heldout.macro_f1 - scores.shifted.macro_f1
        metrics["shift_drop_macro_f1"] = round(drop, 4)
        if drop > 0.10:
            findings.append(Finding(
                rule="accuracy:shift-drop", severity=Severity.warning,
                message=f"Macro-F1 drops by {drop:.3f} on the shifted set "
                        f"({heldout.macro_f1:.3f} to {scores.shifted.macro_f1:.3f})."))
    return findings


def _summary(scores: PredictionScores, heldout: SplitScores, failure: RunFailure | None) -> str:
    summary = (f"Accuracy {heldout.accuracy:.3f}, macro-F1 {heldout.macro_f1:.3f} "
               f"[{heldout.macro_f1_ci.low:.3f}, {heldout.macro_f1_ci.high:.3f}] on {heldout.n} held-out tickets")
    base_f1 = scores.baseline.get("heldout.macro_f1")
    if base_f1 is not None:
        summary += f"; baseline macro-F1 {base_f1:.3f}"
    if scores.shifted is not None:
        summary += f"; shifted set macro-F1 {scores.shifted.macro_f1:.3f}"
    if failure is not None:
        # The predictions were written before the run failed: measured, but the run is broken.
        summary = (f"The run did not finish: {failure.describe()}. The predictions it wrote before "
                   f"that were measured: {summary[:1].lower()}{summary[1:]}")
    return summary + "."


class AccuracyGrader:
    """Scores the predictions the score stage measured."""

    name = "accuracy"
    version = "2.0.0"

    def grade(self, ctx: GradingContext) -> GraderResult:
        failure = run_failure(ctx)
        findings = _stage_findings(ctx, failure)
        metrics = _resource_metrics(ctx)
        if failure is not None:
            metrics["run_failure"] = failure.describe()
        scores = ctx.scores
        if scores is None or not scores.check.ok or scores.heldout is None:
            summary, findings = _unscorable(ctx, failure, findings)
            return GraderResult(
                name=self.name, version=self.version, status=GraderStatus.failed, score=0.0,
                summary=summary, metrics=metrics, findings=findings,
                breakdown=[ScoreComponent(criterion="Valid predictions for every held-out ticket",
                                          points=0.0, max_points=100.0, basis="accuracy:invalid-predictions")],
            )
        heldout = scores.heldout
        metrics.update(_split_metrics("", heldout))
        breakdown = _quality_points(ctx, scores, heldout, metrics)
        baseline_points, baseline_findings = _against_baseline(scores, heldout, metrics)
        breakdown += baseline_points
        findings += baseline_findings + _class_findings(ctx, scores, heldout, metrics)
        return GraderResult(
            name=self.name, version=self.version,
            status=GraderStatus.ok if failure is None else GraderStatus.failed,
            score=score_from_breakdown(breakdown), summary=_summary(scores, heldout, failure),
            metrics=metrics, findings=findings, breakdown=breakdown,
            details={"per_class_vs_baseline": [
                {"label": c.label, "f1": c.f1, "baseline_f1": scores.baseline_per_class_f1.get(c.label),
                 "support": c.support} for c in heldout.per_class]},
        )

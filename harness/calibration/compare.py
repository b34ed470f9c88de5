"""Pairing the harness's reports with the expert's judgments, dimension by dimension.

Each judged dimension is compared with one grader's score (``model`` with ``accuracy``, ``tests``
with ``tests``, ...) and ``overall`` with the report's overall score. A grader absent from a
report is *not graded* for that submission: it is left out of that dimension's statistics and
counted, never read as a zero. A grader present but without a score (skipped, errored) is left
out the same way and counted separately.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from harness.calibration.judgments import DIMENSIONS, CalibrationError, Judgment
from harness.calibration.stats import mean_absolute_error, mean_signed_error, spearman
from harness.reports.schema import Report, ReportStatus

__all__ = [
    "GRADER_FOR",
    "OVERALL",
    "THRESHOLDS",
    "Calibration",
    "DimensionStats",
    "Disagreement",
    "HarnessScore",
    "Thresholds",
    "calibration_dict",
    "compare",
    "harness_scores",
]

OVERALL = "overall"
GRADER_FOR = {
    "model": "accuracy",
    "tests": "tests",
    "quality": "quality",
    "writeup": "writeup",
    "methodology": "methodology",
    "overall": OVERALL,
}
"""Judged dimension -> the grader whose score it is compared with (``overall``: the report's)."""


@dataclass(frozen=True)
class Thresholds:
    """Issue 9's bar for trusting the harness on the corpus."""

    overall_rho: float = 0.85
    grader_rho: float = 0.80
    """Applies to every grader the rubric weights."""
    overall_mae: float = 10.0


THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class HarnessScore:
    """What the harness said about one dimension of one submission."""

    score: float | None
    """0-100; ``None`` when the report has no score for it (see :attr:`state`)."""
    state: str
    """``scored``, ``not graded`` (no such grader on the report) or the grader's status."""
    summary: str = ""


@dataclass(frozen=True)
class DimensionStats:
    """Agreement on one dimension over the corpus."""

    dimension: str
    grader: str
    n: int
    """Submissions with both an expert and a harness score."""
    not_graded: int
    """Submissions whose report lacks this grader."""
    unscored: int
    """Submissions whose grader ran but gave no score (skipped or errored)."""
    rho: float | None
    mae: float | None
    bias: float | None
    """Mean of harness - expert: positive means the harness scores higher than the expert."""

    @property
    def graded(self) -> bool:
        """False when no report had this grader at all."""
        return self.n + self.unscored > 0


@dataclass(frozen=True)
class Disagreement:
    """One submission and dimension where the harness and the expert differ."""

    submission: str
    dimension: str
    grader: str
    expert: int
    harness: float
    summary: str

    @property
    def difference(self) -> float:
        return self.harness - self.expert


@dataclass(frozen=True)
class Calibration:
    """The comparison of a graded corpus with its judgments."""

    dimensions: list[DimensionStats]
    disagreements: list[Disagreement]
    """Largest absolute differences first."""
    scores: dict[str, dict[str, HarnessScore]]
    """Submission -> dimension -> harness score."""
    weighted_graders: list[str]
    """Graders with a positive rubric weight on the reports."""
    thresholds: Thresholds = field(default_factory=Thresholds)

    def dimension(self, name: str) -> DimensionStats:
        return next(d for d in self.dimensions if d.dimension == name)

    def failures(self) -> list[str]:
        """Thresholds the corpus does not meet, as sentences; empty when all are met."""
        out: list[str] = []
        overall = self.dimension(OVERALL)
        t = self.thresholds
        if overall.rho is None or overall.rho < t.overall_rho:
            out.append(f"overall rho {_fmt(overall.rho)} < {t.overall_rho}")
        if overall.mae is None or overall.mae > t.overall_mae:
            out.append(f"overall MAE {_fmt(overall.mae, 1)} > {t.overall_mae:g}")
        for stats in self.dimensions:
            if stats.grader in self.weighted_graders and (stats.rho is None or stats.rho < t.grader_rho):
                out.append(f"{stats.grader} rho {_fmt(stats.rho)} < {t.grader_rho}")
        return out


def harness_scores(report: Report) -> dict[str, HarnessScore]:
    """The harness's score for every judged dimension of one report."""
    if report.status is ReportStatus.error:
        raise CalibrationError(f"The harness could not grade {report.submission.filename}: {report.message}")
    out: dict[str, HarnessScore] = {}
    for dimension in DIMENSIONS:
        grader = GRADER_FOR[dimension]
        if report.status is not ReportStatus.graded:
            out[dimension] = HarnessScore(None, report.status.value, report.message)
        elif grader == OVERALL:
            parts = ", ".join(f"{g.name} {g.score:.0f}" for g in report.graders
                              if g.score is not None and report.overall.weights.get(g.name))
            out[dimension] = HarnessScore(report.overall.score,
                                          "scored" if report.overall.score is not None else "no score", parts)
        else:
            result = report.grader(grader)
            if result is None:
                out[dimension] = HarnessScore(None, "not graded")
            else:
                state = "scored" if result.score is not None else result.status.value
                out[dimension] = HarnessScore(result.score, state, result.summary)
    return out


def compare(
    judgments: Mapping[str, Judgment],
    reports: Mapping[str, Report],
    *,
    top: int = 10,
    thresholds: Thresholds = THRESHOLDS,
) -> Calibration:
    """Statistics per dimension and the ``top`` largest disagreements over the judged reports."""
    missing = sorted(set(reports) - set(judgments))
    if missing:
        raise CalibrationError(f"No judgment for graded submission(s) {', '.join(missing)}.")
    scores = {slug: harness_scores(report) for slug, report in sorted(reports.items())}
    dimensions: list[DimensionStats] = []
    disagreements: list[Disagreement] = []
    for dimension in DIMENSIONS:
        expert: list[float] = []
        harness: list[float] = []
        not_graded = unscored = 0
        for slug, per_dimension in scores.items():
            seen = per_dimension[dimension]
            if seen.score is None:
                if seen.state == "not graded":
                    not_graded += 1
                else:
                    unscored += 1
                continue
            expected = judgments[slug].score(dimension)
            expert.append(expected)
            harness.append(seen.score)
            disagreements.append(Disagreement(slug, dimension, GRADER_FOR[dimension], expected,
                                              seen.score, seen.summary))
        dimensions.append(DimensionStats(
            dimension=dimension, grader=GRADER_FOR[dimension], n=len(expert), not_graded=not_graded,
            unscored=unscored, rho=spearman(harness, expert), mae=mean_absolute_error(harness, expert),
            bias=mean_signed_error(harness, expert),
        ))
    disagreements.sort(key=lambda d: (-abs(d.difference), d.submission, DIMENSIONS.index(d.dimension)))
    # A grader that applied to no report (an optional one nothing in the corpus ships) weighed nothing.
    weighted = sorted({name for report in reports.values() for name, weight in report.overall.weights.items()
                       if weight > 0 and name not in report.overall.not_applicable})
    return Calibration(dimensions=dimensions, disagreements=disagreements[:top], scores=scores,
                       weighted_graders=weighted, thresholds=thresholds)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


def calibration_dict(calibration: Calibration, judgments: Mapping[str, Judgment]) -> dict[str, object]:
    """A JSON-serialisable view: statistics, disagreements, and every pair of scores."""
    return {
        "thresholds": {"overall_rho": calibration.thresholds.overall_rho,
                       "grader_rho": calibration.thresholds.grader_rho,
                       "overall_mae": calibration.thresholds.overall_mae},
        "weighted_graders": calibration.weighted_graders,
        "failures": calibration.failures(),
        "dimensions": [
            {"dimension": d.dimension, "grader": d.grader, "graded": d.graded, "n": d.n,
             "not_graded": d.not_graded, "unscored": d.unscored, "rho": d.rho, "mae": d.mae, "bias": d.bias}
            for d in calibration.dimensions
        ],
        "disagreements": [
            {"submission": d.submission, "dimension": d.dimension, "grader": d.grader, "expert": d.expert,
             "harness": d.harness, "difference": d.difference, "summary": d.summary}
            for d in calibration.disagreements
        ],
        "submissions": {
            slug: {
                dimension: {"expert": judgments[slug].score(dimension), "harness": seen.score,
                            "state": seen.state, "summary": seen.summary}
                for dimension, seen in per_dimension.items()
            }
            for slug, per_dimension in calibration.scores.items()
        },
    }

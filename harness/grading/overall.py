"""The overall score: the rubric-weighted mean of the graders' scores."""

from __future__ import annotations

from graders.types import GraderResult
from harness.reports.schema import Overall

__all__ = ["compute_overall"]


def compute_overall(results: list[GraderResult], weights: dict[str, float]) -> Overall:
    """Weighted mean over graders that produced a score.

    A weighted grader that errored is left out and named in ``missing``; ``complete`` is then False
    so nobody mistakes a partial total for a full one. A grader that ran but failed the submission
    scores 0 and counts.
    """
    by_name = {r.name: r for r in results}
    contributions: dict[str, float] = {}
    scored_weight = 0.0
    missing: list[str] = []
    for name, weight in weights.items():
        result = by_name.get(name)
        if weight <= 0:
            continue
        if result is None or result.score is None:
            missing.append(name)
            continue
        scored_weight += weight
        contributions[name] = weight * result.score
    if scored_weight <= 0:
        return Overall(score=None, weights=weights, complete=False, missing=missing)
    score = round(sum(contributions.values()) / scored_weight, 2)
    return Overall(
        score=score,
        weights={k: round(v, 4) for k, v in weights.items()},
        contributions={k: round(v / scored_weight, 2) for k, v in contributions.items()},
        complete=not missing,
        missing=missing,
    )

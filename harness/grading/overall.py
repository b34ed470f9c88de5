"""The overall score: the rubric-weighted mean of the graders' scores, capped when the run failed.

A submission whose train, predict or notebook run did not finish (the ``accuracy`` grader's
``run_failure`` metric) is flagged on the report and its overall is capped at
:data:`RUN_FAILURE_CAP`. A cap rather than a penalty: a submission that does not run end to end
should not outrank one that does on the strength of its tests, code or writeup, however good.
"""

from __future__ import annotations

from graders.types import GraderResult, GraderStatus
from harness.reports.schema import Overall

__all__ = ["RUN_FAILURE_CAP", "compute_overall"]

RUN_FAILURE_CAP = 50.0
"""Highest overall score of a submission whose run did not finish."""


def _run_failure(results: list[GraderResult]) -> str | None:
    for result in results:
        failure = result.metrics.get("run_failure") if result.name == "accuracy" else None
        if isinstance(failure, str) and failure:
            return failure
    return None


def compute_overall(results: list[GraderResult], weights: dict[str, float]) -> Overall:
    """Weighted mean over graders that produced a score.

    A weighted grader that errored (or is absent) is left out and named in ``missing``;
    ``complete`` is then False so nobody mistakes a partial total for a full one. A weighted
    grader that does not apply to this submission (``skipped``: no ``[serve]`` where a server is
    optional) is left out too, named with its reason in ``not_applicable``, and the total stays
    complete. Either way the other weights are renormalised. A grader that ran but failed the
    submission scores 0 and counts.
    """
    by_name = {r.name: r for r in results}
    contributions: dict[str, float] = {}
    scored_weight = 0.0
    missing: list[str] = []
    not_applicable: dict[str, str] = {}
    for name, weight in weights.items():
        result = by_name.get(name)
        if weight <= 0:
            continue
        if result is not None and result.status is GraderStatus.skipped:
            not_applicable[name] = result.summary or "not applicable"
            continue
        if result is None or result.score is None:
            missing.append(name)
            continue
        scored_weight += weight
        contributions[name] = weight * result.score
    if scored_weight <= 0:
        return Overall(score=None, weights=weights, complete=False, missing=missing,
                       not_applicable=not_applicable)
    score = round(sum(contributions.values()) / scored_weight, 2)
    flags: list[str] = []
    capped_from = None
    failure = _run_failure(results)
    if failure is not None:
        flags.append(f"The run did not finish: {failure}. The overall is capped at {RUN_FAILURE_CAP:g}.")
        if score > RUN_FAILURE_CAP:
            score, capped_from = RUN_FAILURE_CAP, score
    return Overall(
        score=score,
        weights={k: round(v, 4) for k, v in weights.items()},
        contributions={k: round(v / scored_weight, 2) for k, v in contributions.items()},
        complete=not missing,
        missing=missing,
        not_applicable=not_applicable,
        flags=flags,
        capped_from=capped_from,
    )

"""The integrity signals of a grading run, on the host: canaries, model dependence, AI policy.

They are evidence a reviewer sees next to the score (``overall.flags``), never part of it.
Code similarity needs earlier submissions, so it runs where the database is, after grading
(``harness.integrity.service``, called when the report is stored).
"""

from __future__ import annotations

from graders.types import StageName
from harness.assignments.loader import Assignment
from harness.evaluation.canaries import Canary, check_canaries
from harness.evaluation.heldout import Scored
from harness.evaluation.model_dependence import compare_without_model
from harness.grading.job import SandboxRun
from harness.reports.schema import Integrity

__all__ = ["integrity_signals"]


def integrity_signals(assignment: Assignment, run: SandboxRun, scored: Scored,
                      canaries: list[Canary], test_ids: list[str]) -> tuple[Integrity, list[str]]:
    """The report's integrity section and the flags it raises."""
    canary_check = check_canaries(scored.predicted, canaries) if scored.predicted and canaries else None
    dependence = compare_without_model(scored.predicted, run.outcomes.get(StageName.predict_nomodel),
                                       test_ids, list(assignment.spec.labels))
    integrity = Integrity(ai_policy=assignment.spec.integrity.ai_policy.value,
                          canaries=canary_check, model_dependence=dependence)
    flags = [*(canary_check.flags() if canary_check else []), *dependence.flags()]
    return integrity, flags

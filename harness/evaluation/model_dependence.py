"""Model dependence: do the predictions depend on what the train command produced?

The harness runs the predict command a second time with the trained model folder replaced by an
empty one (and the rows in another order). A real predictor fails or changes its answers; a
predictor whose output is identical without the model is not the model the code describes
(keyword rules, predictions shipped in the submission, a lookup table). The comparison is by
id, on every row of the features file, on the host.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel

from graders.types import StageOutcome, Verdict
from harness.evaluation.predictions import validate_predictions

__all__ = ["Dependence", "ModelDependence", "compare_without_model"]

MAX_EXAMPLES = 5


class Dependence(StrEnum):
    depends = "depends"
    """Without the trained model, predict failed or answered differently."""
    independent = "independent"
    """Without the trained model, predict gave exactly the same answers."""
    not_checked = "not_checked"


class ModelDependence(BaseModel):
    """The outcome of the second predict run, without the trained model."""

    result: Dependence
    evidence: str
    """What was seen, in a reviewer's words."""
    stage_verdict: str | None = None
    """How the run without the model ended (``ok``, ``failed``, ...)."""
    exit_code: int | None = None
    compared: int = 0
    """Rows whose two predictions were compared."""
    identical: int = 0
    """Rows predicted the same with and without the trained model."""
    cost_s: float = 0.0
    """Wall time of the extra predict run."""
    examples: list[str] = []
    """Ids predicted the same both ways (a few), when the result is ``independent``."""

    def flags(self) -> list[str]:
        if self.result is not Dependence.independent:
            return []
        return [f"Predictions do not depend on the trained model: {self.evidence}"]


def _not_checked(why: str, outcome: StageOutcome | None = None) -> ModelDependence:
    return ModelDependence(
        result=Dependence.not_checked, evidence=why,
        stage_verdict=outcome.verdict.value if outcome else None,
        cost_s=outcome.duration_s if outcome else 0.0)


def compare_without_model(
    predicted: Mapping[str, str],
    outcome: StageOutcome | None,
    expected_ids: list[str],
    labels: list[str],
) -> ModelDependence:
    """Compare the scored predictions (``predicted``: every id, from a checked file) with the
    run without the model (``outcome``: the ``predict_nomodel`` stage, None when not planned)."""
    if outcome is None:
        return _not_checked("not run for this kind of submission (a notebook trains and predicts "
                            "in one run)")
    if outcome.verdict is Verdict.skipped:
        return _not_checked(outcome.message or "not run", outcome)
    if not predicted:
        return _not_checked("the main predictions could not be scored, so there is nothing to "
                            "compare with", outcome)
    base = ModelDependence(result=Dependence.depends, evidence="",
                           stage_verdict=outcome.verdict.value, exit_code=outcome.exit_code,
                           cost_s=outcome.duration_s)
    if outcome.verdict is not Verdict.ok:
        return base.model_copy(update={"evidence": (
            f"without the trained model, predict did not finish ({outcome.message or outcome.verdict.value})"
        )})
    path: Path | None = outcome.files.get("predictions.csv")
    check, without = validate_predictions(path, expected_ids, labels)
    if not check.ok:
        problem = check.problems[0] if check.problems else "unreadable"
        return base.model_copy(update={"evidence": (
            f"without the trained model, predict wrote no usable predictions ({problem})")})
    same = [i for i in expected_ids if without.get(i) == predicted.get(i)]
    update: dict[str, object] = {"compared": len(expected_ids), "identical": len(same)}
    if len(same) == len(expected_ids):
        update |= {
            "result": Dependence.independent,
            "examples": same[:MAX_EXAMPLES],
            "evidence": (
                f"with an empty model folder (and the rows in another order) predict exited "
                f"{outcome.exit_code if outcome.exit_code is not None else 0} and gave the same "
                f"label to all {len(expected_ids)} tickets. What predicts is not what train "
                "produced: look for keyword rules, predictions or a model shipped in the "
                "submission, or a lookup."
            ),
        }
    else:
        share = len(same) / len(expected_ids)
        update["evidence"] = (
            f"without the trained model predict still ran, but {len(expected_ids) - len(same)} of "
            f"{len(expected_ids)} predictions changed ({share:.0%} unchanged)")
    return base.model_copy(update=update)

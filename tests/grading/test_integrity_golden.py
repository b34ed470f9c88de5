"""Every golden submission and the assignment's own solutions, graded on the real assignment:
honest models are never flagged by the canaries or the model-dependence run."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.evaluation.model_dependence import Dependence
from harness.grading.pipeline import grade_path
from harness.reports.schema import Report, ReportStatus
from harness.settings import Settings
from tests.assignment_variants import lean_support_tickets
from tests.graders.conftest import GOLDEN, golden_copy

pytestmark = pytest.mark.docker

SOLUTIONS = Path(__file__).resolve().parents[2] / "assignments" / "support_tickets" / "solutions"
GOLDEN_NAMES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def reports(sandbox_image: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    root = tmp_path_factory.mktemp("golden-integrity")
    settings = Settings(data_dir=root / "var")
    # The integrity signals come from train, predict and predict_nomodel: mutation testing and
    # the model server (tested elsewhere) would triple this module's time for nothing it checks.
    assignment = lean_support_tickets(root, settings)
    graded = {name: grade_path(golden_copy(name, root), assignment, settings=settings) for name in GOLDEN_NAMES}
    for name in ("baseline", "reference", "notebook_only"):
        graded[f"solutions/{name}"] = grade_path(SOLUTIONS / name, assignment, settings=settings)
    return graded


def test_no_golden_submission_is_flagged_by_canaries_or_model_dependence(reports: dict[str, Report]) -> None:
    checked = []
    for name, report in reports.items():
        assert report.status is ReportStatus.graded, (name, report.message)
        integrity = report.integrity
        assert integrity is not None, name
        dependence = integrity.model_dependence
        assert dependence is not None and dependence.result is not Dependence.independent, (name, dependence)
        if integrity.canaries is not None:
            assert integrity.canaries.exact_disagree == 0, (name, integrity.canaries)
        if dependence.result is Dependence.depends:
            checked.append(name)
        assert not [f for f in report.overall.flags if "trained model" in f or "duplicate" in f], name
    # The project submissions whose predict ran were all checked, and depend on their models.
    assert {"solid", "strong", "solutions/baseline", "solutions/reference"} <= set(checked)


def test_honest_models_are_robust_to_harmless_changes(reports: dict[str, Report]) -> None:
    for name in ("strong", "solutions/reference", "solutions/baseline"):
        canaries = reports[name].integrity.canaries  # type: ignore[union-attr]
        assert canaries is not None and canaries.exact == 30 and canaries.changed == 30
        assert canaries.changed_agreement is not None and canaries.changed_agreement >= 0.9, (name, canaries)

"""The quality rubric: measured values in, a traceable breakdown out.

Each criterion's points are a simple, documented function of one metric or one finding rule, so a
reviewer can recompute any number on the report from the metrics next to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from graders.types import ScoreComponent

__all__ = ["QualityMeasures", "quality_breakdown"]

LINT_ZERO_AT = 8.0
"""Weighted findings per 100 lines at which the lint criterion reaches 0 points."""
MI_FULL_AT = 50.0
"""Mean maintainability index (radon, 0-100) that earns full points."""
MI_ZERO_AT = 10.0
"""Mean maintainability index at or below which the criterion earns nothing (radon's rank C)."""
DUPLICATION_ZERO_AT = 0.2
"""Share of duplicated lines at which the duplication criterion reaches 0 points."""
COMPLEX_ZERO_AT = 0.5
"""Share of functions over the complexity threshold at which that criterion reaches 0."""


@dataclass(frozen=True)
class QualityMeasures:
    """What the quality grader measured, as the rubric needs it."""

    weighted_density: float | None
    """Severity-weighted lint findings per 100 lines; None when no code was analysed."""
    parsed_share: float | None
    """Share of Python units that parsed and were analysed."""
    formatted_share: float | None
    functions: int
    complex_share: float
    maintainability: float | None
    type_hint_coverage: float | None
    docstring_coverage: float | None
    duplicated_share: float
    structure: str
    """``modules`` (logic in importable modules), ``mixed`` (mostly in notebooks), ``notebook-only``,
    or ``none`` (no code at all)."""
    has_entry_point: bool
    dependencies_declared: bool
    pinned_share: float | None
    has_readme: bool
    secrets: int
    absolute_paths: int
    committed_binaries: int


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def quality_breakdown(m: QualityMeasures) -> list[ScoreComponent]:
    """Points per criterion (100 in all)."""

    def part(
        criterion: str, max_points: float, fraction: float | None, basis: str
    ) -> ScoreComponent:
        earned = 0.0 if fraction is None else round(max_points * _clip(fraction), 2)
        return ScoreComponent(
            criterion=criterion, points=earned, max_points=max_points, basis=basis
        )

    density = None if m.weighted_density is None else 1.0 - m.weighted_density / LINT_ZERO_AT
    structure = {"modules": 1.0, "mixed": 0.5, "notebook-only": 0.0, "none": 0.0}[m.structure]
    pinned = (0.5 + 0.5 * (m.pinned_share or 0.0)) if m.dependencies_declared else 0.0
    return [
        part("Lint findings per 100 lines, weighted by severity", 20, density,
             "metrics.weighted_violations_per_100_lines"),
        part("Every Python file parses and can be analysed", 5, m.parsed_share, "metrics.unparseable_files"),
        part("Code formatted (ruff format)", 5, m.formatted_share, "metrics.formatted_share"),
        part("Functions of manageable complexity (cyclomatic <= 10)", 10,
             None if m.functions == 0 else 1.0 - m.complex_share / COMPLEX_ZERO_AT, "metrics.complex_functions"),
        part("Maintainability index", 5,
             None if m.maintainability is None
             else (m.maintainability - MI_ZERO_AT) / (MI_FULL_AT - MI_ZERO_AT), "metrics.maintainability_index"),
        part("Type hints on function signatures", 10, m.type_hint_coverage, "metrics.type_hint_coverage"),
        part("Docstrings on public functions and classes", 10, m.docstring_coverage, "metrics.docstring_coverage"),
        part("Little duplicated code", 5, 1.0 - m.duplicated_share / DUPLICATION_ZERO_AT, "metrics.duplicated_share"),
        part("Logic in importable modules rather than notebooks", 8, structure, "quality:notebook-only"),
        part("A command-line entry point", 4, float(m.has_entry_point), "quality:no-entry-point"),
        part("Dependencies declared and pinned", 6, pinned, "metrics.dependencies_pinned_share"),
        part("README present", 2, float(m.has_readme), "quality:no-readme"),
        part("No secrets in the repository", 5, float(m.secrets == 0), "quality:secret"),
        part("No hard-coded absolute paths", 2.5, float(m.absolute_paths == 0), "quality:absolute-path"),
        part("No committed data or model binaries", 2.5, float(m.committed_binaries == 0), "quality:model-binary"),
    ]  # fmt: skip

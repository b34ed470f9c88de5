"""The quality rubric: measured values in, a traceable breakdown out.

Each criterion's points are a simple, documented function of one metric or one finding rule, so a
reviewer can recompute any number on the report from the metrics next to it. The rubric, its
maxima and the reasons are written up for reviewers in ``docs/scoring/quality.md``.

Three rules keep small or odd submissions from being over- or under-rated:

- A criterion that does not apply is **left out**: it stays in the breakdown with 0 of 0 points
  and says why (no functions: complexity, type hints and docstrings do not apply; notebook code is
  not format-checked). Criteria about functions count in proportion to the share of the code that
  is in functions, so one tidy 10-line function beside a 35-line top-level script earns little.
- **Little code is weak evidence**: lint, duplication and maintainability are shrunk towards a
  neutral 50% by a prior worth :data:`PRIOR_LINES` lines, and the shares of code in functions and
  importable modules are taken over at least ``MIN_CODE_LINES`` lines. With no code at all, the
  code criteria earn nothing.
- **Hygiene is a penalty, never a reward**: committed secrets, data, model binaries, IDE folders,
  unrelated code in other languages, hard-coded paths and import-time work add points to the
  *available* total without earning them (a clean repository is expected, not credited). When
  nothing is found, the penalty line shows 0 of 0 points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graders.types import ScoreComponent

__all__ = [
    "DEPENDENCY_PROBLEM_WEIGHT",
    "LEFT_OUT",
    "PENALTIES",
    "QualityMeasures",
    "quality_breakdown",
]

LEFT_OUT = ": left out, "
"""Marks a criterion that does not apply (0 of 0 points); the reason follows it."""

LINT_ZERO_AT = 8.0
"""Weighted findings per 100 lines at which the raw lint fraction reaches 0."""
PRIOR_LINES = 40
"""Lines of evidence the neutral prior (50%) is worth for lint, duplication and maintainability."""
PRIOR_FRACTION = 0.5
MI_FULL_AT = 50.0
"""Mean maintainability index (radon, 0-100) that earns full points."""
MI_ZERO_AT = 10.0
"""Mean maintainability index at or below which the criterion earns nothing (radon's rank C)."""
DUPLICATION_ZERO_AT = 0.2
"""Share of duplicated lines at which the duplication criterion reaches 0 points."""
COMPLEX_ZERO_AT = 0.5
"""Share of functions over the complexity threshold at which that criterion reaches 0."""
FULL_SHARE = 0.7
"""Share of the code in definitions that earns full points (imports, constants and a main guard
are the rest of a well-organised module)."""
DEPENDENCY_PROBLEM_WEIGHT: dict[str, float] = {
    "unparseable": 0.5,
    "local-path": 0.5,
    "platform": 0.25,
    "environment-conflict": 0.25,
    "unused-heavy": 0.25,
    "undeclared": 0.25,
    "unavailable": 0.5,
}
"""Share of the "installable" criterion each kind of dependency problem costs (once per kind)."""
UNUSABLE = frozenset({"unparseable", "local-path"})
"""Dependency problems that make ``pip install`` fail on any other machine."""
PENALTIES: dict[str, tuple[float, float]] = {
    "secrets": (10.0, 10.0),
    "committed_files": (5.0, 15.0),
    "clutter": (3.0, 12.0),
    "absolute_paths": (2.0, 6.0),
    "import_time_modules": (5.0, 10.0),
    "unavailable_imports": (5.0, 10.0),
    "unusable_declaration": (10.0, 10.0),
}
"""(points per finding, most points) each kind of hygiene problem adds to the available total."""


@dataclass(frozen=True)
class QualityMeasures:
    """What the quality grader measured, as the rubric needs it."""

    lint_lines: int
    """Code lines linted (tests and notebooks included)."""
    weighted_density: float | None
    """Severity-weighted lint findings per 100 lines; None when no code was analysed."""
    parsed_share: float | None
    """Share of Python units that parsed and were analysed."""
    formatted_share: float | None
    """None when no ``.py`` file was format-checked (see :attr:`format_left_out`)."""
    format_left_out: str
    functions: int
    complex_share: float
    maintainability: float | None
    type_hint_coverage: float | None
    docstring_coverage: float | None
    duplicated_share: float
    significant_lines: int
    """Lines the duplication check compared."""
    functions_share: float
    """Share of the code (at least ``MIN_CODE_LINES``) in function and class definitions."""
    importable_share: float
    """Share of the code in definitions of importable modules."""
    has_entry_point: bool
    dependencies_declared: bool
    pinned_share: float | None
    dependency_freeze: bool
    dependency_problems: frozenset[str] = field(default_factory=frozenset)
    """Kinds of problem found (keys of :data:`DEPENDENCY_PROBLEM_WEIGHT`)."""
    has_readme: bool = False
    entry_point_applies: bool = True
    """False for a notebook submission, which the task lets the harness run headless."""
    third_party_imports: int = 0
    """Top-level modules imported that are neither the standard library nor the submission's own."""
    secrets: int = 0
    absolute_paths: int = 0
    committed_files: int = 0
    clutter: int = 0
    """IDE folders, OS files, environments, and one per other programming language."""
    import_time_modules: int = 0
    """Imported modules that do expensive work at import time."""
    unavailable_imports: int = 0
    """Third-party modules imported that the grading environment does not provide."""


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def _shrunk(fraction: float, lines: int) -> float:
    """``fraction`` measured on ``lines`` lines, pulled towards :data:`PRIOR_FRACTION`."""
    return (lines * _clip(fraction) + PRIOR_LINES * PRIOR_FRACTION) / (lines + PRIOR_LINES)


def _part(
    criterion: str,
    max_points: float,
    fraction: float | None,
    basis: str,
    *,
    applies: float = 1.0,
    left_out: str = "",
) -> ScoreComponent:
    """One criterion. ``applies`` < 1 scales its maximum; 0 leaves it out, saying ``left_out``."""
    if applies <= 0:
        return ScoreComponent(
            criterion=f"{criterion}{LEFT_OUT}{left_out}", points=0.0, max_points=0.0, basis=basis
        )
    if applies < 1:
        criterion = (
            f"{criterion} (counts {applies:.0%} of {max_points:g} points, as much as the code "
            "in functions)"
        )
        max_points = round(max_points * applies, 2)
    earned = 0.0 if fraction is None else round(max_points * _clip(fraction), 2)
    return ScoreComponent(criterion=criterion, points=earned, max_points=max_points, basis=basis)


def _penalty(criterion: str, kind: str, count: int, basis: str) -> ScoreComponent:
    """A penalty-only line: 0 of (per finding x count, capped) points; 0 of 0 when none found."""
    per, most = PENALTIES[kind]
    if count <= 0:
        return ScoreComponent(
            criterion=f"{criterion}: none found", points=0.0, max_points=0.0, basis=basis
        )
    return ScoreComponent(
        criterion=f"{criterion} ({count} found, {per:g} points each, at most {most:g})",
        points=0.0,
        max_points=min(most, per * count),
        basis=basis,
    )


def quality_breakdown(m: QualityMeasures) -> list[ScoreComponent]:
    """Points per criterion: 100 available when every criterion applies."""
    return [
        *_organisation(m),
        *_functions(m),
        *_line_by_line(m),
        *_installation(m),
        *_penalties(m),
    ]


def _organisation(m: QualityMeasures) -> list[ScoreComponent]:
    """How a reviewer finds their way around the code (46 points)."""
    in_functions = _clip(m.functions_share / FULL_SHARE)
    return [
        _part("Code organised in functions and classes", 20, in_functions, "metrics.functions_share"),
        _part("Logic in importable modules (not notebooks, scripts or import-time code)", 20,
              m.importable_share / FULL_SHARE, "metrics.importable_share"),
        _part("A command-line entry point", 3, float(m.has_entry_point), "quality:no-entry-point",
              applies=float(m.entry_point_applies),
              left_out="the task lets a notebook submission be run headless"),
        _part("README present", 3, float(m.has_readme), "quality:no-readme"),
    ]  # fmt: skip


def _functions(m: QualityMeasures) -> list[ScoreComponent]:
    """The functions themselves (24 points), in proportion to the code that is in functions."""
    in_functions = _clip(m.functions_share / FULL_SHARE)
    fn_applies = 0.0 if m.functions == 0 else in_functions
    no_functions = (
        "there are no functions" if m.functions == 0 else "no code is organised in functions"
    )
    return [
        _part("Functions of manageable complexity (cyclomatic <= 10)", 8,
              1.0 - m.complex_share / COMPLEX_ZERO_AT, "metrics.complex_functions",
              applies=fn_applies, left_out=no_functions),
        _part("Type hints on function signatures", 8, m.type_hint_coverage, "metrics.type_hint_coverage",
              applies=fn_applies, left_out=no_functions),
        _part("Docstrings on public functions and classes", 8, m.docstring_coverage,
              "metrics.docstring_coverage",
              applies=fn_applies if m.docstring_coverage is not None else 0.0,
              left_out="there are no public functions or classes"),
    ]  # fmt: skip


def _line_by_line(m: QualityMeasures) -> list[ScoreComponent]:
    """The code line by line (18 points): lint, parsing, format, maintainability, duplication.
    Little code is weak evidence, so lint, maintainability and duplication are shrunk towards
    the neutral prior."""
    no_code = m.weighted_density is None
    lint = (
        None if no_code else _shrunk(1.0 - (m.weighted_density or 0.0) / LINT_ZERO_AT, m.lint_lines)
    )
    mi = (
        None
        if m.maintainability is None
        else _shrunk((m.maintainability - MI_ZERO_AT) / (MI_FULL_AT - MI_ZERO_AT), m.lint_lines)
    )
    duplication = (
        None
        if no_code
        else _shrunk(1.0 - m.duplicated_share / DUPLICATION_ZERO_AT, m.significant_lines)
    )
    formatted_applies = 0.0 if m.formatted_share is None and not no_code else 1.0
    format_left_out = m.format_left_out or "no .py file was format-checked"
    return [
        _part("Lint findings per 100 lines, weighted by severity", 9, lint,
              "metrics.weighted_violations_per_100_lines"),
        _part("Every Python file parses and can be analysed", 2, m.parsed_share, "metrics.unparseable_files"),
        _part("Code formatted (ruff format)", 2, m.formatted_share, "metrics.formatted_share",
              applies=formatted_applies, left_out=format_left_out),
        _part("Maintainability index", 2, mi, "metrics.maintainability_index"),
        _part("Little duplicated code", 3, duplication, "metrics.duplicated_share"),
    ]  # fmt: skip


def _installation(m: QualityMeasures) -> list[ScoreComponent]:
    """Reproducible installation (12 points); left out when the code imports only the standard
    library (and there is code)."""
    no_code = m.weighted_density is None
    if not m.dependencies_declared or m.dependency_freeze:
        pinned = 0.0
    else:
        pinned = 0.5 + 0.5 * (m.pinned_share or 0.0)
    installable = (
        1.0 - sum(DEPENDENCY_PROBLEM_WEIGHT[k] for k in m.dependency_problems)
        if m.dependencies_declared
        else 0.0
    )
    deps_apply = 1.0 if m.dependencies_declared or m.third_party_imports or no_code else 0.0
    stdlib_only = "the code imports only the standard library"
    return [
        _part("Dependencies declared and pinned", 6, pinned, "metrics.dependencies_pinned_share",
              applies=deps_apply, left_out=stdlib_only),
        _part("Dependencies installable and consistent with the grading environment", 6, installable,
              "metrics.dependency_problems", applies=deps_apply, left_out=stdlib_only),
    ]  # fmt: skip


def _penalties(m: QualityMeasures) -> list[ScoreComponent]:
    """Penalties only: what should not be in a repository (see :data:`PENALTIES`)."""
    return [
        _penalty("Penalty: secrets committed", "secrets", m.secrets, "quality:secret"),
        _penalty("Penalty: data or model binaries committed", "committed_files", m.committed_files,
                 "metrics.committed_binaries"),
        _penalty("Penalty: IDE folders, OS files, environments or code in other languages", "clutter",
                 m.clutter, "metrics.clutter"),
        _penalty("Penalty: hard-coded absolute paths", "absolute_paths", m.absolute_paths,
                 "quality:absolute-path"),
        _penalty("Penalty: expensive work when a module is imported", "import_time_modules",
                 m.import_time_modules, "quality:import-time-work"),
        _penalty("Penalty: imports the grading environment does not provide", "unavailable_imports",
                 m.unavailable_imports, "metrics.imports_missing_from_environment"),
        _penalty("Penalty: a dependency declaration that cannot be installed elsewhere (environment "
                 "freeze, paths on the author's machine, unreadable lines)", "unusable_declaration",
                 int(m.dependency_freeze or bool(m.dependency_problems & UNUSABLE)),
                 "metrics.dependency_problems"),
    ]  # fmt: skip

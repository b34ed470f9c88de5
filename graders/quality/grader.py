"""The ``quality`` grader: lint, complexity, documentation, structure and hygiene of the code."""

from __future__ import annotations

import ast
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from graders._notebooks import notebooks
from graders._pysource import SourceUnit, source_units
from graders._workspace import Inventory, inventory
from graders.quality.deps import Dependencies, declared_dependencies
from graders.quality.duplication import Duplication, find_duplication
from graders.quality.findings import (
    clutter_findings,
    dependency_findings,
    duplication_findings,
    layout_findings,
    problem_findings,
    secret_findings,
    stored_findings,
    structure_findings,
)
from graders.quality.hygiene import clutter, find_absolute_path, foreign_code, stored_artifacts
from graders.quality.metrics import UnitMetrics, unit_metrics
from graders.quality.modules import CodeLayout, code_layout, import_statements
from graders.quality.ruff import LintIssue, RuffOutcome, run_ruff
from graders.quality.rules import (
    MAX_COMPLEXITY,
    NOTEBOOK_IGNORE,
    SEVERITY_WEIGHT,
    TEST_IGNORE,
    severity_of,
)
from graders.quality.scoring import (
    DEPENDENCY_PROBLEM_WEIGHT,
    LEFT_OUT,
    QualityMeasures,
    quality_breakdown,
)
from graders.quality.secret_scan import scan_secrets
from graders.quality.structure import EntryPoints, entry_points, find_readme
from graders.types import (
    Finding,
    GraderResult,
    GraderStatus,
    GradingContext,
    MetricValue,
    Severity,
    score_from_breakdown,
)

__all__ = ["QualityGrader"]

MAX_LINT_FINDINGS = 300
"""Lint findings listed on the report; the full tally by rule is in ``details.lint_counts``."""
MAX_PATH_FINDINGS = 20
LOW_MAINTAINABILITY = 20.0
"""Modules below this maintainability index (radon, 0-100) get a finding."""
TIME_BUDGET_S = 120.0
"""Seconds of per-module metrics (radon) before the rest is skipped; ``time_budget_s`` overrides."""
TOOL_TIMEOUT_S = 60.0
"""Time limit of each ruff call; ``[graders.quality] tool_timeout_s`` in the spec overrides it."""

_BINARY_RULES = frozenset(
    {"quality:model-binary", "quality:committed-data", "quality:large-binary"}
)
_CLI_STEMS = frozenset({"cli", "__main__", "main", "train", "predict", "run"})
_SEVERITY_ORDER = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


@dataclass
class _Analysis:
    """Everything measured, before it becomes metrics, findings and points."""

    inv: Inventory
    units: list[SourceUnit]
    analysed: list[SourceUnit]
    sources: list[tuple[SourceUnit, UnitMetrics]]
    """Analysed non-test units with their metrics."""
    ruff: RuffOutcome
    issues: list[LintIssue]
    entry: EntryPoints
    layout: CodeLayout
    deps: Dependencies
    dup: Duplication
    third_party: int
    """Third-party modules imported (see :func:`_third_party_imports`)."""
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class _Shape:
    """How the code is organised, as the structure findings and metrics report it."""

    structure: str
    """``modules``, ``mixed``, ``scripts``, ``notebook-only`` or ``none`` (:func:`_structure`)."""
    module_lines: int
    notebook_lines: int
    has_entry: bool
    has_readme: bool


class QualityGrader:
    """Static code quality. Never imports or runs the candidate's code."""

    name = "quality"
    version = "2.0.0"

    def grade(self, ctx: GradingContext) -> GraderResult:
        started = time.monotonic()
        a = self._analyse(ctx)
        shape = _shape(ctx, a)
        findings, hygiene = _findings(ctx, a, shape)
        metrics = _metrics(ctx, a, shape)
        metrics.update(hygiene)
        measures = _measures(ctx, a, metrics)
        breakdown = quality_breakdown(measures)
        left_out = [c.criterion for c in breakdown if c.max_points == 0 and LEFT_OUT in c.criterion]
        return GraderResult(
            name=self.name,
            version=self.version,
            status=GraderStatus.ok,
            score=score_from_breakdown(breakdown),
            summary=_summary(metrics, left_out),
            metrics=metrics,
            findings=findings,
            breakdown=breakdown,
            details=_details(a, left_out, started),
        )

    def _analyse(self, ctx: GradingContext) -> _Analysis:
        inv = inventory(ctx)
        units = source_units(ctx)
        analysed = [u for u in units if u.ok]
        timeout = float(ctx.options(self.name).get("tool_timeout_s", TOOL_TIMEOUT_S))
        ruff = run_ruff(ctx.workspace, analysed, timeout_s=timeout)
        budget = float(ctx.options(self.name).get("time_budget_s", TIME_BUDGET_S))
        sources, skipped = _measure_modules(analysed, budget)
        entry = entry_points(inv)
        imports, optional = _third_party_imports(analysed)
        layout = code_layout(
            units,
            entry.scripts,
            ((u.rel, ln) for u, m in sources for _, ln, c in m.complexities if c > MAX_COMPLEXITY),
        )
        a = _Analysis(
            inv=inv,
            units=units,
            analysed=analysed,
            sources=sources,
            ruff=ruff,
            issues=_kept_issues(ruff, {u.rel: u for u in analysed}, _entry_scripts(entry, sources)),
            entry=entry,
            layout=layout,
            deps=declared_dependencies(inv, imports, ctx.assignment.environment, optional),
            third_party=len(imports | optional),
            dup=find_duplication([(u.rel, u.text or "") for u, _ in sources]),
        )
        a.findings.extend(_analysis_notes(ruff, skipped, inv))
        return a


def _measure_modules(
    analysed: list[SourceUnit], budget_s: float
) -> tuple[list[tuple[SourceUnit, UnitMetrics]], int]:
    """Per-module metrics (radon) of the non-test units until ``budget_s`` seconds have passed:
    (units with their metrics, how many units were left out)."""
    deadline = time.monotonic() + budget_s
    sources: list[tuple[SourceUnit, UnitMetrics]] = []
    skipped = 0
    for unit in (u for u in analysed if not u.is_test):
        if time.monotonic() > deadline:
            skipped += 1
            continue
        sources.append((unit, unit_metrics(unit)))
    return sources, skipped


def _entry_scripts(entry: EntryPoints, sources: list[tuple[SourceUnit, UnitMetrics]]) -> set[str]:
    """Command-line modules: they talk to the user with print(); library modules should not."""
    return set(entry.scripts) | {
        u.rel
        for u, m in sources
        if m.has_main_guard or m.is_cli or PurePosixPath(u.rel).stem in _CLI_STEMS
    }


def _analysis_notes(ruff: RuffOutcome, skipped: int, inv: Inventory) -> list[Finding]:
    """What limited the analysis: a tool that failed, the time budget, too many files."""
    notes = [
        Finding(rule="quality:tool-failed", message=p, severity=Severity.info)
        for p in ruff.problems
    ]
    if skipped:
        notes.append(
            Finding(
                rule="quality:analysis-truncated",
                message=f"Complexity and documentation metrics cover part of the code only: "
                f"{skipped} modules were left out when the analysis time budget ran out.",
                severity=Severity.info,
            )
        )
    if inv.truncated:
        notes.append(
            Finding(
                rule="quality:analysis-truncated",
                message="The submission has too many files or folders; only part of it was analysed.",
                severity=Severity.info,
            )
        )
    return notes


def _shape(ctx: GradingContext, a: _Analysis) -> _Shape:
    structure, module_lines, notebook_lines = _structure(a)
    return _Shape(
        structure=structure,
        module_lines=module_lines,
        notebook_lines=notebook_lines,
        has_entry=_has_entry_point(a),
        has_readme=_has_readme(ctx, a, structure),
    )


def _findings(
    ctx: GradingContext, a: _Analysis, shape: _Shape
) -> tuple[list[Finding], dict[str, MetricValue]]:
    """Every finding, most severe first, and the hygiene metrics measured on the way."""
    findings = list(a.findings)
    findings.extend(problem_findings(a.units))
    findings.extend(
        Finding(
            rule="quality:malformed-notebook",
            message=f"The notebook cannot be read: {nb.problem}.",
            severity=Severity.warning,
            file=nb.rel,
        )
        for nb in notebooks(ctx)
        if nb.problem is not None
    )
    findings.extend(
        structure_findings(
            shape.structure,
            shape.module_lines,
            shape.notebook_lines,
            shape.has_entry,
            a.entry,
            shape.has_readme,
        )
    )
    findings.extend(layout_findings(a.layout, {u.rel: u for u in a.analysed}))
    findings.extend(dependency_findings(a.deps, a.third_party))
    hygiene = _hygiene(ctx, a, findings)
    findings.extend(_maintainability_findings(a))
    findings.extend(duplication_findings(a.dup))
    findings.extend(_lint_findings(a))
    findings.sort(key=lambda f: _SEVERITY_ORDER[f.severity])
    return findings, hygiene


def _lint_findings(a: _Analysis) -> list[Finding]:
    """Lint findings, most severe first, at most :data:`MAX_LINT_FINDINGS` of them (and a note
    when more were left out)."""
    by_rel = {u.rel: u for u in a.analysed}
    lint = sorted(
        (_lint_finding(i, by_rel[i.rel]) for i in a.issues),
        key=lambda f: (_SEVERITY_ORDER[f.severity], f.file or "", f.line or 0),
    )
    kept = lint[:MAX_LINT_FINDINGS]
    if len(lint) > MAX_LINT_FINDINGS:
        kept.append(
            Finding(
                rule="quality:findings-truncated",
                message=f"{len(lint) - MAX_LINT_FINDINGS} more lint findings are not listed; "
                "details.lint_counts has the full tally by rule.",
                severity=Severity.info,
            )
        )
    return kept


def _details(a: _Analysis, left_out: list[str], started: float) -> dict[str, Any]:
    """Data for the report page: lint tally, complex functions, maintainability by module,
    unformatted files, each module's layout, criteria left out, and the analysis time."""
    return {
        "lint_counts": dict(Counter(i.code for i in a.issues).most_common()),
        "complexity": [
            {"file": u.rel, "function": q, "line": ln, "complexity": c}
            for u, m in a.sources
            for q, ln, c in sorted(m.complexities, key=lambda t: -t[2])[:50]
            if c > MAX_COMPLEXITY // 2
        ],
        "maintainability": {u.rel: m.maintainability for u, m in a.sources},
        "unformatted_files": list(a.ruff.format.unformatted),
        "modules": [
            {
                "file": m.rel,
                "importable": m.importable,
                "imported_by": m.imported_by[:20],
                "entry": m.entry,
                "definition_lines": m.def_lines,
                "top_level_lines": m.work_lines,
                "import_time_work": [
                    {"line": w.line, "call": w.call, "does": w.does} for w in m.import_time[:10]
                ],
            }
            for m in a.layout.modules[:200]
        ],
        "left_out": left_out,
        "analysis_seconds": round(time.monotonic() - started, 3),
    }


def _float(value: MetricValue) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _third_party_imports(analysed: list[SourceUnit]) -> tuple[set[str], set[str]]:
    """Top-level names of third-party modules the solution (not its tests) imports:
    (required, optional), optional ones being guarded by ``except ImportError`` or
    ``TYPE_CHECKING``."""
    local: set[str] = set()
    for unit in analysed:
        if unit.is_notebook:
            continue
        parts = PurePosixPath(unit.rel).parts
        local.add(PurePosixPath(parts[0]).stem)
        if parts[0] == "src" and len(parts) > 1:
            local.add(PurePosixPath(parts[1]).stem)
    required: set[str] = set()
    optional: set[str] = set()
    for unit in analysed:
        if unit.is_test:
            continue  # pytest and test helpers are the test stage's, not the solution's
        assert unit.tree is not None
        for node, guarded in import_statements(unit.tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if node.level == 0
                else []
            )
            (optional if guarded else required).update(n.split(".")[0] for n in names)

    def third_party(names: set[str]) -> set[str]:
        return {
            n for n in names - local if n and n != "__future__" and n not in sys.stdlib_module_names
        }

    return third_party(required), third_party(optional) - third_party(required)


def _kept_issues(
    ruff: RuffOutcome, by_rel: dict[str, SourceUnit], entry_scripts: set[str]
) -> list[LintIssue]:
    kept: list[LintIssue] = []
    for issue in ruff.issues:
        unit = by_rel.get(issue.rel)
        if unit is None:
            continue
        if unit.is_notebook and issue.code in NOTEBOOK_IGNORE:
            continue
        if unit.is_test and issue.code in TEST_IGNORE:
            continue
        # print() is how command-line scripts talk; it is a smell only in library modules.
        if issue.code.startswith("T20") and issue.rel in entry_scripts:
            continue
        kept.append(issue)
    return kept


def _lint_finding(issue: LintIssue, unit: SourceUnit) -> Finding:
    line, where = unit.place(issue.line)
    return Finding(
        rule=f"quality:{issue.code}",
        message=f"{issue.message}{where}",
        severity=severity_of(issue.code),
        file=issue.rel,
        line=line,
    )


def _structure(a: _Analysis) -> tuple[str, int, int]:
    """(``modules`` | ``mixed`` | ``scripts`` | ``notebook-only`` | ``none``, module lines,
    notebook lines). ``modules`` and ``mixed`` need logic in an importable module."""
    module_lines = sum(m.sloc for u, m in a.sources if not u.is_notebook)
    notebook_lines = sum(u.code_lines() for u in a.units if u.is_notebook)
    importable = a.layout.importable_def_lines > 0
    if not notebook_lines and not module_lines:
        return "none", 0, 0
    if not importable:
        return ("notebook-only" if notebook_lines else "scripts"), module_lines, notebook_lines
    if notebook_lines > module_lines:
        return "mixed", module_lines, notebook_lines
    return "modules", module_lines, notebook_lines


def _has_entry_point(a: _Analysis) -> bool:
    if a.entry.scripts or a.entry.console_scripts:
        return True
    if any(m.has_main_guard for u, m in a.sources if not u.is_notebook):
        return True
    return any(PurePosixPath(u.rel).name == "__main__.py" for u in a.analysed)


def _has_readme(ctx: GradingContext, a: _Analysis, structure: str) -> bool:
    """A README at the root; for code that lives only in notebooks, a notebook opening with Markdown
    explains the same things where the reader starts."""
    if find_readme(a.inv) is not None:
        return True
    if structure != "notebook-only":
        return False
    return any(
        nb.cells and nb.cells[0].cell_type == "markdown" and nb.cells[0].source.strip()
        for nb in notebooks(ctx)
    )


def _hygiene(ctx: GradingContext, a: _Analysis, out: list[Finding]) -> dict[str, MetricValue]:
    """Append secret, path, committed-file and clutter findings; return their metrics."""
    secrets = scan_secrets(a.inv, notebooks(ctx))
    out.extend(secret_findings(secrets))
    paths: list[Finding] = []
    for unit, m in a.sources:
        for value, line in m.string_constants:
            path = find_absolute_path(value)
            if path is None:
                continue
            at, where = unit.place(line)
            paths.append(
                Finding(
                    rule="quality:absolute-path",
                    message=f"Hard-coded absolute path {path[:80]!r}{where}; take paths from arguments "
                    "or the environment.",
                    severity=Severity.warning,
                    file=unit.rel,
                    line=at,
                )
            )
    out.extend(paths[:MAX_PATH_FINDINGS])
    stored = stored_artifacts(a.inv)
    out.extend(stored_findings(stored))
    junk = clutter(a.inv)
    foreign = foreign_code(a.inv)
    out.extend(clutter_findings(junk, foreign))
    if a.inv.links:
        out.append(
            Finding(
                rule="quality:symlink",
                message=f"{len(a.inv.links)} symbolic links were ignored: {', '.join(a.inv.links[:5])}.",
                severity=Severity.info,
            )
        )
    return {
        "secrets": len(secrets),
        "absolute_paths": len(paths),
        "committed_binaries": sum(1 for s in stored if s.rule in _BINARY_RULES),
        "clutter": sum(1 for c in junk if c.scored) + len(foreign),
        "other_language_files": sum(len(g.files) for g in foreign),
    }


def _maintainability_findings(a: _Analysis) -> list[Finding]:
    return [
        Finding(
            rule="quality:low-maintainability",
            message=f"Maintainability index {m.maintainability:.0f}/100 (radon); split long, branchy code "
            "into smaller functions.",
            severity=Severity.warning,
            file=u.rel,
        )
        for u, m in a.sources
        if m.maintainability is not None
        and m.maintainability < LOW_MAINTAINABILITY
        and m.sloc >= 50
    ]


def _dependency_problems(deps: Dependencies) -> list[str]:
    """Kinds of dependency problem found, in :data:`DEPENDENCY_PROBLEM_WEIGHT`'s order."""
    found = {r.problem for r in deps.requirements if r.problem}
    if deps.lock_conflicts:
        found.add("environment-conflict")
    if deps.unused_heavy:
        found.add("unused-heavy")
    if deps.undeclared:
        found.add("undeclared")
    if deps.unavailable:
        found.add("unavailable")
    return [k for k in DEPENDENCY_PROBLEM_WEIGHT if k in found]


def _metrics(ctx: GradingContext, a: _Analysis, shape: _Shape) -> dict[str, MetricValue]:
    """The flat metrics of the report, in report order (hygiene metrics are added by the caller)."""
    return {
        **_lint_metrics(ctx, a),
        **_function_metrics(a),
        "duplicated_share": round(a.dup.share, 4),
        "duplicated_lines": a.dup.duplicated_lines,
        **_structure_metrics(a, shape),
        **_dependency_metrics(a.deps),
        "has_readme": shape.has_readme,
    }


def _lint_metrics(ctx: GradingContext, a: _Analysis) -> dict[str, MetricValue]:
    """What was analysed, lint findings by density and severity, and formatting."""
    lines = sum(u.code_lines() for u in a.analysed)
    weighted = sum(SEVERITY_WEIGHT[severity_of(i.code)] for i in a.issues)
    by_severity = Counter(severity_of(i.code) for i in a.issues)
    fmt = a.ruff.format
    return {
        "python_files": sum(1 for u in a.units if not u.is_notebook),
        "notebooks": len(notebooks(ctx)),
        "lines_of_code": lines,
        "unparseable_files": len(a.units) - len(a.analysed),
        "violations": len(a.issues),
        "violations_per_100_lines": round(100.0 * len(a.issues) / lines, 2) if lines else None,
        "weighted_violations_per_100_lines": round(100.0 * weighted / lines, 2) if lines else None,
        "lint_errors": by_severity.get(Severity.error, 0),
        "lint_warnings": by_severity.get(Severity.warning, 0),
        "lint_info": by_severity.get(Severity.info, 0),
        "formatted_share": None if fmt.formatted_share is None else round(fmt.formatted_share, 4),
        "files_needing_format": fmt.files_unformatted,
    }


def _function_metrics(a: _Analysis) -> dict[str, MetricValue]:
    """Complexity, maintainability (mean weighted by lines), type hints and docstrings of the
    analysed non-test modules."""
    metrics_list = [m for _, m in a.sources]
    fns = [f for m in metrics_list for f in m.functions]
    complexities = [c for m in metrics_list for _, _, c in m.complexities]
    public_fns = [f for f in fns if f.public]
    public_classes = sum(m.public_classes for m in metrics_list)
    documented = sum(f.has_docstring for f in public_fns) + sum(
        m.public_classes_documented for m in metrics_list
    )
    mi_pairs = [
        (m.maintainability, m.sloc)
        for m in metrics_list
        if m.maintainability is not None and m.sloc
    ]
    mi_mean = (
        round(sum(mi * w for mi, w in mi_pairs) / sum(w for _, w in mi_pairs), 2)
        if mi_pairs
        else None
    )
    return {
        "functions": len(complexities),
        "mean_complexity": round(sum(complexities) / len(complexities), 2)
        if complexities
        else None,
        "max_complexity": max(complexities) if complexities else None,
        "complex_functions": sum(1 for c in complexities if c > MAX_COMPLEXITY),
        "maintainability_index": mi_mean,
        "type_hint_coverage": _ratio(
            sum(f.annotated_slots for f in fns), sum(f.slots for f in fns)
        ),
        "docstring_coverage": _ratio(documented, len(public_fns) + public_classes),
    }


def _structure_metrics(a: _Analysis, shape: _Shape) -> dict[str, MetricValue]:
    """Where the code lives: modules or notebooks, definitions or top-level work, importable
    modules, import-time work, an entry point."""
    layout = a.layout
    return {
        "module_code_lines": shape.module_lines,
        "notebook_code_lines": shape.notebook_lines,
        "structure": shape.structure,
        "definition_lines": layout.def_lines,
        "top_level_lines": layout.work_lines,
        "functions_share": round(layout.functions_share, 4),
        "importable_share": round(layout.importable_share, 4),
        "importable_modules": sum(1 for m in layout.modules if m.importable),
        "import_time_modules": sum(
            1 for m in layout.modules if m.import_time and (m.imported_by or m.in_package)
        ),
        "has_entry_point": shape.has_entry,
    }


def _dependency_metrics(deps: Dependencies) -> dict[str, MetricValue]:
    """How dependencies are declared and how they match the grading environment."""
    pinned = deps.pinned_share
    return {
        "dependencies_declared": deps.declared,
        "dependencies_pinned_share": None if pinned is None else round(pinned, 4),
        "dependencies_freeze": deps.is_freeze,
        "dependency_problems": ", ".join(_dependency_problems(deps)),
        "dependency_environment_conflicts": len(deps.lock_conflicts),
        "imports_missing_from_environment": len(deps.unavailable),
        "dependencies_checked_against_environment": deps.environment_checked,
    }


def _measures(
    ctx: GradingContext, a: _Analysis, metrics: dict[str, MetricValue]
) -> QualityMeasures:
    functions = int(metrics["functions"] or 0)
    has_py = any(not u.is_notebook for u in a.analysed)
    return QualityMeasures(
        lint_lines=int(metrics["lines_of_code"] or 0),
        weighted_density=_float(metrics["weighted_violations_per_100_lines"]),
        parsed_share=_ratio(len(a.analysed), len(a.units)),
        formatted_share=a.ruff.format.formatted_share,
        format_left_out="the format check did not run"
        if has_py
        else "notebook code is not format-checked",
        functions=functions,
        complex_share=int(metrics["complex_functions"] or 0) / functions if functions else 0.0,
        maintainability=_float(metrics["maintainability_index"]),
        type_hint_coverage=_float(metrics["type_hint_coverage"]),
        docstring_coverage=_float(metrics["docstring_coverage"]),
        duplicated_share=a.dup.share,
        significant_lines=a.dup.significant_lines,
        functions_share=a.layout.functions_share,
        importable_share=a.layout.importable_share,
        has_entry_point=bool(metrics["has_entry_point"]),
        entry_point_applies=ctx.submission_kind != "notebook",
        dependencies_declared=a.deps.declared,
        pinned_share=a.deps.pinned_share,
        dependency_freeze=a.deps.is_freeze,
        dependency_problems=frozenset(_dependency_problems(a.deps)),
        has_readme=bool(metrics["has_readme"]),
        third_party_imports=a.third_party,
        secrets=int(metrics["secrets"] or 0),
        absolute_paths=int(metrics["absolute_paths"] or 0),
        committed_files=int(metrics["committed_binaries"] or 0),
        clutter=int(metrics["clutter"] or 0),
        import_time_modules=int(metrics["import_time_modules"] or 0),
        unavailable_imports=len(a.deps.unavailable),
    )


def _summary(metrics: dict[str, MetricValue], left_out: list[str]) -> str:
    def pct(key: str) -> str:
        value = metrics.get(key)
        return f"{100 * value:.0f}%" if isinstance(value, float) else "n/a"

    text = (
        f"{metrics['lines_of_code']} lines analysed; {metrics['violations']} lint findings "
        f"({metrics['violations_per_100_lines'] or 0} per 100 lines); structure: {metrics['structure']} "
        f"({pct('functions_share')} of the code in functions, {pct('importable_share')} in importable "
        f"modules); type hints {pct('type_hint_coverage')}, docstrings {pct('docstring_coverage')}, "
        f"duplication {pct('duplicated_share')}."
    )
    if left_out:
        parts = (c.partition(LEFT_OUT) for c in left_out)
        text += (
            " Left out as not applicable: " + "; ".join(f"{n} ({why})" for n, _, why in parts) + "."
        )
    return text

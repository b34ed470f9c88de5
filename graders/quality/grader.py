"""The ``quality`` grader: lint, complexity, documentation, structure and hygiene of the code."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from graders._notebooks import notebooks
from graders._pysource import SourceProblem, SourceUnit, source_units
from graders._workspace import Inventory, inventory
from graders.quality.duplication import Duplication, find_duplication
from graders.quality.hygiene import find_absolute_path, scan_secrets, stored_artifacts
from graders.quality.metrics import UnitMetrics, unit_metrics
from graders.quality.ruff import LintIssue, RuffOutcome, run_ruff
from graders.quality.rules import (
    MAX_COMPLEXITY,
    NOTEBOOK_IGNORE,
    SEVERITY_WEIGHT,
    TEST_IGNORE,
    severity_of,
)
from graders.quality.scoring import QualityMeasures, quality_breakdown
from graders.quality.structure import (
    Dependencies,
    EntryPoints,
    declared_dependencies,
    entry_points,
    find_readme,
)
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

_PROBLEM_RULES: dict[SourceProblem, tuple[str, Severity, str]] = {
    SourceProblem.syntax_error: ("quality:syntax-error", Severity.error, "does not parse as Python 3.11"),
    SourceProblem.too_deep: ("quality:too-deeply-nested", Severity.error, "is nested too deeply to analyse"),
    SourceProblem.too_large: ("quality:huge-file", Severity.warning, "is too large to analyse (over 1 MiB)"),
    SourceProblem.binary: ("quality:binary-python-file", Severity.warning, "is binary data with a .py name"),
    SourceProblem.not_utf8: ("quality:not-utf8", Severity.warning, "is not UTF-8 text (PEP 3120)"),
    SourceProblem.unreadable: ("quality:unreadable-file", Severity.info, "could not be read"),
    SourceProblem.over_budget: (
        "quality:analysis-truncated", Severity.info, "was not analysed: the submission's Python is too large"
    ),
}  # fmt: skip

_STORED_TEXT = {
    "quality:model-binary": "A model binary is committed; the train command should produce it",
    "quality:committed-data": "A data file is committed; read data from the paths you are given",
    "quality:archive": "An archive is committed",
    "quality:env-file": "An environment file is committed; it often holds secrets",
    "quality:large-binary": "A large binary file is committed",
}
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
    deps: Dependencies
    dup: Duplication
    findings: list[Finding] = field(default_factory=list)


class QualityGrader:
    """Static code quality. Never imports or runs the candidate's code."""

    name = "quality"
    version = "1.0.0"

    def grade(self, ctx: GradingContext) -> GraderResult:
        started = time.monotonic()
        a = self._analyse(ctx)
        findings = list(a.findings)
        findings.extend(_problem_findings(a.units))
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
        structure, module_lines, notebook_lines = _structure(a)
        has_entry = _has_entry_point(a)
        findings.extend(_structure_findings(a, structure, module_lines, notebook_lines, has_entry))
        secrets_found, paths_found, binaries_found = _hygiene_findings(a, findings)
        findings.extend(_maintainability_findings(a))
        findings.extend(_duplication_findings(a.dup))

        by_rel = {u.rel: u for u in a.analysed}
        lint = sorted(
            (_lint_finding(i, by_rel[i.rel]) for i in a.issues),
            key=lambda f: (_SEVERITY_ORDER[f.severity], f.file or "", f.line or 0),
        )
        findings.extend(lint[:MAX_LINT_FINDINGS])
        if len(lint) > MAX_LINT_FINDINGS:
            findings.append(
                Finding(
                    rule="quality:findings-truncated",
                    message=f"{len(lint) - MAX_LINT_FINDINGS} more lint findings are not listed; "
                    "details.lint_counts has the full tally by rule.",
                    severity=Severity.info,
                )
            )
        findings.sort(key=lambda f: _SEVERITY_ORDER[f.severity])

        metrics = _metrics(ctx, a, structure, module_lines, notebook_lines, has_entry)
        metrics.update(
            secrets=secrets_found, absolute_paths=paths_found, committed_binaries=binaries_found
        )
        measures = QualityMeasures(
            weighted_density=_float(metrics["weighted_violations_per_100_lines"]),
            parsed_share=_ratio(len(a.analysed), len(a.units)),
            formatted_share=a.ruff.format.formatted_share,
            functions=int(metrics["functions"] or 0),
            complex_share=(int(metrics["complex_functions"] or 0) / int(metrics["functions"]))
            if metrics["functions"]
            else 0.0,
            maintainability=_float(metrics["maintainability_index"]),
            type_hint_coverage=_float(metrics["type_hint_coverage"]),
            docstring_coverage=_float(metrics["docstring_coverage"]),
            duplicated_share=a.dup.share,
            structure=structure,
            has_entry_point=has_entry,
            dependencies_declared=a.deps.declared,
            pinned_share=a.deps.pinned_share,
            has_readme=bool(metrics["has_readme"]),
            secrets=secrets_found,
            absolute_paths=paths_found,
            committed_binaries=binaries_found,
        )
        breakdown = quality_breakdown(measures)
        return GraderResult(
            name=self.name,
            version=self.version,
            status=GraderStatus.ok,
            score=score_from_breakdown(breakdown),
            summary=_summary(metrics),
            metrics=metrics,
            findings=findings,
            breakdown=breakdown,
            details={
                "lint_counts": dict(Counter(i.code for i in a.issues).most_common()),
                "complexity": [
                    {"file": u.rel, "function": q, "line": ln, "complexity": c}
                    for u, m in a.sources
                    for q, ln, c in sorted(m.complexities, key=lambda t: -t[2])[:50]
                    if c > MAX_COMPLEXITY // 2
                ],
                "maintainability": {u.rel: m.maintainability for u, m in a.sources},
                "unformatted_files": list(a.ruff.format.unformatted),
                "analysis_seconds": round(time.monotonic() - started, 3),
            },
        )

    def _analyse(self, ctx: GradingContext) -> _Analysis:
        inv = inventory(ctx)
        units = source_units(ctx)
        analysed = [u for u in units if u.ok]
        timeout = float(ctx.options(self.name).get("tool_timeout_s", TOOL_TIMEOUT_S))
        ruff = run_ruff(ctx.workspace, analysed, timeout_s=timeout)
        deadline = time.monotonic() + float(
            ctx.options(self.name).get("time_budget_s", TIME_BUDGET_S)
        )
        sources: list[tuple[SourceUnit, UnitMetrics]] = []
        skipped = 0
        for unit in (u for u in analysed if not u.is_test):
            if time.monotonic() > deadline:
                skipped += 1
                continue
            sources.append((unit, unit_metrics(unit)))
        entry = entry_points(inv)
        # Command-line modules talk to the user with print(); library modules should not.
        entry_scripts = set(entry.scripts) | {
            u.rel
            for u, m in sources
            if m.has_main_guard or m.is_cli or PurePosixPath(u.rel).stem in _CLI_STEMS
        }
        a = _Analysis(
            inv=inv,
            units=units,
            analysed=analysed,
            sources=sources,
            ruff=ruff,
            issues=_kept_issues(ruff, {u.rel: u for u in analysed}, entry_scripts),
            entry=entry,
            deps=declared_dependencies(inv),
            dup=find_duplication([(u.rel, u.text or "") for u, _ in sources]),
        )
        a.findings.extend(
            Finding(rule="quality:tool-failed", message=p, severity=Severity.info)
            for p in ruff.problems
        )
        if skipped:
            a.findings.append(
                Finding(
                    rule="quality:analysis-truncated",
                    message=f"Complexity and documentation metrics cover part of the code only: "
                    f"{skipped} modules were left out when the analysis time budget ran out.",
                    severity=Severity.info,
                )
            )
        if inv.truncated:
            a.findings.append(
                Finding(
                    rule="quality:analysis-truncated",
                    message="The submission has too many files or folders; only part of it was analysed.",
                    severity=Severity.info,
                )
            )
        return a


def _float(value: MetricValue) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _problem_findings(units: list[SourceUnit]) -> list[Finding]:
    out: list[Finding] = []
    for unit in units:
        if unit.problem is None:
            continue
        rule, severity, text = _PROBLEM_RULES[unit.problem]
        line, where = unit.place(unit.problem_line)
        detail = f" ({unit.detail})" if unit.detail else ""
        kind = "notebook's code" if unit.is_notebook else "file"
        out.append(
            Finding(
                rule=rule,
                message=f"This {kind} {text}{detail}{where}.",
                severity=severity,
                file=unit.rel,
                line=line,
            )
        )
    return out


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
    """(``modules`` | ``mixed`` | ``notebook-only`` | ``none``, module lines, notebook lines)."""
    modules = [(u, m) for u, m in a.sources if not u.is_notebook]
    module_lines = sum(m.sloc for _, m in modules)
    notebook_lines = sum(u.code_lines() for u in a.units if u.is_notebook)
    has_modules = any(m.defines_logic for _, m in modules)
    if notebook_lines and not has_modules:
        return "notebook-only", module_lines, notebook_lines
    if not notebook_lines and not module_lines:
        return "none", 0, 0
    if notebook_lines > module_lines:
        return "mixed", module_lines, notebook_lines
    return "modules", module_lines, notebook_lines


def _has_entry_point(a: _Analysis) -> bool:
    if a.entry.scripts or a.entry.console_scripts:
        return True
    if any(m.has_main_guard for u, m in a.sources if not u.is_notebook):
        return True
    return any(PurePosixPath(u.rel).name == "__main__.py" for u in a.analysed)


def _structure_findings(
    a: _Analysis, structure: str, module_lines: int, notebook_lines: int, has_entry: bool
) -> list[Finding]:
    out: list[Finding] = []
    if structure == "notebook-only":
        out.append(
            Finding(
                rule="quality:notebook-only",
                message="All the logic lives in notebooks: there is no importable Python module. Move "
                "data loading, features and the model into modules the notebook imports, so they can be "
                "tested and run from the command line.",
                severity=Severity.warning,
            )
        )
    elif structure == "mixed":
        out.append(
            Finding(
                rule="quality:logic-in-notebooks",
                message=f"Most of the code is in notebooks ({notebook_lines} lines) rather than modules "
                f"({module_lines} lines).",
                severity=Severity.info,
            )
        )
    if not has_entry and structure != "notebook-only":
        out.append(
            Finding(
                rule="quality:no-entry-point",
                message="No command-line entry point: no script named by submission.toml exists, no "
                '`if __name__ == "__main__":` block, no [project.scripts].',
                severity=Severity.warning,
            )
        )
    out.extend(
        Finding(
            rule="quality:missing-entry-script",
            message=f"submission.toml runs {missing!r}, which is not in the submission.",
            severity=Severity.error,
            file="submission.toml",
        )
        for missing in a.entry.missing
    )
    if not a.deps.declared:
        out.append(
            Finding(
                rule="quality:no-dependencies",
                message="Dependencies are not declared: add a requirements.txt (or pyproject.toml) with "
                "exact versions.",
                severity=Severity.warning,
            )
        )
    elif a.deps.unpinned and a.deps.lock_file is None:
        shown = ", ".join(a.deps.unpinned[:8]) + (" ..." if len(a.deps.unpinned) > 8 else "")
        out.append(
            Finding(
                rule="quality:unpinned-dependencies",
                message=f"{len(a.deps.unpinned)} of {len(a.deps.requirements)} dependencies have no exact "
                f"version (==): {shown}.",
                severity=Severity.info,
                file=a.deps.sources[0],
            )
        )
    if find_readme(a.inv) is None:
        out.append(
            Finding(
                rule="quality:no-readme",
                message="No README at the root: say how to install, train, predict and test.",
                severity=Severity.warning,
            )
        )
    return out


def _hygiene_findings(a: _Analysis, out: list[Finding]) -> tuple[int, int, int]:
    """Append secret, path and committed-file findings; return their counts."""
    secrets = scan_secrets(a.inv)
    out.extend(
        Finding(
            rule="quality:secret",
            message=f"What looks like {hit.what} is committed ({hit.masked}). Revoke it and read secrets "
            "from the environment.",
            severity=Severity.error,
            file=hit.rel,
            line=hit.line,
        )
        for hit in secrets
    )
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
    out.extend(
        Finding(
            rule=item.rule,
            message=f"{_STORED_TEXT[item.rule]} ({item.size:,} bytes).",
            severity=item.severity,
            file=item.rel,
        )
        for item in stored
    )
    if a.inv.links:
        out.append(
            Finding(
                rule="quality:symlink",
                message=f"{len(a.inv.links)} symbolic links were ignored: {', '.join(a.inv.links[:5])}.",
                severity=Severity.info,
            )
        )
    return len(secrets), len(paths), sum(1 for s in stored if s.rule in _BINARY_RULES)


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


def _duplication_findings(dup: Duplication) -> list[Finding]:
    out: list[Finding] = []
    for block in dup.blocks:
        where = (
            f"line {block.other_line}"
            if block.other_rel == block.rel
            else f"{block.other_rel}:{block.other_line}"
        )
        notebook = block.rel.endswith(".ipynb")
        out.append(
            Finding(
                rule="quality:duplicate-code",
                message=f"{block.lines} lines repeat code found at {where}"
                f"{' of the exported script' if notebook else ''}; factor it into a function.",
                severity=Severity.info,
                file=block.rel,
                line=None if notebook else block.line,
            )
        )
    return out


def _metrics(
    ctx: GradingContext,
    a: _Analysis,
    structure: str,
    module_lines: int,
    notebook_lines: int,
    has_entry: bool,
) -> dict[str, MetricValue]:
    lines = sum(u.code_lines() for u in a.analysed)
    weighted = sum(SEVERITY_WEIGHT[severity_of(i.code)] for i in a.issues)
    by_severity = Counter(severity_of(i.code) for i in a.issues)
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
    fmt = a.ruff.format
    pinned = a.deps.pinned_share
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
        "duplicated_share": round(a.dup.share, 4),
        "duplicated_lines": a.dup.duplicated_lines,
        "module_code_lines": module_lines,
        "notebook_code_lines": notebook_lines,
        "structure": structure,
        "has_entry_point": has_entry,
        "dependencies_declared": a.deps.declared,
        "dependencies_pinned_share": None if pinned is None else round(pinned, 4),
        "has_readme": find_readme(a.inv) is not None,
    }


def _summary(metrics: dict[str, MetricValue]) -> str:
    def pct(key: str) -> str:
        value = metrics.get(key)
        return f"{100 * value:.0f}%" if isinstance(value, float) else "n/a"

    return (
        f"{metrics['lines_of_code']} lines analysed; {metrics['violations']} lint findings "
        f"({metrics['violations_per_100_lines'] or 0} per 100 lines); structure: {metrics['structure']}; "
        f"type hints {pct('type_hint_coverage')}, docstrings {pct('docstring_coverage')}, "
        f"duplication {pct('duplicated_share')}."
    )

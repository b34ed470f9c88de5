"""Findings of the quality grader: what was measured, said so a reviewer can act on it."""

from __future__ import annotations

from pathlib import PurePosixPath

from graders._pysource import SourceProblem, SourceUnit
from graders.quality.deps import MAX_LISTED, Dependencies
from graders.quality.duplication import Duplication
from graders.quality.hygiene import Clutter, ForeignCode, Stored
from graders.quality.modules import CodeLayout
from graders.quality.secret_scan import SecretHit
from graders.quality.structure import EntryPoints
from graders.types import Finding, Severity

__all__ = [
    "clutter_findings",
    "dependency_findings",
    "duplication_findings",
    "layout_findings",
    "problem_findings",
    "secret_findings",
    "stored_findings",
    "structure_findings",
]

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
    "quality:committed-data": "A data file is committed; read data from the paths you are given "
    "(a small sample for tests is fine)",
    "quality:archive": "An archive is committed",
    "quality:env-file": "An environment file is committed; it often holds secrets",
    "quality:large-binary": "A large binary file is committed",
}
_CLUTTER = {
    "ide": ("quality:ide-folder", Severity.warning, "Editor settings are committed"),
    "os": ("quality:os-file", Severity.warning, "An operating system's metadata file is committed"),
    "environment": (
        "quality:environment-folder",
        Severity.warning,
        "A virtual environment or installed packages are committed; declare dependencies instead",
    ),
    "cache": ("quality:cache-folder", Severity.info, "A cache folder is committed"),
}


def _short(item: str, limit: int = 60) -> str:
    return item if len(item) <= limit else f"{item[: limit - 1]}…"


def _listed(items: list[str]) -> str:
    shown = ", ".join(_short(i) for i in items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def problem_findings(units: list[SourceUnit]) -> list[Finding]:
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


def structure_findings(
    structure: str,
    module_lines: int,
    notebook_lines: int,
    has_entry: bool,
    entry: EntryPoints,
    has_readme: bool,
) -> list[Finding]:
    """Where the logic lives, how the code is started, and whether a README says how."""
    out = _logic_findings(structure, module_lines, notebook_lines)
    out.extend(_entry_findings(structure, has_entry, entry))
    if not has_readme:
        out.append(
            Finding(
                rule="quality:no-readme",
                message="No README at the root: say how to install, train, predict and test.",
                severity=Severity.warning,
            )
        )
    return out


def _logic_findings(structure: str, module_lines: int, notebook_lines: int) -> list[Finding]:
    """Logic kept in notebooks or in scripts rather than importable modules (the structures
    ``notebook-only``, ``scripts`` and ``mixed``)."""
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
    elif structure == "scripts":
        out.append(
            Finding(
                rule="quality:no-importable-modules",
                message="No importable module holds the logic: the code is in scripts that cannot be "
                "imported without running them (or whose names are not valid module names). Put the "
                "functions in modules and keep the scripts as thin entry points.",
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
    return out


def _entry_findings(structure: str, has_entry: bool, entry: EntryPoints) -> list[Finding]:
    """No command-line entry point (a notebook submission needs none), and scripts that
    ``submission.toml`` runs but the submission does not hold."""
    out: list[Finding] = []
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
        for missing in entry.missing
    )
    return out


def layout_findings(layout: CodeLayout, units: dict[str, SourceUnit]) -> list[Finding]:
    """Import-time work, scripts run at the top level, modules that cannot be imported."""
    out: list[Finding] = []
    for module in layout.modules:
        if module.is_notebook:
            continue
        stem = PurePosixPath(module.rel).stem
        if module.dotted is None and module.def_lines:
            fixed = "".join(c if c.isalnum() or c == "_" else "_" for c in stem)
            fixed = f"_{fixed}" if fixed[:1].isdigit() else fixed
            out.append(
                Finding(
                    rule="quality:not-importable-name",
                    message=f"{module.rel} cannot be imported: a module name must be a valid Python "
                    f"identifier. Rename it (e.g. {fixed}.py) so its functions can be imported and tested.",
                    severity=Severity.warning,
                    file=module.rel,
                )
            )
        if not module.import_time:
            continue
        first = module.import_time[0]
        does = sorted({w.does for w in module.import_time})
        what = ", ".join(does)
        at, where = units[module.rel].place(first.line) if module.rel in units else (first.line, "")
        if module.imported_by or module.in_package:
            importers = _listed(module.imported_by) or "its package"
            out.append(
                Finding(
                    rule="quality:import-time-work",
                    message=f"{module.rel} {what} when it is imported ({first.call} at line "
                    f"{first.line}{where}); {importers} pay for it on every import, tests included. "
                    "Move the work into functions that callers run.",
                    severity=Severity.warning,
                    file=module.rel,
                    line=at,
                )
            )
        else:
            out.append(
                Finding(
                    rule="quality:script-at-top-level",
                    message=f"{module.rel} {what} at the top level ({first.call} at line {first.line}); "
                    'wrap it in a main() called under `if __name__ == "__main__":` so the module can '
                    "be imported and tested.",
                    severity=Severity.info,
                    file=module.rel,
                    line=at,
                )
            )
    return out


def dependency_findings(deps: Dependencies, third_party: int) -> list[Finding]:
    """How dependencies are declared, whether the lines can be installed anywhere, and how the
    declaration matches the code and the grading environment."""
    if not deps.declared and not third_party:
        return []  # the standard library needs no declaration
    source = deps.sources[0] if deps.declared else "requirements.txt"
    return [
        *_declaration_findings(deps, source),
        *_requirement_findings(deps),
        *_environment_findings(deps, source),
    ]


def _declaration_findings(deps: Dependencies, source: str) -> list[Finding]:
    """No declaration at all, a dump of a whole environment, or versions left open."""
    out: list[Finding] = []
    if not deps.declared:
        out.append(
            Finding(
                rule="quality:no-dependencies",
                message="Dependencies are not declared: add a requirements.txt (or pyproject.toml) with "
                "exact versions.",
                severity=Severity.warning,
            )
        )
    if deps.is_freeze:
        out.append(
            Finding(
                rule="quality:dependency-freeze",
                message=f"{len(deps.requirements)} requirements, of which only {deps.used} are imported: "
                "this is a dump of a whole environment (pip freeze / conda export), not a declaration of "
                "what the code needs. List the packages you import, pinned.",
                severity=Severity.warning,
                file=source,
            )
        )
    elif deps.unpinned and deps.lock_file is None:
        out.append(
            Finding(
                rule="quality:unpinned-dependencies",
                message=f"{len(deps.unpinned)} of {len(deps.requirements)} dependencies have no exact "
                f"version (==): {_listed(deps.unpinned)}.",
                severity=Severity.info,
                file=source,
            )
        )
    return out


def _requirement_findings(deps: Dependencies) -> list[Finding]:
    """Requirement lines that cannot be installed on another machine: unreadable, paths on the
    author's machine, builds for one platform."""
    out: list[Finding] = []
    for problem, rule, text, severity in (
        ("unparseable", "quality:dependency-unparseable", "are not requirements pip can read",
         Severity.warning),
        ("local-path", "quality:dependency-local-path", "point to paths on the author's machine "
         "(`@ file:///...`), so they cannot be installed anywhere else", Severity.warning),
        ("platform", "quality:dependency-platform", "are specific to one platform or build "
         "(`+cpu`, conda build strings, Windows-only packages)", Severity.warning),
    ):  # fmt: skip
        found = deps.with_problem(problem)
        if found:
            details = sorted({r.detail for r in found if r.detail})
            out.append(
                Finding(
                    rule=rule,
                    message=f"{len(found)} requirements {text}: {_listed([r.text for r in found])}"
                    + (f" ({'; '.join(details[:3])})" if details else "")
                    + ".",
                    severity=severity,
                    file=found[0].source,
                )
            )
    return out


def _environment_findings(deps: Dependencies, source: str) -> list[Finding]:
    """The declaration against the grading environment and the code: versions that contradict
    the sandbox, large frameworks never imported, imports the sandbox lacks or nobody declared."""
    out: list[Finding] = []
    if deps.lock_conflicts:
        shown = [f"{r.text} (sandbox: {v})" for r, v in deps.lock_conflicts]
        out.append(
            Finding(
                rule="quality:dependency-environment-conflict",
                message=f"{len(shown)} requirements contradict the grading environment, so the code was "
                f"written against other versions than the ones it runs with: {_listed(shown)}.",
                severity=Severity.warning,
                file=deps.lock_conflicts[0][0].source,
            )
        )
    if deps.unused_heavy:
        out.append(
            Finding(
                rule="quality:dependency-unused-heavy",
                message="Large frameworks are declared but never imported: "
                f"{_listed([r.text for r in deps.unused_heavy])}. They make installing slow for nothing.",
                severity=Severity.warning,
                file=deps.unused_heavy[0].source,
            )
        )
    if deps.unavailable:
        out.append(
            Finding(
                rule="quality:dependency-unavailable",
                message=f"The code imports {_listed(deps.unavailable)}, which the grading environment "
                "does not provide, so it cannot run there. Use the packages the task lists (the "
                "starter kit's environment), or guard optional imports.",
                severity=Severity.error,
                file=source if deps.declared else None,
            )
        )
    if deps.undeclared:
        out.append(
            Finding(
                rule="quality:dependency-undeclared",
                message=f"Imported but not declared: {_listed(deps.undeclared)}.",
                severity=Severity.info,
                file=source,
            )
        )
    return out


def secret_findings(hits: list[SecretHit]) -> list[Finding]:
    return [
        Finding(
            rule="quality:secret",
            message=f"What looks like {hit.what} is committed{hit.where}: `{hit.context}`. Revoke it "
            "and read secrets from the environment.",
            severity=Severity.error,
            file=hit.rel,
            line=hit.line,
        )
        for hit in hits
    ]


def stored_findings(stored: list[Stored]) -> list[Finding]:
    return [
        Finding(
            rule=item.rule,
            message=f"{_STORED_TEXT[item.rule]} ({item.size:,} bytes).",
            severity=item.severity,
            file=item.rel,
        )
        for item in stored
    ]


def clutter_findings(clutter: list[Clutter], foreign: list[ForeignCode]) -> list[Finding]:
    out: list[Finding] = []
    for item in clutter:
        rule, severity, text = _CLUTTER[item.what]
        out.append(
            Finding(rule=rule, message=f"{text}: {item.rel}.", severity=severity, file=item.rel)
        )
    for group in foreign:
        folders = sorted({str(PurePosixPath(f).parent) for f in group.files})
        where = _listed([f if f != "." else "the root" for f in folders])
        out.append(
            Finding(
                rule="quality:other-language",
                message=f"{len(group.files)} {group.language} file{'s' if len(group.files) > 1 else ''} "
                f"({where}) {'are' if len(group.files) > 1 else 'is'} committed; the task asks for a "
                "Python classifier. Leave unrelated code out of the submission.",
                severity=Severity.warning,
                file=group.files[0],
            )
        )
    return out


def duplication_findings(dup: Duplication) -> list[Finding]:
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

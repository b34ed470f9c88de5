"""The curated lint rule set and how much each rule matters.

The selection is fixed here and passed to ruff on the command line with ``--isolated``, so a
candidate's own ruff configuration (or ``# noqa`` comments, ignored with ``--ignore-noqa``) cannot
change what is checked. Rules that fight common, reasonable ML conventions are left out: ``X_train``
style names (N803, N806), ``import torch.nn.functional as F`` (N812).
"""

from __future__ import annotations

from graders.types import Severity

__all__ = [
    "IGNORE",
    "MAX_COMPLEXITY",
    "NOTEBOOK_IGNORE",
    "SELECT",
    "SEVERITY_WEIGHT",
    "TEST_IGNORE",
    "severity_of",
]

SELECT: tuple[str, ...] = (
    "F",  # pyflakes: undefined names, unused imports and variables, redefinitions
    "E7",  # statements: bare except (E722), comparisons to None/True, lambda assignment
    "E9",  # files ruff cannot read or parse
    "W605",  # invalid escape sequences
    "B",  # flake8-bugbear: likely bugs (mutable defaults, loop-variable capture, ...)
    "C901",  # mccabe complexity
    "N8",  # pep8-naming
    "I",  # isort: import order
    "BLE001",  # blind `except Exception`
    "T20",  # print/pprint (kept only in library modules, see grader)
    "S102",  # exec
    "S307",  # eval
    "S602",  # subprocess with shell=True
    "S605",  # os.system / shell injection
    "S113",  # HTTP request without a timeout
    "PLW0603",  # global statement
    "NPY002",  # legacy numpy.random API (unseeded global state)
    "E402",  # import not at top of module
)

IGNORE: tuple[str, ...] = ("N803", "N806", "N812", "N817", "B905")

MAX_COMPLEXITY = 10
"""Cyclomatic complexity above which a function is flagged (C901, and the complexity metrics)."""

# A notebook's last expression displays a value, and imports accumulate cell by cell.
NOTEBOOK_IGNORE = frozenset({"B018", "E402", "T201", "T203", "I001"})
# Tests print for debugging and use asserts/fixtures in ways library rules misjudge.
TEST_IGNORE = frozenset({"T201", "T203", "S101", "B011", "B017", "N802"})

_ERROR = frozenset(
    {"F821", "F822", "F823", "F811", "F632", "F701", "F702", "F704", "F706", "F707", "E902"}
)
_INFO_PREFIXES = (
    "I",
    "N8",
    "T20",
    "BLE",
    "E402",
    "PLW",
    "NPY",
    "B007",
    "B028",
    "B904",
    "S113",
    "F541",
)


def severity_of(code: str) -> Severity:
    """Severity of a ruff code (``invalid-syntax`` and E9 are errors)."""
    if (
        code in _ERROR
        or code.startswith("E9")
        or not code[:1].isalpha()
        or code == "invalid-syntax"
    ):
        return Severity.error
    if code.startswith(_INFO_PREFIXES):
        return Severity.info
    return Severity.warning


SEVERITY_WEIGHT: dict[Severity, float] = {
    Severity.error: 3.0,
    Severity.warning: 1.0,
    Severity.info: 0.25,
}
"""Weight of one finding in the weighted violation density."""

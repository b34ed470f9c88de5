"""Good practice the methodology grader credits, read from the code's syntax, never run.

The rules of :mod:`graders.methodology.flow` find what is wrong; an expert reviewer also rewards
what a careful candidate does on top of a sound hold-out: estimates that do not rest on one split
(cross-validation), a split that keeps the queues' proportions (stratification), models that
do not ignore the small queues (class weights or sample weights), and a validation that scores
newer tickets with a model of older ones (the held-out data of a support queue comes later than
its training data). Each is recognised from the
calls and keyword arguments that express it in scikit-learn, so a practice that is only described
in the writeup earns nothing here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from graders._pysource import SourceUnit

__all__ = ["PRACTICES", "Practice", "PracticeEvidence", "find_practices"]

_CV_CALLS = frozenset({
    "cross_val_score", "cross_val_predict", "cross_validate", "GridSearchCV", "RandomizedSearchCV",
    "HalvingGridSearchCV", "HalvingRandomSearchCV", "KFold", "StratifiedKFold", "RepeatedKFold",
    "RepeatedStratifiedKFold", "GroupKFold", "StratifiedGroupKFold", "TimeSeriesSplit",
    "ShuffleSplit", "StratifiedShuffleSplit", "LeaveOneGroupOut", "validation_curve",
    "learning_curve", "LogisticRegressionCV", "RidgeClassifierCV", "CalibratedClassifierCV",
})
"""Calls that estimate on several folds (``CalibratedClassifierCV`` cross-validates itself)."""
_STRATIFIED_CALLS = frozenset({
    "StratifiedKFold", "RepeatedStratifiedKFold", "StratifiedShuffleSplit", "StratifiedGroupKFold",
})
_CLASS_WEIGHT_CALLS = frozenset({"compute_class_weight", "compute_sample_weight"})
_CV_INT_ARGS = frozenset({"cross_val_score", "cross_val_predict", "cross_validate"})
"""With a classifier, an integer ``cv`` in these is a stratified K-fold (scikit-learn's rule)."""


@dataclass(frozen=True)
class Practice:
    """One practice the grader credits."""

    key: str
    criterion: str
    """The breakdown line, in a reviewer's words."""
    points: float


PRACTICES: tuple[Practice, ...] = (
    Practice("cross_validation", "Cross-validation rather than a single split", 15.0),
    Practice("class_weighting", "Imbalanced queues handled (class or sample weights)", 10.0),
    Practice("stratified", "Splits keep the queues' proportions (stratified)", 5.0),
    Practice("time_aware", "Validation that respects time (newer tickets scored by a model of older ones)", 10.0),
)


@dataclass
class PracticeEvidence:
    """Where each practice was seen: ``key -> "file, line 3"`` (or the cell) of the first place."""

    seen: dict[str, str] = field(default_factory=dict)

    def note(self, key: str, where: str) -> None:
        self.seen.setdefault(key, where)


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _meaningful(value: ast.expr) -> bool:
    """A keyword value that asks for something (not ``None`` or ``False``)."""
    return not (isinstance(value, ast.Constant) and value.value in (None, False))


def _place(unit: SourceUnit, line: int) -> str:
    if unit.notebook is None:
        return f"{unit.rel}, line {line}"
    cell = unit.notebook.cell_at(line)
    return f"{unit.rel}, cell {cell[0]}" if cell else unit.rel


def _orders_by_time(scope: ast.AST) -> int | None:
    """The line where ``scope`` orders rows by a parsed date (``to_datetime`` then a sort)."""
    parses = sorts = None
    for node in ast.walk(scope):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name == "to_datetime" and parses is None:
                parses = node.lineno
            elif name in ("sort_values", "argsort", "sort_index") and sorts is None:
                sorts = node.lineno
    return sorts if parses is not None and sorts is not None else None


def _visit(unit: SourceUnit, evidence: PracticeEvidence) -> None:
    assert unit.tree is not None
    scopes: list[ast.AST] = [
        n for n in ast.walk(unit.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    for scope in scopes or [unit.tree]:
        line = _orders_by_time(scope)
        if line is not None:
            evidence.note("time_aware", _place(unit, line))
    for node in ast.walk(unit.tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        where = _place(unit, node.lineno)
        if name in _CV_CALLS:
            evidence.note("cross_validation", where)
        if name == "TimeSeriesSplit":
            evidence.note("time_aware", where)
        if name in _STRATIFIED_CALLS or (name in _CV_INT_ARGS and any(
                kw.arg == "cv" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, int)
                for kw in node.keywords)):
            evidence.note("stratified", where)
        if name in _CLASS_WEIGHT_CALLS:
            evidence.note("class_weighting", where)
        for kw in node.keywords:
            if kw.arg == "stratify" and _meaningful(kw.value):
                evidence.note("stratified", where)
            elif kw.arg in ("class_weight", "sample_weight") and _meaningful(kw.value):
                evidence.note("class_weighting", where)


def find_practices(units: Iterable[SourceUnit]) -> PracticeEvidence:
    """The practices seen in these units (parsed ones only), with the first place of each."""
    evidence = PracticeEvidence()
    for unit in units:
        if unit.tree is not None:
            _visit(unit, evidence)
    return evidence

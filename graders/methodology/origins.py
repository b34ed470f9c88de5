"""The facts the data-flow pass attaches to values: where rows, fitted state and labels came from.

An :class:`Origin` says one thing about the data a variable holds ("rows a splitter put in the
training part", "output of a TfidfVectorizer fitted before any split", "the labels of a frame
filtered to its 5 most frequent classes"); a value carries a small set of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graders.methodology.catalog import Role

__all__ = [
    "EMPTY",
    "MAX_ORIGINS",
    "Fit",
    "Kind",
    "Obj",
    "Origin",
    "Origins",
    "Summary",
    "has",
    "of",
    "union",
]

MAX_ORIGINS = 48
"""Origins kept per value; long notebooks would otherwise carry every earlier fact everywhere."""


class Kind(StrEnum):
    split_train = "split-train"
    split_test = "split-test"
    fitted_all = "fitted-all"
    sparse = "sparse"
    test_rows = "test-rows"
    train_rows = "train-rows"
    class_counts = "class-counts"
    top_classes = "top-classes"
    frequent_classes = "frequent-classes"
    rare_classes = "rare-classes"
    class_filtered = "class-filtered"
    filtered_label = "filtered-label"
    prediction = "prediction"
    train_prediction = "train-prediction"
    trained_subset = "trained-subset"


@dataclass(frozen=True, order=True)
class Origin:
    kind: Kind
    line: int
    detail: str = ""
    number: int | None = None
    extra: tuple[str, ...] = ()
    file: str = ""
    """The unit ``line`` is in, when it is not the unit being analysed (a helper's body)."""


Origins = frozenset[Origin]
EMPTY: Origins = frozenset()


def union(*parts: Origins) -> Origins:
    out: set[Origin] = set()
    for part in parts:
        out |= part
    if len(out) > MAX_ORIGINS:
        return frozenset(sorted(out)[:MAX_ORIGINS])
    return frozenset(out)


def has(origins: Origins, *kinds: Kind) -> bool:
    return any(o.kind in kinds for o in origins)


def of(origins: Origins, kind: Kind) -> list[Origin]:
    return sorted(o for o in origins if o.kind is kind)


@dataclass(frozen=True)
class Obj:
    """An object of a known class."""

    cls: str
    role: Role | None
    line: int
    max_features: int | None = None
    local: bool = True
    """Built in the scope being walked (each call of a function builds a fresh one)."""


@dataclass(frozen=True)
class Fit:
    """The last ``fit`` of an object."""

    line: int
    x_key: tuple[str, int] | None
    """The variable fitted on, and its version at the time."""
    subset: bool
    """Fitted on a split's training part only."""
    before_split: bool
    """Fitted on rows no split had divided."""
    supervised: bool
    cls: str


@dataclass(frozen=True)
class Summary:
    """What calling a function of the submission does, as far as the rules care."""

    returns: Origins = frozenset()
    """Origins of its return value that hold for every call (a class filter, a fresh fit)."""
    fits: tuple[str, int, str] | None = None
    """(transformer class, line, file) when each call fits a transformer it builds on the data it
    is given (``def vectorize(texts): return TfidfVectorizer().fit_transform(texts)``)."""

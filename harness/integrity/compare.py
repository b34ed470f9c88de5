"""Comparing two fingerprinted bodies of code: how much they share, and where.

Both shares leave out the fingerprints in ``ignore`` (starter-kit code and fragments common to
many submissions of the assignment), so what is counted is each side's *distinctive* code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set
from dataclasses import dataclass

from harness.integrity.fingerprint import Fingerprint, Fingerprinted

__all__ = ["Fragment", "Overlap", "fragments", "overlap"]

LINE_GAP = 4
"""Matched fingerprints this many lines apart on both sides still belong to one fragment."""
MAX_FRAGMENTS = 25


@dataclass(frozen=True)
class Overlap:
    """How much two bodies of code share."""

    shared: int
    """Distinctive fingerprints found on both sides."""
    own: int
    """Distinctive fingerprints of the first side."""
    other: int
    """Distinctive fingerprints of the second side."""

    @property
    def share_of_own(self) -> float:
        """Share of the first side's distinctive code found in the second."""
        return self.shared / self.own if self.own else 0.0

    @property
    def share_of_other(self) -> float:
        return self.shared / self.other if self.other else 0.0

    @property
    def similarity(self) -> float:
        """The larger share: a partial copy (one module of a bigger solution) counts too."""
        return max(self.share_of_own, self.share_of_other)


def overlap(own: Set[int], other: Set[int], ignore: Set[int]) -> Overlap:
    mine, theirs = own - ignore, other - ignore
    return Overlap(shared=len(mine & theirs), own=len(mine), other=len(theirs))


@dataclass(frozen=True)
class Fragment:
    """A stretch of code found on both sides: file and lines (1-based, inclusive) of each."""

    own_file: str
    own_lines: tuple[int, int]
    other_file: str
    other_lines: tuple[int, int]
    prints: int
    """Fingerprints matched inside it: how strong the evidence is."""


@dataclass
class _Run:
    own_file: int
    other_file: int
    own_start: int
    own_end: int
    other_start: int
    other_end: int
    prints: int = 1

    def continues(self, mine: Fingerprint, theirs: Fingerprint) -> bool:
        return (mine.file == self.own_file and theirs.file == self.other_file
                and self.own_start - LINE_GAP <= mine.first_line <= self.own_end + LINE_GAP
                and self.other_start - LINE_GAP <= theirs.first_line <= self.other_end + LINE_GAP)

    def extend(self, mine: Fingerprint, theirs: Fingerprint) -> None:
        self.own_start, self.own_end = min(self.own_start, mine.first_line), max(self.own_end, mine.last_line)
        self.other_start = min(self.other_start, theirs.first_line)
        self.other_end = max(self.other_end, theirs.last_line)
        self.prints += 1


def _partner(candidates: list[Fingerprint], run: _Run | None) -> Fingerprint:
    """The occurrence on the other side that continues the current run, else the first."""
    if run is not None:
        for theirs in candidates:
            if theirs.file == run.other_file and \
                    run.other_start - LINE_GAP <= theirs.first_line <= run.other_end + LINE_GAP:
                return theirs
    return candidates[0]


def fragments(own: Fingerprinted, other: Fingerprinted, ignore: Set[int]) -> list[Fragment]:
    """The shared stretches of code, strongest first (at most :data:`MAX_FRAGMENTS`)."""
    by_hash: dict[int, list[Fingerprint]] = defaultdict(list)
    for theirs in other.prints:
        if theirs.hash not in ignore:
            by_hash[theirs.hash].append(theirs)
    runs: list[_Run] = []
    current: _Run | None = None
    for mine in own.prints:
        candidates = by_hash.get(mine.hash)
        if not candidates:
            continue
        theirs = _partner(candidates, current)
        if current is not None and current.continues(mine, theirs):
            current.extend(mine, theirs)
            continue
        current = _Run(mine.file, theirs.file, mine.first_line, mine.last_line,
                       theirs.first_line, theirs.last_line)
        runs.append(current)
    runs.sort(key=lambda r: -r.prints)
    return [
        Fragment(own.files[r.own_file].path, (r.own_start, r.own_end),
                 other.files[r.other_file].path, (r.other_start, r.other_end), r.prints)
        for r in runs[:MAX_FRAGMENTS]
    ]

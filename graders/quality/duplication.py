"""Copy-pasted code: windows of consecutive significant lines that occur more than once.

Lines are stripped of indentation; blank lines, comments, imports and lines of bare punctuation
are not significant. A window of :data:`WINDOW` significant lines that occurs at two or more
places marks all its lines as duplicated. Cheap (one dict of window hashes) and language-agnostic
enough for notebooks' scripts too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

__all__ = ["WINDOW", "DuplicateBlock", "Duplication", "find_duplication"]

WINDOW = 6
"""Significant lines a copy must span to count."""

_PUNCT = re.compile(r"^[\s()\[\]{}:,;.\\]*$")


@dataclass(frozen=True)
class DuplicateBlock:
    """A run of duplicated lines and one other place it appears."""

    rel: str
    line: int
    lines: int
    """Significant lines in the run."""
    other_rel: str
    other_line: int


@dataclass
class Duplication:
    significant_lines: int = 0
    duplicated_lines: int = 0
    blocks: list[DuplicateBlock] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.duplicated_lines / self.significant_lines if self.significant_lines else 0.0


def _significant(text: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or _PUNCT.match(line):
            continue
        if line.startswith(("import ", "from ")) or line in {'"""', "'''", "pass", "else:", "try:"}:
            continue
        out.append((" ".join(line.split()), number))
    return out


def find_duplication(sources: list[tuple[str, str]], *, max_blocks: int = 10) -> Duplication:
    """Duplication over ``(rel, text)`` pairs."""
    seqs = [(rel, _significant(text)) for rel, text in sources]
    windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s_index, (_, seq) in enumerate(seqs):
        norms = [n for n, _ in seq]
        for i in range(len(norms) - WINDOW + 1):
            windows[hash(tuple(norms[i : i + WINDOW]))].append((s_index, i))
    marked: list[bytearray] = [bytearray(len(seq)) for _, seq in seqs]
    # first other occurrence per window start, to name where a block is copied from
    partner: dict[tuple[int, int], tuple[int, int]] = {}
    for places in windows.values():
        if len(places) < 2:
            continue
        for k, (s_index, i) in enumerate(places):
            marked[s_index][i : i + WINDOW] = b"\x01" * WINDOW
            other = places[1] if k == 0 else places[0]
            partner.setdefault((s_index, i), other)
    result = Duplication()
    for s_index, (rel, seq) in enumerate(seqs):
        result.significant_lines += len(seq)
        result.duplicated_lines += sum(marked[s_index])
        i = 0
        while i < len(seq):
            if not marked[s_index][i]:
                i += 1
                continue
            start = i
            while i < len(seq) and marked[s_index][i]:
                i += 1
            twin = partner.get((s_index, start))
            if twin is not None:
                o_rel, o_seq = seqs[twin[0]]
                result.blocks.append(
                    DuplicateBlock(rel, seq[start][1], i - start, o_rel, o_seq[twin[1]][1])
                )
    result.blocks.sort(key=lambda b: (-b.lines, b.rel, b.line))
    result.blocks = result.blocks[:max_blocks]
    return result

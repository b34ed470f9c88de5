"""Prediction canaries: hidden copies of held-out tickets that show whether predictions are a
function of a ticket's content.

The harness adds canary rows to the held-out features the predict stage reads: exact duplicates
of held-out tickets under fresh ids, and copies with harmless changes (whitespace, case). A model
that predicts from the ticket gives a duplicate the same label as its source; one that reads the
id, the row's position or a random number does not. Canaries are taken uniformly at random (never
by label), carry no label anywhere, and are removed before scoring, so they cannot change a score
or tell anyone a label. Only agreement between two of the candidate's own predictions is reported.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = [
    "Canary",
    "CanaryCheck",
    "CanaryExample",
    "CanaryKind",
    "check_canaries",
    "fresh_id",
    "make_canaries",
]

MAX_EXAMPLES = 5


class CanaryKind(StrEnum):
    exact = "exact"
    """The same ticket, every column equal, under a fresh id."""
    whitespace = "whitespace"
    """The text columns with spaces doubled and padded: nothing a reader would notice."""
    case = "case"
    """The text columns in another case."""


@dataclass(frozen=True)
class Canary:
    """One canary row: its fresh id, the held-out id it copies, and how it differs."""

    id: str
    source: str
    kind: CanaryKind


def fresh_id(template: str, rng: random.Random, taken: Collection[str]) -> str:
    """An id shaped like ``template`` (its digits redrawn; its letters too when it has fewer than
    four digits, keeping their case; everything else kept) that is in none of ``taken``, so a
    canary's id gives nothing away."""
    vary_letters = sum(ch.isdigit() for ch in template) < 4
    for _ in range(1000):
        out = []
        for ch in template:
            if ch.isdigit():
                out.append(rng.choice("0123456789"))
            elif vary_letters and ch.isascii() and ch.isalpha():
                letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
                out.append(letter.upper() if ch.isupper() else letter)
            else:
                out.append(ch)
        candidate = "".join(out)
        if candidate not in taken:
            return candidate
    raise ValueError(f"cannot make a fresh id shaped like {template!r}: too few free ids")


_SPACES = re.compile(r" +")


def _respace(text: str) -> str:
    return " " + _SPACES.sub(lambda m: m.group(0) * 2, text) + " " if text.strip() else text


def _recase(text: str) -> str:
    return text.lower() if text != text.lower() else text.upper()


def _changed(row: list[str], columns: Sequence[int], kind: CanaryKind) -> list[str] | None:
    change = _respace if kind is CanaryKind.whitespace else _recase
    copy = list(row)
    for index in columns:
        copy[index] = change(copy[index])
    return copy if copy != row else None


def make_canaries(
    header: list[str],
    rows: Sequence[list[str]],
    *,
    count: int,
    id_column: str,
    text_columns: Sequence[str],
    taken_ids: Collection[str],
    rng: random.Random,
) -> list[tuple[list[str], Canary]]:
    """``count`` canary rows copied from ``rows`` (held-out features), with what each copies.

    Half are exact duplicates; the rest alternate between whitespace and case changes of
    ``text_columns`` (exact too when there are none, or when the change would leave the row
    equal). Sources are drawn uniformly at random, without regard to anything but position.
    """
    missing = [c for c in text_columns if c not in header]
    if missing:
        raise ValueError(f"canary_text_columns names columns the held-out features lack: {missing}")
    id_index = header.index(id_column)
    text_index = [header.index(c) for c in text_columns]
    taken = set(taken_ids)
    chosen = rng.sample(range(len(rows)), min(count, len(rows)))
    exact = (len(chosen) + 1) // 2
    out: list[tuple[list[str], Canary]] = []
    for n, index in enumerate(chosen):
        source = rows[index]
        kind = CanaryKind.exact
        copy: list[str] | None = list(source)
        if n >= exact and text_index:
            kind = CanaryKind.whitespace if (n - exact) % 2 == 0 else CanaryKind.case
            copy = _changed(source, text_index, kind)
            if copy is None:
                kind, copy = CanaryKind.exact, list(source)
        assert copy is not None
        new_id = fresh_id(source[id_index], rng, taken)
        taken.add(new_id)
        copy[id_index] = new_id
        out.append((copy, Canary(id=new_id, source=source[id_index], kind=kind)))
    return out


class CanaryExample(BaseModel):
    """One canary whose prediction differs from its source's (the candidate's two predictions)."""

    canary_id: str
    source_id: str
    kind: CanaryKind
    source_prediction: str
    canary_prediction: str


class CanaryCheck(BaseModel):
    """How the predictions on canary rows compare with the predictions on their sources."""

    exact: int = 0
    """Exact duplicates in the features file."""
    exact_disagree: int = 0
    """Exact duplicates predicted differently from their source."""
    changed: int = 0
    """Copies with harmless changes (whitespace, case)."""
    changed_disagree: int = 0
    by_kind: dict[str, list[int]] = Field(default_factory=dict)
    """``kind -> [copies, disagreements]``."""
    examples: list[CanaryExample] = Field(default_factory=list)
    """A few disagreements, exact duplicates first."""

    @property
    def changed_agreement(self) -> float | None:
        """Share of harmless copies predicted like their source (the robustness figure)."""
        return None if not self.changed else round(1 - self.changed_disagree / self.changed, 4)

    def flags(self) -> list[str]:
        """What a reviewer must see next to the score."""
        if not self.exact_disagree:
            return []
        return [
            f"Predictions differ on {self.exact_disagree} of {self.exact} exact duplicate tickets "
            "(the same ticket under another id): they are not a function of the ticket's content "
            "(randomness, or dependence on the id or the row order)."
        ]


def check_canaries(predicted: Mapping[str, str], canaries: Sequence[Canary]) -> CanaryCheck:
    """Compare each canary's prediction with its source's. ``predicted`` holds every id of the
    features file (a checked predictions file)."""
    check = CanaryCheck()
    by_kind: dict[str, list[int]] = {}
    disagreements: list[CanaryExample] = []
    for canary in canaries:
        counts = by_kind.setdefault(canary.kind.value, [0, 0])
        counts[0] += 1
        source, copy = predicted.get(canary.source), predicted.get(canary.id)
        differs = source != copy
        if differs:
            counts[1] += 1
            disagreements.append(CanaryExample(
                canary_id=canary.id, source_id=canary.source, kind=canary.kind,
                source_prediction=source or "", canary_prediction=copy or ""))
        if canary.kind is CanaryKind.exact:
            check.exact += 1
            check.exact_disagree += differs
        else:
            check.changed += 1
            check.changed_disagree += differs
    disagreements.sort(key=lambda e: e.kind is not CanaryKind.exact)
    check.by_kind = by_kind
    check.examples = disagreements[:MAX_EXAMPLES]
    return check

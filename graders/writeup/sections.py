"""Headings of a writeup, fuzzy matching of the sections the task asks for, and prose length."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "SYNONYMS",
    "Coverage",
    "SectionMatch",
    "extract_headings",
    "match_section",
    "prose_words",
]

# Words a heading may use for each section the task asks for. A heading matches when one of these
# phrases appears in it as whole words, e.g. "Results & error analysis" counts for evaluation.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "approach": (
        "approach", "method", "methods", "methodology", "solution", "model", "models", "modelling",
        "modeling", "overview", "design", "how it works", "pipeline", "architecture", "implementation",
        "features", "feature engineering", "strategy", "what i built", "what i did",
    ),
    "evaluation": (
        "evaluation", "evaluating", "results", "result", "performance", "metrics", "validation",
        "experiments", "scores", "benchmark", "error analysis", "findings", "how well",
    ),
    "trade offs": (
        "trade offs", "tradeoffs", "trade off", "tradeoff", "limitations", "limitation", "caveats",
        "design decisions", "decisions", "design choices", "choices", "considerations", "risks",
        "known issues", "weaknesses", "assumptions", "compromises", "pros and cons",
    ),
    "next steps": (
        "next steps", "next step", "future work", "future", "improvements", "improvement",
        "with more time", "further work", "todo", "to do", "roadmap", "what i would do",
        "what i d do", "if i had more time", "outlook", "what next", "next",
    ),
}  # fmt: skip

# Phrases specific enough to count when they appear in the prose rather than in a heading.
_BODY: dict[str, tuple[str, ...]] = {
    "approach": ("my approach", "the approach", "approach", "methodology"),
    "evaluation": ("evaluat", "results", "validation", "held out", "cross valid"),
    "trade offs": ("trade off", "tradeoff", "limitation", "caveat", "downside"),
    "next steps": (
        "next step",
        "future work",
        "more time",
        "i would also",
        "would like to",
        "next i would",
    ),
}

_ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^\s*([=\-~^\"'`#*+])\1{2,}\s*$")
_BOLD = re.compile(r"^\s*(?:\*\*|__)(.{2,80}?)(?:\*\*|__)\s*:?\s*$")
_LABEL = re.compile(r"^\s*([A-Z][\w ,&/'\u2019()-]{1,60}):\s*$")


def normalise(text: str) -> str:
    """Lowercase words separated by single spaces (hyphens, punctuation and ``'`` become spaces)."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def extract_headings(text: str) -> list[tuple[int, str]]:
    """(1-based line, heading text) for Markdown, setext/reST, bold-line and ``Label:`` headings."""
    lines = text.splitlines()
    headings: list[tuple[int, str]] = []
    in_code = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        atx = _ATX.match(line)
        if atx:
            headings.append((i + 1, atx.group(1)))
            continue
        underlined = i + 1 < len(lines) and line.strip() and _UNDERLINE.match(lines[i + 1])
        if (
            underlined
            and not _UNDERLINE.match(line)
            and not line.lstrip().startswith(("- ", "* ", "|"))
        ):
            headings.append((i + 1, line.strip()))
            continue
        bold = _BOLD.match(line) or _LABEL.match(line)
        if bold and len(bold.group(1).split()) <= 8:
            headings.append((i + 1, bold.group(1)))
    return headings


def _contains(haystack: str, phrase: str) -> bool:
    return f" {phrase} " in f" {haystack} "


class SectionMatch(StrEnum):
    heading = "heading"
    """A heading names the section."""
    body = "body"
    """Only the prose mentions it."""
    missing = "missing"


@dataclass(frozen=True)
class Coverage:
    section: str
    """The section as the assignment names it."""
    match: SectionMatch
    heading: str | None = None
    line: int | None = None


def _group(section: str) -> str | None:
    key = normalise(section)
    if key in SYNONYMS:
        return key
    for group, words in SYNONYMS.items():
        if key in words:
            return group
    return None


def match_section(section: str, headings: list[tuple[int, str]], prose: str) -> Coverage:
    """Whether ``section`` is covered by a heading, only in the prose, or not at all."""
    group = _group(section)
    key = normalise(section)
    words = SYNONYMS[group] if group else (key,)
    for line, heading in headings:
        norm = normalise(heading)
        if any(_contains(norm, w) for w in words):
            return Coverage(section, SectionMatch.heading, heading, line)
        if group is None and difflib.SequenceMatcher(None, key, norm).ratio() >= 0.8:
            return Coverage(section, SectionMatch.heading, heading, line)
    body = _BODY.get(group or "", (key,))
    norm_prose = normalise(prose)
    if any(phrase in norm_prose for phrase in body):
        return Coverage(section, SectionMatch.body)
    return Coverage(section, SectionMatch.missing)


def prose_words(text: str) -> int:
    """Words of prose: fenced code, tables, HTML tags and link targets left out."""
    kept: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        stripped = line.lstrip()
        marker = stripped[:3] if stripped.startswith(("```", "~~~")) else None
        if fence is not None:
            fence = None if marker == fence else fence
            continue
        if marker is not None:
            fence = marker
            continue
        if not stripped.startswith("|"):
            kept.append(line)
    joined = re.sub(r"<[^>]{0,200}>", " ", "\n".join(kept))
    joined = re.sub(r"\]\([^)]{0,500}\)", "]", joined)
    return len(re.findall(r"[A-Za-z0-9][\w'\u2019-]*", joined))

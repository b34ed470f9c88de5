"""The sections of a writeup, matched on meaning: a heading's words and the sentences under it.

A heading is read as a small bag of evidence, not as one keyword. Each topic, the sections a task
asks for (approach, evaluation, trade-offs, next steps) and the headings a README has besides
(testing, usage, structure, data, meta), has a curated vocabulary:

- **heading phrases**, each with a weight: 3 when the phrase names the topic outright
  ("Approach", "Results", "Limitations", "Future work", "Testing"), 1.5-2.5 when it usually does
  ("Model", "Pipeline", "Performance", "Design decisions"), 1 when it is vague ("Overview");
- **content phrases** looked for in the first :data:`CONTENT_WORDS` words under the heading
  ("tf-idf", "logistic regression" for approach; "cross-validation", "held-out" for evaluation;
  "pytest", "assert" for testing; "pip install" for usage): half a point each, at most
  :data:`CONTENT_CAP`.

A heading covers a section when it has one of the section's heading phrases, its total (heading
weight plus content) reaches :data:`MIN_SECTION_SCORE`, and no other topic scores higher. So
"Testing a machine learning pipeline" (testing 3 plus pytest content, against approach 1.5 for
"pipeline") is a testing heading, not the approach; "Model and pipeline" is the approach;
"Overview" counts for the approach only when the text under it describes a model. One heading may
cover two sections ("Model and results"). A section no heading covers but the prose talks about
("the main trade-off was ...") is a mention in passing.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CONTENT_CAP",
    "CONTENT_WORDS",
    "MIN_SECTION_SCORE",
    "OTHER_TOPICS",
    "SECTION_TOPICS",
    "Block",
    "Coverage",
    "SectionMatch",
    "Topic",
    "classify_heading",
    "extract_headings",
    "match_section",
    "prose_words",
    "split_blocks",
]

MIN_SECTION_SCORE = 1.5
"""Heading weight plus content evidence a heading needs to cover a section."""
CONTENT_WORDS = 80
"""Words under a heading read as its content (the first sentences)."""
CONTENT_CAP = 2.0
"""Most that content can add to a heading's weight."""
_CONTENT_POINT = 0.5
LABEL_LEVEL = 8
"""The level of a ``Label:`` line: the weakest heading, also a sentence of the prose."""
MAX_BLOCKS = 300
"""Headings read at most: a writeup has a few dozen; hostile input may have thousands."""


@dataclass(frozen=True)
class Topic:
    """What headings on one topic say, and what the text under them talks about."""

    heading: dict[str, float]
    """Normalised heading phrases (whole words) and their weight."""
    content: tuple[str, ...]
    """Normalised phrases looked for at a word start in the content (``vectori`` matches
    "vectorizer")."""


SECTION_TOPICS: dict[str, Topic] = {
    "approach": Topic(
        heading={
            "approach": 3, "approaches": 3, "method": 3, "methods": 3, "methodology": 3,
            "how it works": 3, "what i built": 3, "what i did": 3, "solution": 2.5,
            "feature engineering": 2.5, "feature extraction": 2.5, "model": 2, "models": 2,
            "modelling": 2, "modeling": 2, "the model": 2, "classifier": 2, "architecture": 2,
            "strategy": 2, "algorithm": 2, "pipeline": 1.5, "design": 1.5, "implementation": 1.5,
            "features": 1.5, "preprocessing": 1.5, "training": 1.5, "overview": 1,
            "summary": 1, "technical details": 1,
        },
        content=(
            "tf idf", "tfidf", "vectori", "logistic regression", "svm", "linear svc", "naive bayes",
            "random forest", "gradient boost", "xgboost", "lightgbm", "transformer", "bert",
            "embedding", "n gram", "ngram", "bigram", "unigram", "char", "class weight", "lower case",
            "lowercase", "preprocess", "clean", "stop word", "stemm", "lemmati", "classifier",
            "pipeline", "i built", "i use", "i chose", "we use", "features",
        ),
    ),
    "evaluation": Topic(
        heading={
            "evaluation": 3, "evaluating": 3, "results": 3, "result": 3, "error analysis": 3,
            "performance": 2.5, "metrics": 2.5, "validation": 2, "experiments": 2,
            "scores": 2, "score": 2, "benchmark": 2, "findings": 2, "how well": 2, "accuracy": 2,
            "model selection": 1.5, "train test split": 3, "data split": 2.5, "split": 2,
            "validation strategy": 3, "testing strategy": 2.5,
        },
        content=(
            "cross val", "cross valid", "held out", "hold out", "holdout", "fold", "stratif",
            "macro", "f1", "accuracy", "confusion", "precision", "recall", "split", "baseline",
            "per class", "validation", "test set", "measured", "evaluat", "misclassif",
        ),
    ),
    "trade offs": Topic(
        heading={
            "trade offs": 3, "tradeoffs": 3, "trade off": 3, "tradeoff": 3, "limitations": 3,
            "limitation": 3, "caveats": 3, "weaknesses": 3, "compromises": 3, "pros and cons": 3,
            "known issues": 2.5, "design decisions": 2.5, "decisions": 2, "design choices": 2.5,
            "choices": 2, "considerations": 2, "risks": 2, "assumptions": 1.5,
            "what i did not do": 3, "shortcomings": 3,
        },
        content=(
            "instead of", "at the cost", "cost", "chose", "did not", "didn t", "trade", "limitation",
            "downside", "weakness", "would not", "simpler", "faster", "slower", "only", "ignore",
        ),
    ),
    "next steps": Topic(
        heading={
            "next steps": 3, "next step": 3, "future work": 3, "with more time": 3,
            "if i had more time": 3, "what i would do": 3, "what i d do": 3, "further work": 3,
            "future": 2.5, "improvements": 2.5, "improvement": 2.5, "roadmap": 2.5, "todo": 2.5,
            "to do": 2, "outlook": 2, "what next": 3, "next": 2, "possible improvements": 3,
        },
        content=(
            "with more time", "next", "would", "future", "try", "plan", "improve", "could",
            "then", "add",
        ),
    ),
}  # fmt: skip

# Headings a README has besides the sections a task asks for. They are compared with the sections
# so that "Testing a machine learning pipeline" or "Data" is not taken for the approach.
OTHER_TOPICS: dict[str, Topic] = {
    "testing": Topic(
        heading={
            "testing": 3, "tests": 3, "test": 2.5, "unit tests": 3, "test suite": 3, "pytest": 3,
            "running the tests": 3, "quality assurance": 2,
        },
        content=("pytest", "unit test", "assert", "fixture", "test case", "coverage", "tests ", "mock"),
    ),
    "usage": Topic(
        heading={
            "installation": 3, "install": 3, "usage": 3, "how to run": 3, "running": 2.5,
            "run": 2, "setup": 3, "set up": 3, "getting started": 3, "quick start": 3,
            "quickstart": 3, "requirements": 3, "dependencies": 3, "commands": 2.5, "cli": 2.5,
            "reproduce": 2, "reproducing": 2, "environment": 2,
        },
        content=("pip install", "python ", "requirements txt", "run ", "command", "venv", "conda"),
    ),
    "structure": Topic(
        heading={
            "project structure": 3, "structure": 2.5, "layout": 2.5, "repository": 2, "files": 2,
            "folder structure": 3, "directory structure": 3, "code organisation": 3,
            "code organization": 3, "contents": 2,
        },
        content=("py ", "folder", "directory", "module"),
    ),
    "data": Topic(
        heading={
            "data": 2, "dataset": 2.5, "data set": 2.5, "the data": 2, "exploratory": 2.5,
            "eda": 2.5, "data exploration": 3, "data analysis": 2.5, "data description": 3,
        },
        content=("rows", "columns", "distribution", "imbalanc", "missing values", "csv"),
    ),
    "meta": Topic(
        heading={
            "license": 3, "acknowledgements": 3, "acknowledgments": 3, "references": 3,
            "contributing": 3, "author": 3, "authors": 3, "contact": 3, "table of contents": 3,
            "credits": 3, "conclusion": 1, "conclusions": 1,
        },
        content=(),
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


def _headings(text: str) -> list[tuple[int, int, str]]:
    """(1-based line, level, heading text): ``#`` counts for Markdown, 1 and 2 for ``=`` and ``-``
    underlines (3 for other reST underlines), 7 for bold lines, :data:`LABEL_LEVEL` for a short
    ``Label:`` line (one that introduces a list or a table is a sentence, not a heading)."""
    lines = text.splitlines()
    headings: list[tuple[int, int, str]] = []
    in_code = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        atx = _ATX.match(line)
        if atx:
            headings.append(
                (i + 1, len(line.lstrip()) - len(line.lstrip().lstrip("#")), atx.group(1))
            )
            continue
        underline = _UNDERLINE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if (
            underline
            and line.strip()
            and not lines[i + 1].lstrip().startswith(("```", "~~~"))  # a code fence opens
            and not _UNDERLINE.match(line)
            and not line.lstrip().startswith(("- ", "* "))
            and "|" not in line  # a table's header over a line of dashes
            and not line.startswith(("    ", "\t"))  # indented code
        ):
            level = {"=": 1, "-": 2}.get(underline.group(1), 3)
            headings.append((i + 1, level, line.strip()))
            continue
        bold = _BOLD.match(line)
        if bold and len(bold.group(1).split()) <= 8:
            headings.append((i + 1, 7, bold.group(1)))
            continue
        label = _LABEL.match(line)
        if label and len(label.group(1).split()) <= 5 and not re.search(r"\d", label.group(1)):
            headings.append((i + 1, LABEL_LEVEL, label.group(1)))
    return headings


def extract_headings(text: str) -> list[tuple[int, str]]:
    """(1-based line, heading text) for Markdown, setext/reST, bold-line and ``Label:`` headings."""
    return [(line, heading) for line, _, heading in _headings(text)]


def _contains(haystack: str, phrase: str) -> bool:
    return f" {phrase} " in f" {haystack} "


@dataclass(frozen=True)
class Block:
    """A heading and the text under it, up to the next heading."""

    heading: str
    line: int
    """1-based line of the heading in its document."""
    body: str
    """The text up to the next heading (of any level)."""
    doc: str = ""
    """The document it is in."""
    section: str = ""
    """The text up to the next heading of the same or a higher level: sub-sections included."""
    level: int = 1
    """1-6 for Markdown, 7 for a bold line, :data:`LABEL_LEVEL` for a ``Label:`` line."""


def split_blocks(text: str, doc: str = "") -> list[Block]:
    """The first :data:`MAX_BLOCKS` headings of ``text``, each with the text under it."""
    lines = text.splitlines()
    headings = _headings(text)[: MAX_BLOCKS + 1]
    blocks: list[Block] = []
    for k, (line, level, heading) in enumerate(headings):
        end = headings[k + 1][0] - 1 if k + 1 < len(headings) else len(lines)
        close = next((h[0] - 1 for h in headings[k + 1 :] if h[1] <= level), len(lines))
        start = line + 1 if line < len(lines) and _UNDERLINE.match(lines[line]) else line
        blocks.append(
            Block(
                heading,
                line,
                "\n".join(lines[start:end]),
                doc,
                "\n".join(lines[start:close]),
                level,
            )
        )
    return blocks[:MAX_BLOCKS]


def _content(body: str) -> str:
    return " ".join(normalise(body).split()[:CONTENT_WORDS])


def _heading_weight(topic: Topic, heading: str) -> float:
    return max(
        (w for phrase, w in topic.heading.items() if _contains(heading, phrase)), default=0.0
    )


def _content_weight(topic: Topic, content: str) -> float:
    padded = f" {content} "
    hits = sum(1 for phrase in topic.content if f" {phrase}" in padded)
    return min(CONTENT_CAP, _CONTENT_POINT * hits)


@functools.lru_cache(maxsize=4096)
def _scores(block: Block) -> tuple[dict[str, float], dict[str, float]]:
    """(heading weight, total) per topic, sections and other topics alike."""
    heading = normalise(block.heading)
    content = _content(block.body)
    weights: dict[str, float] = {}
    totals: dict[str, float] = {}
    for name, topic in {**SECTION_TOPICS, **OTHER_TOPICS}.items():
        weights[name] = _heading_weight(topic, heading)
        totals[name] = weights[name] + _content_weight(topic, content)
    return weights, totals


def _covers(group: str, weights: dict[str, float], totals: dict[str, float]) -> bool:
    rival = max(totals[name] for name in OTHER_TOPICS)
    return weights[group] > 0 and totals[group] >= MIN_SECTION_SCORE and totals[group] >= rival


def classify_heading(block: Block) -> list[str]:
    """The sections a heading covers (possibly several), or the other topic it is about.

    For reports: ``["approach"]``, ``["approach", "evaluation"]``, ``["testing"]``, or ``[]``
    when it is about nothing the vocabularies know.
    """
    weights, totals = _scores(block)
    covered = [g for g in SECTION_TOPICS if _covers(g, weights, totals)]
    if covered:
        return covered
    best = max(OTHER_TOPICS, key=lambda name: totals[name])
    return [best] if weights[best] > 0 else []


class SectionMatch(StrEnum):
    heading = "heading"
    """A heading covers the section."""
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
    doc: str | None = None


def section_group(section: str) -> str | None:
    """The vocabulary a section the assignment names belongs to (None for a custom section)."""
    key = normalise(section)
    if key in SECTION_TOPICS:
        return key
    for group, topic in SECTION_TOPICS.items():
        if any(w >= 2.5 and _contains(key, phrase) for phrase, w in topic.heading.items()):
            return group
    return None


def match_section(section: str, blocks: list[Block], prose: str) -> Coverage:
    """Whether ``section`` is covered by a heading, only in the prose, or not at all.

    A section of the task's own (not one of :data:`SECTION_TOPICS`) matches a heading that
    contains its words or spells them nearly alike.
    """
    group = section_group(section)
    key = normalise(section)
    for block in blocks:
        if group is not None:
            weights, totals = _scores(block)
            if _covers(group, weights, totals):
                return Coverage(section, SectionMatch.heading, block.heading, block.line, block.doc)
            continue
        norm = normalise(block.heading)
        if _contains(norm, key) or difflib.SequenceMatcher(None, key, norm).ratio() >= 0.8:
            return Coverage(section, SectionMatch.heading, block.heading, block.line, block.doc)
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

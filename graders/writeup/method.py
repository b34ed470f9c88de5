"""How the writeup says its numbers were measured: the evaluation method.

A number means little without how it was measured. The writeup earns points for each element of
an evaluation method it describes (:data:`ELEMENTS`): a hold-out or validation split or k-fold
cross-validation (one credit for either), stratification, a comparison with a baseline, per-class
scores or a confusion matrix, and error analysis. Each element is a pattern over the prose,
recorded with the sentence it was found in.

What a candidate *would* do is not what they did: sentences about plans, wishes or what was not
done ("with more time I would use cross-validation", "I did not stratify") and the whole
next-steps section are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graders.writeup.sections import LABEL_LEVEL, classify_heading, split_blocks

__all__ = [
    "ELEMENTS",
    "MAX_METHOD_POINTS",
    "EvaluationMethod",
    "MethodElement",
    "evaluation_method",
]


@dataclass(frozen=True)
class MethodElement:
    key: str
    name: str
    """In a reviewer's words."""
    short: str
    """For the one-line summary."""
    points: float
    pattern: re.Pattern[str]
    also: re.Pattern[str] | None = None
    """A second pattern the same sentence must match (a baseline must be compared with)."""

    def found_in(self, sentence: str) -> bool:
        return bool(self.pattern.search(sentence)) and (
            self.also is None or bool(self.also.search(sentence))
        )


# "I held out a stratified 20%", "a hold-out set", "the held-out test set"; not "held-out scores are
# measured by the harness", which is the harness's split, not the candidate's method.
_SPLIT = (
    r"\b(?:held|hold|kept|keep|set|put)[\s-]*(?:out|aside|back)\s+(?:a\s+|an\s+|the\s+last\s+|some\s+)?"
    r"(?:\d|stratified|random|validation|test|portion|fraction|sample|part|subset)|"
    r"\bhold[\s-]?out\s+(?:set|split|data|sample|portion|fold)|"
    r"\bheld[\s-]?out\s+(?:set|split|sample|portion|fold|validation|test)|"
    r"train[\s/-]*(?:and[\s-]*)?(?:test|validation|val|dev)[\s-]*split|"
    r"\b(?:\d{1,2}\s?%|random|stratified)\s+(?:\w+\s+)?split\b|"
    r"train_test_split|\bvalidation[\s-](?:set|split|fold|data)\b|\b(?:test|dev)[\s-](?:set|split)\b|"
    r"\b[1-9]0\s*/\s*[1-9]0\b|\b\d{1,2}\s?%\s+(?:of\s+(?:the\s+)?(?:\w+\s+){0,2})?(?:as|for)\s+"
    r"(?:a\s+|the\s+)?(?:test|validation|hold)"
)
_CV = (
    r"cross[\s-]?validat|\bcross[\s-]?val\b|\b(?:\d+|two|three|four|five|ten|k)[\s-]?folds?\b|\bcv\b|"
    r"stratifiedkfold|\bkfold\b|cross_val_score|cross_validate|out[\s-]of[\s-]fold"
)
ELEMENTS: tuple[MethodElement, ...] = (
    MethodElement(
        "holdout", "a hold-out or validation split", "hold-out", 6, re.compile(_SPLIT, re.I)
    ),
    MethodElement(
        "cross_validation", "k-fold cross-validation", "cross-validation", 6, re.compile(_CV, re.I)
    ),
    MethodElement(
        "stratified", "stratified splits or folds", "stratified", 2, re.compile(r"stratif", re.I)
    ),
    MethodElement(
        "baseline",
        "a comparison with a baseline",
        "baseline",
        2,
        re.compile(r"baseline|\bdummy\b|majority[\s-]class|most[\s-]frequent", re.I),
        re.compile(
            r"\b(?:than|over|against|vs\.?|versus|compared?|comparison|beats?|beat|above|below|"
            r"improv\w*|better|worse|outperform\w*|gain|jump|ahead|behind|relative)\b|\d",
            re.I,
        ),
    ),
    MethodElement(
        "per_class",
        "per-class scores or a confusion matrix",
        "per-class",
        3,
        re.compile(
            r"confusion[\s-]matri|per[\s-](?:class|queue|label|category)|class[\s-]wise|"
            r"classification[\s-]report|\b(?:for\s+)?(?:each|every)\s+(?:class|queue|label|category)\b|"
            r"\b(?:weakest|strongest|hardest|easiest|worst|best)\s+(?:\w+\s+)?"
            r"(?:class|classes|queue|queues|label|labels|categor(?:y|ies))\b|most\s+confused|"
            r"confus(?:ed|es|ion)\s+(?:with|between)",
            re.I,
        ),
    ),
    MethodElement(
        "error_analysis",
        "error analysis",
        "error analysis",
        2,
        re.compile(
            r"error[\s-]analysis|misclassif|mis-classif|\bmistakes?\b|wrong(?:ly)?\s+(?:predict|classif|label)|"
            r"\b(?:errors?|failures?)\s+(?:are|were|come|came|happen)\b|\bmost\s+errors\b|failure\s+cases|"
            r"confused\s+(?:with|between|for)|mislabel",
            re.I,
        ),
    ),
)
MAX_METHOD_POINTS = 15.0
"""A split or cross-validation (6, once), stratification (2), baseline (2), per-class (3), errors (2)."""

# Sentences about plans, wishes or what was not done describe no method that was used.
_NOT_DONE = re.compile(
    r"\b(?:would|could|might|should|plan(?:ned)?\s+to|want(?:ed)?\s+to|next\s+steps?|in\s+the\s+future|"
    r"more\s+time|if\s+i\s+had|did\s+not|didn'?t|have\s+not|haven'?t|had\s+no\s+time|todo|not\s+yet|"
    r"no\s+(?:separate\s+|own\s+)?(?:validation|hold[\s-]?out|split|cross[\s-]?validation|test\s+set))\b",
    re.I,
)
_SENTENCE = re.compile(r"(?<!\d)[.!?](?!\d)|;|\n\s*\n|\n(?=\s*(?:[-*+#>]|\d+[.)]\s))")
MAX_TEXT = 200_000


@dataclass(frozen=True)
class EvaluationMethod:
    """The elements of an evaluation method a writeup describes, each with where it was said."""

    found: dict[str, str]
    """Element key -> the sentence it was found in (shortened)."""

    @property
    def points(self) -> float:
        split = 6.0 if {"holdout", "cross_validation"} & set(self.found) else 0.0
        rest = sum(
            e.points
            for e in ELEMENTS
            if e.key in self.found and e.key not in {"holdout", "cross_validation"}
        )
        return split + rest

    @property
    def has_split(self) -> bool:
        return bool({"holdout", "cross_validation"} & set(self.found))

    def names(self) -> list[str]:
        return [e.name for e in ELEMENTS if e.key in self.found]

    def short_names(self) -> list[str]:
        return [e.short for e in ELEMENTS if e.key in self.found]


def _prose(text: str) -> str:
    """``text`` without its headings (a title "Majority-class baseline" describes no comparison)
    and without its next-steps sections."""
    lines = text.splitlines()
    blocks = split_blocks(text)
    drop = {block.line - 1 for block in blocks if block.level < LABEL_LEVEL}
    for k, block in enumerate(blocks):
        if "next steps" in classify_heading(block):
            end = blocks[k + 1].line - 1 if k + 1 < len(blocks) else len(lines)
            drop.update(range(block.line - 1, end))
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


def evaluation_method(texts: list[str], *, per_class_claims: bool = False) -> EvaluationMethod:
    """The method elements ``texts`` describe (next-steps sections and plans left out).

    ``per_class_claims``: the writeup reports per-class figures (a table or classification
    report), which is per-class analysis whatever its words.
    """
    found: dict[str, str] = {}
    for text in texts:
        kept = _prose(text[:MAX_TEXT])
        for sentence in _SENTENCE.split(kept):
            if not sentence.strip() or _NOT_DONE.search(sentence):
                continue
            for element in ELEMENTS:
                if element.key not in found and element.found_in(sentence):
                    found[element.key] = " ".join(sentence.split())[:160]
    if per_class_claims and "per_class" not in found:
        found["per_class"] = "per-class figures reported"
    return EvaluationMethod(found)

"""Does the writeup say whether AI assistants were used? Read against the assignment's policy.

An assignment states one of three policies (``forbidden``, ``allowed_with_disclosure``,
``allowed``). Where disclosure is required, the grader reports its absence; where AI is
forbidden, it reports a writeup that says AI was used. Neither moves the score: a disclosure is a
matter between the candidate and the hiring team, and the reviewer decides what it means.

A disclosure is a heading about AI use (``## Use of AI``, ``## AI disclosure``) or a sentence in
which an assistant (ChatGPT, Copilot, Claude, an LLM, "AI") is what was used ("I used Copilot",
"with the help of ChatGPT", "no AI assistants were used"); plans ("I would use an LLM next") are
not. A negation in it ("I did not use any AI tools") makes it a disclosure of no use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from graders.types import Finding, Severity

__all__ = ["Disclosure", "DisclosureKind", "disclosure_findings", "find_disclosure"]

_TOOL = (
    r"(?:ChatGPT|Chat\s?GPT|GPT-?[3-9][\w.]*|Copilot|Claude|Gemini|Bard|Codeium|Tabnine|Codex|"
    r"Cursor|LLMs?|large language models?|generative AI|AI[- ]assist\w*|AI|A\.I\.)(?![\w-])"
)
_VERB_BEFORE = (
    r"\b(?:used?|using|asked|relied on|consulted|leaned on|with the help of|with help from|"
    r"assisted by|(?:generated|written|drafted|produced|suggested|reviewed) (?:by|with|using))\b"
)
_VERB_AFTER = (
    r"(?:(?:was|were) (?:used|on|enabled|consulted)|helped|generated|wrote|suggested|drafted|assisted)\b"
)
_USE = re.compile(
    rf"{_VERB_BEFORE}[^.!?\n]{{0,40}}?\b{_TOOL}|\b{_TOOL}[^.!?\n]{{0,40}}?\b{_VERB_AFTER}",
)
_HYPOTHETICAL = re.compile(
    r"\b(?:would|could|might|should|will|plan(?:ned)? to|next step|in the future)\b", re.IGNORECASE
)
_NEGATION = re.compile(
    r"\b(?:did not|didn't|do not|don't|never|not|no|without|none|nothing)\b", re.IGNORECASE
)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$|^(.+)\n[=-]{3,}\s*$", re.MULTILINE)
_HEADING_TOPIC = re.compile(
    r"\b(?:AI|LLMs?|ChatGPT|Copilot|assistan\w*|disclosure|generative)\b", re.IGNORECASE
)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]|$)", re.MULTILINE)


class DisclosureKind(StrEnum):
    used = "used"
    not_used = "not_used"
    """The writeup says no AI assistant was used."""


@dataclass(frozen=True)
class Disclosure:
    kind: DisclosureKind
    quote: str
    doc: str
    line: int | None


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _kind(sentence: str) -> DisclosureKind:
    return DisclosureKind.not_used if _NEGATION.search(sentence) else DisclosureKind.used


def _from_heading(text: str) -> tuple[str, int] | None:
    """The first sentence under a heading about AI use, and its offset in ``text``."""
    for match in _HEADING.finditer(text):
        title = match.group(1) or match.group(2) or ""
        if not _HEADING_TOPIC.search(title):
            continue
        start = match.end()
        following = _HEADING.search(text, start)
        end = following.start() if following else len(text)
        for sentence in _SENTENCE.finditer(text, start, end):
            if sentence.group(0).strip():
                return sentence.group(0).strip(), sentence.start()
    return None


def find_disclosure(docs: list[tuple[str, str, bool]]) -> Disclosure | None:
    """The first disclosure in ``docs`` (``(path, text, has_lines)`` each), or None."""
    for rel, text, has_lines in docs:
        heading = _from_heading(text)
        if heading is not None:
            quote, offset = heading
            return Disclosure(_kind(quote), quote[:300], rel, _line_of(text, offset) if has_lines else None)
        for sentence in _SENTENCE.finditer(text):
            said = sentence.group(0)
            if _USE.search(said) and not _HYPOTHETICAL.search(said):
                line = _line_of(text, sentence.start()) if has_lines else None
                return Disclosure(_kind(said), said.strip()[:300], rel, line)
    return None


def disclosure_findings(policy: str | None, found: Disclosure | None) -> list[Finding]:
    """What the reviewer should know about AI use under ``policy`` (no points either way)."""
    if policy is None:
        return []
    if found is None:
        if policy != "allowed_with_disclosure":
            return []
        return [Finding(
            rule="writeup:ai-disclosure-missing",
            message="This assignment allows AI assistants if the writeup says which were used and "
            "for what; the writeup does not say whether any were. Not scored: ask the candidate.",
            severity=Severity.warning)]
    said = "AI assistants were used" if found.kind is DisclosureKind.used else "no AI assistant was used"
    if policy == "forbidden" and found.kind is DisclosureKind.used:
        return [Finding(
            rule="writeup:ai-use-forbidden",
            message=f'The writeup says {said}, and this assignment forbids them: "{found.quote}". '
            "Not scored: for the reviewer to weigh.",
            severity=Severity.warning, file=found.doc, line=found.line)]
    return [Finding(
        rule="writeup:ai-disclosure",
        message=f'AI disclosure: the writeup says {said}: "{found.quote}"',
        severity=Severity.info, file=found.doc, line=found.line)]

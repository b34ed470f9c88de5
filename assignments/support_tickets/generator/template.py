"""A tiny template language for ticket text.

``[a|b|c]`` picks one alternative uniformly (alternatives may nest and may be empty, so
``[very |]`` is optional text) and ``{slot}`` is replaced by a value drawn from a slot table.
Slot values are sticky within one ticket (a ticket talks about one reader, one amount), which the
caller controls by passing the same :class:`Context` to every expansion of that ticket.

Parsed templates are cached by their source string; the cache is deterministic because parsing
never consumes randomness.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

__all__ = ["Context", "SlotTable", "expand", "tidy"]

# A node is either literal text, a slot name, or a list of alternatives (each a sequence of nodes).
_Node = tuple[str, str] | tuple[str, tuple["_Seq", ...]]
_Seq = tuple[_Node, ...]

SlotTable = dict[str, Callable[[random.Random, "Context"], str]]


@dataclass
class Context:
    """Per-ticket state shared by every expansion of that ticket."""

    regime: str
    """``standard`` (train and held-out) or ``shifted`` (the robustness set)."""
    slots: SlotTable
    """Functions that draw a slot value."""
    values: dict[str, str] = field(default_factory=dict)
    """Slot values drawn so far; reused so a ticket stays consistent."""


def _parse_seq(src: str, pos: int, stop: str) -> tuple[_Seq, int]:
    nodes: list[_Node] = []
    buf: list[str] = []
    while pos < len(src):
        ch = src[pos]
        if ch in stop:
            break
        if ch == "[":
            if buf:
                nodes.append(("text", "".join(buf)))
                buf = []
            alts: list[_Seq] = []
            pos += 1
            while True:
                seq, pos = _parse_seq(src, pos, "|]")
                alts.append(seq)
                if pos >= len(src):
                    raise ValueError(f"unclosed '[' in template: {src!r}")
                if src[pos] == "]":
                    pos += 1
                    break
                pos += 1  # skip '|'
            nodes.append(("alt", tuple(alts)))
            continue
        if ch == "{":
            end = src.find("}", pos)
            if end < 0:
                raise ValueError(f"unclosed '{{' in template: {src!r}")
            if buf:
                nodes.append(("text", "".join(buf)))
                buf = []
            nodes.append(("slot", src[pos + 1 : end]))
            pos = end + 1
            continue
        buf.append(ch)
        pos += 1
    if buf:
        nodes.append(("text", "".join(buf)))
    return tuple(nodes), pos


@cache
def _parse(src: str) -> _Seq:
    seq, pos = _parse_seq(src, 0, "")
    if pos != len(src):
        raise ValueError(f"unbalanced template: {src!r}")
    return seq


def _render(seq: _Seq, rng: random.Random, ctx: Context, out: list[str]) -> None:
    for kind, payload in seq:
        if kind == "text":
            assert isinstance(payload, str)
            out.append(payload)
        elif kind == "slot":
            assert isinstance(payload, str)
            out.append(_slot(payload, rng, ctx))
        else:
            assert isinstance(payload, tuple)
            _render(payload[rng.randrange(len(payload))], rng, ctx, out)


def _slot(name: str, rng: random.Random, ctx: Context) -> str:
    if name not in ctx.values:
        try:
            draw = ctx.slots[name]
        except KeyError:
            raise KeyError(f"template uses unknown slot {{{name}}}") from None
        ctx.values[name] = draw(rng, ctx)
    return ctx.values[name]


_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_PUNCT = re.compile(r" +([,.!?;:])")
_DOUBLE_STOP = re.compile(r"([.?!])\.")


def tidy(text: str) -> str:
    """Collapse the double spaces and space-before-punctuation that empty alternatives leave."""
    text = _SPACES.sub(" ", text)
    text = _SPACE_PUNCT.sub(r"\1", text)
    text = _DOUBLE_STOP.sub(r"\1", text)
    return text.strip(" ")


def expand(template: str, rng: random.Random, ctx: Context) -> str:
    """Render ``template`` with ``rng``; the first letter is capitalised."""
    out: list[str] = []
    _render(_parse(template), rng, ctx, out)
    text = tidy("".join(out))
    return text[:1].upper() + text[1:]

"""Finding the writeup: README/WRITEUP files (root first), else notebooks' Markdown cells."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from graders._notebooks import notebooks
from graders._workspace import FileKind, inventory, read_text
from graders.types import GradingContext

__all__ = ["MIN_WORDS_BEFORE_NOTEBOOKS", "Writeup", "WriteupDoc", "locate_writeup"]

MAX_DOC_BYTES = 1024 * 1024
MIN_WORDS_BEFORE_NOTEBOOKS = 150
"""When the files found hold fewer words than this, notebooks' Markdown cells are added."""

_NAME = re.compile(r"^(write[-_ ]?up|readme|report)(\.(md|markdown|rst|txt))?$", re.IGNORECASE)
_PRIORITY = (("write", 0), ("report", 1), ("readme", 2))


@dataclass(frozen=True)
class WriteupDoc:
    """One source of writeup text."""

    rel: str
    text: str
    kind: str
    """``markdown``, ``rst``, ``text`` or ``notebook`` (Markdown cells joined)."""

    @property
    def has_lines(self) -> bool:
        """Whether line numbers of :attr:`text` are line numbers of the file."""
        return self.kind != "notebook"


@dataclass(frozen=True)
class Writeup:
    docs: tuple[WriteupDoc, ...]

    @property
    def source(self) -> str:
        return ", ".join(d.rel for d in self.docs)


def _priority(name: str) -> int:
    lower = name.lower()
    return next((rank for prefix, rank in _PRIORITY if lower.startswith(prefix)), len(_PRIORITY))


def _kind(rel: str) -> str:
    suffix = PurePosixPath(rel.lower()).suffix
    return {".md": "markdown", ".markdown": "markdown", ".rst": "rst"}.get(suffix, "text")


def _word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'\u2019-]*", text))


def locate_writeup(ctx: GradingContext) -> Writeup | None:
    """The writeup files (WRITEUP, then REPORT, then README; the root before sub-folders)."""
    candidates = [
        f
        for f in inventory(ctx).files
        if f.kind is FileKind.doc and f.depth <= 2 and _NAME.match(f.name)
    ]
    candidates.sort(key=lambda f: (f.depth, _priority(f.name), f.rel))
    shallowest = candidates[0].depth if candidates else 0
    docs: list[WriteupDoc] = []
    for f in candidates:
        if f.depth != shallowest:
            break
        read = read_text(ctx.workspace, f.rel, f.size, MAX_DOC_BYTES)
        if read.text is not None and read.text.strip():
            docs.append(WriteupDoc(f.rel, read.text, _kind(f.rel)))
    if sum(_word_count(d.text) for d in docs) < MIN_WORDS_BEFORE_NOTEBOOKS:
        ordered = sorted(notebooks(ctx), key=lambda nb: (nb.rel.count("/"), nb.rel))
        for nb in ordered:
            if nb.problem is not None:
                continue
            markdown = "\n\n".join(c.source for c in nb.markdown_cells if c.source.strip())
            if markdown.strip():
                docs.append(WriteupDoc(nb.rel, markdown, "notebook"))
    return Writeup(tuple(docs)) if docs else None

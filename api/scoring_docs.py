"""The scoring document reviewers read at ``/scoring``: ``docs/scoring/*.md``, rendered once.

One page, in reading order: how the overall is made, then each grader. Links between the files
(``accuracy.md``) become anchors on the page (``#accuracy``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from api.render import markdown_html

__all__ = ["SCORING_DIR", "ScoringDocsMissing", "ScoringSection", "scoring_sections"]

SCORING_DIR = Path(__file__).resolve().parents[1] / "docs" / "scoring"
ORDER = ("README", "accuracy", "tests", "writeup", "quality", "methodology", "serving", "notebooks")
_LINK = re.compile(r"\]\((\w+)\.md\)")


class ScoringDocsMissing(Exception):
    """The scoring documents are not next to the code (an install without the docs folder)."""


@dataclass(frozen=True)
class ScoringSection:
    anchor: str
    html: Markup


@functools.cache
def scoring_sections(folder: Path = SCORING_DIR) -> tuple[ScoringSection, ...]:
    """The scoring pages in reading order; any other page in the folder comes last."""
    if not folder.is_dir():
        raise ScoringDocsMissing(
            f"{folder} is missing: the scoring document ships with the repository (docs/scoring/)"
        )
    names = [n for n in ORDER if (folder / f"{n}.md").is_file()]
    names += sorted(p.stem for p in folder.glob("*.md") if p.stem not in names)
    sections = []
    for name in names:
        text = (folder / f"{name}.md").read_text(encoding="utf-8")
        text = _LINK.sub(lambda m: f"](#{m.group(1)})", text)
        anchor = "overall" if name == "README" else name
        sections.append(ScoringSection(anchor=anchor, html=markdown_html(text)))
    return tuple(sections)

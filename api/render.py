"""Turning candidate text into safe HTML: Markdown via markdown-it (raw HTML off), then nh3."""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

__all__ = ["markdown_html"]

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)

_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "img",
}
_ATTRS = {
    "a": {"href", "title"},
    "img": {"alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}


@functools.lru_cache(maxsize=64)
def markdown_html(text: str, *, max_chars: int = 200_000) -> Markup:
    """Sanitised HTML for Markdown written by a candidate.

    Images keep only their alt text (no ``src``): a candidate's writeup must not make the
    reviewer's browser fetch anything. Links get ``rel="noopener noreferrer nofollow"``.
    Cached by text: a report page shows the same writeup on every view.
    """
    html = _md.render(text[:max_chars])
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


_NB_TAGS = _TAGS | {
    "style",
    "div",
    "span",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "figure",
    "figcaption",
    "sub",
    "sup",
    "b",
    "i",
    "u",
    "s",
    "small",
    "kbd",
    "samp",
    "var",
    "caption",
    "colgroup",
    "col",
    "tfoot",
    "dl",
    "dt",
    "dd",
    "details",
    "summary",
    "abbr",
    "mark",
    "title",
}
_NB_ATTRS = {
    "*": {"class", "id", "title", "lang", "dir", "align"},
    "img": {"src", "alt", "width", "height"},
    "a": {"href", "title"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start"},
}


def notebook_document(html: str) -> str:
    """A rendered notebook, sanitised again (the notebooks grader sanitises too) and wrapped.

    Kept: structure, classes, nbconvert's stylesheet, images as ``data:`` URLs. Removed: scripts,
    event handlers, iframes, forms, external references. The page is also served with a CSP that
    forbids scripts and sandboxes the document, so this is the second of two locks.
    """
    body = nh3.clean(
        html,
        tags=_NB_TAGS,
        attributes=_NB_ATTRS,
        url_schemes={"data", "https", "http"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        # <style> is kept (nbconvert's stylesheet); the content of these is dropped with the tag.
        clean_content_tags={
            "script",
            "noscript",
            "iframe",
            "object",
            "embed",
            "template",
            "textarea",
        },
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer"><title>Notebook</title></head>'
        f"<body>{body}</body></html>"
    )

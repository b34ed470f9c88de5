"""Rendering a notebook to HTML a reviewer's browser can show without running candidate script.

Layers, each sufficient against a different mistake in the others:

1. Before nbconvert: outputs whose MIME type is script (``application/javascript``, widget views
   and state) are dropped; SVG outputs become ``<img src="data:image/svg+xml...">`` (an image
   context never runs script); oversized outputs are replaced by a note; notebook metadata
   (widget state) is not carried over; markdown images are not embedded from disk.
2. nbconvert's ``basic`` template renders the body only (no require.js, no MathJax loader) and
   runs its own bleach pass over code, Markdown and HTML outputs.
3. The result is cleaned by ``nh3`` (ammonia) with an allow-list: no ``script``/``style``/
   ``iframe``/``object``/``svg`` elements, no event-handler or ``style`` attributes, no ``id``
   (DOM clobbering), links only to ``http(s)``/``mailto``, relative URLs dropped, images only from
   ``data:image/...`` URIs (so opening a report fetches nothing from anywhere).
4. The page is wrapped with our own stylesheet and a Content-Security-Policy ``<meta>`` that
   forbids scripts; the pages that serve it should send the same policy as a header.
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import nbformat
import nh3

from graders._notebooks import LoadedNotebook, RawCell

__all__ = ["CSP", "MAX_OUTPUT_BYTES", "RenderedNotebook", "render_notebook", "sanitise_html"]

CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)
"""The Content-Security-Policy the rendered page declares (and its server should send)."""
MAX_OUTPUT_BYTES = 1024 * 1024
"""One output larger than this is replaced by a note."""
MAX_NOTEBOOK_OUTPUT_BYTES = 8 * 1024 * 1024
"""Output bytes rendered per notebook; later outputs are replaced by a note."""

_ACTIVE_MIME = re.compile(
    r"^(application/(javascript|x-javascript|ecmascript|vnd\.jupyter\.widget-(view|state)\+json|"
    r"vnd\.bokehjs_(exec|load)\.v0\+json|vnd\.holoviews_(exec|load)\.v0\+json|vnd\.plotly\.v1\+json)|"
    r"text/(javascript|ecmascript))$"
)
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*$")
_SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)

_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"area", "map"}
_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "title", "lang", "dir", "align"},
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "type"},
    "table": {"border"},
}


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        return value if _DATA_IMAGE.match(value) else None
    if element == "a" and attribute == "href":
        return value if _SAFE_LINK.match(value.strip()) else None
    return value


def sanitise_html(fragment: str) -> str:
    """An HTML fragment reduced to the allow-list (see the module docstring)."""
    return nh3.clean(
        fragment,
        tags=set(_TAGS),
        clean_content_tags={
            "script",
            "style",
            "iframe",
            "object",
            "embed",
            "noscript",
            "template",
            "svg",
            "math",
        },
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto", "data"},
        url_relative="deny",
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
    )


@dataclass(frozen=True)
class RenderedNotebook:
    """A notebook's sanitised HTML page, and what was left out."""

    html: str | None
    """The full page, or None when rendering failed."""
    removed_active_outputs: int = 0
    """Script or widget outputs dropped before rendering."""
    omitted_outputs: int = 0
    """Outputs replaced by a note because of their size."""
    problem: str | None = None


def _note(text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": f"[{text}]\n"}


def _size(output: dict[str, Any]) -> int:
    try:
        return len(json.dumps(output))
    except (TypeError, ValueError, RecursionError):
        return MAX_OUTPUT_BYTES + 1


def _clean_output(output: dict[str, Any]) -> tuple[dict[str, Any] | None, int]:
    """The output with active content removed (None if nothing is left), and how many parts went."""
    kind = output.get("output_type")
    if kind == "stream":
        text = output.get("text", "")
        text = (
            "".join(t for t in text if isinstance(t, str)) if isinstance(text, list) else str(text)
        )
        return {"output_type": "stream", "name": str(output.get("name", "stdout")), "text": text}, 0
    if kind == "error":
        tb = output.get("traceback", [])
        return {
            "output_type": "error",
            "ename": str(output.get("ename", "")),
            "evalue": str(output.get("evalue", "")),
            "traceback": [str(t) for t in tb] if isinstance(tb, list) else [],
        }, 0
    if kind not in {"display_data", "execute_result"}:
        return None, 1
    data = output.get("data")
    if not isinstance(data, dict):
        return None, 0
    kept: dict[str, Any] = {}
    removed = 0
    for mime, value in data.items():
        if not isinstance(mime, str) or _ACTIVE_MIME.match(mime):
            removed += 1
            continue
        text = "".join(v for v in value if isinstance(v, str)) if isinstance(value, list) else value
        if mime == "image/svg+xml" and isinstance(text, str):
            encoded = base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")
            kept["text/html"] = f'<img alt="SVG output" src="data:image/svg+xml;base64,{encoded}">'
            continue
        if isinstance(text, str) and (
            mime.startswith(("text/", "image/")) or mime == "application/json"
        ):
            kept[mime] = (
                text if mime != "application/json" else json.dumps(value)[:MAX_OUTPUT_BYTES]
            )
        else:
            removed += 1
    if not kept:
        return None, removed
    clean: dict[str, Any] = {"output_type": kind, "data": kept, "metadata": {}}
    if kind == "execute_result":
        count = output.get("execution_count")
        clean["execution_count"] = count if isinstance(count, int) else None
    return clean, removed


def _notebook_node(cells: tuple[RawCell, ...]) -> tuple[nbformat.NotebookNode, int, int]:
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata = {"language_info": {"name": "python"}}
    removed = omitted = 0
    budget = MAX_NOTEBOOK_OUTPUT_BYTES
    for cell in cells:
        if cell.cell_type == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.source))  # type: ignore[no-untyped-call]
            continue
        if cell.cell_type == "raw":
            # Raw cells can carry any format for other exporters; show them as plain text.
            nb.cells.append(nbformat.v4.new_markdown_cell(f"```\n{cell.source}\n```"))  # type: ignore[no-untyped-call]
            continue
        outputs: list[dict[str, Any]] = []
        for output in cell.outputs:
            clean, dropped = _clean_output(output)
            removed += dropped
            if clean is None:
                continue
            size = _size(clean)
            if size > MAX_OUTPUT_BYTES or size > budget:
                omitted += 1
                outputs.append(_note(f"output of {size:,} bytes omitted from this view"))
                continue
            budget -= size
            outputs.append(clean)
        code = nbformat.v4.new_code_cell(cell.source, execution_count=cell.execution_count)  # type: ignore[no-untyped-call]
        code.outputs = [nbformat.from_dict(o) for o in outputs]  # type: ignore[no-untyped-call]
        nb.cells.append(code)
    return nb, removed, omitted


_EXPORT_LOCK = threading.Lock()  # one exporter instance is reused; it is not documented thread-safe


@lru_cache(maxsize=1)
def _exporter() -> Any:
    from nbconvert import HTMLExporter  # slow to import; only when a notebook is rendered

    return HTMLExporter(template_name="basic")  # type: ignore[no-untyped-call]


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    from pygments.formatters import HtmlFormatter

    highlight = str(HtmlFormatter().get_style_defs(".highlight"))
    return (
        "body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1rem;color:#1d1d1f}"
        "pre{overflow-x:auto;background:#f6f8fa;padding:.5rem;border-radius:4px;font-size:13px}"
        ".input_prompt,.prompt{color:#6a737d;font:12px monospace}"
        ".output_error pre,.output_stderr pre{background:#fff0f0}"
        "img{max-width:100%}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px}"
        ".cell{margin:1rem 0}" + highlight
    )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title><style>{_stylesheet()}</style></head>"
        f'<body><main class="notebook">{body}</main></body></html>\n'
    )


def render_notebook(nb: LoadedNotebook) -> RenderedNotebook:
    """The notebook as a sanitised, self-contained HTML page."""
    if nb.problem is not None:
        return RenderedNotebook(None, problem=nb.problem)
    node, removed, omitted = _notebook_node(nb.cells)
    try:
        with _EXPORT_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            body, _ = _exporter().from_notebook_node(node)
    except Exception as exc:  # nbconvert on odd content: a finding, never a crash
        return RenderedNotebook(
            None, removed, omitted, f"nbconvert could not render it ({type(exc).__name__})"
        )
    return RenderedNotebook(_page(nb.rel, sanitise_html(body)), removed, omitted)

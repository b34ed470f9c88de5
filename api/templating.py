"""Jinja templates (autoescaped) and the helpers they use."""

from __future__ import annotations

import functools
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response

from api.security import csrf_token

__all__ = [
    "MILESTONE_LABELS",
    "STEP_LABELS",
    "TZ_COOKIE",
    "format_remaining",
    "local_text",
    "render",
    "templates",
    "viewer_zone",
    "zone_label",
]

_UTC_ZONE = ZoneInfo("UTC")

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.autoescape = True
# Templates ship with the package and do not change while it runs: checking each one's mtime on
# every render cost about 5% of a report page.
templates.env.auto_reload = False


STEP_LABELS = {
    "start": "invited → started",
    "work": "started → submitted",
    "grading": "submitted → graded",
    "review": "graded → first reviewed",
    "decision": "first reviewed → decided",
    "total": "invited → decided",
}
"""How pages name the steps of the hiring process (``harness.ledger.process.Step``)."""
MILESTONE_LABELS = {
    "invited": "Invited",
    "started": "Started the clock",
    "submitted": "First upload",
    "graded": "Graded",
    "first_reviewed": "First reviewed",
    "decided": "Decided",
}
"""How pages name the milestones (``harness.ledger.process.Milestone``)."""

TZ_COOKIE = "tz"
"""The viewer's IANA time zone, set by ``app.js`` from the browser (``Intl``)."""


@functools.lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def viewer_zone(request: Request | None) -> ZoneInfo:
    """The zone times are shown in: the browser's (cookie), else UTC."""
    name = unquote(request.cookies.get(TZ_COOKIE, "")) if request is not None else ""
    zone = _zone(name) if 0 < len(name) <= 64 else None
    return zone or _UTC_ZONE


def zone_label(local: datetime) -> str:
    """``UTC``, ``UTC+9``, ``UTC-4``, ``UTC+5:30``: the offset of a local time.

    Pages label times by their offset, not by an abbreviation: the browser (``app.js``,
    ``offsetLabel``) can compute the same label for any zone, while abbreviations differ
    between the server's tz database ("JST") and the browser's ("GMT+9")."""
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_text(value: datetime, zone: ZoneInfo) -> str:
    """``2026-03-08 09:30 UTC-4``: a stored (UTC) time as a viewer in ``zone`` reads it."""
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {zone_label(local)}"


_render_zone: ContextVar[ZoneInfo] = ContextVar("render_zone", default=_UTC_ZONE)
"""The zone of the page being rendered. ``render`` sets it, so ``when`` needs no template
context: macros imported without context (and so cached) show local times too."""


def _when(value: datetime | None) -> Markup | str:
    """A time in the viewer's zone, with the UTC time on hover and machine-readable."""
    if value is None:
        return "—"
    utc = value.astimezone(UTC)
    text = local_text(utc, _render_zone.get())
    # Every piece is digits, punctuation or a zone abbreviation from the tz database: nothing
    # to escape (formatting through Markup.format cost 6x more on 50-row lists).
    return Markup(
        f'<time class="local" datetime="{utc.isoformat()}" '
        f'title="{utc:%Y-%m-%d %H:%M:%S} UTC">{escape(text)}</time>'
    )


def format_remaining(seconds: int) -> str:
    """``3:59:58`` or ``2 d 03:59:58``: what the countdown shows (the same in ``app.js``)."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{days} d {hours:02d}:{minutes:02d}:{secs:02d}" if days else clock


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = float(seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{100 * float(value):.{digits}f}%"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{float(value):.1f}"


def _size(n: int | None) -> str:
    if n is None:
        return "—"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n = n / 1024  # type: ignore[assignment]
    return f"{n:.1f} TiB"


def _count(n: int | None, noun: str, plural: str | None = None) -> str:
    """``3|count("upload")`` reads "3 uploads", ``1|count("upload")`` "1 upload"."""
    n = n or 0
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


templates.env.filters.update(
    when=_when, duration=_duration, pct=_pct, score=_score, size=_size, count=_count
)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    ctx = dict(context or {})
    ctx.setdefault("reviewer", getattr(request.state, "reviewer", None))
    ctx["csrf_token"] = csrf_token(request)
    ctx["safe_markup"] = Markup  # only for HTML we produced and sanitised ourselves
    token = _render_zone.set(viewer_zone(request))
    try:  # the template is rendered here, in this thread
        return templates.TemplateResponse(
            request, name, ctx, status_code=status_code, headers=headers
        )
    finally:
        _render_zone.reset(token)

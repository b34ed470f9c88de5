"""SVG plots of the calibration page (no JavaScript; every text XML-escaped; colours as
presentation attributes, since the CSP allows no inline style)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from markupsafe import Markup

from harness.review.schemas import ReviewerCalibrationOut

__all__ = ["gap_heatmap", "reviewer_offsets"]

_FONT = 'font-family="system-ui, sans-serif"'
_CONSENSUS, _MACHINE = "#17499c", "#e0a100"


def _e(text: object) -> str:
    return escape(str(text), {'"': "&quot;"})


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{_e(label)}" class="plot">'
    )
    return Markup(head + "".join(body) + "</svg>")


def reviewer_offsets(reviewers: Sequence[ReviewerCalibrationOut], span: float = 40.0) -> Markup:
    """Per reviewer, the mean offset of their human score from the consensus (blue dot) and
    from the automated overall (amber diamond), on -``span``..+``span`` points."""
    rows = reviewers[:30]
    left, plot_w, row = 210, 360, 24
    height = 40 + row * max(1, len(rows))
    x0 = left + plot_w / 2

    def x(v: float) -> float:
        return x0 + max(-span, min(span, v)) / span * (plot_w / 2)

    body = [
        f'<line x1="{x0}" y1="20" x2="{x0}" y2="{height - 16}" stroke="#888" stroke-dasharray="3 3"/>',
        f'<text x="{left}" y="{height - 2}" font-size="10" {_FONT}>-{span:g}</text>',
        f'<text x="{left + plot_w}" y="{height - 2}" font-size="10" text-anchor="end" {_FONT}>+{span:g}</text>',
        f'<text x="{x0}" y="12" font-size="11" text-anchor="middle" {_FONT}>points above (+) or below (-)</text>',
    ]
    for i, r in enumerate(rows):
        y = 32 + i * row
        body.append(
            f'<text x="{left - 8}" y="{y + 4}" font-size="11" text-anchor="end" {_FONT}>'
            f"{_e(r.reviewer)} ({r.scorecards})</text>"
        )
        if r.offset_consensus is not None:
            body.append(
                f"<g><title>{_e(r.reviewer)}: {r.offset_consensus:+.1f} from the consensus</title>"
                f'<circle cx="{x(r.offset_consensus):.1f}" cy="{y}" r="5" fill="{_CONSENSUS}"/></g>'
            )
        if r.offset_automated is not None:
            cx = x(r.offset_automated)
            body.append(
                f"<g><title>{_e(r.reviewer)}: {r.offset_automated:+.1f} from the automated score</title>"
                f'<path d="M{cx:.1f},{y - 6} l6,6 l-6,6 l-6,-6 z" fill="{_MACHINE}"/></g>'
            )
    return _svg(left + plot_w + 20, height, "Reviewer offsets", body)


def gap_heatmap(counts: Sequence[Sequence[int]]) -> Markup:
    """Submissions binned by consensus human score (rows) and automated overall (columns),
    0-100 each (``harness.review.agreement.gap_counts``); the diagonal is where people and the
    machine agree."""
    bins = len(counts)
    top = max((c for row in counts for c in row), default=0) or 1
    cell, left, head = 30, 60, 30
    size = cell * bins
    body = [
        f'<text x="{left + size / 2}" y="14" font-size="11" text-anchor="middle" {_FONT}>automated overall →</text>',
        f'<text x="14" y="{head + size / 2}" font-size="11" text-anchor="middle" {_FONT} '
        f'transform="rotate(-90 14 {head + size / 2})">human consensus →</text>',
    ]
    step = 100 // bins
    for i in range(bins):
        y = head + (bins - 1 - i) * cell
        body.append(
            f'<text x="{left - 4}" y="{y + cell / 2 + 4}" font-size="9" text-anchor="end" {_FONT}>{i * step}</text>'
        )
        for j in range(bins):
            share = counts[i][j] / top
            shade = int(255 - 200 * share)
            edge = ' stroke="#e0a100" stroke-width="1.5"' if i == j else ' stroke="#ffffff"'
            body.append(
                f"<g><title>human {i * step}-{i * step + step}, automated {j * step}-{j * step + step}: "
                f"{counts[i][j]} submission(s)</title>"
                f'<rect x="{left + j * cell}" y="{y}" width="{cell}" height="{cell}" '
                f'fill="rgb({shade},{shade + (255 - shade) // 3},255)"{edge}/></g>'
            )
    return _svg(left + size + 10, head + size + 10, "People against the machine", body)

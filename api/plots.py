"""Server-side SVG plots for the report page: no JavaScript, no external assets.

Every text that reaches the SVG is XML-escaped; colours are presentation attributes (the page's
CSP allows no inline style). Each function returns ready-to-embed markup with a ``<title>`` so
screen readers and tooltips get the numbers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

from markupsafe import Markup

__all__ = ["confusion_heatmap", "distribution", "f1_bars", "intervals", "latency_histogram"]

_FONT = 'font-family="system-ui, sans-serif"'


def _e(text: object) -> str:
    return escape(str(text), {'"': "&quot;"})


def _blend(t: float) -> str:
    """White (0) to a deep blue (1)."""
    t = min(max(t, 0.0), 1.0)
    r, g, b = (int(255 + (c - 255) * t) for c in (23, 73, 156))
    return f"#{r:02x}{g:02x}{b:02x}"


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{_e(label)}" class="plot">'
    )
    return Markup(head + "".join(body) + "</svg>")


_CHAR_W = 6.4
"""Width of one character at font-size 11, generously (labels are measured, not guessed)."""
_MAX_LABEL = 28


def _short(label: str) -> str:
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1] + "…"


def confusion_heatmap(labels: Sequence[str], matrix: Sequence[Sequence[int]]) -> Markup:
    """Rows are true labels, columns predictions; colour is the share of the true row.
    (Cached on its inputs: a report page draws the same matrix on every view.)"""
    return _confusion_heatmap(
        tuple(str(label) for label in labels), tuple(tuple(row) for row in matrix)
    )


@functools.lru_cache(maxsize=128)
def _confusion_heatmap(labels: tuple[str, ...], matrix: tuple[tuple[int, ...], ...]) -> Markup:
    """Rows are true labels, columns predictions; colour is the share of the true row.

    The margins are sized from the labels: the row labels on the left, and the column labels,
    written at 45 degrees, above and to the right (the last column's label runs past the last
    column, so the plot is widened to hold it instead of clipping it)."""
    n = len(labels)
    cell = 44 if n <= 10 else 28
    shown = [_short(str(label)) for label in labels]
    longest = max((len(t) for t in shown), default=1) * _CHAR_W
    left = int(max(60, longest + 20))
    slant = longest * math.sqrt(0.5)  # the extent of a 45-degree label in x and in y
    top = int(max(40, slant + 24))
    right = int(max(10, slant - cell / 2 + 8))
    width, height = left + n * cell + right, top + n * cell + 30
    body = [
        f'<text x="{left + n * cell / 2}" y="14" text-anchor="middle" font-size="12" {_FONT}>predicted</text>',
        f'<text x="12" y="{top + n * cell / 2}" font-size="12" {_FONT} '
        f'transform="rotate(-90 12 {top + n * cell / 2})" text-anchor="middle">true</text>',
    ]
    for j, label in enumerate(shown):
        x = left + j * cell + cell / 2
        body.append(
            f'<text x="{x}" y="{top - 6}" font-size="11" {_FONT} transform="rotate(-45 {x} {top - 6})">'
            f"<title>{_e(labels[j])}</title>{_e(label)}</text>"
        )
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        y = top + i * cell
        body.append(
            f'<text x="{left - 6}" y="{y + cell / 2 + 4}" font-size="11" text-anchor="end" {_FONT}>'
            f"{_e(shown[i] if i < n else '?')}</text>"
        )
        for j, count in enumerate(row):
            share = count / total
            fill = _blend(share)
            ink = "#ffffff" if share > 0.55 else "#1b1b1b"
            edge = ' stroke="#e0a100" stroke-width="2"' if i == j else ' stroke="#ffffff"'
            body.append(
                f"<g><title>true {_e(labels[i])}, predicted {_e(labels[j])}: {count} ({share:.0%} of row)</title>"
                f'<rect x="{left + j * cell}" y="{y}" width="{cell}" height="{cell}" fill="{fill}"{edge}/>'
                f'<text x="{left + j * cell + cell / 2}" y="{y + cell / 2 + 4}" font-size="11" '
                f'text-anchor="middle" fill="{ink}" {_FONT}>{count}</text></g>'
            )
    return _svg(width, height, "Confusion matrix", body)


def f1_bars(per_class: Sequence[tuple[str, float]], baseline: dict[str, float]) -> Markup:
    """Per-class F1 (bar) against the baseline's F1 (tick), 0 to 1 (cached on its inputs)."""
    return _f1_bars(tuple(per_class), tuple(sorted(baseline.items())))


@functools.lru_cache(maxsize=128)
def _f1_bars(
    per_class: tuple[tuple[str, float], ...], baseline_items: tuple[tuple[str, float], ...]
) -> Markup:
    baseline = dict(baseline_items)
    longest = max((len(_short(label)) for label, _ in per_class), default=1) * _CHAR_W
    row, left, plot_w = 26, int(max(130, longest + 14)), 320
    height = 30 + row * len(per_class) + 20
    width = left + plot_w + 70
    body = []
    for k in range(0, 11, 2):
        x = left + plot_w * k / 10
        body.append(
            f'<line x1="{x}" y1="20" x2="{x}" y2="{height - 20}" stroke="#e3e3e3"/>'
            f'<text x="{x}" y="{height - 6}" font-size="10" text-anchor="middle" {_FONT}>{k / 10:.1f}</text>'
        )
    for i, (label, f1) in enumerate(per_class):
        y = 24 + i * row
        base = baseline.get(label)
        better = base is None or f1 >= base
        colour = "#2f7d32" if better else "#c0392b"
        tip = f"{_e(label)}: F1 {f1:.3f}" + (f", baseline {base:.3f}" if base is not None else "")
        body.append(
            f"<g><title>{tip}</title>"
            f'<text x="{left - 6}" y="{y + 13}" font-size="11" text-anchor="end" {_FONT}>{_e(_short(label))}</text>'
            f'<rect x="{left}" y="{y}" width="{max(f1, 0) * plot_w:.1f}" height="16" fill="{colour}"/>'
            f'<text x="{left + max(f1, 0) * plot_w + 4:.1f}" y="{y + 13}" font-size="10" {_FONT}>{f1:.2f}</text>'
        )
        if base is not None:
            bx = left + base * plot_w
            body.append(
                f'<line x1="{bx:.1f}" y1="{y - 3}" x2="{bx:.1f}" y2="{y + 19}" stroke="#111111" stroke-width="2"/>'
            )
        body.append("</g>")
    body.append(
        f'<text x="{left}" y="12" font-size="11" {_FONT}>bar: this submission · black tick: baseline</text>'
    )
    return _svg(width, height, "Per-class F1 against the baseline", body)


def distribution(counts: Sequence[int], this: float | None, share_below: float | None) -> Markup:
    """Histogram of overall scores (0-100) in equal bins, with this submission marked.

    ``share_below`` is the fraction of submissions scoring less than this one.
    """
    width, height, left, bottom = 460, 170, 36, 28
    plot_w, plot_h = width - left - 10, height - bottom - 22
    bins = len(counts) or 1
    total = sum(counts)
    peak = max(counts) or 1
    body = []
    for k, count in enumerate(counts):
        h = plot_h * count / peak
        x = left + plot_w * k / bins
        lo, hi = 100 * k / bins, 100 * (k + 1) / bins
        body.append(
            f"<g><title>{count} submission(s) scored {lo:.0f}-{hi:.0f}</title>"
            f'<rect x="{x:.1f}" y="{22 + plot_h - h:.1f}" width="{plot_w / bins - 1:.1f}" height="{h:.1f}" '
            'fill="#9db4d6"/></g>'
        )
    for k in range(0, 101, 20):
        x = left + plot_w * k / 100
        body.append(
            f'<text x="{x:.1f}" y="{height - 10}" font-size="10" text-anchor="middle" {_FONT}>{k}</text>'
        )
    body.append(
        f'<text x="{left - 4}" y="30" font-size="10" text-anchor="end" {_FONT}>{peak}</text>'
    )
    if this is not None:
        x = left + plot_w * min(max(this, 0), 100) / 100
        pct = 100 * (share_below or 0.0)
        body.append(
            f"<g><title>this submission: {this:.1f} (above {pct:.0f}% of {total})</title>"
            f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{22 + plot_h}" stroke="#c0392b" stroke-width="3"/>'
            f'<text x="{min(x + 4, width - 120):.1f}" y="13" font-size="11" fill="#c0392b" {_FONT}>'
            f"this: {this:.1f} (p{pct:.0f})</text></g>"
        )
    return _svg(width, height, f"Distribution of {total} overall scores", body)


def intervals(rows: Sequence[tuple[str, float, float, float, float | None]]) -> Markup:
    """Point estimates with bootstrap intervals: (name, value, low, high, baseline) in 0-1."""
    if not rows:
        return Markup("")
    values = [v for r in rows for v in r[1:4]] + [r[4] for r in rows if r[4] is not None]
    lo = max(0.0, math.floor(min(values) * 10) / 10 - 0.05)
    hi = min(1.0, math.ceil(max(values) * 10) / 10 + 0.05)
    span = (hi - lo) or 1.0
    left, plot_w, row = 150, 300, 30
    height = 24 + row * len(rows) + 24
    width = left + plot_w + 20

    def xpos(v: float) -> float:
        return left + plot_w * (v - lo) / span

    body = []
    steps = 5
    for k in range(steps + 1):
        v = lo + span * k / steps
        body.append(
            f'<line x1="{xpos(v):.1f}" y1="16" x2="{xpos(v):.1f}" y2="{height - 22}" stroke="#e3e3e3"/>'
            f'<text x="{xpos(v):.1f}" y="{height - 8}" font-size="10" text-anchor="middle" {_FONT}>{v:.2f}</text>'
        )
    for i, (name, value, low, high, base) in enumerate(rows):
        y = 28 + i * row
        tip = f"{_e(name)}: {value:.3f} (95% interval {low:.3f}-{high:.3f})" + (
            f", baseline {base:.3f}" if base is not None else ""
        )
        body.append(
            f"<g><title>{tip}</title>"
            f'<text x="{left - 8}" y="{y + 4}" font-size="11" text-anchor="end" {_FONT}>{_e(name)}</text>'
            f'<line x1="{xpos(low):.1f}" y1="{y}" x2="{xpos(high):.1f}" y2="{y}" stroke="#17499c" stroke-width="3"/>'
            f'<circle cx="{xpos(value):.1f}" cy="{y}" r="5" fill="#17499c"/>'
        )
        if base is not None:
            body.append(f'<path d="M {xpos(base):.1f} {y - 8} l 5 -6 h -10 z" fill="#111111"/>')
        body.append("</g>")
    body.append(
        f'<text x="{left}" y="11" font-size="11" {_FONT}>dot: estimate · line: 95% bootstrap interval · ▼ baseline</text>'
    )
    return _svg(width, height, "Bootstrap intervals", body)


_LATENCY_EDGES = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0)


def _latency_bins(values: Sequence[float]) -> list[int]:
    counts = [0] * (len(_LATENCY_EDGES) + 1)
    for value in values:
        counts[next((i for i, edge in enumerate(_LATENCY_EDGES) if value < edge), len(_LATENCY_EDGES))] += 1
    return counts


def latency_histogram(series: Sequence[tuple[str, Sequence[float]]]) -> Markup:
    """Request latencies (ms) in bins on a logarithmic scale, one bar colour per series."""
    colours = ("#17499c", "#e0a100", "#2f7d32")
    binned = [(name, _latency_bins(values)) for name, values in series]
    bins = len(_LATENCY_EDGES) + 1
    peak = max((c for _, counts in binned for c in counts), default=0) or 1
    width, height, left, bottom = 520, 190, 36, 34
    plot_w, plot_h = width - left - 10, height - bottom - 26
    slot = plot_w / bins
    bar = max(2.0, (slot - 4) / max(len(binned), 1))
    labels = ["<1", *(f"{int(e) if e >= 1 else e:g}" for e in _LATENCY_EDGES)]
    body = [f'<text x="{left - 4}" y="30" font-size="10" text-anchor="end" {_FONT}>{peak}</text>']
    for k in range(bins):
        x = left + slot * k
        body.append(f'<text x="{x + slot / 2:.1f}" y="{height - 18}" font-size="9" text-anchor="middle" '
                    f'{_FONT}>{_e(labels[k] if k == 0 else "≥" + labels[k])}</text>')
    for s, (name, counts) in enumerate(binned):
        for k, count in enumerate(counts):
            if not count:
                continue
            h = plot_h * count / peak
            x = left + slot * k + 2 + s * bar
            span = f"{labels[k]}-{labels[k + 1]} ms" if k + 1 < len(labels) else f"{labels[k]} ms or more"
            span = f"under {labels[1]} ms" if k == 0 else span
            body.append(f"<g><title>{_e(name)}: {count} request(s), {_e(span)}</title>"
                        f'<rect x="{x:.1f}" y="{26 + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                        f'fill="{colours[s % len(colours)]}"/></g>')
    legend = " · ".join(f"{name}: {'blue' if i == 0 else 'amber' if i == 1 else 'green'}"
                        for i, (name, _) in enumerate(binned))
    body.append(f'<text x="{left}" y="14" font-size="11" {_FONT}>{_e(legend)} · x: ms (log bins)</text>')
    return _svg(width, height, "Request latency histogram", body)

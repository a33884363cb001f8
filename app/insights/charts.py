"""Server-rendered SVG charts: pure functions from numbers to markup, with no Flask.

Each chart names itself (``<title>``, ``<desc>``, ``aria-label``) for screen readers, and the
page puts the same numbers in a table beside it. Every text is escaped before the markup is
marked safe. No inline styles (the CSP forbids them): classes and presentation attributes.
A value of ``None`` (withheld for privacy) draws nothing and is labelled "—".
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 320
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 96
VALUE_WIDTH = 48
LABEL_CHARS = 7  # what fits beside a bar; the table beside the chart has the full text
LINE_HEIGHT = 160
MARGIN = 24


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    shown = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{shown}{unit}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def _head(chart_id: str, title: str, description: str, height: int, kind: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}-chart" role="img" '
            f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}" '
            f'aria-describedby="{escape(chart_id)}-desc">'
            f'<title>{escape(title)}</title>'
            f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>')


def bar_chart(chart_id: str, title: str, description: str,
              bars: Sequence[tuple[str, float | None]], *, unit: str = "",
              maximum: float | None = None) -> Markup:
    """Horizontal bars, one per row: they read on a narrow phone screen."""
    height = max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    top = maximum or max((v for _, v in bars if v is not None), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [_head(chart_id, title, description, height, "bar")]
    for row, (label, value) in enumerate(bars):
        y = BAR_GAP + row * (BAR_HEIGHT + BAR_GAP)
        middle = y + BAR_HEIGHT / 2
        parts.append(f'<text class="chart-label" x="{LABEL_WIDTH - 6}" y="{middle:.1f}" '
                     f'text-anchor="end" dominant-baseline="middle"><title>{escape(label)}'
                     f'</title>{escape(_short(label))}</text>')
        if value is not None:
            length = span * min(value, top) / top
            parts.append(f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" '
                         f'width="{length:.1f}" height="{BAR_HEIGHT}"/>')
        else:
            length = 0
        parts.append(f'<text class="chart-value" x="{LABEL_WIDTH + length + 4:.1f}" '
                     f'y="{middle:.1f}" dominant-baseline="middle">'
                     f'{escape(_number(value, unit))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(chart_id: str, title: str, description: str,
               points: Sequence[tuple[str, float | None]], *, unit: str = "",
               maximum: float | None = None) -> Markup:
    """A line over time, with a dot on each point; withheld points break the line."""
    known = [v for _, v in points if v is not None]
    top = maximum or max(known, default=0) or 1
    left, right, bottom = MARGIN + 16, WIDTH - MARGIN, LINE_HEIGHT - MARGIN
    inner = bottom - MARGIN
    step = (right - left) / max(len(points) - 1, 1)
    parts = [_head(chart_id, title, description, LINE_HEIGHT, "line"),
             f'<line class="chart-axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>',
             f'<text class="chart-label" x="{left - 4}" y="{bottom}" text-anchor="end">0</text>',
             f'<text class="chart-label" x="{left - 4}" y="{MARGIN}" text-anchor="end" '
             f'dominant-baseline="middle">{escape(_number(top, unit))}</text>']
    segments: list[list[str]] = [[]]
    for index, (_label, value) in enumerate(points):
        if value is None:
            segments.append([])
            continue
        x, y = left + index * step, bottom - inner * min(value, top) / top
        segments[-1].append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle class="chart-dot" cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
    for segment in segments:
        if len(segment) > 1:
            parts.append(f'<polyline class="chart-line" fill="none" '
                         f'points="{" ".join(segment)}"/>')
    if points:
        parts.append(f'<text class="chart-label" x="{left}" y="{LINE_HEIGHT - 6}">'
                     f'{escape(points[0][0])}</text>')
        parts.append(f'<text class="chart-label" x="{right}" y="{LINE_HEIGHT - 6}" '
                     f'text-anchor="end">{escape(points[-1][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

"""Server-side SVG charts: bar, stacked bar and line (no JavaScript, nothing from outside).

The pages must work on closed networks and under a CSP without inline scripts or styles, so
charts are plain SVG written by the server. Colours are SVG presentation attributes (``fill``,
``stroke``), which the CSP allows; no ``style=`` attribute is ever written. Horizontal
positions are percentages and text keeps its real size, so one chart reads on a 1280 px
laptop and a 375 px phone alike (labels sit above the bars rather than beside them).

Every drawn number carries ``data-category``, ``data-series`` and ``data-value`` attributes and
a ``<title>`` tooltip, so a test (or a screen reader) can read the exact figures; pages should
still put a data table beside a chart (``<details>``) for those who cannot see it.

Usage in a template::

    {% load charts %}

    {% bar_chart rows title="企业数（按市）" unit="家" %}
        rows: [(label, value), …] or [(label, value, href), …]

    {% stacked_bar_chart rows series title="等级分布（按市）" unit="家" %}
        series: [(name, colour), …] — the stack order, left to right
        rows:   [(label, [value per series]), …] or [(label, values, href), …]

    {% line_chart labels series title="等级变动" unit="家" %}
        labels: the x positions, e.g. ["2026-01", …] or dates (shown as 1月 … with the year
                under January and the first point)
        series: [(name, colour, [value per label]), …]

    {% chart_legend series %}   an HTML legend (colour swatches) for the series of a chart

Colours: any CSS colour; :data:`GRADE_COLOURS` has the grade colours of qcredit.css and
:data:`PALETTE` eight distinguishable ones for other series.

The functions :func:`bar_svg`, :func:`stacked_bar_svg` and :func:`line_svg` return the same
markup for use outside templates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The grade colours of qcredit.css (.grade-A …); "" is "not graded yet".
GRADE_COLOURS = {"A": "#1f7a3a", "B": "#2f6fb0", "C": "#c27c0e", "D": "#b42318", "N": "#7b8794", "": "#cbd2d9"}
PALETTE = ("#2f6fb0", "#c27c0e", "#1f7a3a", "#b42318", "#6b4fa0", "#0f7c86", "#7b8794", "#a85d00")

_FONT = 12  # px; text is never scaled
_ROW = 34  # a bar row: label line + bar + gap
_BAR = 14
_EMPTY = "暂无数据"


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _raw(value) -> str:
    """A figure as an attribute value: integers without separators or decimals."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _pct(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def _nice_step(value: float, whole: bool) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``value`` (a grid step); at least 1 for counts."""
    if value <= 0:
        return 1
    exponent = 10 ** math.floor(math.log10(value))
    step = next(m * exponent for m in (1, 2, 5, 10) if value <= m * exponent)
    return max(step, 1) if whole else step


def _rows(rows: Iterable[Sequence]) -> list[tuple[str, list[float], str]]:
    out = []
    for row in rows:
        label, values = row[0], row[1]
        href = row[2] if len(row) > 2 else ""
        if not isinstance(values, (list, tuple)):
            values = [values]
        out.append((str(label), [v or 0 for v in values], href or ""))
    return out


def _open_svg(height: int, title: str, css: str) -> str:
    return format_html('<svg class="chart-svg {}" xmlns="http://www.w3.org/2000/svg" width="100%" height="{}" '
                       'role="img" aria-label="{}" font-size="{}"><title>{}</title>',
                       css, height, title, _FONT, title)


def _empty(title: str) -> SafeString:
    return mark_safe(_open_svg(40, title, "chart-empty")
                     + format_html('<text x="0" y="24" fill="#616e7c">{}</text></svg>', _EMPTY))


def stacked_bar_svg(rows: Iterable[Sequence], series: Sequence[Sequence], *, title: str, unit: str = "") -> SafeString:
    """Horizontal stacked bars, one row per category: the label and the row total on a text
    line, the bar below it; segment widths are shares of the largest total."""
    rows = _rows(rows)
    names = [str(s[0]) for s in series]
    colours = [s[1] if len(s) > 1 else PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    if not rows:
        return _empty(title)
    top = max((sum(values) for _, values, _ in rows), default=0) or 1
    parts = [_open_svg(len(rows) * _ROW + 4, title, "chart-bars")]
    for index, (label, values, href) in enumerate(rows):
        y = index * _ROW
        total = sum(values)
        line = [format_html('<g class="bar-row" data-category="{}" data-total="{}">', label, _raw(total)),
                format_html('<text x="0" y="{}" fill="#1f2933">{}</text>', y + _FONT, label),
                format_html('<text x="100%" y="{}" text-anchor="end" fill="#1f2933" class="total">{}{}</text>',
                            y + _FONT, _number(total), unit)]
        x = 0.0
        for name, colour, value in zip(names, colours, values, strict=False):
            if value <= 0:
                continue
            width = value / top * 100
            line.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-category="{}" data-series="{}" '
                'data-value="{}"><title>{}{}：{}{}</title></rect>',
                _pct(x), y + _FONT + 4, _pct(width), _BAR, colour, label, name, _raw(value),
                label, f" · {name}" if name else "", _number(value), unit))
            x += width
        line.append(mark_safe("</g>"))
        if href:  # the whole row is the link, not only the painted bar and text
            line.insert(1, format_html('<rect class="hit" x="0" y="{}" width="100%" height="{}" fill="transparent"/>',
                                       y, _ROW - 2))
        body = "".join(line)
        if href:
            body = format_html('<a href="{}">', href) + mark_safe(body) + mark_safe("</a>")
        parts.append(body)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_svg(rows: Iterable[Sequence], *, title: str, unit: str = "", colour: str = PALETTE[0]) -> SafeString:
    """Horizontal bars of one series (a stacked chart with one segment per row)."""
    return stacked_bar_svg(rows, [("", colour)], title=title, unit=unit)


def _x_label(value) -> tuple[str, str]:
    """The month and the year of an x position ("1月", "2026年"); other labels as they are."""
    if isinstance(value, date):
        return f"{value.month}月", f"{value.year}年"
    text = str(value)
    if len(text) >= 7 and text[:4].isdigit() and text[4] == "-" and text[5:7].isdigit():
        return f"{int(text[5:7])}月", f"{text[:4]}年"
    return text, ""


def line_svg(labels: Sequence, series: Sequence[Sequence], *, title: str, unit: str = "", height: int = 220) -> SafeString:
    """Lines over the x positions ``labels``, grid lines with their values at the left edge."""
    labels = list(labels)
    if not labels or not series:
        return _empty(title)
    values = [[v or 0 for v in s[2]] for s in series]
    highest = max((max(vs, default=0) for vs in values), default=0)
    step = _nice_step(highest / 4, whole=all(float(v).is_integer() for vs in values for v in vs))
    lines = max(1, math.ceil(highest / step))
    top = step * lines
    plot_top, plot_bottom = 8, height - 36
    span = plot_bottom - plot_top

    def x_of(i: int) -> str:
        return _pct(4 + (92 * i / (len(labels) - 1) if len(labels) > 1 else 46))

    def y_of(v: float) -> float:
        return round(plot_bottom - v / top * span, 1)

    parts = [_open_svg(height, title, "chart-line")]
    for i in range(lines + 1):  # grid lines at round values: 0, step, 2 × step … the top
        value = step * i
        y = y_of(value)
        parts.append(format_html('<line x1="0" x2="100%" y1="{}" y2="{}" stroke="#d9e2ec" stroke-width="1"/>', y, y))
        parts.append(format_html('<text x="0" y="{}" fill="#616e7c" font-size="10">{}</text>', y - 2, _number(value)))
    months = [_x_label(label) for label in labels]
    # The year under each January, and under the first point unless a January follows closely
    # (the two would overlap on a phone).
    early_january = any(month == "1月" for month, _ in months[1:3])
    for i, (month, year) in enumerate(months):
        parts.append(format_html('<text x="{}" y="{}" text-anchor="middle" fill="#616e7c" font-size="11">{}</text>',
                                 x_of(i), plot_bottom + 14, month))
        if year and (month == "1月" or (i == 0 and not early_january)):
            parts.append(format_html('<text x="{}" y="{}" text-anchor="middle" fill="#616e7c" font-size="10">{}</text>',
                                     x_of(i), plot_bottom + 28, year))
    for s, vs in zip(series, values, strict=True):
        name, colour = str(s[0]), s[1]
        parts.append(format_html('<g class="line" data-series="{}">', name))
        for i in range(1, len(vs)):
            parts.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"/>',
                                     x_of(i - 1), y_of(vs[i - 1]), x_of(i), y_of(vs[i]), colour))
        for i, v in enumerate(vs):
            parts.append(format_html(
                '<circle cx="{}" cy="{}" r="3" fill="{}" data-category="{}" data-series="{}" data-value="{}">'
                '<title>{} · {}：{}{}</title></circle>',
                x_of(i), y_of(v), colour, str(labels[i]), name, _raw(v), str(labels[i]), name,
                _number(v), unit))
        parts.append(mark_safe("</g>"))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def legend_html(series: Sequence[Sequence]) -> SafeString:
    items = []
    for i, s in enumerate(series):
        colour = s[1] if len(s) > 1 else PALETTE[i % len(PALETTE)]
        items.append(format_html('<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
                                 'fill="{}"/></svg> {}</li>', colour, str(s[0])))
    return mark_safe('<ul class="chart-legend">' + "".join(items) + "</ul>")


@register.simple_tag
def bar_chart(rows, title: str = "", unit: str = "", colour: str = PALETTE[0]) -> SafeString:
    return bar_svg(rows, title=title, unit=unit, colour=colour)


@register.simple_tag
def stacked_bar_chart(rows, series, title: str = "", unit: str = "") -> SafeString:
    return stacked_bar_svg(rows, series, title=title, unit=unit)


@register.simple_tag
def line_chart(labels, series, title: str = "", unit: str = "", height: int = 220) -> SafeString:
    return line_svg(labels, series, title=title, unit=unit, height=int(height))


@register.simple_tag
def chart_legend(series) -> SafeString:
    return legend_html(series)


__all__ = ["GRADE_COLOURS", "PALETTE", "bar_svg", "legend_html", "line_svg", "stacked_bar_svg"]

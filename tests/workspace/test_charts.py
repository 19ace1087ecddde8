"""The server-side SVG charts (qcredit.web.templatetags.charts): figures readable from the
markup, widths in proportion, text escaped, nothing a strict CSP refuses."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise

from django.template import Context, Template

from qcredit.web.templatetags.charts import GRADE_COLOURS, bar_svg, line_svg, stacked_bar_svg

SERIES = [("A 守信", GRADE_COLOURS["A"]), ("C 失信", GRADE_COLOURS["C"])]


def rects(svg: str) -> list[tuple[str, str, int, float]]:
    return [(c, s, int(v), float(w)) for w, c, s, v in re.findall(
        r'<rect x="[^"]*" y="[^"]*" width="([\d.]+)%"[^>]*data-category="([^"]*)" data-series="([^"]*)" '
        r'data-value="([^"]*)"', svg)]


def test_stacked_bars_carry_their_figures_and_widths_in_proportion_to_the_largest_row():
    svg = str(stacked_bar_svg([("济南市", [30, 10], "/x?region=3701"), ("青岛市", [5, 0])], SERIES, title="分布",
                              unit="家"))
    drawn = rects(svg)
    assert [(c, s, v) for c, s, v, _ in drawn] == [("济南市", "A 守信", 30), ("济南市", "C 失信", 10),
                                                    ("青岛市", "A 守信", 5)]  # a zero draws nothing
    widths = {(c, s): w for c, s, _, w in drawn}
    assert widths[("济南市", "A 守信")] == 75 and widths[("济南市", "C 失信")] == 25
    assert round(widths[("青岛市", "A 守信")], 3) == 12.5
    assert 'data-total="40"' in svg and 'data-total="5"' in svg
    assert '<a href="/x?region=3701">' in svg and "40家" in svg
    assert "style=" not in svg and "<script" not in svg and "on" + "click" not in svg


def test_labels_and_titles_are_escaped():
    svg = str(bar_svg([("<script>alert(1)</script>", 3)], title='"><img src=x>'))
    assert "<script>alert(1)</script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "<img" not in svg


def test_an_empty_chart_says_so():
    assert "暂无数据" in str(stacked_bar_svg([], SERIES, title="空"))
    assert "暂无数据" in str(line_svg([], [], title="空"))


def test_a_line_chart_has_a_point_per_label_and_series_and_the_year_under_january():
    months = [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    svg = str(line_svg(months, [("升级", "#1f7a3a", [1, 4, 2]), ("降级", "#b42318", [0, 3, 8])], title="变动"))
    points = re.findall(r'<circle[^>]*data-series="([^"]*)" data-value="([^"]*)"', svg)
    assert points == [("升级", "1"), ("升级", "4"), ("升级", "2"), ("降级", "0"), ("降级", "3"), ("降级", "8")]
    assert svg.count("<line x1=") == 5 + 2 * 2  # grid lines, then segments between points
    assert "2026年" in svg and "12月" in svg and "1月" in svg
    assert "2025年" not in svg  # a January follows at once: one year label, no overlap
    later = str(line_svg([date(2026, m, 1) for m in (3, 4, 5, 6)], [("升级", "#000", [1, 2, 3, 4])], title="t"))
    assert later.count("2026年") == 1  # no January: the year under the first point
    # higher values are drawn higher; grid lines at whole round values from 0 up to the maximum
    y = {v: float(cy) for cy, v in re.findall(r'<circle cx="[^"]+" cy="([\d.]+)"[^>]*data-value="([^"]*)"', svg)}
    assert y["8"] < y["4"] < y["3"] < y["2"] < y["1"] < y["0"]
    grid = [int(v) for v in re.findall(r'font-size="10">(\d+)</text>', svg)]
    assert grid[0] == 0 and grid[-1] >= 8 and len({b - a for a, b in pairwise(grid)}) == 1
    # the grid line of a value and a point of the same value are at the same height
    grid_y = dict(re.findall(r'<text x="0" y="([\d.]+)" fill="#616e7c" font-size="10">(\d+)</text>', svg))
    assert {v: float(yy) + 2 for yy, v in grid_y.items()}["4"] == y["4"]


def test_the_template_tags_render_in_a_page():
    html = Template("{% load charts %}{% chart_legend series %}{% stacked_bar_chart rows series title='t' unit='家' %}"
                    "{% bar_chart single title='b' %}{% line_chart labels lines title='l' %}").render(Context({
                        "series": SERIES, "rows": [("济南市", [1, 2])], "single": [("x", 2)],
                        "labels": ["2026-01", "2026-02"], "lines": [("升级", "#000", [1, 2])]}))
    assert html.count("<svg class=\"chart-svg") == 3 and 'class="chart-legend"' in html
    assert 'data-value="2"' in html and "1月" in html

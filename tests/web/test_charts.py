"""Server-side SVG charts: labels thinned to about ten, gaps left open or joined, bars scaled."""

from __future__ import annotations

import re

from warmline.web.charts import Point, line_chart, trend_chart


def _points(values: list[float | None]) -> list[Point]:
    return [Point(f"d{i}", v) for i, v in enumerate(values)]


def test_line_chart_breaks_at_a_missing_value_and_thins_its_labels() -> None:
    svg = str(line_chart([("score", _points([10, 20, None, 40] + [50.0] * 21))], low=0, high=100, zero_line=50))
    assert svg.startswith("<svg") and 'class="zero"' in svg
    assert len(re.findall(r'class="xlabel"', svg)) == 13  # 25 labels, every 25 // 10 = 2nd
    path = re.search(r'<path d="([^"]+)"', svg)
    assert path and path.group(1).count("M") == 2  # the gap starts a new line
    assert svg.count("<circle") == 24


def test_trend_chart_joins_across_gaps_and_draws_the_emphasis_last() -> None:
    svg = str(trend_chart([("everyone", _points([50, None, 70])), ("amara", _points([80, 90, None]))], low=0, high=100, emphasis="everyone"))
    assert svg.index("amara") < svg.rindex("emphasis")
    paths = re.findall(r'<path d="([^"]+)"', svg)
    assert paths and all(p.count("M") == 1 for p in paths)
    assert len(re.findall(r'class="xlabel"', svg)) == 3

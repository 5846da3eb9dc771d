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


# ----------------------------------------------------------------- intervals and scatter

from warmline.web.charts import Band, Interval, interval_chart, scatter_chart  # noqa: E402


def _floats(pattern: str, svg: str) -> list[float]:
    return [float(v) for v in re.findall(pattern, svg)]


def test_interval_chart_rows_scaled_on_their_own_keep_zero_in_the_middle() -> None:
    rows = [
        Interval("Empathy", 5.0, 1.0, 9.0, cls="improved", note="+5.0 [+1.0, +9.0]"),
        Interval("CSAT", -0.2, -0.6, 0.2, cls="no_clear_change"),
        Interval("NPS", None, note="no data"),
    ]
    svg = str(interval_chart(rows, shared_scale=False, width=760, label_w=230, note_w=200))
    assert svg.count('class="irow ') == 3 and 'class="irow improved"' in svg
    zero = _floats(r'<line class="zero" x1="([\d.]+)"', svg)
    assert zero == [(230 + 560) / 2]  # one dashed zero line, in the middle of the plot area
    caps = _floats(r'<line class="ci" x1="([\d.]+)" x2="\1"', svg)
    assert len(caps) == 4  # two whiskers with two caps each; the row without data has none
    empathy_low, empathy_high = caps[0], caps[1]
    assert empathy_low > zero[0] and empathy_high < 560  # all above zero, inside the plot
    assert "no data" in svg and "+5.0 [+1.0, +9.0]" in svg
    assert svg.count("<circle") == 2


def test_interval_chart_on_a_shared_scale_draws_bars_and_an_axis() -> None:
    rows = [Interval("Apology", 1.0, 0.5, 1.5, cls="higher"), Interval("Blame", -1.0, -1.8, -0.2)]
    svg = str(interval_chart(rows, shared_scale=True, bars=True, axis_label="difference"))
    assert 'class="chart intervals bars"' in svg and svg.count('<rect class="est"') == 2
    ticks = re.findall(r'class="xlabel" x="[\d.]+" y="[\d.]+">([-\d.]+)<', svg)
    assert "0" in ticks and len(ticks) >= 4
    (zero,) = _floats(r'<line class="zero" x1="([\d.]+)"', svg)
    bars = re.findall(r'<rect class="est" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    (x1, w1), (x2, w2) = ((float(a), float(b)) for a, b in bars)
    assert abs(x1 - zero) < 0.2 and abs(x2 + w2 - zero) < 0.2  # each bar grows from zero
    assert abs(w1 - w2) < 0.2  # +1 and -1 are the same length on one scale
    # The interval is drawn after its bar, so it stays visible on top of it.
    assert svg.index('<rect class="est"') < svg.index('<line class="ci"')


def test_scatter_jitters_deterministically_and_draws_band_means() -> None:
    points = [(float(10 * i), 3.0) for i in range(10)]
    svg = str(
        scatter_chart(points, x_range=(0, 100), y_range=(1, 5), x_label="score", y_label="CSAT",
                      y_jitter=0.2, bands=[Band(50, 3.0, 2.5, 3.5)])
    )  # fmt: skip
    assert svg == str(
        scatter_chart(points, x_range=(0, 100), y_range=(1, 5), x_label="score", y_label="CSAT",
                      y_jitter=0.2, bands=[Band(50, 3.0, 2.5, 3.5)])
    )  # fmt: skip
    ys = _floats(r'<circle class="pt" cx="[\d.]+" cy="([\d.]+)"', svg)
    assert len(ys) == 10 and len(set(ys)) > 5  # the same answer spread out, not piled up
    assert max(ys) - min(ys) < 0.45 * (300 - 20 - 50) / 4 * 2  # within the jitter
    ylabels = re.findall(r'class="ylabel" x="[\d.]+" y="[\d.]+">([\d.]+)<', svg)
    assert ylabels == ["1", "2", "3", "4", "5"]
    assert '<g class="bandmean">' in svg and "score" in svg and "CSAT" in svg

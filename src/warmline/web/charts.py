"""Server-side SVG charts (no JavaScript, no CDN): a line chart and horizontal bars.

Each returns an SVG string sized by its viewBox, so it scales with its container; every
point and bar has a ``<title>`` so hovering shows the exact figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Point:
    """One point of a series: its x label, value (None = gap) and hover text."""

    label: str
    value: float | None
    title: str = ""


_PAD_L, _PAD_R, _PAD_T, _PAD_B = 40, 12, 12, 36


def _frame(
    series: Sequence[tuple[str, Sequence[Point]]],
    low: float,
    high: float,
    width: int,
    height: int,
    *,
    round_step_up: bool,
) -> tuple[Callable[[int], float], Callable[[float], float], str, list[str]]:
    """The plot area of a chart with the x labels of the first series: the x and y mappings,
    the y axis, and about ten x labels (every *step*-th, *step* = n/10 rounded down or up)."""
    plot_w, plot_h = width - _PAD_L - _PAD_R, height - _PAD_T - _PAD_B
    labels = [p.label for p in series[0][1]] if series else []
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return _PAD_L + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        span = (high - low) or 1.0
        return _PAD_T + plot_h * (1 - (v - low) / span)

    step = max(1, -(-n // 10) if round_step_up else n // 10)
    xlabels = [
        f'<text class="xlabel" x="{x(i):.1f}" y="{height - 12}">{escape(label)}</text>'
        for i, label in enumerate(labels)
        if i % step == 0
    ]
    return x, y, _axis(low, high, y, _PAD_L, width - _PAD_R), xlabels


def line_chart(
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    low: float,
    high: float,
    width: int = 640,
    height: int = 220,
    zero_line: float | None = None,
    aria_label: str = "chart",
) -> Markup:
    """A line chart of one or more series sharing the x labels of the first."""
    x, y, axis, xlabels = _frame(series, low, high, width, height, round_step_up=False)
    parts = [axis]
    if zero_line is not None:
        parts.append(
            f'<line class="zero" x1="{_PAD_L}" x2="{width - _PAD_R}" y1="{y(zero_line):.1f}" y2="{y(zero_line):.1f}"/>'
        )
    parts.extend(xlabels)
    for k, (name, points) in enumerate(series):
        parts.append(_series(k, name, points, x, y))
    body = "".join(parts)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(aria_label)}" '
        f'xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def _axis(low: float, high: float, y: object, left: int, right: int) -> str:
    out = []
    for i in range(5):
        v = low + (high - low) * i / 4
        yy = y(v)  # type: ignore[operator]
        out.append(f'<line class="grid" x1="{left}" x2="{right}" y1="{yy:.1f}" y2="{yy:.1f}"/>')
        out.append(f'<text class="ylabel" x="{left - 6}" y="{yy + 4:.1f}">{v:g}</text>')
    return "".join(out)


def _series(k: int, name: str, points: Sequence[Point], x: object, y: object) -> str:
    path, dots, pen_down = [], [], False
    for i, p in enumerate(points):
        if p.value is None:
            pen_down = False
            continue
        xx, yy = x(i), y(p.value)  # type: ignore[operator]
        path.append(f"{'L' if pen_down else 'M'}{xx:.1f},{yy:.1f}")
        pen_down = True
        title = escape(p.title or f"{p.label}: {p.value:g}")
        dots.append(
            f'<circle class="dot s{k}" cx="{xx:.1f}" cy="{yy:.1f}" r="4"><title>{title}</title></circle>'
        )
    return f'<g class="series s{k}" data-name="{escape(name)}"><path d="{" ".join(path)}"/>{"".join(dots)}</g>'


def bar_chart(
    bars: Sequence[tuple[str, float, str]],
    *,
    maximum: float | None = None,
    width: int = 480,
    row: int = 24,
    aria_label: str = "chart",
) -> Markup:
    """Horizontal bars: (label, value, css class) rows, longest = *maximum*."""
    label_w, pad = 190, 44
    top = maximum if maximum is not None else max((v for _, v, _ in bars), default=1.0) or 1.0
    height = row * len(bars) + 4
    parts = []
    for i, (label, value, cls) in enumerate(bars):
        yy = i * row + 2
        w = (width - label_w - pad) * max(value, 0.0) / top
        parts.append(
            f'<text class="barlabel" x="{label_w - 8}" y="{yy + row * 0.65:.1f}">{escape(label)}</text>'
            f'<rect class="bar {escape(cls)}" x="{label_w}" y="{yy + 3}" width="{w:.1f}" height="{row - 8}">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
            f'<text class="barvalue" x="{label_w + w + 6:.1f}" y="{yy + row * 0.65:.1f}">{value:g}</text>'
        )
    return Markup(
        f'<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(aria_label)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def trend_chart(
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    low: float,
    high: float,
    width: int = 720,
    height: int = 240,
    emphasis: str | None = None,
    aria_label: str = "chart",
) -> Markup:
    """Like :func:`line_chart`, but each line joins its points across missing days (a day
    without data is no drop to zero); the series named *emphasis* is drawn last and bold."""
    x, y, axis, xlabels = _frame(series, low, high, width, height, round_step_up=True)
    parts = [axis, *xlabels]
    ordered = sorted(enumerate(series), key=lambda item: item[1][0] == emphasis)
    for k, (name, points) in ordered:
        cls = "emphasis" if name == emphasis else f"s{k}"
        parts.append(_joined_series(cls, name, points, x, y))
    return Markup(
        f'<svg class="chart trend" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(aria_label)}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def _joined_series(
    cls: str,
    name: str,
    points: Sequence[Point],
    x: Callable[[int], float],
    y: Callable[[float], float],
) -> str:
    path: list[str] = []
    dots: list[str] = []
    for i, p in enumerate(points):
        if p.value is None:
            continue
        xx, yy = x(i), y(p.value)
        path.append(f"{'L' if path else 'M'}{xx:.1f},{yy:.1f}")
        title = escape(p.title or f"{p.label}: {p.value:g}")
        dots.append(
            f'<circle class="dot {cls}" cx="{xx:.1f}" cy="{yy:.1f}" r="3.5"><title>{title}</title></circle>'
        )
    return (
        f'<g class="series {cls}" data-name="{escape(name)}"><path d="{" ".join(path)}"/>'
        f"{''.join(dots)}</g>"
    )


__all__ = ["Point", "bar_chart", "line_chart", "trend_chart"]

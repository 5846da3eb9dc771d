"""Server-side SVG charts (no JavaScript, no CDN): a line chart and horizontal bars.

Each returns an SVG string sized by its viewBox, so it scales with its container; every
point and bar has a ``<title>`` so hovering shows the exact figure.
"""

from __future__ import annotations

import math
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


# ----------------------------------------------------------------- intervals and scatter


@dataclass(frozen=True, slots=True)
class Interval:
    """One row of an interval chart: an estimate (None: no data) and its confidence interval
    (None: too little data for one); ``cls`` colours it, ``note`` is printed at the right."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    cls: str = ""
    note: str = ""
    title: str = ""


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About *count* round tick values covering low..high."""
    span = (high - low) or 1.0
    raw = span / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    out, v = [], first
    while v <= high + step * 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def _row_domain(r: Interval) -> tuple[float, float]:
    """A row's own scale: symmetric around zero, so zero sits in the middle of every row."""
    reach = max((abs(v) for v in (r.value, r.low, r.high) if v is not None), default=1.0) or 1.0
    return -reach * 1.15, reach * 1.15


def _shared_domain(rows: Sequence[Interval]) -> tuple[float, float]:
    values = [v for r in rows for v in (r.value, r.low, r.high) if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    pad = ((high - low) or 1.0) * 0.08
    return low - pad, high + pad


def interval_chart(
    rows: Sequence[Interval],
    *,
    shared_scale: bool,
    bars: bool = False,
    width: int = 760,
    row: int = 34,
    label_w: int = 230,
    note_w: int = 200,
    axis_label: str = "",
    aria_label: str = "chart",
) -> Markup:
    """A forest plot: per row the estimate (a dot, or a bar from zero) with its interval as a
    whisker, and a dashed zero line. With ``shared_scale`` every row uses one axis (drawn at the
    bottom); without it each row is scaled around zero on its own (rows in different units),
    so only the side of zero and the printed figures compare across rows."""
    left, right = label_w, width - note_w
    top = 6
    axis_h = 30 if shared_scale else 0
    height = top + row * len(rows) + axis_h + 6
    domain = _shared_domain(rows) if shared_scale else (-1.0, 1.0)

    def scale(v: float, lo: float, hi: float) -> float:
        return left + (right - left) * (v - lo) / ((hi - lo) or 1.0)

    parts = []
    zero_x = scale(0.0, *domain) if shared_scale else (left + right) / 2
    bottom = top + row * len(rows)
    if shared_scale:
        for t in _ticks(*domain):
            tx = scale(t, *domain)
            parts.append(
                f'<line class="grid" x1="{tx:.1f}" x2="{tx:.1f}" y1="{top}" y2="{bottom}"/>'
            )
            parts.append(f'<text class="xlabel" x="{tx:.1f}" y="{bottom + 14}">{t:g}</text>')
        if axis_label:
            parts.append(
                f'<text class="axislabel" x="{(left + right) / 2:.1f}" y="{bottom + 28}">{escape(axis_label)}</text>'
            )
    parts.append(
        f'<line class="zero" x1="{zero_x:.1f}" x2="{zero_x:.1f}" y1="{top}" y2="{bottom}"/>'
    )
    for i, r in enumerate(rows):
        parts.append(
            _interval_row(
                r, top + i * row, row, left, right, width - note_w, domain, shared_scale, bars
            )
        )
    return Markup(
        f'<svg class="chart intervals{" bars" if bars else ""}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(aria_label)}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def _interval_row(
    r: Interval,
    y0: float,
    row: int,
    left: float,
    right: float,
    note_x: float,
    domain: tuple[float, float],
    shared: bool,
    bars: bool,
) -> str:
    lo, hi = domain if shared else _row_domain(r)

    def sx(v: float) -> float:
        return left + (right - left) * (v - lo) / ((hi - lo) or 1.0)

    mid = y0 + row / 2
    cls = escape(r.cls)
    title = f"<title>{escape(r.title or r.note or r.label)}</title>"
    out = [
        f'<g class="irow {cls}">{title}',
        f'<rect class="band" x="0" y="{y0:.1f}" width="{note_x + 200:.0f}" height="{row}"/>',
        f'<text class="barlabel" x="{left - 10:.1f}" y="{mid + 4:.1f}">{escape(r.label)}</text>',
        f'<text class="note" x="{note_x + 8:.1f}" y="{mid + 4:.1f}">{escape(r.note)}</text>',
    ]
    if r.value is None:
        out.append(
            f'<text class="nodata" x="{(left + right) / 2 + 8:.1f}" y="{mid + 4:.1f}">no data</text>'
        )
        return "".join(out) + "</g>"
    vx = sx(r.value)
    if bars:  # the bar first, so the interval is drawn over it and stays visible
        x0 = sx(0.0)
        out.append(
            f'<rect class="est" x="{min(x0, vx):.1f}" y="{mid - row * 0.22:.1f}" '
            f'width="{abs(vx - x0):.1f}" height="{row * 0.44:.1f}"/>'
        )
    if r.low is not None and r.high is not None:
        a, b = sx(r.low), sx(r.high)
        out.append(f'<line class="ci" x1="{a:.1f}" x2="{b:.1f}" y1="{mid:.1f}" y2="{mid:.1f}"/>')
        for cap in (a, b):
            out.append(
                f'<line class="ci" x1="{cap:.1f}" x2="{cap:.1f}" y1="{mid - 6:.1f}" y2="{mid + 6:.1f}"/>'
            )
    if not bars:
        out.append(f'<circle class="est" cx="{vx:.1f}" cy="{mid:.1f}" r="5.5"/>')
    return "".join(out) + "</g>"


@dataclass(frozen=True, slots=True)
class Band:
    """A summary drawn over a scatter: the mean of y over an x band, with its interval."""

    x: float
    mean: float
    low: float
    high: float
    title: str = ""


def scatter_chart(
    points: Sequence[tuple[float, float]],
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    x_label: str,
    y_label: str,
    y_jitter: float = 0.0,
    bands: Sequence[Band] = (),
    width: int = 640,
    height: int = 300,
    aria_label: str = "chart",
) -> Markup:
    """Points of (x, y) with a deterministic vertical jitter (for y values on a 1-5 scale that
    would pile up), and optional band means with their intervals drawn on top."""
    # Room above and below the y range: jittered points may sit a little outside it.
    pad_l, pad_r, pad_t, pad_b = 48, 14, 20, 50
    (x_lo, x_hi), (y_lo, y_hi) = x_range, y_range

    def sx(v: float) -> float:
        return pad_l + (width - pad_l - pad_r) * (v - x_lo) / ((x_hi - x_lo) or 1.0)

    def sy(v: float) -> float:
        return pad_t + (height - pad_t - pad_b) * (1 - (v - y_lo) / ((y_hi - y_lo) or 1.0))

    parts = [_axis(y_lo, y_hi, sy, pad_l, width - pad_r)]
    for t in _ticks(x_lo, x_hi, 6):
        parts.append(f'<text class="xlabel" x="{sx(t):.1f}" y="{height - pad_b + 24}">{t:g}</text>')
    parts.append(
        f'<text class="axislabel" x="{(pad_l + width - pad_r) / 2:.1f}" y="{height - 6}">{escape(x_label)}</text>'
    )
    parts.append(
        f'<text class="axislabel" transform="rotate(-90)" x="{-(pad_t + height - pad_b) / 2:.1f}" y="13">{escape(y_label)}</text>'
    )
    dots = []
    for i, (x, y) in enumerate(points):
        # A golden-ratio sequence spreads piled-up points evenly, and the same data always
        # lands in the same place (no randomness in the page).
        offset = ((i * 0.6180339887) % 1.0 - 0.5) * 2 * y_jitter
        dots.append(
            f'<circle class="pt" cx="{sx(x):.1f}" cy="{sy(y + offset):.1f}" r="3"><title>{x:g}, {y:g}</title></circle>'
        )
    parts.append(f'<g class="points">{"".join(dots)}</g>')
    for b in bands:
        bx = sx(b.x)
        title = escape(b.title or f"{b.mean:.2f} [{b.low:.2f}, {b.high:.2f}]")
        parts.append(
            f'<g class="bandmean"><title>{title}</title>'
            f'<line class="ci" x1="{bx:.1f}" x2="{bx:.1f}" y1="{sy(b.low):.1f}" y2="{sy(b.high):.1f}"/>'
            f'<line class="ci" x1="{bx - 5:.1f}" x2="{bx + 5:.1f}" y1="{sy(b.low):.1f}" y2="{sy(b.low):.1f}"/>'
            f'<line class="ci" x1="{bx - 5:.1f}" x2="{bx + 5:.1f}" y1="{sy(b.high):.1f}" y2="{sy(b.high):.1f}"/>'
            f'<rect class="est" x="{bx - 5:.1f}" y="{sy(b.mean) - 5:.1f}" width="10" height="10"/></g>'
        )
    return Markup(
        f'<svg class="chart scatter" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(aria_label)}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


__all__ += ["Band", "Interval", "interval_chart", "scatter_chart"]

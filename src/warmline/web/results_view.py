"""Charts and rows of the results page, built from the report dataclasses (no queries here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from warmline.store.kpi_correlation import BehaviourCsat
from warmline.store.kpi_reports import BeforeAfter, Comparison
from warmline.store.kpi_trends import BandMean, WeekPoint
from warmline.web.charts import Band, Interval, Point, interval_chart, line_chart, scatter_chart
from warmline.web.render import label_name

#: Short names of the metrics for chart rows (the reports' labels are longer).
SHORT = {
    "empathy": "Empathy score (0-100)",
    "csat": "CSAT (1-5)",
    "fcr": "First-contact resolution",
    "repeat_contact": "Repeat contact (lower is better)",
    "nps": "NPS (-100 to 100)",
    "fcr_rate": "FCR rate per period",
    "retention_rate": "Retention rate per period",
    "engagement": "Engagement (0-100)",
}
#: How each verdict reads in a chart's legend and table.
VERDICT_WORDS = {
    "too_little_data": "too little data to conclude",
    "no_clear_change": "no clear change",
    "improved": "improved",
    "worsened": "worsened",
}


def _num(value: float | None, digits: int = 2, *, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _digits(metric: str) -> int:
    return 1 if metric in ("empathy", "nps", "engagement") else 2


@dataclass(frozen=True, slots=True)
class GroupView:
    """One team or agent of a before/after report: its forest chart and its table rows."""

    kind: str
    name: str
    event: str | None
    chart: Markup
    rows: list[dict[str, Any]]
    conversations: tuple[int, int]


def _note(c: Comparison) -> str:
    f, d = c.figures, _digits(c.metric)
    if f.difference is None:
        return "no data on one side"
    ci = (
        f" [{_num(f.ci_low, d, signed=True)}, {_num(f.ci_high, d, signed=True)}]"
        if f.ci_low is not None
        else ""
    )
    return f"{_num(f.difference, d, signed=True)}{ci}"


def _row(c: Comparison) -> dict[str, Any]:
    f, d = c.figures, _digits(c.metric)
    return {
        "metric": c.metric,
        "label": SHORT.get(c.metric, c.label),
        "basis": c.basis,
        "before": _num(f.mean_before, d),
        "after": _num(f.mean_after, d),
        "n_before": f.n_before,
        "n_after": f.n_after,
        "change": _num(f.difference, d, signed=True),
        "ci": f"{_num(f.ci_low, d, signed=True)} to {_num(f.ci_high, d, signed=True)}"
        if f.ci_low is not None
        else "–",
        "g": _num(f.effect_size, 2, signed=True),
        "verdict": c.verdict.kind,
        "verdict_text": c.verdict.text,
    }


def groups(report: BeforeAfter, names: dict[str, str]) -> list[GroupView]:
    """One view per group of *report*: team first, then each agent by name."""
    out = []
    for g in report.groups:
        rows = [
            Interval(
                SHORT.get(c.metric, c.label),
                c.figures.difference,
                c.figures.ci_low,
                c.figures.ci_high,
                cls=c.verdict.kind,
                note=_note(c),
                title=f"{c.label}: {_num(c.figures.mean_before)} before (n {c.figures.n_before}), "
                f"{_num(c.figures.mean_after)} after (n {c.figures.n_after}); {c.verdict.text}",
            )
            for c in g.comparisons
        ]
        chart = interval_chart(
            rows,
            shared_scale=False,
            aria_label=f"change after the event for {g.name}, with 95% intervals",
        )
        empathy = next((c for c in g.comparisons if c.metric == "empathy"), None)
        n = (empathy.figures.n_before, empathy.figures.n_after) if empathy else (0, 0)
        name = names.get(g.name, g.name) if g.kind == "agent" else g.name
        event = g.event.isoformat() if g.event else None
        out.append(GroupView(g.kind, name, event, chart, [_row(c) for c in g.comparisons], n))
    return out


def scatter(pairs: Sequence[tuple[float, float]], bands: Sequence[BandMean]) -> Markup:
    """Empathy score (x) vs CSAT (y, jittered), with the mean CSAT per score band on top."""
    return scatter_chart(
        pairs,
        x_range=(0, 100),
        y_range=(1, 5),
        x_label="empathy score of the conversation",
        y_label="CSAT (1-5)",
        y_jitter=0.22,
        bands=[
            Band(
                (b.low + b.high) / 2,
                b.mean,
                b.ci_low if b.ci_low is not None else b.mean,
                b.ci_high if b.ci_high is not None else b.mean,
                f"scores {b.low}-{b.high - 1}: mean CSAT {b.mean:.2f} "
                f"[{_num(b.ci_low)}, {_num(b.ci_high)}], {b.n} conversations",
            )
            for b in bands
        ],
        aria_label="empathy score against CSAT, one dot per conversation",
    )


def behaviour_chart(behaviours: Sequence[BehaviourCsat], *, limit: int = 14) -> Markup | None:
    """Difference in mean CSAT with vs without each behaviour, with its interval, on one axis."""
    shown = [b for b in behaviours if b.figures.difference is not None][:limit]
    if not shown:
        return None
    rows = [
        Interval(
            label_name(b.label) + (" (anti-pattern)" if b.kind == "anti_pattern" else ""),
            b.figures.difference,
            b.figures.ci_low,
            b.figures.ci_high,
            cls=b.verdict.kind,
            note=f"{_num(b.figures.difference, signed=True)} · {b.figures.n_after} with / {b.figures.n_before} without",
            title=f"{label_name(b.label)}: mean CSAT {_num(b.figures.mean_after)} with, "
            f"{_num(b.figures.mean_before)} without; {b.verdict.text}",
        )
        for b in shown
    ]
    return interval_chart(
        rows,
        shared_scale=True,
        bars=True,
        axis_label="difference in mean CSAT (with minus without)",
        aria_label="difference in mean CSAT with vs without each behaviour, with 95% intervals",
    )


@dataclass(frozen=True, slots=True)
class TrendView:
    """The weekly charts: mean empathy score and mean CSAT, on the same weeks."""

    empathy: Markup
    csat: Markup | None


def trend_charts(weeks: Sequence[WeekPoint]) -> TrendView | None:
    """Two line charts over the same weeks (their scales differ, so they are not overlaid)."""
    if not weeks:
        return None
    labels = [w.week.strftime("%b %d") for w in weeks]
    empathy = [
        Point(
            lab,
            w.mean_score,
            f"week of {w.week}: {_num(w.mean_score, 1)} over {w.conversations} conversations",
        )
        for lab, w in zip(labels, weeks, strict=True)
    ]
    csat = [
        Point(lab, w.mean_csat, f"week of {w.week}: {_num(w.mean_csat)} over {w.rated} answers")
        for lab, w in zip(labels, weeks, strict=True)
    ]
    return TrendView(
        line_chart([("mean empathy score", empathy)], low=0, high=100, height=200,
                   aria_label="weekly mean empathy score"),
        line_chart([("mean CSAT", csat)], low=1, high=5, height=200, aria_label="weekly mean CSAT")
        if any(p.value is not None for p in csat)
        else None,
    )  # fmt: skip


__all__ = ["GroupView", "TrendView", "behaviour_chart", "groups", "scatter", "trend_charts"]

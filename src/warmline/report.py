"""The plain-text report a team lead reads: one block per conversation, then a summary.

Works from :class:`~warmline.engine.results.ConversationAnalysis` objects and returns strings;
it prints nothing. Colour is opt-in through :class:`Style` (the CLI turns it on only for a
terminal without ``NO_COLOR``). The summary keeps counters and a few quotes, never the
analyses themselves, so a report over a million conversations runs in constant memory.
"""

from __future__ import annotations

import heapq
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from warmline.engine.labels import MECHANISMS, is_anti_pattern
from warmline.engine.model import Annotation, Speaker
from warmline.engine.results import ConversationAnalysis, CustomerState, TurnAnalysis

WIDTH = 100
#: Evidence longer than this is cut, so one pasted paragraph cannot swamp the report.
MAX_QUOTE = 300
_LEVELS = ("none", "weak", "strong")
_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


@dataclass(frozen=True, slots=True)
class Style:
    """How to render: ANSI colour on or off, and the width to wrap at."""

    color: bool = False
    width: int = WIDTH

    def paint(self, text: str, *names: str) -> str:
        """Return *text* wrapped in the ANSI codes *names* when colour is on."""
        if not self.color or not names:
            return text
        codes = ";".join(_CODES[n] for n in names)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def wrap(self, text: str, *, indent: str, first: str | None = None) -> list[str]:
        """Wrap *text* paragraph by paragraph with a hanging *indent*."""
        lead = indent if first is None else first
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            if not paragraph.strip():
                if lines:
                    lines.append("")
                continue
            lines.extend(
                textwrap.wrap(
                    " ".join(paragraph.split()),
                    width=self.width,
                    initial_indent=lead if not lines else indent,
                    subsequent_indent=indent,
                    break_long_words=True,
                    break_on_hyphens=False,
                )
            )
        return lines or [lead.rstrip()]


def score_word(score: int | None) -> str:
    """Return the word a team lead reads next to a 0-100 score."""
    if score is None:
        return "not scored"
    if score >= 80:
        return "strong"
    if score >= 65:
        return "good"
    if score >= 45:
        return "mixed"
    return "needs work"


def humanise(label: str) -> str:
    """Return a label id as words: ``acknowledge_emotion`` -> ``acknowledge emotion``."""
    return label.replace("_", " ")


def quote(text: str) -> str:
    """Return *text* in double quotes, whitespace collapsed, cut at :data:`MAX_QUOTE`."""
    flat = " ".join(text.split())
    if len(flat) > MAX_QUOTE:
        flat = flat[: MAX_QUOTE - 1].rstrip() + "…"
    return f"“{flat}”"


def trajectory_line(analysis: ConversationAnalysis) -> str:
    """Return the customer's emotional path, e.g. ``frustration(3) → gratitude(2)``."""
    return " → ".join(f"{p.label}({p.intensity})" for p in analysis.trajectory) or "—"


def render_conversation(analysis: ConversationAnalysis, *, style: Style | None = None) -> str:
    """Return the report block of one conversation: header, trajectory, then every turn."""
    st = style or Style()
    conv = analysis.conversation
    lines = [st.paint("━" * min(st.width, 100), "dim")]
    facts = [conv.channel or "channel unknown"]
    if conv.customer_name:
        facts.append(f"customer {conv.customer_name}")
    if conv.agent_id:
        facts.append(f"agent {conv.agent_id}")
    lines.append(f"{st.paint(conv.id, 'bold')}  ·  " + "  ·  ".join(facts))
    lines.append(f"Empathy score: {_score(analysis.score, st)}  ·  {_outcome(analysis, st)}")
    lines.extend(st.wrap(trajectory_line(analysis), indent="    ", first="Customer felt: "))
    for turn in analysis.turns:
        lines.append("")
        lines.extend(_render_turn(turn, conv.customer_name, st))
    return "\n".join(lines)


def render_error(
    ident: str | int, line: int | None, message: str, *, style: Style | None = None
) -> str:
    """Return the report block for an input record that could not be analysed."""
    st = style or Style()
    where = f" (line {line})" if line is not None else ""
    head = st.paint(f"✗ {ident}{where} could not be analysed", "red", "bold")
    return "\n".join(
        [st.paint("━" * min(st.width, 100), "dim"), head, *st.wrap(message, indent="  ")]
    )


def _score(score: int | None, st: Style) -> str:
    if score is None:
        return st.paint("—/100 (not scored)", "dim")
    colour = "green" if score >= 65 else "yellow" if score >= 45 else "red"
    return st.paint(f"{score}/100 ({score_word(score)})", colour, "bold")


def _outcome(analysis: ConversationAnalysis, st: Style) -> str:
    if analysis.escalated:
        return st.paint("escalated", "red")
    if analysis.deescalated:
        return st.paint("de-escalated", "green")
    return "no change in mood"


def _render_turn(turn: TurnAnalysis, customer_name: str | None, st: Style) -> list[str]:
    speaker = turn.turn.speaker.value.capitalize()
    head = st.paint(f"[{turn.turn.index}] {speaker}", "bold")
    if turn.score is not None:
        head += f" · {_score(turn.score.value, st)}"
    lines = [head]
    lines.extend(st.wrap(turn.turn.text, indent="    "))
    if turn.customer is not None:
        lines.extend(_customer_lines(turn.customer, st))
        return lines
    for ann in turn.behaviours():
        lines.extend(_behaviour_lines(ann, turn.turn.text, st))
    levels = [f"{humanise(m)} {_LEVELS[min(turn.mechanisms.get(m, 0), 2)]}" for m in MECHANISMS]
    lines.append(st.paint("    mechanisms: " + ", ".join(levels), "dim"))
    for tip in turn.tips:
        lines.extend(st.wrap(tip.message, indent="         ", first="    Tip: "))
    if turn.rewrite:
        lines.extend(st.wrap(turn.rewrite, indent="         ", first="    Try: "))
    return lines


def _customer_lines(state: CustomerState, st: Style) -> list[str]:
    feels = ", ".join(f"{e.label} {e.intensity}/3 ({e.score:.2f})" for e in state.emotions)
    extra = f"  ·  focus: {state.focus}"
    if state.abusive:
        extra += "  ·  " + st.paint("abusive", "red", "bold")
    return st.wrap(f"{feels or 'no emotion found'}{extra}", indent="      ", first="    feels: ")


def _behaviour_lines(ann: Annotation, text: str, st: Style) -> list[str]:
    bad = is_anti_pattern(ann.label)
    mark = st.paint("✗", "red", "bold") if bad else st.paint("✓", "green", "bold")
    name = st.paint(humanise(ann.label), "red" if bad else "green")
    evidence = quote(text[ann.start : ann.end])
    return st.wrap(f"{name} {evidence}", indent="      ", first=f"    {mark} ")


@dataclass(order=True, frozen=True, slots=True)
class _Moment:
    score: float
    quote: str = field(compare=False)
    where: str = field(compare=False)


@dataclass(slots=True)
class Summary:
    """Running totals over many conversations, rendered as the report's closing block."""

    keep_moments: int = 5
    conversations: int = 0
    failed: int = 0
    scored: int = 0
    score_total: int = 0
    deescalated: int = 0
    escalated: int = 0
    missed: Counter[str] = field(default_factory=Counter)
    anti_patterns: Counter[str] = field(default_factory=Counter)
    moments: list[_Moment] = field(default_factory=list)

    def add(self, analysis: ConversationAnalysis) -> None:
        """Count one analysed conversation."""
        self.conversations += 1
        if analysis.score is not None:
            self.scored += 1
            self.score_total += analysis.score
        self.deescalated += bool(analysis.deescalated)
        self.escalated += bool(analysis.escalated)
        self.missed.update(tip.label for tip in analysis.missed_opportunities)
        for turn in analysis.turns:
            self.anti_patterns.update(
                {a.label for a in turn.behaviours() if is_anti_pattern(a.label)}
            )
        conv = analysis.conversation
        for ann in analysis.best_moments:
            said = conv.turns[ann.turn]
            by = "bot" if said.speaker is Speaker.BOT else conv.agent_id
            who = conv.id + (f", {by}" if by else "")
            moment = _Moment(
                ann.score,
                quote(said.text[ann.start : ann.end]),
                f"{who}: {humanise(ann.label)}",
            )
            self._keep(moment)

    def add_error(self) -> None:
        """Count one input record that could not be analysed."""
        self.conversations += 1
        self.failed += 1

    def render(self, *, style: Style | None = None) -> str:
        """Return the summary block."""
        st = style or Style()
        read = f" ({self.failed} could not be analysed)" if self.failed else ""
        lines = [
            st.paint("═" * min(st.width, 100), "dim"),
            st.paint("Summary", "bold"),
            f"  Conversations: {self.conversations}{read}",
        ]
        if self.scored:
            average = round(self.score_total / self.scored)
            lines.append(f"  Average score: {_score(average, st)} over {self.scored} scored")
        lines.append(f"  De-escalated: {self.deescalated}  ·  Escalated: {self.escalated}")
        lines.extend(_counts("Most missed opportunities", self.missed, st))
        lines.extend(_counts("Most common anti-patterns", self.anti_patterns, st))
        if self.moments:
            lines.append("  Best moments:")
            for m in sorted(self.moments, reverse=True):
                lines.extend(st.wrap(f"{m.quote} — {m.where}", indent="      ", first="    ✓ "))
        return "\n".join(lines)

    def _keep(self, moment: _Moment) -> None:
        if len(self.moments) < self.keep_moments:
            heapq.heappush(self.moments, moment)
        else:
            heapq.heappushpop(self.moments, moment)


def _counts(title: str, counts: Counter[str], st: Style) -> list[str]:
    if not counts:
        return [f"  {title}: none"]
    text = ", ".join(f"{humanise(label)} ({n})" for label, n in counts.most_common(5))
    return st.wrap(text, indent="      ", first=f"  {title}: ")


def render_report(
    analyses: Iterable[ConversationAnalysis], *, style: Style | None = None
) -> Iterator[str]:
    """Yield one block per conversation, then the summary block."""
    summary = Summary()
    for analysis in analyses:
        summary.add(analysis)
        yield render_conversation(analysis, style=style)
    yield summary.render(style=style)


__all__ = [
    "Style",
    "Summary",
    "humanise",
    "quote",
    "render_conversation",
    "render_error",
    "render_report",
    "score_word",
    "trajectory_line",
]

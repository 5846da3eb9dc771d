"""Turn analysis results into the interchange output format (one JSON object per conversation)."""

from __future__ import annotations

from typing import Any

from warmline.engine.labels import MECHANISMS
from warmline.engine.results import ConversationAnalysis, TurnAnalysis


def analysis_to_dict(analysis: ConversationAnalysis, *, explain: bool = False) -> dict[str, Any]:
    """Return the output record of the interchange format for *analysis*.

    With ``explain`` the record also carries the score breakdown, trajectory, missed
    opportunities and best moments, each item pointing at its turn and span.
    """
    out: dict[str, Any] = {
        "id": analysis.conversation.id,
        "score": analysis.score,
        "deescalated": analysis.deescalated,
        "turns": [turn_to_dict(t, explain=explain) for t in analysis.turns],
    }
    if explain:
        out["escalated"] = analysis.escalated
        out["trajectory"] = [
            {"turn": p.turn, "label": p.label, "intensity": p.intensity, "valence": p.valence}
            for p in analysis.trajectory
        ]
        out["breakdown"] = [_item(i) for i in analysis.breakdown]
        out["missed_opportunities"] = [
            {"id": t.id, "label": t.label, "message": t.message}
            for t in analysis.missed_opportunities
        ]
        out["best_moments"] = [
            {
                "turn": a.turn,
                "id": a.label,
                "start": a.start,
                "end": a.end,
                "text": analysis.conversation.turns[a.turn].text[a.start : a.end],
            }
            for a in analysis.best_moments
        ]
    return out


def turn_to_dict(result: TurnAnalysis, *, explain: bool = False) -> dict[str, Any]:
    """Return one turn of the output record."""
    turn = result.turn
    out: dict[str, Any] = {"index": turn.index, "speaker": turn.speaker.value, "text": turn.text}
    if result.customer is not None:
        out["emotions"] = [
            {"label": e.label, "score": round(e.score, 3), "intensity": e.intensity}
            for e in result.customer.emotions
        ]
        out["abusive"] = result.customer.abusive
        out["focus"] = result.customer.focus
    if turn.speaker.is_staff:
        out["behaviours"] = [
            {"id": a.label, "start": a.start, "end": a.end, "score": round(a.score, 3)}
            for a in result.behaviours()
        ]
        out["mechanisms"] = {m: int(result.mechanisms.get(m, 0)) for m in MECHANISMS}
        out["score"] = result.score.value if result.score is not None else None
        out["tips"] = [{"id": t.id, "message": t.message} for t in result.tips]
        out["rewrite"] = result.rewrite
        if explain and result.score is not None:
            out["need"] = result.score.need
            out["mode"] = result.score.mode
            out["breakdown"] = [_item(i) for i in result.score.items]
    return out


def _item(item: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "reason": item.reason,
        "points": round(item.points, 1),
        "explanation": item.explanation,
    }
    ann = item.annotation
    if ann is not None:
        out["evidence"] = {"turn": ann.turn, "id": ann.label, "start": ann.start, "end": ann.end}
    return out

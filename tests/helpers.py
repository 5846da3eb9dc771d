"""Small builders shared by the tests."""

from __future__ import annotations

from typing import Any

from warmline.engine.detectors import RULE_DETECTORS
from warmline.engine.pipeline import Analyzer
from warmline.engine.registry import Document
from warmline.engine.results import ConversationAnalysis

#: The default detectors that read the wording by rule: no learned behaviour or mechanism head.
RULES = list(RULE_DETECTORS)


def conv(*turns: tuple[str, str], name: str | None = None, cid: str = "c1") -> dict[str, Any]:
    """A conversation dict from (speaker, text) pairs."""
    out: dict[str, Any] = {"id": cid, "turns": [{"speaker": s, "text": t} for s, t in turns]}
    if name:
        out["customer_name"] = name
    return out


def last_staff(result: ConversationAnalysis):  # type: ignore[no-untyped-def]
    """The last agent/bot turn of an analysis."""
    return [t for t in result.turns if t.turn.speaker.is_staff][-1]


def labels_of(turn) -> set[str]:  # type: ignore[no-untyped-def]
    """Behaviour and anti-pattern ids on a turn."""
    return {a.label for a in turn.behaviours()}


def rules_doc(customer: str, agent: str) -> Document:
    """A customer turn and an agent reply, as the rule detectors alone annotate them."""
    return Analyzer(detectors=RULES, calibrate=False).detect(
        conv(("customer", customer), ("agent", agent))
    )

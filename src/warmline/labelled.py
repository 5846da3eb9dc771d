"""Reading labelled conversations in the cs_cases record format (what `warmline train` takes).

Three record kinds, one JSON object per line (see docs/training.md):

* ``conversation`` — turns; customer turns carry ``emotions`` (``[{"label", "intensity"}]``),
  agent and bot turns carry ``behaviours`` and ``anti_patterns`` (label ids);
* ``emotion`` — one customer message ``text`` with its ``emotions``;
* ``pair`` — a ``context`` (turns), ``reply_a``, ``reply_b`` and which is ``better``.

Labels are checked against Warmline's vocabulary; a bad line raises :class:`LabelledDataError`
naming the file, the line and the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmline.engine.errors import InvalidConversationError, WarmlineError
from warmline.engine.labels import ALL_BEHAVIOURS, EMOTIONS
from warmline.engine.model import Conversation, conversation_from_dict

KINDS = ("conversation", "emotion", "pair")


class LabelledDataError(WarmlineError):
    """A labelled training file that cannot be used as it is."""


@dataclass(frozen=True, slots=True)
class LabelledTurn:
    """One labelled turn: the conversation up to and including it, and its gold labels."""

    conversation: Conversation
    index: int
    labels: frozenset[str]
    source: str
    #: reviewer intensity (1-3) per emotion label, where given
    intensities: Mapping[str, int] = field(default_factory=dict)
    #: (start, end) in the turn's text of each label's evidence span, where given and found
    evidence: Mapping[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """Two replies to the same context; ``better`` is the conversation ending in the better one."""

    better: Conversation
    worse: Conversation
    source: str


@dataclass
class LabelledSet:
    """Everything a labelled file holds, split by what it teaches."""

    customer: list[LabelledTurn]
    agent: list[LabelledTurn]
    pairs: list[LabelledPair]

    def __len__(self) -> int:
        return len(self.customer) + len(self.agent) + len(self.pairs)


def read_labelled(path: Path) -> LabelledSet:
    """Read a cs_cases-format JSONL file; raise LabelledDataError at the first bad line."""
    out = LabelledSet([], [], [])
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise LabelledDataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    _add(out, _record(line, f"{path} line {number}"), f"{path} line {number}")
        except UnicodeDecodeError:
            raise LabelledDataError(f"{path}: not UTF-8 text") from None
    return out


def _record(line: str, where: str) -> Mapping[str, Any]:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LabelledDataError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(rec, dict):
        raise LabelledDataError(f"{where}: expected a JSON object")
    if rec.get("kind") not in KINDS:
        raise LabelledDataError(
            f"{where}: field 'kind' must be one of {', '.join(KINDS)} (got {rec.get('kind')!r})"
        )
    return rec


def _labels(value: Any, known: tuple[str, ...], where: str, field: str) -> frozenset[str]:
    if not isinstance(value, list):
        raise LabelledDataError(f"{where}: field '{field}' must be a list")
    names = [v.get("label") if isinstance(v, dict) else v for v in value]
    for name in names:
        if name not in known:
            raise LabelledDataError(
                f"{where}: field '{field}' has unknown label {name!r}; known: {', '.join(known)}"
            )
    return frozenset(str(n) for n in names)


def _intensities(value: list[Any], where: str) -> dict[str, int]:
    out = {}
    for item in value:
        if isinstance(item, dict) and "intensity" in item:
            level = item["intensity"]
            if level not in (1, 2, 3):
                raise LabelledDataError(
                    f"{where}: field 'intensity' must be 1, 2 or 3 (got {level!r})"
                )
            out[str(item["label"])] = int(level)
    return out


def _evidence(value: Any, text: str, labels: frozenset[str]) -> dict[str, tuple[int, int]]:
    """Offsets of the evidence spans of *labels* that are found verbatim in *text*."""
    out = {}
    if isinstance(value, dict):
        for label, span in value.items():
            at = text.find(span) if label in labels and isinstance(span, str) and span else -1
            if at >= 0:
                out[label] = (at, at + len(span))
    return out


def _conversation(rec_id: str, turns: Any, where: str, name: Any = None) -> Conversation:
    if not isinstance(turns, list) or not turns:
        raise LabelledDataError(f"{where}: field 'turns' must be a non-empty list")
    plain = [
        {"speaker": t.get("speaker"), "text": t.get("text")} if isinstance(t, dict) else t
        for t in turns
    ]
    try:
        data: dict[str, Any] = {"id": rec_id, "turns": plain}
        if isinstance(name, str) and name:
            data["customer_name"] = name
        return conversation_from_dict(data)
    except InvalidConversationError as exc:
        raise LabelledDataError(f"{where}: {exc}") from None


def _add(out: LabelledSet, rec: Mapping[str, Any], where: str) -> None:
    rec_id = str(rec.get("id") or where)
    kind = rec["kind"]
    if kind == "emotion":
        conv = _conversation(rec_id, [{"speaker": "customer", "text": rec.get("text")}], where)
        gold = _labels(rec.get("emotions"), EMOTIONS, where, "emotions")
        out.customer.append(
            LabelledTurn(
                conv, 0, gold or frozenset({"neutral"}), where, _intensities(rec["emotions"], where)
            )
        )
    elif kind == "conversation":
        turns = rec.get("turns")
        conv = _conversation(rec_id, turns, where, rec.get("customer_name"))
        assert isinstance(turns, list)
        for i, turn in enumerate(turns):
            head = Conversation(conv.id, conv.turns[: i + 1], conv.customer_name)
            at = f"{where} turn {i + 1}"
            if turn.get("speaker") == "customer" and "emotions" in turn:
                gold = _labels(turn["emotions"], EMOTIONS, at, "emotions")
                out.customer.append(
                    LabelledTurn(
                        head,
                        i,
                        gold or frozenset({"neutral"}),
                        where,
                        _intensities(turn["emotions"], at),
                    )
                )
            elif turn.get("speaker") in ("agent", "bot") and (
                "behaviours" in turn or "anti_patterns" in turn
            ):
                gold = _labels(turn.get("behaviours", []), ALL_BEHAVIOURS, at, "behaviours")
                gold |= _labels(turn.get("anti_patterns", []), ALL_BEHAVIOURS, at, "anti_patterns")
                evidence = _evidence(turn.get("evidence"), str(turn.get("text")), gold)
                out.agent.append(LabelledTurn(head, i, gold, where, evidence=evidence))
    else:
        better = rec.get("better")
        if better not in ("a", "b"):
            raise LabelledDataError(f"{where}: field 'better' must be 'a' or 'b'")
        context = rec.get("context") or []
        replies = {}
        for side in ("a", "b"):
            text = rec.get(f"reply_{side}")
            if not isinstance(text, str) or not text.strip():
                raise LabelledDataError(f"{where}: field 'reply_{side}' must be non-empty text")
            replies[side] = _conversation(
                rec_id,
                [*context, {"speaker": "agent", "text": text}],
                where,
                rec.get("customer_name"),
            )
        worse = "b" if better == "a" else "a"
        out.pairs.append(LabelledPair(replies[better], replies[worse], where))

"""The analysis pipeline: detect, then score, then coach — one conversation or a stream of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from warmline.engine.adapt import Calibrator, TeamModels
from warmline.engine.coaching import Coach, CoachingRequest
from warmline.engine.detectors import DEFAULT_DETECTORS, default_registry
from warmline.engine.errors import InvalidConversationError, WarmlineError
from warmline.engine.model import Conversation, Speaker, conversation_from_dict
from warmline.engine.registry import Detector, Document, Registry, order_detectors
from warmline.engine.results import ConversationAnalysis, CustomerState, TurnAnalysis
from warmline.engine.scoring import Scorer
from warmline.engine.state import customer_state, mechanism_levels


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One item of a batch run: the id, and either the analysis or the error that stopped it."""

    id: str
    analysis: ConversationAnalysis | None = None
    error: str | None = None


class Analyzer:
    """Runs registered detectors, the scorer and the coach over conversations.

    An Analyzer is built once (patterns compiled, data files loaded) and reused; it holds
    no per-conversation state, so it is safe to share and cheap to pickle to workers.
    """

    def __init__(
        self,
        *,
        detectors: Iterable[str] = DEFAULT_DETECTORS,
        registry: Registry | None = None,
        scorer: Scorer | None = None,
        coach: Coach | None = None,
        calibrate: bool = True,
        team: TeamModels | None = None,
    ) -> None:
        reg = registry if registry is not None else default_registry()
        self.detectors: list[Detector] = order_detectors([reg.create(k) for k in detectors])
        self.scorer = scorer if scorer is not None else Scorer()
        self.coach = coach if coach is not None else Coach()
        #: A team's own heads revise each turn after the detectors (:mod:`warmline.engine.adapt`).
        self.team = team
        #: Turns behaviour scores into calibrated probabilities once the turn is scored.
        self.calibrator = Calibrator.shipped() if calibrate else None

    def analyze(self, conversation: Conversation | Mapping[str, Any]) -> ConversationAnalysis:
        """Analyse one conversation (a :class:`Conversation` or an interchange-format dict)."""
        return self._assemble(self.detect(conversation))

    def detect(self, conversation: Conversation | Mapping[str, Any]) -> Document:
        """Run the detectors (and revisers) turn by turn; the annotated document, unscored."""
        conv = _as_conversation(conversation)
        doc = Document.of(conv)
        for index, turn in enumerate(conv.turns):
            for det in self.detectors:
                if turn.speaker in det.speakers:
                    doc.annotations[index].extend(det.detect(doc, index))
            if self.team is not None:
                self.team.apply(doc, index)
        return doc

    def analyze_many(
        self,
        conversations: Iterable[Conversation | Mapping[str, Any]],
        *,
        errors: Literal["record", "raise"] = "record",
    ) -> Iterator[BatchResult]:
        """Analyse a stream lazily, yielding one result per input, in order, with its id.

        With ``errors="record"`` a bad item yields a result carrying its error message and
        the stream goes on; with ``"raise"`` the first error propagates.
        """
        for position, item in enumerate(conversations, start=1):
            item_id = _id_of(item, position)
            try:
                yield BatchResult(item_id, analysis=self.analyze(item))
            except WarmlineError as exc:
                if errors == "raise":
                    raise
                yield BatchResult(item_id, error=str(exc))

    def _assemble(self, doc: Document) -> ConversationAnalysis:
        conv = doc.conversation
        results: list[TurnAnalysis] = []
        last_customer: CustomerState | None = None
        last_customer_text: str | None = None
        for index, turn in enumerate(conv.turns):
            anns = tuple(doc.annotations[index])
            if turn.speaker is Speaker.CUSTOMER:
                last_customer = customer_state(anns)
                last_customer_text = turn.text
                results.append(TurnAnalysis(turn, anns, customer=last_customer))
                continue
            score = self.scorer.score_turn(doc, index, last_customer)
            if self.calibrator is not None:
                anns = tuple(self.calibrator.calibrated(doc, index))
            request = CoachingRequest(
                text=turn.text,
                speaker=turn.speaker,
                found=anns,
                missed=score.missed,
                customer=last_customer,
                customer_name=conv.customer_name,
                customer_text=last_customer_text,
            )
            results.append(
                TurnAnalysis(
                    turn,
                    anns,
                    mechanisms=mechanism_levels(anns),
                    score=score.turn_score,
                    tips=self.coach.tips(request),
                    rewrite=self.coach.rewrite(request),
                )
            )
        return self.scorer.score_conversation(conv, tuple(results))


def _as_conversation(item: Conversation | Mapping[str, Any]) -> Conversation:
    if isinstance(item, Conversation):
        return item
    return conversation_from_dict(item)


def _id_of(item: Any, position: int) -> str:
    if isinstance(item, Conversation):
        return item.id
    if isinstance(item, Mapping) and isinstance(item.get("id"), str | int):
        return str(item["id"])
    return str(position)


__all__ = ["Analyzer", "BatchResult", "InvalidConversationError"]

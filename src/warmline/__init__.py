"""Warmline: an offline empathy coach for customer-service teams.

The public API. Analyse one conversation with :func:`analyze`, a stream of them with
:func:`analyze_many`, and turn a result into the interchange output format with
:func:`to_dict`::

    import warmline

    result = warmline.analyze({"id": "c1", "turns": [
        {"speaker": "customer", "text": "My parcel is a week late."},
        {"speaker": "agent", "text": "I'm sorry, that's frustrating. I've reshipped it today."},
    ]})
    print(result.score, warmline.to_dict(result)["turns"][1]["behaviours"])

Check an agent's draft reply in its conversation with :func:`check_draft` (a
:class:`DraftCheck`: score, behaviours, missing, warnings, rewrite).

Every error Warmline raises on purpose is a :class:`WarmlineError`; a conversation that does
not follow the interchange format raises :class:`InvalidConversationError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal

from warmline.engine.assist import DraftCheck, check_draft
from warmline.engine.errors import InvalidConversationError, WarmlineError
from warmline.engine.model import Annotation, Conversation, Speaker, Turn
from warmline.engine.pipeline import Analyzer, BatchResult
from warmline.engine.results import ConversationAnalysis, TurnAnalysis
from warmline.engine.serialize import analysis_to_dict as to_dict

try:
    __version__ = version("warmline")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

_default: Analyzer | None = None


def _analyzer() -> Analyzer:
    # Built on first use, not at import: building compiles patterns and loads data files.
    global _default
    if _default is None:
        _default = Analyzer()
    return _default


def analyze(conversation: Conversation | Mapping[str, Any]) -> ConversationAnalysis:
    """Analyse one conversation (a :class:`Conversation` or an interchange-format dict)."""
    return _analyzer().analyze(conversation)


def analyze_many(
    conversations: Iterable[Conversation | Mapping[str, Any]],
    *,
    errors: Literal["record", "raise"] = "record",
) -> Iterator[BatchResult]:
    """Analyse a stream lazily, yielding one :class:`BatchResult` per input, in order."""
    return _analyzer().analyze_many(conversations, errors=errors)


__all__ = [
    "Analyzer",
    "Annotation",
    "BatchResult",
    "Conversation",
    "ConversationAnalysis",
    "DraftCheck",
    "InvalidConversationError",
    "Speaker",
    "Turn",
    "TurnAnalysis",
    "WarmlineError",
    "__version__",
    "analyze",
    "analyze_many",
    "check_draft",
    "to_dict",
]

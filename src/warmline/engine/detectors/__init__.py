"""Built-in detectors, registered in one explicit place under versioned names."""

from __future__ import annotations

from functools import cache

from warmline.engine.detectors.context import ContextBehaviourDetector
from warmline.engine.detectors.customer import AbuseDetector, FocusDetector
from warmline.engine.detectors.emotion import (
    EmotionHeadDetector,
    EmotionLexiconDetector,
    EmotionModelDetector,
)
from warmline.engine.detectors.listening import ListeningBehaviourDetector
from warmline.engine.detectors.mechanisms import MechanismDetector, MechanismModelDetector
from warmline.engine.detectors.patterns import PatternBehaviourDetector
from warmline.engine.detectors.sentences import SentenceBehaviourDetector
from warmline.engine.registry import Registry, load_entry_points

#: The detectors an Analyzer runs unless told otherwise.
DEFAULT_DETECTORS: tuple[str, ...] = (
    "emotion.model.v1",
    "customer.abuse.v1",
    "customer.focus.v1",
    "behaviour.patterns.v1",
    "behaviour.context.v1",
    "behaviour.sentences.v1",
    "mechanism.model.v1",
)
#: The default detectors before the learned behaviour and mechanism heads: the inputs those
#: heads read as "what the rules found" (training builds them with exactly these).
RULE_DETECTORS: tuple[str, ...] = tuple(
    d for d in DEFAULT_DETECTORS if not d.startswith(("mechanism.", "behaviour.sentences"))
)


def register_builtins(registry: Registry) -> None:
    """Register Warmline's own detectors, the same way a plugin registers its own."""
    registry.register("emotion.lexicon.v1", EmotionLexiconDetector)
    registry.register("emotion.lexicon.v2", EmotionHeadDetector)
    registry.register("emotion.model.v1", EmotionModelDetector)
    registry.register("customer.abuse.v1", AbuseDetector)
    registry.register("customer.focus.v1", FocusDetector)
    registry.register("behaviour.patterns.v1", PatternBehaviourDetector)
    registry.register("behaviour.context.v1", ContextBehaviourDetector)
    registry.register("behaviour.listening.v1", ListeningBehaviourDetector)
    registry.register("behaviour.sentences.v1", SentenceBehaviourDetector)
    registry.register("mechanism.rules.v1", MechanismDetector)
    registry.register("mechanism.model.v1", MechanismModelDetector)


@cache
def default_registry() -> Registry:
    """The built-ins plus every installed plugin (built once per process)."""
    registry = Registry()
    register_builtins(registry)
    load_entry_points(registry)
    return registry


__all__ = ["DEFAULT_DETECTORS", "RULE_DETECTORS", "default_registry", "register_builtins"]

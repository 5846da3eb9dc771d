"""The detector registry: a snapshot of what is registered, ordering, and the plugin path."""

from __future__ import annotations

import pytest

from warmline.engine.detectors import DEFAULT_DETECTORS, default_registry, register_builtins
from warmline.engine.errors import RegistryError
from warmline.engine.labels import ALL_BEHAVIOURS, EMOTIONS
from warmline.engine.registry import Detector, Registry, order_detectors

SNAPSHOT = [
    "behaviour.context.v1",
    "behaviour.listening.v1",
    "behaviour.patterns.v1",
    "behaviour.sentences.v1",
    "customer.abuse.v1",
    "customer.focus.v1",
    "emotion.lexicon.v1",
    "emotion.lexicon.v2",
    "emotion.model.v1",
    "mechanism.model.v1",
    "mechanism.rules.v1",
]
#: Registered, but not run unless asked for (older or fallback versions).
NOT_DEFAULT = (
    "behaviour.listening.v1",
    "emotion.lexicon.v1",
    "emotion.lexicon.v2",
    "mechanism.rules.v1",
)


def test_snapshot_of_registered_detectors() -> None:
    assert default_registry().names() == SNAPSHOT
    assert sorted(DEFAULT_DETECTORS) == [k for k in SNAPSHOT if k not in NOT_DEFAULT]


def test_every_detector_declares_its_metadata() -> None:
    reg = default_registry()
    for key in reg.names():
        det = reg.create(key)
        assert isinstance(det, Detector)
        assert key == f"{det.name}.v{det.version}"
        assert det.kinds and det.labels and det.speakers
        known = (
            set(EMOTIONS)
            | set(ALL_BEHAVIOURS)
            | {
                "abusive",
                "feelings",
                "solution",
                "emotional_reactions",
                "interpretations",
                "explorations",
                "specific_detail",
                "boundary",
            }
        )
        assert set(det.labels) <= known, f"{key} emits labels outside the vocabulary"


def test_order_puts_requirements_first() -> None:
    reg = default_registry()
    order = [d.name for d in order_detectors([reg.create(k) for k in reversed(DEFAULT_DETECTORS)])]
    assert order.index("emotion.model") < order.index("customer.focus")
    assert (
        order.index("behaviour.patterns")
        < order.index("behaviour.context")
        < order.index("behaviour.sentences")
        < order.index("mechanism.model")
    )


def test_registering_twice_is_refused() -> None:
    reg = Registry()
    register_builtins(reg)
    with pytest.raises(RegistryError, match="already registered"):
        register_builtins(reg)


def test_unknown_detector_lists_the_known_ones() -> None:
    with pytest.raises(RegistryError, match="emotion.lexicon.v1"):
        default_registry().create("emotion.magic.v9")


def test_missing_requirement_is_reported() -> None:
    reg = default_registry()
    with pytest.raises(RegistryError, match="no detector provides"):
        order_detectors([reg.create("customer.focus.v1")])


class _Fake:
    """A detector reduced to its ordering metadata."""

    version = 1
    labels = ("x",)
    speakers = frozenset()

    def __init__(self, name: str, kinds: tuple[str, ...], requires: tuple[str, ...]) -> None:
        self.name, self.kinds, self.requires = name, kinds, requires

    def detect(self, doc, index):  # type: ignore[no-untyped-def]
        return []


def test_a_detector_refining_a_kind_runs_after_the_one_it_reads() -> None:
    # "refine" reads and adds behaviours after "rules" (which also reads and adds them):
    # whatever the given order, the reader of the other's output goes last.
    rules = _Fake("rules", ("behaviour", "cue"), ("behaviour",))
    refine = _Fake("refine", ("behaviour",), ("behaviour", "cue"))
    base = _Fake("base", ("behaviour",), ())
    for given in ([refine, rules, base], [base, rules, refine], [rules, refine, base]):
        assert [d.name for d in order_detectors(given)] == ["base", "rules", "refine"]  # type: ignore[arg-type]


def test_mutual_requirements_are_still_a_cycle() -> None:
    a = _Fake("a", ("y",), ("x",))
    b = _Fake("b", ("x",), ("y",))
    with pytest.raises(RegistryError, match="cycle"):
        order_detectors([a, b])  # type: ignore[list-item]


class _ShoutDetector:
    """A third-party detector: flags agent turns written in capitals."""

    name = "plugin.shout"
    version = 1
    kinds = ("anti_pattern",)
    labels = ("tone_mismatch",)
    requires: tuple[str, ...] = ()
    speakers = frozenset()

    def detect(self, doc, index):  # type: ignore[no-untyped-def]
        return []


def test_a_plugin_registers_like_a_builtin() -> None:
    reg = Registry()
    register_builtins(reg)
    reg.register("plugin.shout.v1", _ShoutDetector)
    assert "plugin.shout.v1" in reg.names()
    assert isinstance(reg.create("plugin.shout.v1"), Detector)

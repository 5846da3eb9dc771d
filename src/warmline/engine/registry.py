"""Detectors: the Protocol they follow, the shared document they read, and their registry.

Built-in detectors register in :func:`warmline.engine.detectors.register_builtins`; third
parties add more through the ``warmline.detectors`` entry-point group, each entry point
naming a callable that takes a :class:`Registry` and registers into it, the same path the
built-ins take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol, TypeVar, cast, runtime_checkable

from warmline.engine.errors import RegistryError
from warmline.engine.model import Annotation, Conversation, Speaker
from warmline.engine.text import TurnText

ENTRY_POINT_GROUP = "warmline.detectors"
T = TypeVar("T")


@dataclass
class Document:
    """A conversation being analysed: its preprocessed turns and the annotations so far.

    Detectors read it and return new annotations; only the pipeline appends them. Turns
    are analysed in order, so a detector looking at turn *i* sees every annotation of
    turns before *i*, and the annotations that earlier detectors made on turn *i*.
    """

    conversation: Conversation
    texts: tuple[TurnText, ...]
    annotations: list[list[Annotation]] = field(default_factory=list)
    memo: dict[tuple[str, int], Any] = field(default_factory=dict)

    @classmethod
    def of(cls, conversation: Conversation) -> Document:
        """Preprocess *conversation* into a fresh document with no annotations."""
        texts = tuple(TurnText(turn) for turn in conversation.turns)
        return cls(conversation, texts, [[] for _ in texts])

    def on(self, turn: int, kind: str | None = None) -> list[Annotation]:
        """Annotations on turn *turn*, optionally only those of one kind."""
        found = self.annotations[turn]
        return found if kind is None else [a for a in found if a.kind == kind]

    def cached(self, key: str, turn: int, compute: Callable[[], T]) -> T:
        """Compute a per-turn value once per document (shared preprocessing between detectors)."""
        slot = (key, turn)
        if slot not in self.memo:
            self.memo[slot] = compute()
        return cast(T, self.memo[slot])

    def previous(self, turn: int, speaker: Speaker) -> int | None:
        """Index of the nearest turn before *turn* by *speaker*, or None."""
        for index in range(turn - 1, -1, -1):
            if self.conversation.turns[index].speaker is speaker:
                return index
        return None


@runtime_checkable
class Detector(Protocol):
    """Finds one family of labels on turns of the speakers it declares.

    ``kinds`` are the annotation kinds it emits, ``labels`` the label ids, ``requires`` the
    annotation kinds it reads (the pipeline runs their emitters first).
    """

    @property
    def name(self) -> str:
        """Registered name without the version (``behaviour.patterns``)."""
        ...

    @property
    def version(self) -> int:
        """Bumped whenever the detector's output changes for the same input."""
        ...

    @property
    def kinds(self) -> tuple[str, ...]:
        """Annotation kinds emitted."""
        ...

    @property
    def labels(self) -> tuple[str, ...]:
        """Label ids emitted."""
        ...

    @property
    def requires(self) -> tuple[str, ...]:
        """Annotation kinds read, whose emitters must run first."""
        ...

    @property
    def speakers(self) -> frozenset[Speaker]:
        """Speakers whose turns the detector looks at."""
        ...

    def detect(self, doc: Document, index: int) -> Iterable[Annotation]:
        """Return the annotations this detector finds on turn *index* of *doc*."""
        ...


def qualified_name(detector: Detector) -> str:
    """The ``name@version`` string annotations carry."""
    return f"{detector.name}@v{detector.version}"


DetectorFactory = Callable[[], Detector]


class Registry:
    """Detector factories under versioned names (``behaviour.patterns.v1``)."""

    def __init__(self) -> None:
        self._factories: dict[str, DetectorFactory] = {}

    def register(self, key: str, factory: DetectorFactory) -> None:
        """Register *factory* under *key*; a key may be registered once."""
        if key in self._factories:
            raise RegistryError(f"detector {key!r} is already registered; pick a new version")
        self._factories[key] = factory

    def names(self) -> list[str]:
        """Registered keys, sorted."""
        return sorted(self._factories)

    def create(self, key: str) -> Detector:
        """Instantiate the detector registered under *key*."""
        try:
            factory = self._factories[key]
        except KeyError:
            known = ", ".join(self.names())
            raise RegistryError(f"no detector named {key!r}; registered: {known}") from None
        return factory()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())


def load_entry_points(registry: Registry) -> list[str]:
    """Let installed plugins register their detectors; return the plugin names loaded."""
    loaded: list[str] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        ep.load()(registry)
        loaded.append(ep.name)
    return loaded


def order_detectors(detectors: list[Detector]) -> list[Detector]:
    """Sort detectors so each runs after every other detector emitting a kind it requires.

    Stable: detectors with no ordering constraint keep the order they were given in. See
    :func:`_waits_for` for detectors that refine a kind they also emit.
    """
    after: dict[int, set[int]] = {
        i: {j for j, other in enumerate(detectors) if j != i and _waits_for(det, other)}
        for i, det in enumerate(detectors)
    }
    provided = {k for det in detectors for k in det.kinds}
    missing = {r for det in detectors for r in det.requires if r not in provided}
    if missing:
        raise RegistryError(f"no detector provides {sorted(missing)}; check the pipeline config")
    ordered: list[int] = []
    while len(ordered) < len(detectors):
        ready = [i for i in range(len(detectors)) if i not in ordered and after[i] <= set(ordered)]
        if not ready:
            cycle = sorted(qualified_name(detectors[i]) for i in after if i not in ordered)
            raise RegistryError(f"detectors require each other in a cycle: {cycle}")
        ordered.append(ready[0])
    return [detectors[i] for i in ordered]


def _waits_for(det: Detector, other: Detector) -> bool:
    """Whether *det* runs after *other*: *other* emits a kind *det* requires.

    A detector that reads and adds a kind (``behaviour.context`` reads the behaviours found so
    far and adds more) does not wait, for that kind, on a detector that reads its output: that
    one refines after it. Other mutual requirements remain a cycle. Where two such refiners
    meet, the one that must come second names the other in an optional ``runs_after`` tuple of
    detector names (``behaviour.sentences`` reads everything the rule detectors found).
    """
    if other.name in getattr(det, "runs_after", ()):
        return True
    shared = set(other.kinds) & set(det.requires)
    if shared and set(other.requires) & set(det.kinds):
        shared -= set(det.kinds)
    return bool(shared)

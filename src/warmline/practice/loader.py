"""Reading scenario files: YAML → validated :class:`~warmline.practice.scenario.Scenario`.

Every field is checked; a problem raises :class:`~warmline.practice.errors.ScenarioError`
naming the file, the field path (``reactions.calms.validate``) and what was expected. The
scenarios shipped with Warmline live in ``warmline/practice/scenarios/*.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final

import yaml

from warmline.engine.labels import ANTI_PATTERNS, BEHAVIOURS, EMOTIONS
from warmline.practice.errors import ScenarioError, UnknownScenarioError
from warmline.practice.fields import Fields, join
from warmline.practice.scenario import (
    LINE_KEYS,
    Cue,
    Patience,
    Persona,
    Reactions,
    Resolution,
    Scenario,
)

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID: Final = re.compile(r"[a-z][a-z0-9_-]{1,63}")
_TOP: Final = (
    "id title summary persona facts start patience reactions resolution lines".split(),
    ("cues", "tips"),
)
#: The fewest variants each line key needs, so replays differ by seed.
MIN_VARIANTS: Final = 2


class _Fields(Fields):
    """The shared field checks, plus those only this format needs."""

    __slots__ = ()

    def __init__(self, file: str) -> None:
        super().__init__(file, ScenarioError)

    def number(self, value: Any, field: str, low: float, high: float) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            self.fail(field, f"a number from {low:g} to {high:g}", value)
        return float(value)

    def signal(self, value: Any, field: str, allowed: Iterable[str]) -> str:
        allowed = tuple(allowed)
        if not isinstance(value, str) or value not in allowed:
            self.fail(field, f"a behaviour, anti-pattern or cue id ({', '.join(allowed)})", value)
        return value

    def weights(self, value: Any, field: str, allowed: Iterable[str]) -> dict[str, float]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(field, "a mapping of signal id to weight", value)
        allowed = tuple(allowed)
        return {
            self.signal(k, join(field, str(k)), allowed): self.number(
                w, join(field, str(k)), 0.0, 1.0
            )
            for k, w in value.items()
        }


def parse_scenario(data: Any, *, file: str = "<scenario>") -> Scenario:
    """Build a Scenario from parsed YAML *data*; *file* names the source in errors."""
    f = _Fields(file)
    root = f.mapping(data, "", *_TOP)
    cues = _cues(f, root.get("cues"))
    signals = (*BEHAVIOURS, *ANTI_PATTERNS, *(c.id for c in cues))
    start = f.mapping(root["start"], "start", ("emotion", "intensity"))
    emotion = start["emotion"]
    if emotion not in EMOTIONS:
        f.fail("start.emotion", f"one of {', '.join(EMOTIONS)}", emotion)
    scenario_id = f.text(root["id"], "id")
    if not _ID.fullmatch(scenario_id):
        f.fail("id", "lower-case letters, digits, - or _, starting with a letter", scenario_id)
    reactions = _reactions(f, root["reactions"], signals)
    return Scenario(
        id=scenario_id,
        title=f.text(root["title"], "title"),
        summary=f.text(root["summary"], "summary"),
        persona=_persona(f, root["persona"]),
        facts=f.texts(root["facts"], "facts"),
        emotion=emotion,
        intensity=f.number(start["intensity"], "start.intensity", 0.0, reactions.escalate_at),
        patience=_patience(f, root["patience"]),
        reactions=reactions,
        resolution=_resolution(f, root["resolution"], signals),
        lines=_lines(f, root["lines"]),
        cues=cues,
        tips=_tips(f, root.get("tips"), signals),
        source=file,
    )


def _persona(f: _Fields, value: Any) -> Persona:
    keys = ("name", "situation", "history", "wants", "will_accept")
    data = f.mapping(value, "persona", keys)
    return Persona(*(f.text(data[k], f"persona.{k}") for k in keys))


def _patience(f: _Fields, value: Any) -> Patience:
    data = f.mapping(value, "patience", ("poor_replies",), ("poor_score", "max_replies"))
    return Patience(
        poor_replies=f.integer(data["poor_replies"], "patience.poor_replies", 0, 20),
        poor_score=f.integer(data.get("poor_score", 40), "patience.poor_score", 0, 100),
        max_replies=f.integer(data.get("max_replies", 8), "patience.max_replies", 1, 50),
    )


def _reactions(f: _Fields, value: Any, signals: tuple[str, ...]) -> Reactions:
    data = f.mapping(
        value,
        "reactions",
        ("calms",),
        ("inflames", "missing", "volatility", "escalate_at", "max_calm"),
    )
    calms = f.weights(data["calms"], "reactions.calms", signals)
    if not calms:
        f.fail("reactions.calms", "at least one signal that calms the customer", data["calms"])
    positive = tuple(s for s in signals if s not in ANTI_PATTERNS)
    return Reactions(
        calms=calms,
        inflames=f.weights(data.get("inflames"), "reactions.inflames", signals),
        missing=f.weights(data.get("missing"), "reactions.missing", positive),
        volatility=f.number(data.get("volatility", 0.03), "reactions.volatility", 0.0, 0.2),
        escalate_at=f.number(data.get("escalate_at", 1.0), "reactions.escalate_at", 0.5, 1.0),
        max_calm=f.number(data.get("max_calm", 0.3), "reactions.max_calm", 0.05, 1.0),
    )


def _resolution(f: _Fields, value: Any, signals: tuple[str, ...]) -> Resolution:
    data = f.mapping(
        value, "resolution", ("max_intensity",), ("requires", "forbids", "min_replies")
    )
    requires = data.get("requires") or []
    if not isinstance(requires, list):
        f.fail("resolution.requires", "a list of signal ids or lists of alternatives", requires)
    groups = []
    for i, item in enumerate(requires):
        where = f"resolution.requires[{i}]"
        options = item if isinstance(item, list) and item else [item]
        groups.append(tuple(f.signal(s, where, signals) for s in options))
    forbids = data.get("forbids") or []
    if not isinstance(forbids, list):
        f.fail("resolution.forbids", "a list of signal ids", forbids)
    return Resolution(
        max_intensity=f.number(data["max_intensity"], "resolution.max_intensity", 0.0, 1.0),
        requires=tuple(groups),
        forbids=tuple(
            f.signal(s, f"resolution.forbids[{i}]", signals) for i, s in enumerate(forbids)
        ),
        min_replies=f.integer(data.get("min_replies", 1), "resolution.min_replies", 1, 50),
    )


def _lines(f: _Fields, value: Any) -> dict[str, tuple[str, ...]]:
    data = f.mapping(value, "lines", LINE_KEYS)
    return {k: f.texts(data[k], f"lines.{k}", least=MIN_VARIANTS) for k in LINE_KEYS}


def _cues(f: _Fields, value: Any) -> tuple[Cue, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        f.fail("cues", "a mapping of cue id to a list of regular expressions", value)
    taken = {*BEHAVIOURS, *ANTI_PATTERNS}
    cues = []
    for key, patterns in value.items():
        where = f"cues.{key}"
        if not isinstance(key, str) or not _ID.fullmatch(key) or key in taken:
            f.fail(where, "a new lower-case id (not a behaviour or anti-pattern id)", key)
        compiled = []
        for i, text in enumerate(f.texts(patterns, where)):
            try:
                compiled.append(re.compile(text, re.IGNORECASE))
            except re.error as exc:
                f.fail(f"{where}[{i}]", f"a valid regular expression ({exc})", text)
        cues.append(Cue(key, tuple(compiled)))
    return tuple(cues)


def _tips(f: _Fields, value: Any, signals: tuple[str, ...]) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        f.fail("tips", "a mapping of signal id to a tip", value)
    return {f.signal(k, f"tips.{k}", signals): f.text(v, f"tips.{k}") for k, v in value.items()}


def load_scenario(source: Path | Traversable | str) -> Scenario:
    """Read and validate one scenario file (a path or a packaged resource)."""
    path = Path(source) if isinstance(source, str) else source
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(name, "", f"a readable UTF-8 YAML file ({exc})") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ScenarioError(name, "", f"valid YAML ({exc})") from None
    return parse_scenario(data, file=name)


def scenario_folder() -> Traversable:
    """The folder of the scenarios shipped inside the package."""
    return files("warmline.practice") / "scenarios"


@lru_cache(maxsize=1)
def shipped_scenarios() -> tuple[Scenario, ...]:
    """Every shipped scenario, sorted by id (read once, then reused)."""
    found = [
        load_scenario(item)
        for item in scenario_folder().iterdir()
        if item.name.endswith((".yaml", ".yml"))
    ]
    seen: dict[str, str] = {}
    for scenario in found:
        if scenario.id in seen:
            raise ScenarioError(
                scenario.source,
                "id",
                f"an id no other file uses ({seen[scenario.id]} has it too)",
                scenario.id,
            )
        seen[scenario.id] = scenario.source
    return tuple(sorted(found, key=lambda s: s.id))


def get_scenario(name: str) -> Scenario:
    """A shipped scenario by id, or any scenario file by path (ending in .yaml or .yml)."""
    if name.endswith((".yaml", ".yml")) and Path(name).is_file():
        return load_scenario(Path(name))
    scenarios = shipped_scenarios()
    for scenario in scenarios:
        if scenario.id == name:
            return scenario
    raise UnknownScenarioError(name, (s.id for s in scenarios))


__all__ = [
    "MIN_VARIANTS",
    "get_scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_folder",
    "shipped_scenarios",
]

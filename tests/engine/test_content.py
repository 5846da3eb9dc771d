"""Coaching content: the shipped YAML files load, are complete, and bad files fail clearly."""

from __future__ import annotations

import pickle
import re
import shutil
from collections import Counter
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from warmline.engine.coaching import MISSABLE, Coach
from warmline.engine.content import PLACEHOLDERS, StatementLibrary
from warmline.engine.errors import ConfigError
from warmline.engine.labels import ANTI_PATTERNS, NEGATIVE_EMOTIONS

DATA = Path(str(files("warmline.engine") / "data"))


@pytest.fixture(scope="module")
def coach() -> Coach:
    return Coach()


@pytest.fixture(scope="module")
def library(coach: Coach) -> StatementLibrary:
    return coach.rewriter.library


def test_every_anti_pattern_and_missable_behaviour_has_a_tip(coach: Coach) -> None:
    expected = {f"avoid.{a}" for a in ANTI_PATTERNS} | {f"missed.{m}" for m in MISSABLE}
    assert set(coach.entries) == expected


def test_tip_ids_are_unique_and_messages_name_a_principle(coach: Coach) -> None:
    tips = []
    for entry in coach.entries.values():
        tips += [entry.default, *entry.by_emotion.values(), *entry.by_focus.values()]
        tips += [entry.abusive] if entry.abusive else []
    assert len({t.id for t in tips}) == len(tips)
    for tip in tips:
        principle, _, how = tip.message.partition(": ")
        assert how, f"{tip.id} does not open with 'Principle: ...'"
        assert len(principle.split()) <= 8, tip.id
        assert len(re.findall(r"[.!?](?:\s|$)", tip.message)) <= 2, f"{tip.id}: 1-2 sentences"


@pytest.mark.parametrize("emotion", sorted(NEGATIVE_EMOTIONS))
@pytest.mark.parametrize("situation", ["acknowledge", "validate"])
@pytest.mark.parametrize("intensity", ["mild", "strong"])
def test_each_negative_emotion_has_three_statements_per_intensity(
    library: StatementLibrary, situation: str, emotion: str, intensity: str
) -> None:
    found = library.group(situation, emotion=emotion, intensity=intensity, generic=False)
    assert len(found) >= 3
    assert all(s.emotion == emotion and s.intensity == intensity for s in found)


@pytest.mark.parametrize(
    ("situation", "where"),
    [
        ("acknowledge", {"emotion": "joy"}),
        ("acknowledge", {"emotion": "gratitude"}),
        ("condolence", {"topic": "bereavement"}),
        ("apology", {"topic": "delay"}),
        ("apology", {"topic": "billing"}),
        ("apology", {}),
        ("ownership", {}),
        ("graceful_no", {}),
        ("alternative", {}),
        ("reassurance", {}),
        ("follow_up", {}),
        ("check_resolution", {}),
        ("offer_human", {}),
        ("boundary", {}),
        ("clarify", {}),
        ("thanks", {}),
        ("next_step", {}),
    ],
)
def test_every_situation_has_several_variants(
    library: StatementLibrary, situation: str, where: dict[str, str]
) -> None:
    assert len(library.group(situation, **where)) >= 3


def test_every_statement_group_has_at_least_three_variants(library: StatementLibrary) -> None:
    groups = Counter((s.situation, s.emotion, s.intensity, s.topic) for s in library.statements)
    assert min(groups.values()) >= 3, [g for g, n in groups.items() if n < 3]


def test_statements_have_unique_ids_known_placeholders_and_house_style(
    library: StatementLibrary,
) -> None:
    ids = [s.id for s in library.statements]
    assert len(ids) == len(set(ids))
    for s in library.statements:
        assert set(re.findall(r"\{(\w+)\}", s.text)) <= PLACEHOLDERS, s.id
        assert "inconvenience" not in s.text.lower(), s.id
        assert "  " not in s.text and s.text[0].isupper() and s.text[-1] in ".!?", s.id
        if s.emotion in NEGATIVE_EMOTIONS or s.situation in ("condolence", "boundary"):
            assert "!" not in s.text, f"{s.id}: no exclamation marks for upset customers"


def test_content_is_loaded_once_and_shared(coach: Coach) -> None:
    again = Coach()
    assert again.rewriter is coach.rewriter and again.entries is coach.entries


def test_coach_survives_pickling(coach: Coach) -> None:
    # The pipeline's Analyzer is pickled to batch workers, coach included.
    assert isinstance(pickle.loads(pickle.dumps(coach)), Coach)


def _drop(path: list[str]) -> Callable[[Any], None]:
    def edit(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        del data[path[-1]]

    return edit


def _set(path: list[Any], value: Any) -> Callable[[Any], None]:
    def edit(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value

    return edit


def _duplicate_first_id(data: Any) -> None:
    data["groups"][1]["statements"][0]["id"] = data["groups"][0]["statements"][0]["id"]


BROKEN = [
    ("tips.yaml", _drop(["avoid", "blame"]), "tips.yaml: avoid.blame: expected this key"),
    ("tips.yaml", _set(["missed", "validate", "colour"], "x"), "missed.validate.colour"),
    ("tips.yaml", _set(["avoid", "blame", "emotion", "hunger"], "x"), "avoid.blame.emotion.hunger"),
    ("tips.yaml", _set(["avoid", "blame", "message"], ""), "avoid.blame.message: expected a non"),
    ("tips.yaml", _set(["max_tips"], 0), "max_tips: expected one of 1, 2"),
    ("statements.yaml", _duplicate_first_id, "an id not used before"),
    ("statements.yaml", _set(["groups", 0, "emotion"], "grumpy"), "groups[0].emotion"),
    (
        "statements.yaml",
        _set(["groups", 0, "statements", 0, "text"], "Hi {agent}."),
        "statement ack.anger.mild.1: text: expected no placeholders but {name}",
    ),
    ("statements.yaml", _set(["groups", 0, "topic"], "weather"), "groups[0].topic"),
    ("rewrites.yaml", _set(["refusal"], "(unclosed"), "rewrites.yaml: refusal: expected a valid"),
    ("rewrites.yaml", _set(["closing"], "Regards"), "closing: expected a pattern written in lower"),
    ("rewrites.yaml", _drop(["greeting"]), "rewrites.yaml: file.greeting: expected this key"),
    ("rewrites.yaml", _set(["greeting"], "Hello,"), "greeting: expected a template containing"),
    ("rewrites.yaml", _set(["additions", "apology", "group"], "nope"), "additions.apology.group"),
    ("rewrites.yaml", _set(["additions", "apology", "place"], "middle"), "additions.apology.place"),
    ("rewrites.yaml", _set(["repairs", "blame", "add"], "hug"), "repairs.blame.add"),
    ("rewrites.yaml", _set(["repairs", "blame", "action"], "burn"), "repairs.blame.action"),
    (
        "rewrites.yaml",
        _set(["repairs", "dismissive", "strip", 2, "put"], r"\3"),
        "repairs.dismissive.strip[2].put: expected a replacement valid",
    ),
    ("rewrites.yaml", _set(["repairs", "sulking"], {"action": "drop"}), "repairs.sulking"),
]


@pytest.mark.parametrize(("name", "edit", "message"), BROKEN)
def test_a_broken_file_raises_a_config_error_naming_file_and_entry(
    tmp_path: Path, name: str, edit: Callable[[Any], None], message: str
) -> None:
    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    data = yaml.safe_load((tmp_path / name).read_text(encoding="utf-8"))
    edit(data)
    (tmp_path / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Coach(content_dir=tmp_path)
    assert message in str(info.value)


def test_unreadable_and_malformed_files_say_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"tips\.yaml: cannot be read"):
        Coach(content_dir=tmp_path)
    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    (tmp_path / "rewrites.yaml").write_text("repairs: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rewrites\.yaml: not valid YAML"):
        Coach(content_dir=tmp_path)


def test_a_valid_custom_directory_is_used(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    tips = yaml.safe_load((tmp_path / "tips.yaml").read_text(encoding="utf-8"))
    tips["avoid"]["blame"]["message"] = "Team first: fix it together."
    (tmp_path / "tips.yaml").write_text(yaml.safe_dump(tips), encoding="utf-8")
    entry = Coach(content_dir=tmp_path).entries["avoid.blame"]
    assert entry.default.message == "Team first: fix it together."

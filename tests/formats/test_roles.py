"""Role words, role mappings and speaker prefixes."""

from __future__ import annotations

import pytest

from warmline.engine.model import Speaker
from warmline.formats import RoleMappingError, parse_role_mapping
from warmline.formats.roles import build_role_map, looks_like_name, match_prefix, resolve_speaker


def test_parse_role_mapping_reads_name_equals_role() -> None:
    entries = ["Priya=customer", "Sam Lee = Agent", "Helper=bot", "Dana=rep", "a=b=customer"]
    assert parse_role_mapping(entries) == {
        "Priya": "customer",
        "Sam Lee": "agent",
        "Helper": "bot",
        "Dana": "agent",
        "a=b": "customer",
    }


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        (["Priya"], "write NAME=ROLE"),
        (["=customer"], "write NAME=ROLE"),
        (["Priya=manager"], "'manager' is not a role"),
        (["Priya=customer", "priya=agent"], "mapped twice"),
    ],
)
def test_parse_role_mapping_explains_bad_entries(entries: list[str], words: str) -> None:
    with pytest.raises(RoleMappingError, match=words):
        parse_role_mapping(entries)


def test_the_same_mapping_twice_is_fine() -> None:
    assert parse_role_mapping(["Priya=customer", "priya=Client"]) == {
        "Priya": "customer",
        "priya": "customer",
    }


def test_build_role_map_rejects_unknown_roles() -> None:
    with pytest.raises(RoleMappingError, match="'boss'"):
        build_role_map({"Sam": "boss"})


@pytest.mark.parametrize(
    ("name", "speaker"),
    [
        ("priya", Speaker.CUSTOMER),
        ("  PRIYA ", Speaker.CUSTOMER),
        ("Customer", Speaker.CUSTOMER),
        ("virtual   assistant", Speaker.BOT),
        ("Agent #3", Speaker.AGENT),
        ("Support", Speaker.BOT),  # the mapping wins over the role word
        ("Manager", None),
    ],
)
def test_resolve_speaker(name: str, speaker: Speaker | None) -> None:
    roles = build_role_map({"Priya": "customer", "support": "bot"})
    assert resolve_speaker(name, roles) == speaker


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Priya", True),
        ("Priya van Dijk", True),
        ("Speaker 1", True),
        ("José", True),
        ("priya", False),
        ("My order", False),
        ("Note", False),
        ("Step 1", False),
        ("Order number", False),
        ("One Two Three Four", False),
    ],
)
def test_looks_like_name(text: str, expected: bool) -> None:
    assert looks_like_name(text) is expected


@pytest.mark.parametrize(
    ("line", "name", "speaker", "rest"),
    [
        ("Agent: hello", "Agent", Speaker.AGENT, "hello"),
        ("Agent:", "Agent", Speaker.AGENT, ""),
        ("**Customer:** hi", "Customer", Speaker.CUSTOMER, "hi"),
        ("Priya: hi: there", "Priya", None, "hi: there"),
        ("10:30 works", None, None, None),
        ("https://x.y", None, None, None),
        ("Agent:hello", None, None, None),
        ("just words", None, None, None),
    ],
)
def test_match_prefix(
    line: str, name: str | None, speaker: Speaker | None, rest: str | None
) -> None:
    found = match_prefix(line, {})
    if name is None:
        assert found is None
    else:
        assert found is not None
        assert (found.name, found.speaker, found.rest) == (name, speaker, rest)

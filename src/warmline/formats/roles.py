"""Speaker names and role words: how "Priya", "Caller" or "Support" become a Speaker.

Transcripts, subtitles and CSV exports name their speakers in many ways. A name is resolved
first through the user's role mapping (``--role Priya=customer``), then through the role words
every support team uses (``Caller`` is the customer, ``Rep`` the agent, ``Assistant`` the bot).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from warmline.engine.model import Speaker
from warmline.formats.records import RoleMappingError

#: A normalised (case-folded, single-spaced) speaker name → the role it stands for.
RoleMap = Mapping[str, Speaker]

#: Role words understood without a mapping, case-insensitively.
ROLE_WORDS: Mapping[str, Speaker] = {
    **dict.fromkeys(("customer", "caller", "client", "user"), Speaker.CUSTOMER),
    **dict.fromkeys(
        ("agent", "rep", "representative", "support", "advisor", "adviser", "operator"),
        Speaker.AGENT,
    ),
    **dict.fromkeys(("bot", "assistant", "chatbot", "virtual assistant"), Speaker.BOT),
}

_ROLE_HELP = "customer, agent or bot"
# "Agent 2" and "Customer 1" are the same roles as "Agent" and "Customer".
_TRAILING_NUMBER = re.compile(r"\s*#?\d+$")
# What an unknown speaker name looks like: one to three words, the first and last capitalised
# ("Priya", "Priya van Dijk"), or a numbered voice from a transcription tool ("Speaker 1").
# Anything else before a colon ("order number: 42", "Step 2: ...") is ordinary text.
_NAME_LIKE = re.compile(r"[^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*){0,2}")
_NUMBERED_VOICE = re.compile(r"(?:speaker|person|participant|guest|voice) ?#?\d+", re.IGNORECASE)
# Capitalised labels that start lines inside a message ("Note: ...", "Tracking number: ...")
# and are never speakers, so they continue the turn instead of being unknown names.
_LABEL_WORDS = frozenset(
    "address amount answer case date edit email error example fwd fyi important issue link "
    "nb note notes order p.s. phone price ps question re reason ref reference resolution "
    "status subject summary ticket time tip total tracking update url warning".split()
)
# "Name: text", also in Markdown bold ("**Agent:** text", "**Agent**: text"). The colon must be
# followed by a space or the end of the line, so "10:30" and "https://" are never prefixes.
_PREFIX = re.compile(
    r"(?:\*\*|__)?(?P<name>[^\W\d_][\w '’.#-]{0,47}?)\s*(?:\*\*|__)?\s*:(?:\*\*|__)?(?:\s+|$)"
)


def normalise_name(name: str) -> str:
    """Return the form names are compared in: case-folded with single spaces."""
    return " ".join(name.split()).casefold()


def parse_role(value: str) -> Speaker | None:
    """Return the Speaker a role word such as ``customer`` or ``Rep`` stands for, or None."""
    key = normalise_name(value)
    role = ROLE_WORDS.get(key)
    if role is None:
        role = ROLE_WORDS.get(_TRAILING_NUMBER.sub("", key))
    return role


def parse_role_mapping(entries: Iterable[str]) -> dict[str, str]:
    """Parse ``NAME=ROLE`` entries (as given to ``--role``) into a name → role mapping."""
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for entry in entries:
        name, sep, value = entry.rpartition("=")
        name = " ".join(name.split())
        if not sep or not name:
            raise RoleMappingError(
                f"bad role mapping {entry!r}: write NAME=ROLE, for example Priya=customer "
                f"(ROLE is {_ROLE_HELP})"
            )
        role = parse_role(value)
        if role is None:
            raise RoleMappingError(
                f"bad role mapping {entry!r}: {value.strip()!r} is not a role; use {_ROLE_HELP}"
            )
        key = normalise_name(name)
        if key in seen and mapping[seen[key]] != role.value:
            raise RoleMappingError(
                f"{name!r} is mapped twice, to {mapping[seen[key]]} and to {role.value}; "
                "keep one of them"
            )
        seen[key] = name
        mapping[name] = role.value
    return mapping


def build_role_map(roles: Mapping[str, str] | None) -> dict[str, Speaker]:
    """Validate a name → role mapping and normalise it for lookups."""
    role_map: dict[str, Speaker] = {}
    for name, value in (roles or {}).items():
        role = parse_role(value)
        if role is None:
            raise RoleMappingError(
                f"the role of {name!r} is {value!r}, which is not a role; use {_ROLE_HELP}"
            )
        role_map[normalise_name(name)] = role
    return role_map


def resolve_speaker(name: str, roles: RoleMap) -> Speaker | None:
    """Return the Speaker behind *name* (mapped names first, then role words), or None."""
    mapped = roles.get(normalise_name(name))
    return mapped if mapped is not None else parse_role(name)


def looks_like_name(text: str) -> bool:
    """Tell whether *text* reads like a speaker's name rather than prose or a label."""
    if len(text) > 40:
        return False
    if _NUMBERED_VOICE.fullmatch(text):
        return True
    if _NAME_LIKE.fullmatch(text) is None:
        return False
    words = text.split(" ")
    capitalised = words[0][0].isupper() and words[-1][0].isupper()
    return capitalised and words[0].casefold() not in _LABEL_WORDS


def unknown_speaker_message(name: str) -> str:
    """Return the message for a speaker name that is neither a role word nor mapped."""
    return (
        f"unknown speaker {name!r}; say who they are with a role mapping, "
        f"for example --role '{name}=customer' (roles: {_ROLE_HELP})"
    )


@dataclass(frozen=True, slots=True)
class SpeakerPrefix:
    """A ``Name:`` prefix found at the start of a line; ``speaker`` is None if unknown."""

    name: str
    speaker: Speaker | None
    rest: str


def match_prefix(line: str, roles: RoleMap) -> SpeakerPrefix | None:
    """Find a speaker prefix at the start of *line*; None when the line is plain text."""
    match = _PREFIX.match(line)
    if match is None:
        return None
    name = " ".join(match["name"].split())
    rest = line[match.end() :]
    speaker = resolve_speaker(name, roles)
    if speaker is None and not looks_like_name(name):
        return None
    return SpeakerPrefix(name=name, speaker=speaker, rest=rest)

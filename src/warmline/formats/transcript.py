"""Plain-text transcripts: one conversation per file, each turn opened by a ``Speaker:`` prefix.

A line such as ``[10:02] Customer: my order never came`` opens a turn (the timestamp is
optional and kept); a line without a prefix continues the turn before it. Lines before the
first turn (a title, a Markdown heading) are ignored. The whole file is read at once because
it is one conversation, up to :data:`~warmline.formats.lines.MAX_FILE_BYTES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from warmline.formats.assemble import assemble, read_whole_file
from warmline.formats.records import InputError, Record
from warmline.formats.roles import RoleMap, match_prefix, unknown_speaker_message

# An optional leading time: "[10:02]", "(10:02:33)", "10:02:33", "2024-05-01 10:02", "10:02 PM",
# optionally followed by a separator ("10:02 - Agent: ...").
_TIMESTAMP = re.compile(
    r"\s*[\[(]?(?P<ts>(?:\d{4}-\d{2}-\d{2}[ T])?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
    r"(?: ?[AaPp][Mm])?)[\])]?\s*(?:[-–—|]\s*)?"
)
_NO_TURNS = (
    "no turns found; start each turn on a new line with a speaker prefix such as "
    "'Customer:' or 'Agent:' (map other names with --role NAME=customer)"
)


def read_transcript(
    stream: BinaryIO, *, source: str, conversation_id: str, roles: RoleMap
) -> Iterator[Record]:
    """Yield the one record of a plain-text transcript."""
    yield from read_whole_file(
        stream,
        source=source,
        conversation_id=conversation_id,
        parse=lambda text: parse_transcript(
            text, source=source, conversation_id=conversation_id, roles=roles
        ),
    )


def parse_transcript(text: str, *, source: str, conversation_id: str, roles: RoleMap) -> Record:
    """Parse transcript *text* into a Conversation, or an InputError at the offending line."""
    turns: list[dict[str, Any]] = []
    turn_lines: list[int] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        stamp = _TIMESTAMP.match(line)
        rest = line[stamp.end() :] if stamp else line.lstrip()
        prefix = match_prefix(rest, roles)
        if prefix is None:
            if turns:
                turns[-1]["text"].append(line)
            continue
        if prefix.speaker is None:
            return InputError(number, conversation_id, unknown_speaker_message(prefix.name), source)
        turn: dict[str, Any] = {"speaker": prefix.speaker.value, "text": [prefix.rest]}
        if stamp:
            turn["timestamp"] = stamp["ts"]
        turns.append(turn)
        turn_lines.append(number)
    if not turns:
        return InputError(None, conversation_id, _NO_TURNS, source)
    for turn in turns:
        turn["text"] = "\n".join(turn["text"]).strip()
    data = {"id": conversation_id, "turns": turns}
    return assemble(data, turn_lines=turn_lines, source=source)

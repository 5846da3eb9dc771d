"""WebVTT and SRT subtitles: timed cues whose speakers become the turns of one conversation.

A cue's speaker comes from a WebVTT voice tag (``<v Priya>``) or a ``Name:`` prefix in its
text; a cue without one continues the previous speaker. Consecutive cues of one speaker are
merged into a single turn (joined with spaces, since subtitle line breaks are only layout)
whose timestamp is the first cue's start time. Other tags and styling are stripped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from warmline.engine.model import Speaker
from warmline.formats.assemble import assemble, read_whole_file
from warmline.formats.records import InputError, Record
from warmline.formats.roles import RoleMap, match_prefix, resolve_speaker, unknown_speaker_message

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d+)?"
_TIMING = re.compile(rf"\s*(?P<start>{_TIME})\s*-->\s*{_TIME}")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+(?P<name>[^>]*)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_DIALOGUE_DASH = re.compile(r"[-–—]\s+")
_NOT_CUES = ("WEBVTT", "NOTE", "STYLE", "REGION")
_NO_SPEAKER = (
    "this cue has no speaker; name who speaks with a WebVTT voice tag such as <v Priya> "
    "or a 'Name:' prefix (and map names with --role NAME=customer)"
)
_NO_TURNS = "no cues with text found; expected timed cues such as '00:00:01.000 --> 00:00:04.000'"


@dataclass(slots=True)
class _Cue:
    start: str
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)


class _SpeakerError(Exception):
    """Internal: stops parsing at a line whose speaker cannot be worked out."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_captions(
    stream: BinaryIO, *, source: str, conversation_id: str, roles: RoleMap
) -> Iterator[Record]:
    """Yield the one record of a WebVTT or SRT file."""
    yield from read_whole_file(
        stream,
        source=source,
        conversation_id=conversation_id,
        parse=lambda text: parse_captions(
            text, source=source, conversation_id=conversation_id, roles=roles
        ),
    )


def parse_captions(text: str, *, source: str, conversation_id: str, roles: RoleMap) -> Record:
    """Parse WebVTT or SRT *text* into a Conversation, or an InputError at the offending line."""
    turns: list[dict[str, Any]] = []
    turn_lines: list[int] = []
    speaker: Speaker | None = None
    try:
        for cue in _cues(text):
            for number, line in cue.lines:
                for named, piece in _segments(line, number, roles):
                    speaker = named or speaker
                    if not piece:
                        continue
                    if speaker is None:
                        raise _SpeakerError(number, _NO_SPEAKER)
                    if turns and turns[-1]["speaker"] == speaker.value:
                        turns[-1]["text"].append(piece)
                        continue
                    turns.append(
                        {"speaker": speaker.value, "text": [piece], "timestamp": cue.start}
                    )
                    turn_lines.append(cue.line)
    except _SpeakerError as exc:
        return InputError(exc.line, conversation_id, exc.message, source)
    if not turns:
        return InputError(None, conversation_id, _NO_TURNS, source)
    for turn in turns:
        turn["text"] = " ".join(turn["text"])
    data = {"id": conversation_id, "turns": turns}
    return assemble(data, turn_lines=turn_lines, source=source)


def _cues(text: str) -> Iterator[_Cue]:
    """Yield the cues of *text*; text blocks without a timing line extend the cue before."""
    cue: _Cue | None = None
    block: list[tuple[int, str]] = []
    lines = [line.rstrip("\r") for line in text.split("\n")]
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            block.append((number, line))
            continue
        if not block:
            continue
        timing = next((i for i, (_, text) in enumerate(block) if _TIMING.match(text)), None)
        if timing is not None:
            if cue is not None:
                yield cue
            number_at, timing_line = block[timing]
            match = _TIMING.match(timing_line)
            assert match is not None  # found by the search above
            cue = _Cue(start=match["start"], line=number_at, lines=block[timing + 1 :])
        elif cue is not None and not block[0][1].startswith(_NOT_CUES):
            cue.lines.extend(block)
        block = []
    if cue is not None:
        yield cue


def _segments(line: str, number: int, roles: RoleMap) -> Iterator[tuple[Speaker | None, str]]:
    """Split one cue line at voice tags into (speaker named there or None, clean text)."""
    voice: Speaker | None = None
    position = 0
    for match in _VOICE.finditer(line):
        yield _labelled(voice, line[position : match.start()], number, roles)
        name = " ".join(match["name"].split())
        voice = resolve_speaker(name, roles)
        if voice is None:
            raise _SpeakerError(number, unknown_speaker_message(name))
        position = match.end()
    yield _labelled(voice, line[position:], number, roles)


def _labelled(
    voice: Speaker | None, raw: str, number: int, roles: RoleMap
) -> tuple[Speaker | None, str]:
    text = html.unescape(_TAG.sub("", raw)).strip()
    dash = _DIALOGUE_DASH.match(text)
    if dash is not None:
        text = text[dash.end() :]
    prefix = match_prefix(text, roles)
    if prefix is None:
        return voice, text
    if prefix.speaker is None:
        raise _SpeakerError(number, unknown_speaker_message(prefix.name))
    return prefix.speaker, prefix.rest.strip()

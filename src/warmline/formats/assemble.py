"""Turn what a reader parsed into a Conversation, or an InputError pointing at the bad line.

CSV rows, transcript lines and subtitle cues all end up as an interchange-format dict that
goes through the one validator, :func:`~warmline.engine.model.conversation_from_dict`, so
every format obeys the same rules (turn length, NUL bytes, turn count).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, BinaryIO

from warmline.engine.errors import InvalidConversationError
from warmline.engine.model import conversation_from_dict
from warmline.formats.lines import decode, read_bounded, too_big_message
from warmline.formats.records import InputError, Record

_TURN_WHERE = re.compile(r"turns\[(\d+)\]")


def assemble(data: dict[str, Any], *, turn_lines: Sequence[int], source: str) -> Record:
    """Validate *data*; an error in turn *i* is reported at ``turn_lines[i]``."""
    try:
        return conversation_from_dict(data)
    except InvalidConversationError as exc:
        line = turn_lines[0] if turn_lines else None
        message = str(exc)
        match = _TURN_WHERE.match(exc.where or "")
        if match is not None:
            index = int(match[1])
            line = turn_lines[index] if index < len(turn_lines) else line
            message = f"turn {index + 1}: {message.removeprefix(f'{exc.where}: ')}"
        return InputError(line=line, id=str(data.get("id")) or None, message=message, source=source)


def read_whole_file(
    stream: BinaryIO, *, source: str, conversation_id: str, parse: Callable[[str], Record]
) -> Iterator[Record]:
    """Read a one-conversation file (bounded, strict UTF-8) and yield what *parse* makes of it."""
    data = read_bounded(stream)
    if data is None:
        yield InputError(None, conversation_id, too_big_message(), source)
        return
    decoded = decode(data)
    if decoded.problem is not None:
        yield InputError(decoded.line, conversation_id, decoded.problem, source)
        return
    yield parse(decoded.text)

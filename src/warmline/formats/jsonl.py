"""JSON Lines: one interchange-format conversation per line, read one line at a time.

Each physical line is decoded and validated on its own, so a bad line (invalid UTF-8, broken
JSON, binary junk, a conversation the validator rejects) becomes an InputError for that line
and the next line is read as if nothing happened. Memory stays bounded by the longest line,
and lines over :data:`~warmline.formats.lines.MAX_LINE_BYTES` are skipped without being held.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from warmline.engine.errors import InvalidConversationError
from warmline.engine.model import conversation_from_dict
from warmline.formats.lines import MAX_LINE_BYTES, decode, iter_lines, too_long_message
from warmline.formats.records import InputError, Record

# Finds "id" among the leading scalar members of a line that is not valid JSON, so the error
# can still carry the conversation id. Only the first few KiB are searched.
_LEADING_ID = re.compile(
    r'\s*\{(?:\s*"[^"\\]*"\s*:\s*(?:"(?:[^"\\]|\\.)*"|[-+\w.]+)\s*,)*?'
    r'\s*"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)'
)
_ID_SEARCH_CHARS = 4096
# A JSON escape of half a UTF-16 surrogate pair; json.loads turns a lone one into a string
# that cannot be written back out as UTF-8.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def read_jsonl(
    stream: BinaryIO, *, source: str, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[Record]:
    """Yield one record per non-blank line of *stream*, in order."""
    first = True
    for raw in iter_lines(stream, max_bytes=max_line_bytes):
        if raw.data is None:
            first = False
            yield InputError(raw.number, None, too_long_message(max_line_bytes), source)
            continue
        if not raw.data.strip():
            continue
        record = parse_line(raw.data, line=raw.number, source=source)
        if first and isinstance(record, InputError) and _starts_json_document(raw.data):
            # A pretty-printed JSON document would otherwise give one error per line.
            yield InputError(
                raw.number,
                None,
                "this looks like one JSON document spread over many lines, not JSON Lines; "
                "write one conversation per line (for example: jq -c '.[]' in.json > out.jsonl)",
                source,
            )
            return
        first = False
        yield record


def parse_line(data: bytes, *, line: int, source: str) -> Record:
    """Parse one physical JSONL line into a Conversation or an InputError for *line*."""
    decoded = decode(data)
    if decoded.problem is not None:
        return InputError(line, _recover_id(decoded.text), decoded.problem, source)
    try:
        value = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        message = f"invalid JSON: {exc.msg} at column {exc.colno}"
        return InputError(line, _leading_id(decoded.text), message, source)
    except (ValueError, RecursionError) as exc:
        # ValueError: integers beyond Python's digit limit; RecursionError: absurd nesting.
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return InputError(line, _leading_id(decoded.text), f"invalid JSON: {reason}", source)
    try:
        conversation = conversation_from_dict(value)
    except InvalidConversationError as exc:
        return InputError(line, _id_of(value), str(exc), source)
    if _SURROGATE_ESCAPE.search(data) and _has_lone_surrogate(value):
        message = (
            "contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff); "
            "escape both halves of the pair or write the character as UTF-8"
        )
        return InputError(line, conversation.id, message, source)
    return conversation


def _id_of(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    conv_id = value.get("id")
    if isinstance(conv_id, bool) or not isinstance(conv_id, str | int):
        return None
    return str(conv_id) or None


def _recover_id(text: str) -> str | None:
    try:
        return _id_of(json.loads(text))
    except (ValueError, RecursionError):
        return _leading_id(text)


def _leading_id(text: str) -> str | None:
    match = _LEADING_ID.match(text, 0, _ID_SEARCH_CHARS)
    if match is None:
        return None
    try:
        return _id_of({"id": json.loads(match[1])})
    except ValueError:
        return None


def _has_lone_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _starts_json_document(data: bytes) -> bool:
    head = data.strip()
    return head == b"{" or head.startswith(b"[")

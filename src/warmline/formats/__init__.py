"""Input formats: read JSONL, CSV, transcripts and subtitles into a stream of records.

Every reader yields, in input order, either a :class:`~warmline.engine.model.Conversation` or
an :class:`InputError` for a record that could not be read, so one bad record never stops a
run. Readers stream: memory stays flat however many conversations a file holds.
"""

from __future__ import annotations

from warmline.formats.lines import MAX_FILE_BYTES, MAX_LINE_BYTES
from warmline.formats.reader import EXTENSIONS, FORMATS, detect_format, read_conversations
from warmline.formats.records import InputError, Record, RoleMappingError, UnsupportedFormatError
from warmline.formats.roles import ROLE_WORDS, parse_role_mapping

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_LINE_BYTES",
    "ROLE_WORDS",
    "InputError",
    "Record",
    "RoleMappingError",
    "UnsupportedFormatError",
    "detect_format",
    "parse_role_mapping",
    "read_conversations",
]

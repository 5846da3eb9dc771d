"""One entry point for every input: pick the format, open the source, stream the records.

:func:`read_conversations` checks the whole source up front (it exists, its format is known,
the role mapping is valid) and raises if not; after that it only ever yields records, one per
conversation in input order, reading lazily so a file of a million conversations streams.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from warmline.formats.captions import read_captions
from warmline.formats.delimited import read_csv
from warmline.formats.jsonl import read_jsonl
from warmline.formats.records import InputError, Record, UnsupportedFormatError
from warmline.formats.roles import RoleMap, build_role_map
from warmline.formats.transcript import read_transcript

#: The input formats, as accepted by ``format=`` and ``--format``.
FORMATS = ("jsonl", "csv", "text", "vtt", "srt")

#: File extension (lower case) → format.
EXTENSIONS: Mapping[str, str] = {
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "text",
    ".md": "text",
    ".vtt": "vtt",
    ".srt": "srt",
}

_STDIN = "<stdin>"


def detect_format(path: str | os.PathLike[str]) -> str:
    """Return the format of *path* from its extension; a folder is a folder of transcripts."""
    path = Path(path)
    if path.is_dir():
        return "text"
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(EXTENSIONS)
        raise UnsupportedFormatError(
            f"cannot tell the format of {str(path)!r} from its extension; use a file ending "
            f"in {known}, or name the format with --format ({', '.join(FORMATS)})"
        )
    return fmt


def read_conversations(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    format: str | None = None,
    roles: Mapping[str, str] | None = None,
) -> Iterator[Record]:
    """Stream the records of a file, a folder, a binary stream or ``"-"`` (stdin), in order."""
    if format is not None and format not in FORMATS:
        raise UnsupportedFormatError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    role_map = build_role_map(roles)
    if isinstance(source, str | os.PathLike):
        if str(source) == "-":
            return _read_stream(sys.stdin.buffer, format or "jsonl", _STDIN, role_map)
        return _read_path(Path(source), format, role_map)
    name = getattr(source, "name", None)
    label = name if isinstance(name, str) else "<stream>"
    guessed = None if label.startswith("<") else EXTENSIONS.get(Path(label).suffix.lower())
    return _read_stream(source, format or guessed or "jsonl", label, role_map)


def _read_path(path: Path, fmt: str | None, roles: RoleMap) -> Iterator[Record]:
    if path.is_dir():
        files = _folder_files(path, fmt)
        if not files:
            wanted = f"{fmt} files" if fmt else f"files ending in {', '.join(EXTENSIONS)}"
            raise UnsupportedFormatError(f"the folder {str(path)!r} has no {wanted}")
        return _read_folder(files, roles)
    if not path.exists():
        raise UnsupportedFormatError(f"{str(path)!r} does not exist; check the path")
    return _read_file(path, fmt or detect_format(path), roles, strict=True)


def _folder_files(folder: Path, fmt: str | None) -> list[tuple[Path, str]]:
    """List a folder's readable files in name order: all of them if *fmt* is given."""
    files: list[tuple[Path, str]] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or not path.is_file():
            continue
        found = fmt or EXTENSIONS.get(path.suffix.lower())
        if found is not None:
            files.append((path, found))
    return files


def _read_folder(files: list[tuple[Path, str]], roles: RoleMap) -> Iterator[Record]:
    for path, fmt in files:
        yield from _read_file(path, fmt, roles, strict=False)


def _read_file(path: Path, fmt: str, roles: RoleMap, *, strict: bool) -> Iterator[Record]:
    """Read one file; if it cannot be opened, raise (*strict*) or yield an InputError."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        message = f"cannot read {str(path)!r}: {exc.strerror or exc}"
        if strict:
            raise UnsupportedFormatError(message) from exc
        yield InputError(None, path.stem, message, str(path))
        return
    with stream:
        yield from _read_stream(stream, fmt, str(path), roles, delimiter=_delimiter(path))


def _read_stream(
    stream: BinaryIO, fmt: str, source: str, roles: RoleMap, *, delimiter: str | None = None
) -> Iterator[Record]:
    if fmt == "jsonl":
        return read_jsonl(stream, source=source)
    if fmt == "csv":
        return read_csv(stream, source=source, roles=roles, delimiter=delimiter)
    conversation_id = source.strip("<>") if source.startswith("<") else Path(source).stem
    reader = read_transcript if fmt == "text" else read_captions
    return reader(stream, source=source, conversation_id=conversation_id, roles=roles)


def _delimiter(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return "\t" if suffix == ".tsv" else "," if suffix == ".csv" else None

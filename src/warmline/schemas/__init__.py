"""The JSON Schemas (draft 2020-12) of the interchange format, shipped inside the package.

``conversation`` describes one line of the JSONL input, ``analysis`` one line of the output
(an analysis or an error line). See docs/format.md for the meaning of every field.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

#: The schema names :func:`load` accepts.
NAMES: tuple[str, ...] = ("conversation", "analysis")


def load(name: str) -> dict[str, Any]:
    """Return the schema *name* (``conversation`` or ``analysis``) as a dict."""
    stem = name.removesuffix(".json").removesuffix(".schema")
    if stem not in NAMES:
        raise ValueError(f"unknown schema {name!r}; the schemas are {', '.join(NAMES)}")
    text = resources.files(__name__).joinpath(f"{stem}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


__all__ = ["NAMES", "load"]

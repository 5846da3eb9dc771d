"""Safe HTML for the curriculum pages: lesson markdown, and evidence quotes highlighted.

Lesson bodies use a small subset of markdown (paragraphs, ``**bold**``, ``*emphasis*``,
`` `code` ``, ``-`` and ``1.`` lists); everything is escaped first and only those markers
become tags, so a module file can never inject HTML. No markdown library is needed for this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from markupsafe import Markup, escape

_BULLET: Final = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBER: Final = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_INLINE: Final = (
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"), r"<em>\1</em>"),
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
)


def inline(text: str) -> Markup:
    """One line of markdown as escaped HTML with bold, emphasis and code."""
    html = str(escape(text))
    for pattern, tag in _INLINE:
        html = pattern.sub(tag, html)
    return Markup(html)  # safe: built from escaped text plus our own tags only


def _list_items(lines: list[str], marker: re.Pattern[str]) -> list[str] | None:
    """The items of a block that is a list of this kind (continuation lines joined), or None."""
    if not marker.match(lines[0]):
        return None
    items: list[str] = []
    for line in lines:
        found = marker.match(line)
        if found:
            items.append(found.group(1).strip())
        else:
            items[-1] += " " + line.strip()
    return items


def render_markdown(text: str) -> Markup:
    """A lesson body (short markdown paragraphs and lists) as safe HTML."""
    blocks = [b.splitlines() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    out: list[str] = []
    for lines in blocks:
        for marker, tag in ((_BULLET, "ul"), (_NUMBER, "ol")):
            items = _list_items(lines, marker)
            if items is not None:
                body = "".join(f"<li>{inline(i)}</li>" for i in items)
                out.append(f"<{tag}>{body}</{tag}>")
                break
        else:
            out.append(f"<p>{inline(' '.join(line.strip() for line in lines))}</p>")
    return Markup("\n".join(out))  # safe: every part escaped above


def highlight(text: str, quotes: Iterable[tuple[str, str, str]]) -> Markup:
    """*text* escaped, with each quote marked: ``(label, quote, css class)`` triples.

    The first occurrence of each quote is found (exact case first, then any case); quotes
    absent from *text* are skipped. Overlapping quotes split the text into segments, each
    marked with every label covering it (class ``bad`` wins over the others).
    """
    spans: list[tuple[int, int, str, str]] = []
    lowered = text.lower()
    for label, quote, css in quotes:
        quote = quote.strip()
        start = text.find(quote) if quote else -1
        if quote and start < 0:
            start = lowered.find(quote.lower())
        if start >= 0:
            spans.append((start, start + len(quote), label, css))
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    html = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        over = [(label, css) for s, e, label, css in spans if s <= a and b <= e]
        piece = escape(text[a:b])
        if not over:
            html.append(str(piece))
            continue
        classes = {css for _, css in over}
        css = "bad" if "bad" in classes else sorted(classes)[0]
        title = escape(", ".join(dict.fromkeys(label.replace("_", " ") for label, _ in over)))
        html.append(f'<mark class="evidence {escape(css)}" title="{title}">{piece}</mark>')
    return Markup("".join(html))  # safe: every part escaped above


__all__ = ["highlight", "inline", "render_markdown"]

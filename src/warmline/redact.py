"""PII redaction applied to conversations before they are stored.

A :class:`Redactor` replaces e-mail addresses, phone numbers, payment card numbers, bank account
numbers (IBANs) and street addresses with ``[email]``, ``[phone]``, ``[card]``, ``[iban]`` and
``[address]``. It is tuned for
precision as much as recall: customer-service text is full of order and tracking numbers,
prices, dates, times and versions, and none of those may disappear. Which kinds are redacted
is configurable per deployment with :func:`parse_kinds` (the ``WARMLINE_REDACT`` setting).
See ``docs/privacy.md`` for what is redacted, what is deliberately kept, and why.

A pure library module: no web, storage or engine state; every pattern is compiled once here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from warmline.engine.errors import ConfigError

__all__ = ["KINDS", "Finding", "Redaction", "Redactor", "parse_kinds"]

#: The kinds of personal data a :class:`Redactor` knows, in the order the docs list them.
KINDS = ("email", "phone", "card", "iban", "address")

# Overlaps are settled in this order: an e-mail's local part may hold a phone-like run, an
# IBAN's digits may look like a card, and a grouped card number must not be read as a phone.
_PRIORITY = ("email", "iban", "card", "phone", "address")

# An e-mail must not run on into more e-mail characters, or a second one glued to it would
# only be found once the first was replaced.
_EMAIL = re.compile(r"(?<![\w.%+@-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w%+@-]|\.\w)")

# Digits next to a number, a currency sign or a path mean the run belongs to something else.
_NUM_BEFORE = r"(?<![\w+/$£€@.-])(?<!\d,)"
_NUM_AFTER = r"(?![\w@/]|[.,]\d|-\w)"

_CARD = re.compile(
    _NUM_BEFORE + r"(?:\d{13,19}|\d{4}(?P<sep>[ -])\d{4,6}(?:(?P=sep)\d{3,6}){1,8})" + _NUM_AFTER,
    re.ASCII,
)

_PHONE = re.compile(
    _NUM_BEFORE
    + r"""(?:
        (?P<intl>\+\d+(?:[ .-]?\(\d+\)[ .-]?\d+|[ .-]\d+)?(?:[ .-]\d+)*)
      | (?P<nanp>(?:1[ .-]?)?(?:\(\d{3}\)[ ]?|\d{3}[ .-])\d{3}[ .-]\d{4})
      | (?P<trunk>(?:\(0\d{1,4}\)|0\d{1,4})[ -]?\d{3,4}[ -]?\d{3,4})
      | (?P<pairs>0\d(?P<psep>[ .-])\d\d(?:(?P=psep)\d\d){3})
      | (?P<bare>\d{10,11})
    )"""
    + _NUM_AFTER,
    re.ASCII | re.VERBOSE,
)

# Two letters, two check digits, then 11-30 letters and digits, run together or in groups of
# four; the country's length and the mod-97 check settle it (see _settle_iban).
_IBAN = re.compile(
    r"(?<![\w-])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,3})?(?![\w-])",
    re.ASCII,
)
#: IBAN length per country (the ISO 13616 registry).
_IBAN_LENGTH: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

_SUFFIXES = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|"
    "Terrace|Tce|Close|Crescent|Cres|Square|Sq|Parkway|Pkwy|Highway|Hwy|Gardens|Gdns|Grove|"
    "Mews|Circle|Cir|Trail|Trl|Parade|Esplanade|Loop|Row|Walk"
)
# Continental street words that come before the name, and the name after them: capitalised
# words, with the small linking words of French, Spanish, Italian and Portuguese street names.
_STREET_FIRST = (
    "Rue|Avenue|Boulevard|Bd|Chemin|Allée|Impasse|Calle|Avenida|Av\\.|Paseo|Via|Viale|"
    "Piazza|Corso|Rua|Travessa|Largo"
)
_LINK = r"(?:(?:de[ ]la|de|del|des|du|di|della|do|da|dos|das|la|le|les|el|y)[ ]+)*"
_NAMED = rf"{_LINK}[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:[ ]+{_LINK}[A-ZÀ-Ý][a-zà-ÿ'’-]+){{0,3}}"
_UNIT = r"(?:(?:Apt|Apartment|Unit|Suite|Ste|Flat|Floor|Room)\.?[ ]?|\#[ ]?)[A-Za-z0-9]{1,5}\b"
_ADDRESS = re.compile(
    rf"""
    (?:(?<![\w#$£€./-]){_UNIT},?[ ]+)?            # a leading unit: "Flat 2, 12 High Street"
    (?<![\w#$£€./-])\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?,?[ \t]+   # house number: 221B, 12-14
    (?P<words>(?:(?:[A-Z][a-z'’][A-Za-z'’.-]*|\d{{1,3}}(?:st|nd|rd|th))[ \t]+){{1,4}}?)
    (?:{_SUFFIXES})\b
    (?:[ ]+(?:N|S|E|W|NE|NW|SE|SW)\b)?           # 1600 Pennsylvania Avenue NW
    (?:\.?,?[ ]+{_UNIT})?                         # 12 High St, Apt 4B
    |
    (?i:\bP\.?[ ]?O\.?[ ]+Box[ ]+\d{{1,6}}\b)     # PO Box 123
    |
    (?<![\w#$£€./-])\d{{1,4}}(?:[ ]?(?:bis|ter))?,?[ ]+      # 18 Rue de la Paix, 5 bis rue ...
    (?:{_STREET_FIRST}|rue|avenue|boulevard|chemin|allée|impasse)[ ]+{_NAMED}
    |
    \b(?:{_STREET_FIRST})[ ]+{_NAMED},?[ ]+\d{{1,4}}[A-Za-z]?\b  # Calle Mayor 12, Via Roma 1
    |
    \b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\.|weg|gasse|platz|allee)
    [ ]+\d{{1,4}}[a-z]?\b                         # Hauptstraße 5, Lindenweg 12a
    """,
    re.VERBOSE,
)
# "2 External Hard Drive" is a product, not a street.
_NOT_STREETS = frozenset({"hard", "flash", "disk", "disc", "thumb", "pen", "test", "optical"})

# File types that look like top-level domains after an "@" ("logo@2x.png").
_FILE_EXTENSIONS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "pdf", "txt", "csv", "doc", "docx",
     "xls", "xlsx", "zip", "gz", "json", "html", "htm", "mp3", "mp4", "mov", "heic"}
)  # fmt: skip
# Digits right after "DE62 " belong to an account-like code (an IBAN that failed its check).
_CODE_HEAD = re.compile(r"(?<![\w-])[A-Za-z]{2}\d{2}[ ]$", re.ASCII)

# Words that introduce a reference number; a number right after one is never a phone or card.
_REFERENCE_WORDS = frozenset(
    {
        "order", "ticket", "tracking", "ref", "reference", "invoice", "case", "confirmation",
        "booking", "reservation", "policy", "serial", "sku", "part", "model", "item", "parcel",
        "package", "shipment", "transaction", "claim", "rma", "isbn", "po",
    }
)  # fmt: skip
_FILLER_WORDS = frozenset({"number", "num", "no", "nr", "id", "code", "is", "was", ""})
# A bare "#" marks a reference unless one of these names what the number is.
_CONTACT_WORDS = frozenset(
    {"phone", "tel", "telephone", "mobile", "cell", "fax", "call", "text", "sms", "card"}
)
#: Settles a regex candidate: the end of the accepted span, or None to reject it.
_Settle = Callable[[str, re.Match[str]], "int | None"]
_DIGIT = re.compile(r"\d", re.ASCII)
_GROUP = re.compile(r"\d+", re.ASCII)


@dataclass(frozen=True, slots=True)
class Finding:
    """One redacted span: its kind and its offsets in the original text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Redaction:
    """A redacted text and what was replaced in it."""

    text: str
    found: tuple[Finding, ...] = ()


def parse_kinds(value: str) -> frozenset[str]:
    """Parse a ``WARMLINE_REDACT`` value: comma-separated kinds, ``all``, or ``none``/empty."""
    names = {part.strip().lower() for part in value.split(",")} - {""}
    if not names or names == {"none"}:
        return frozenset()
    if names == {"all"}:
        return frozenset(KINDS)
    unknown = sorted(names - set(KINDS))
    if unknown:
        raise ConfigError(
            f"unknown redaction kind {', '.join(map(repr, unknown))}: use a comma-separated "
            f"list of {', '.join(KINDS)}, or 'all', or 'none'"
        )
    return frozenset(names)


@dataclass(frozen=True)
class Redactor:
    """Replaces the configured kinds of personal data with placeholders such as ``[email]``."""

    kinds: frozenset[str] = frozenset(KINDS)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", frozenset(self.kinds))
        unknown = sorted(set(self.kinds) - set(KINDS))
        if unknown:
            raise ConfigError(
                f"unknown redaction kind {', '.join(map(repr, unknown))}: use {', '.join(KINDS)}"
            )

    def redact(self, text: str) -> Redaction:
        """Redact one text; offsets in the result's findings index into the original."""
        found = _find(text, self.kinds)
        if not found:
            return Redaction(text)
        redacted = _replace(text, found)
        # A replaced span can free a neighbour that its last character hid ("...0958+44 20...");
        # settle those too, so that redacting the result again changes nothing.
        while more := _find(redacted, self.kinds):
            found = tuple(sorted(found + _to_original(more, found), key=lambda f: f.start))
            redacted = _replace(text, found)
        return Redaction(redacted, found)

    def redact_conversation(self, record: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
        """Return a redacted deep copy of an interchange-format record and the replacement count.

        Turn texts and every string inside ``metadata`` are redacted; ids, ``customer_name``,
        ``agent_id``, ``channel``, speakers and timestamps are kept as they are.
        """
        out = copy.deepcopy(dict(record))
        count = 0
        for turn in out.get("turns") or ():
            if isinstance(turn, dict) and isinstance(turn.get("text"), str):
                result = self.redact(turn["text"])
                turn["text"] = result.text
                count += len(result.found)
        if "metadata" in out:
            out["metadata"], n = self._redact_value(out["metadata"])
            count += n
        return out, count

    def _redact_value(self, value: Any) -> tuple[Any, int]:
        """Redact every string inside a JSON-like value, recursively; dict keys are kept."""
        if isinstance(value, str):
            result = self.redact(value)
            return result.text, len(result.found)
        if isinstance(value, dict):
            pairs = [(key, self._redact_value(item)) for key, item in value.items()]
            return {key: item for key, (item, _) in pairs}, sum(n for _, (_, n) in pairs)
        if isinstance(value, list | tuple):
            items = [self._redact_value(item) for item in value]
            return type(value)(item for item, _ in items), sum(n for _, n in items)
        return value, 0


def _find(text: str, kinds: frozenset[str]) -> tuple[Finding, ...]:
    """Every non-overlapping finding of the given kinds, in text order."""
    if not kinds:
        return ()
    taken: list[Finding] = []
    has_digit = _DIGIT.search(text) is not None
    for kind in _PRIORITY:
        # Cheap gates: every kind but e-mail needs a digit, e-mail needs an "@".
        if kind not in kinds or not ("@" in text if kind == "email" else has_digit):
            continue
        pattern, settle = _FINDERS[kind]
        for start, end in _scan(text, pattern, settle, taken):
            taken.append(Finding(kind, start, end))
    return tuple(sorted(taken, key=lambda f: f.start))


def _scan(
    text: str, pattern: re.Pattern[str], settle: _Settle, taken: list[Finding]
) -> Iterator[tuple[int, int]]:
    """Spans of accepted candidates; a rejected one is retried one character later."""
    pos = 0
    while match := pattern.search(text, pos):
        end = settle(text, match)
        start = match.start()
        if end is None or any(f.start < end and start < f.end for f in taken):
            pos = start + 1
            continue
        yield start, end
        pos = end


def _to_original(more: tuple[Finding, ...], found: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Findings in the redacted text moved to original offsets; placeholders never match."""
    out = []
    for f in more:
        delta = 0  # how much longer the original is than the redacted text, up to ``f``
        for old in found:
            if old.start - delta >= f.start:  # where old's placeholder sits in the redacted text
                break
            delta += (old.end - old.start) - len(old.kind) - 2
        out.append(Finding(f.kind, f.start + delta, f.end + delta))
    return tuple(out)


def _replace(text: str, found: tuple[Finding, ...]) -> str:
    """The text with each finding replaced by its placeholder."""
    parts: list[str] = []
    last = 0
    for f in found:
        parts.append(text[last : f.start])
        parts.append(f"[{f.kind}]")
        last = f.end
    parts.append(text[last:])
    return "".join(parts)


def _settle_email(text: str, match: re.Match[str]) -> int | None:
    """An e-mail, unless the "domain" is a file name such as ``icon@2x.png``."""
    tld = match.group().rsplit(".", 1)[-1].lower()
    return None if tld in _FILE_EXTENSIONS else match.end()


def _settle_card(text: str, match: re.Match[str]) -> int | None:
    """End of the first card number in the candidate, or None when there is none."""
    if _is_reference(text, match.start()) or _CODE_HEAD.search(text, 0, match.start()):
        return None
    groups = [g.group() for g in _GROUP.finditer(match.group())]
    keep = _card_groups(groups)
    if keep is None:
        return None
    return match.start() + len(" ".join(groups[:keep]))


def _card_groups(groups: list[str]) -> int | None:
    """How many leading groups form a card number (13-19 digits passing Luhn), or None.

    Two cards in a row are both found; a 22-digit tracking number is not cut into a card.
    """
    for keep in range(len(groups), 0, -1):
        digits = "".join(groups[:keep])
        if len(digits) < 13:
            return None
        rest = groups[keep:]
        if len(digits) <= 19 and _luhn_ok(digits) and _tail_ok(rest):
            return keep
    return None


def _tail_ok(rest: list[str]) -> bool:
    """True when what follows a card is nothing, one short group, or (after one) another card."""
    return len(rest) <= 1 or _starts_card(rest) or _starts_card(rest[1:])


def _starts_card(groups: list[str]) -> bool:
    """True when a card number starts at the first of these groups."""
    return bool(groups) and len(groups[0]) == 4 and _card_groups(groups) is not None


def _settle_phone(text: str, match: re.Match[str]) -> int | None:
    """End of the phone number, or None when the candidate is a reference or not phone-shaped."""
    if _is_reference(text, match.start()):
        return None
    if match.group("intl"):
        return _intl_end(match)
    if match.group("trunk"):
        digits = _digits(match.group())
        ok = 10 <= len(digits) <= 11 and not digits.startswith("00")
        return match.end() if ok else None
    if match.group("bare"):
        return match.end() if _nanp_ok(match.group()) else None
    return match.end()


def _intl_end(match: re.Match[str]) -> int | None:
    """End of a ``+``-number, dropping trailing groups that cannot belong to it ("... 0958 10")."""
    raw = match.group()
    groups = list(_GROUP.finditer(raw))
    while len(groups) > 2:
        last, prev = groups[-1], groups[-2]
        too_long = sum(len(g.group()) for g in groups) > 15
        tacked_on = raw[last.start() - 1] == " " and len(last.group()) < len(prev.group())
        if not (too_long or tacked_on):
            break
        groups.pop()
    total = sum(len(g.group()) for g in groups)
    return match.start() + groups[-1].end() if 8 <= total <= 15 else None


def _nanp_ok(digits: str) -> bool:
    """True for a bare North American number: area and exchange codes never start with 0 or 1."""
    if len(digits) == 11:
        if digits[0] != "1":
            return False
        digits = digits[1:]
    return digits[0] not in "01" and digits[3] not in "01"


def _settle_iban(text: str, match: re.Match[str]) -> int | None:
    """End of the IBAN: the country's length and the mod-97 check; trailing words are dropped."""
    raw = match.group()
    compact = raw.replace(" ", "").upper()
    length = _IBAN_LENGTH.get(compact[:2])
    if length is None or len(compact) < length:
        return None
    # The pattern may run on into a following word ("... 4 is mine"): cut at the right length.
    seen = end = 0
    while seen < length:
        if raw[end] != " ":
            seen += 1
        end += 1
    if end < len(raw) and raw[end] != " ":
        return None  # the right length ends inside a group: not an IBAN
    iban = compact[:length]
    rearranged = iban[4:] + iban[:4]
    if int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 != 1:
        return None
    return match.start() + end


def _settle_address(text: str, match: re.Match[str]) -> int | None:
    """End of the address, unless the street word follows a product word ("Hard Drive")."""
    words = (match.group("words") or "").split()
    if words and words[-1].lower() in _NOT_STREETS:
        return None
    return match.end()


def _is_reference(text: str, start: int) -> bool:
    """True when the number at ``start`` is introduced as an order, ticket, tracking... number."""
    lo = max(0, start - 48)
    tokens = text[lo:start].split()
    if lo > 0 and tokens:
        tokens = tokens[1:]  # may be cut in half by the window
    hashed = False
    for token in reversed(tokens[-5:]):
        word = token.strip(":.,;()").lower()
        if word.endswith("#"):
            hashed, word = True, word.rstrip("#")
        if word in _FILLER_WORDS:
            continue
        return word in _REFERENCE_WORDS or (hashed and word not in _CONTACT_WORDS)
    return hashed


def _digits(text: str) -> str:
    """The ASCII digits of a string."""
    return "".join(_GROUP.findall(text))


def _luhn_ok(digits: str) -> bool:
    """True when a digit string passes the Luhn check that every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_FINDERS: dict[str, tuple[re.Pattern[str], _Settle]] = {
    "email": (_EMAIL, _settle_email),
    "iban": (_IBAN, _settle_iban),
    "card": (_CARD, _settle_card),
    "phone": (_PHONE, _settle_phone),
    "address": (_ADDRESS, _settle_address),
}

"""The negative review responder: read a pasted public review, say how the reviewer feels and
what went wrong (with the words that show it), and draft a public reply.

:func:`reply_to_review` analyses the review as a customer turn with the ordinary
:class:`~warmline.engine.pipeline.Analyzer` (emotions with intensity), finds the issues from the
cue lists in ``data/review_responder.yaml``, builds a reply from that file's parts (name the
feeling, name the issue in the reviewer's words, take it on without blaming anyone, say what
happens next and move it to a private channel) and checks the draft with
:func:`~warmline.engine.assist.check_draft`, so a caller can show its score, behaviours and
warnings. Deterministic: the same review always gets the same reply. Prints nothing.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from warmline.engine.assist import DraftCheck, check_draft, default_analyzer
from warmline.engine.datafiles import package_data, read_yaml
from warmline.engine.errors import ConfigError, InvalidConversationError
from warmline.engine.labels import NEGATIVE_EMOTIONS
from warmline.engine.pipeline import Analyzer
from warmline.engine.results import EmotionScore

DATA_FILE: Final = "review_responder.yaml"
#: The longest review read, in characters (a public review is rarely over a page).
MAX_REVIEW: Final = 10_000
#: Quotes of the reviewer's words are cut to this many words.
QUOTE_WORDS: Final = 16
#: A fragment holding any of these is never repeated in public: emails, long numbers, links.
_PERSONAL = re.compile(r"@|\d[\d\s-]{3,}\d|\d{4,}|https?://|www\.", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?;:\n]+|,\s+(?:but|and|so)\s+|\s+but\s+")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Words of the review behind a finding: ``review[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class ReviewIssue:
    """A problem the review is about, the phrases that show it, and the reviewer's words."""

    id: str
    name: str
    evidence: tuple[Evidence, ...]
    #: The reviewer's clause around the first phrase, safe to quote in public ("" if not).
    quote: str


@dataclass(frozen=True, slots=True)
class ReviewReply:
    """What the responder found in a review and the reply it drafted, with the draft's check.

    ``tone`` is ``upset`` (a strong negative feeling or one or two stars), ``mixed`` (praise
    alongside a complaint, or three stars), ``disappointed``, or ``positive`` (no complaint).
    """

    review: str
    stars: int | None
    emotions: tuple[EmotionScore, ...]
    issues: tuple[ReviewIssue, ...]
    praise: tuple[Evidence, ...]
    tone: str
    reply: str
    check: DraftCheck

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "stars": self.stars,
            "tone": self.tone,
            "emotions": [
                {"label": e.label, "intensity": e.intensity, "score": round(e.score, 3)}
                for e in self.emotions
            ],
            "issues": [
                {
                    "id": i.id,
                    "name": i.name,
                    "quote": i.quote,
                    "evidence": [_span(e) for e in i.evidence],
                }
                for i in self.issues
            ],
            "praise": [_span(e) for e in self.praise],
            "reply": self.reply,
            "check": self.check.to_dict(),
        }


def _span(e: Evidence) -> dict[str, Any]:
    return {"start": e.start, "end": e.end, "text": e.text}


# ----------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class _Issue:
    id: str
    name: str
    about: str
    pattern: re.Pattern[str]
    own: str
    next: str


@dataclass(frozen=True, slots=True)
class _Parts:
    issues: tuple[_Issue, ...]
    praise: re.Pattern[str]
    raw: Mapping[str, Any]


def _phrases(cues: Sequence[str]) -> re.Pattern[str]:
    # Longest first, so "never arrived" wins over a shorter cue at the same place.
    alternatives = sorted({str(c).strip().lower() for c in cues if str(c).strip()}, key=len)
    body = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in reversed(alternatives))
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _parts() -> _Parts:
    raw = read_yaml(package_data(), DATA_FILE)
    try:
        issues = tuple(
            _Issue(
                key,
                str(v["name"]),
                str(v["about"]),
                _phrases(v["cues"]),
                str(v["own"]),
                str(v["next"]),
            )
            for key, v in raw["issues"].items()
        )
        praise = _phrases(raw["praise"]["cues"])
        for key in ("feelings", "greeting", "their_words", "private", "closing", "never_say"):
            raw[key]  # noqa: B018 - a missing section is a broken data file, said at load
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{DATA_FILE}: missing or malformed entry {exc}") from None
    return _Parts(issues, praise, raw)


def never_say() -> tuple[str, ...]:
    """The phrases no drafted reply may contain (stock lines, admissions of liability)."""
    return tuple(str(p).lower() for p in _parts().raw["never_say"])


# ----------------------------------------------------------------- finding


def find_issues(review: str) -> tuple[ReviewIssue, ...]:
    """The issues *review* names, in the order it first names them, with their evidence."""
    found: list[tuple[int, ReviewIssue]] = []
    for issue in _parts().issues:
        hits = tuple(
            Evidence(m.start(), m.end(), m.group(0)) for m in issue.pattern.finditer(review)
        )
        if hits:
            found.append(
                (hits[0].start, ReviewIssue(issue.id, issue.name, hits, _quote(review, hits[0])))
            )
    found.sort(key=lambda item: item[0])
    return tuple(issue for _, issue in found)


def find_praise(review: str) -> tuple[Evidence, ...]:
    """The phrases of *review* that praise something."""
    return tuple(Evidence(m.start(), m.end(), m.group(0)) for m in _parts().praise.finditer(review))


def _quote(review: str, hit: Evidence) -> str:
    """The clause of *review* around *hit*, at most QUOTE_WORDS words, or "" if it is personal."""
    start = max((m.end() for m in _CLAUSE_END.finditer(review, 0, hit.start)), default=0)
    end_match = _CLAUSE_END.search(review, hit.end)
    end = end_match.start() if end_match else len(review)
    words = review[start:end].split()
    cut_front = cut_back = False
    if len(words) > QUOTE_WORDS:  # keep the words nearest the cue
        before = len(review[start : hit.start].split())
        first = max(0, min(before - QUOTE_WORDS // 2, len(words) - QUOTE_WORDS))
        cut_front, cut_back = first > 0, first + QUOTE_WORDS < len(words)
        words = words[first : first + QUOTE_WORDS]
    clause = " ".join(words).strip(" ,-\"'")
    if not clause or _PERSONAL.search(clause):
        return ""
    # Their words as written (a name keeps its capital); an ellipsis marks a cut.
    return ("\u2026" if cut_front else "") + clause + ("\u2026" if cut_back else "")


# ----------------------------------------------------------------- composing


def _pick(options: Sequence[str], review: str, salt: str) -> str:
    """One of *options*, the same for the same review (a stable hash, not random)."""
    return options[zlib.crc32(f"{salt}:{review}".encode()) % len(options)]


def _tone(
    stars: int | None,
    emotions: Sequence[EmotionScore],
    issues: Sequence[ReviewIssue],
    praise: Sequence[Evidence],
) -> str:
    negative = [e for e in emotions if e.label in NEGATIVE_EMOTIONS]
    strong = max((e.intensity for e in negative), default=0)
    if not issues and not negative and (stars is None or stars >= 4):
        return "positive"
    if stars == 3 or (praise and (stars is None or stars >= 3)):
        return "mixed"
    if (stars is not None and stars <= 2) or strong >= 2:
        top = negative[0].label if negative else ""
        return "disappointed" if top in ("disappointment", "sadness") else "upset"
    return "disappointed"


def _feeling(emotions: Sequence[EmotionScore], review: str) -> str:
    feelings: Mapping[str, Any] = _parts().raw["feelings"]
    top = next((e for e in emotions if e.label in NEGATIVE_EMOTIONS and e.label in feelings), None)
    entry = feelings[top.label if top else "none"]
    options = entry["strong"] if top is not None and top.intensity >= 2 else entry["mild"]
    return _pick([str(o) for o in options], review, "feeling")


def _issue_lines(issues: Sequence[ReviewIssue], review: str) -> list[str]:
    raw = _parts().raw
    if not issues:
        return [str(raw["unknown_issue"])]
    by_id = {i.id: i for i in _parts().issues}
    lead = issues[0]
    lines = []
    if lead.quote and _SAYS_CANNOT.search(lead.quote):
        lines.append(
            str(raw["their_words_retold"]).format(retold=retold(lead.quote.strip("\u2026")))
        )
    elif lead.quote:
        lines.append(
            _pick([str(t) for t in raw["their_words"]], review, "words").format(quote=lead.quote)
        )
    lines.append(by_id[lead.id].own)
    lines.append(by_id[lead.id].next)
    if len(issues) > 1:
        lines.append(str(raw["also"]).format(issue=by_id[issues[1].id].about))
    return lines


#: The reviewer's own "I can't ..." (their words, which in our reply would read as a refusal).
_SAYS_CANNOT = re.compile(
    r"\b(?:i|we)\s+(?:can'?t|cannot|can not|couldn'?t|could not|am unable|'m unable|are unable)\b",
    re.IGNORECASE,
)
_RETOLD = {
    "i": "you", "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll",
    "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "am": "are",
    "we": "you", "we're": "you're", "we've": "you've", "our": "your", "us": "you",
    "was": "were",
}  # fmt: skip


def retold(words: str) -> str:
    """*words* in the second person ("I can't log in to my account" → "you can't log in to
    your account"); "was" follows only a first-person subject."""
    tokens = re.split(r"(\W*\s+)", words)
    out: list[str] = []
    previous = ""
    for token in tokens:
        key = token.lower().replace("\u2019", "'")
        if key in _RETOLD and (key != "was" or previous in ("i", "we")):
            out.append(_RETOLD[key])
        else:
            out.append(token)
        if token.strip():
            previous = key
    return "".join(out)


def _praise_line(praise: Sequence[Evidence], review: str) -> str:
    if not praise:
        return ""
    words = next((q for q in (_quote(review, p) for p in praise) if q), "")
    if not words:
        return ""
    template = _pick([str(t) for t in _parts().raw["praise"]["thanks"]], review, "praise")
    return template.format(praise=words)


def compose_reply(
    review: str,
    *,
    emotions: Sequence[EmotionScore],
    issues: Sequence[ReviewIssue],
    praise: Sequence[Evidence],
    tone: str,
    reviewer: str | None = None,
    business: str | None = None,
) -> str:
    """The reply draft as paragraphs: greeting, feeling, issue, next step, private channel."""
    raw = _parts().raw
    name = _first_name(reviewer)
    greeting = str(raw["greeting"]["named" if name else "anonymous"]).format(name=name)
    if tone == "positive":
        body = [_pick([str(p) for p in raw["positive"]], review, "positive")]
    else:
        opening = _feeling(emotions, review)
        thanks = _praise_line(praise, review) if tone == "mixed" else ""
        body = [" ".join(p for p in (opening, *_issue_lines(issues, review)) if p)]
        if thanks:
            body.append(thanks)
        body.append(_pick([str(p) for p in raw["private"]], review, "private"))
        closing = "disappointed" if tone == "mixed" and not thanks else tone
        body.append(str(raw["closing"].get(closing, raw["closing"]["upset"])))
    sign = str(raw["sign_off"]["business" if business else "none"]).format(
        business=(business or "").strip()
    )
    return "\n\n".join(p for p in (greeting, *body, sign) if p)


def _first_name(reviewer: str | None) -> str:
    """The reviewer's first name only: a public reply does not repeat a full name."""
    words = (reviewer or "").strip().split()
    first = words[0].strip(".,") if words else ""
    return first if first.isalpha() and len(first) > 1 else ""


# ----------------------------------------------------------------- entry point


def reply_to_review(
    text: str,
    *,
    stars: int | None = None,
    business: str | None = None,
    reviewer: str | None = None,
    analyzer: Analyzer | None = None,
) -> ReviewReply:
    """Analyse a public review and draft an empathetic public reply, checked like a draft.

    *stars* is the review's rating (1-5) when known. Raises
    :class:`~warmline.engine.errors.InvalidConversationError` naming the field at fault for an
    empty or over-long review or a rating outside 1-5.
    """
    review = _checked(text, stars)
    engine = analyzer if analyzer is not None else default_analyzer()
    analysis = engine.analyze({"id": "review", "turns": [{"speaker": "customer", "text": review}]})
    state = analysis.turns[0].customer
    emotions = tuple(state.emotions) if state is not None else ()
    issues = find_issues(review)
    praise = find_praise(review)
    tone = _tone(stars, emotions, issues, praise)
    reply = compose_reply(
        review, emotions=emotions, issues=issues, praise=praise, tone=tone,
        reviewer=reviewer, business=business,
    )  # fmt: skip
    check = check_draft(
        [{"speaker": "customer", "text": review}],
        reply,
        customer_name=_first_name(reviewer) or None,
        analyzer=engine,
    )
    return ReviewReply(review, stars, emotions, issues, praise, tone, reply, check)


def _checked(text: str, stars: int | None) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidConversationError("paste the review text first", where="review")
    if len(text) > MAX_REVIEW:
        raise InvalidConversationError(
            f"the review is over {MAX_REVIEW:,} characters; paste the review itself", where="review"
        )
    if stars is not None and (
        isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5
    ):
        raise InvalidConversationError(
            f"expected a star rating from 1 to 5, got {stars!r}", where="stars"
        )
    return text.strip()


__all__ = [
    "Evidence",
    "ReviewIssue",
    "ReviewReply",
    "compose_reply",
    "find_issues",
    "find_praise",
    "never_say",
    "reply_to_review",
    "retold",
]

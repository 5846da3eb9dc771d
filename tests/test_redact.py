"""PII redaction: each kind found, every false-positive trap left alone, records copied not changed."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warmline.engine.errors import ConfigError
from warmline.redact import KINDS, Finding, Redaction, Redactor, parse_kinds

REDACTOR = Redactor()

# (text, kind, the exact evidence that must be replaced)
POSITIVE = [
    ("Mail me at jane.doe@example.com please", "email", "jane.doe@example.com"),
    ("jane.doe+orders@mail.example.co.uk.", "email", "jane.doe+orders@mail.example.co.uk"),
    ("<j_smith99@example.org>", "email", "j_smith99@example.org"),
    ("Call me on +44 20 7946 0958 tomorrow", "phone", "+44 20 7946 0958"),
    ("US line: +1 (415) 555-0134.", "phone", "+1 (415) 555-0134"),
    ("+44 (0)20 7946 0958", "phone", "+44 (0)20 7946 0958"),
    ("whatsapp +4915112345678", "phone", "+4915112345678"),
    ("+33 6 12 34 56 78", "phone", "+33 6 12 34 56 78"),
    ("ring (415) 555-0134", "phone", "(415) 555-0134"),
    ("ring 415-555-0134", "phone", "415-555-0134"),
    ("ring 415.555.0134", "phone", "415.555.0134"),
    ("ring 415 555 0134", "phone", "415 555 0134"),
    ("1-800-555-0199 is the number", "phone", "1-800-555-0199"),
    ("office 020 7946 0958", "phone", "020 7946 0958"),
    ("mobile 07700 900123", "phone", "07700 900123"),
    ("(0161) 496 0000", "phone", "(0161) 496 0000"),
    ("French line 06 12 34 56 78", "phone", "06 12 34 56 78"),
    ("my number is 4155550134", "phone", "4155550134"),
    ("my number is 07700900123", "phone", "07700900123"),
    ("phone # 4155550134", "phone", "4155550134"),
    ("+44 20 7946 0958 10 times", "phone", "+44 20 7946 0958"),
    ("card 4111 1111 1111 1111 exp 12/25", "card", "4111 1111 1111 1111"),
    ("4111-1111-1111-1111", "card", "4111-1111-1111-1111"),
    ("it was 4111111111111111, the visa", "card", "4111111111111111"),
    ("amex 3782 822463 10005", "card", "3782 822463 10005"),
    ("5555 5555 5555 4444 and cvv 123", "card", "5555 5555 5555 4444"),
    ("4111 1111 1111 1111 123", "card", "4111 1111 1111 1111"),
    ("card # 4111111111111111", "card", "4111111111111111"),
    ("I live at 221B Baker Street, London", "address", "221B Baker Street"),
    ("send it to 12 High St, Apt 4B please", "address", "12 High St, Apt 4B"),
    ("Flat 2, 10 Downing Street", "address", "Flat 2, 10 Downing Street"),
    ("1600 Pennsylvania Avenue NW", "address", "1600 Pennsylvania Avenue NW"),
    ("350 5th Avenue", "address", "350 5th Avenue"),
    ("42 Wallaby Way, Sydney", "address", "42 Wallaby Way"),
    ("7 St Mary's Road.", "address", "7 St Mary's Road"),
    ("12-14 Old Kent Rd", "address", "12-14 Old Kent Rd"),
    ("3 Acacia Close Flat 2", "address", "3 Acacia Close Flat 2"),
    ("PO Box 123", "address", "PO Box 123"),
    ("P.O. Box 4567, Springfield", "address", "P.O. Box 4567"),
]

# Text that must come back untouched.
NEGATIVE = [
    "Your order 48213-K has shipped.",
    "Ticket #A-99812 is closed.",
    "order 1029384756",
    "1029384756",
    "Order number: 4155550134",
    "tracking number is 4155550134",
    "Ticket #4155550134",
    "#4155550134",
    "ref 020 7946 0958",
    "order #4111111111111111",
    "tracking 1Z999AA10123456784",
    "tracking 9400 1000 0000 0000 0000 00",
    "It costs $12.99, or £1,299.00 for the bundle.",
    "Delivered 2024-05-03, or 03/05/2024, or 03.05.2024, or 20240503.",
    "2024-05-03T09:14:00Z",
    "We open at 9am and close at 14:30, 0900-1730 on Saturdays.",
    "Please update to v2.14.3 or 10.0.19045.2965.",
    "Quantity 12, 1,000 units, 3 x 500 ml.",
    "Sizes 10 12 14 16 18 20 22 in stock.",
    "Amazon order 112-4567890-1234567",
    "ISBN 978-0-306-40615-7",
    "Router at 192.168.100.1000",
    "Unix time 1714728000",
    "4111 1111 1111 1112",
    "Zip 94103-1234",
    "I bought 2 External Hard Drive units.",
    "5th Avenue is lovely.",
    "There are 3 ways to do it.",
    "Call 555-0134 tomorrow",
    "+5 points, +100 bonus",
    "email me at jane at example dot com",
    "user@localhost",
]


@pytest.mark.parametrize(("text", "kind", "evidence"), POSITIVE)
def test_each_kind_is_found_with_exact_offsets(text: str, kind: str, evidence: str) -> None:
    result = REDACTOR.redact(text)
    start = text.index(evidence)
    assert result.found == (Finding(kind, start, start + len(evidence)),)
    assert result.text == text.replace(evidence, f"[{kind}]", 1)


@pytest.mark.parametrize("text", NEGATIVE)
def test_false_positive_traps_are_left_alone(text: str) -> None:
    assert REDACTOR.redact(text) == Redaction(text, ())


def test_mixed_text_offsets_point_into_the_original() -> None:
    text = (
        "Hi, I'm Sam (sam@example.com, 07700 900123). Order 48213-K for $12.99 went to "
        "221B Baker Street on 2024-05-03; I paid with 4111 1111 1111 1111 at 14:30."
    )
    result = REDACTOR.redact(text)
    assert [(f.kind, text[f.start : f.end]) for f in result.found] == [
        ("email", "sam@example.com"),
        ("phone", "07700 900123"),
        ("address", "221B Baker Street"),
        ("card", "4111 1111 1111 1111"),
    ]
    assert result.text == (
        "Hi, I'm Sam ([email], [phone]). Order 48213-K for $12.99 went to "
        "[address] on 2024-05-03; I paid with [card] at 14:30."
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_kind_switched_off_is_kept(kind: str) -> None:
    text = "a@example.com 415-555-0134 4111111111111111 GB82 WEST 1234 5698 7654 32 12 High Street"
    result = Redactor(frozenset(KINDS) - {kind}).redact(text)
    assert {f.kind for f in result.found} == set(KINDS) - {kind}
    assert f"[{kind}]" not in result.text


def test_no_kinds_means_no_redaction() -> None:
    text = "a@example.com 415-555-0134"
    assert Redactor(parse_kinds("none")).redact(text) == Redaction(text)


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("4111 1111 1111 1111 5555 5555 5555 4444", ["4111 1111 1111 1111", "5555 5555 5555 4444"]),
        (
            "4111 1111 1111 1111 123 5555 5555 5555 4444",
            ["4111 1111 1111 1111", "5555 5555 5555 4444"],
        ),
        ("+44 20 7946 0958+44 20 7946 0958", ["+44 20 7946 0958", "+44 20 7946 0958"]),
    ],
)
def test_pii_glued_together_is_all_found(text: str, evidence: list[str]) -> None:
    found = REDACTOR.redact(text).found
    assert [text[f.start : f.end] for f in found] == evidence


def test_an_email_wins_over_the_phone_inside_it() -> None:
    assert REDACTOR.redact("4155550134@example.com").found == (Finding("email", 0, 22),)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("email,phone", {"email", "phone"}),
        (" Email , CARD ", {"email", "card"}),
        ("none", set()),
        ("", set()),
        ("all", set(KINDS)),
        ("email,phone,card,iban,address", set(KINDS)),
    ],
)
def test_parse_kinds(value: str, expected: set[str]) -> None:
    assert parse_kinds(value) == frozenset(expected)


def test_parse_kinds_names_the_bad_kind_and_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"'ssn'.*email, phone, card, iban, address"):
        parse_kinds("email,ssn")


def test_an_unknown_kind_is_rejected_by_the_redactor() -> None:
    with pytest.raises(ConfigError, match="'ssn'"):
        Redactor(frozenset({"ssn"}))


def _record() -> dict[str, Any]:
    return {
        "id": "T-4155550134",
        "customer_name": "Marisol Vega",
        "agent_id": "agent-117",
        "channel": "chat",
        "turns": [
            {"speaker": "customer", "text": "I'm at 12 High Street, call 07700 900123",
             "timestamp": "2024-05-03T09:14:00Z"},
            {"speaker": "agent", "text": "Thanks Marisol, order 48213-K is on its way."},
        ],
        "metadata": {
            "order_history": ["48213-K"],
            "contact": {"email": "marisol@example.com", "phones": ["+44 20 7946 0958", 3]},
            "csat": 4,
        },
    }  # fmt: skip


def test_redact_conversation_redacts_turns_and_metadata_and_counts() -> None:
    out, count = REDACTOR.redact_conversation(_record())
    assert count == 4
    assert out["turns"][0]["text"] == "I'm at [address], call [phone]"
    assert out["turns"][1]["text"] == "Thanks Marisol, order 48213-K is on its way."
    assert out["metadata"] == {
        "order_history": ["48213-K"],
        "contact": {"email": "[email]", "phones": ["[phone]", 3]},
        "csat": 4,
    }


def test_redact_conversation_keeps_ids_names_and_timestamps() -> None:
    record = _record()
    out, _ = REDACTOR.redact_conversation(record)
    for key in ("id", "customer_name", "agent_id", "channel"):
        assert out[key] == record[key]
    assert out["turns"][0]["timestamp"] == record["turns"][0]["timestamp"]


def test_redact_conversation_leaves_the_input_unmodified() -> None:
    record = _record()
    before = copy.deepcopy(record)
    out, _ = REDACTOR.redact_conversation(record)
    assert record == before
    out["metadata"]["order_history"].append("x")
    assert record == before


def test_redact_conversation_tolerates_a_malformed_record() -> None:
    record: dict[str, Any] = {"id": "c1", "turns": [{"speaker": "agent"}, "junk"]}
    assert REDACTOR.redact_conversation(record) == (record, 0)


FRAGMENTS = [p[0] for p in POSITIVE] + NEGATIVE
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=6).flatmap(
    lambda parts: st.sampled_from([" ", "", ", ", "\n"]).map(lambda sep: sep.join(parts))
)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_redacting_twice_is_redacting_once(text: str) -> None:
    once = REDACTOR.redact(text).text
    assert REDACTOR.redact(once).text == once


@settings(max_examples=300, deadline=None)
@given(texts)
def test_findings_are_ordered_disjoint_and_inside_the_text(text: str) -> None:
    found = REDACTOR.redact(text).found
    ends = [0] + [f.end for f in found]
    assert all(prev <= f.start < f.end <= len(text) for prev, f in zip(ends, found, strict=False))


@given(st.text().filter(lambda t: "@" not in t and not re.search(r"\d", t)))
def test_text_without_digits_or_at_sign_is_unchanged(text: str) -> None:
    assert REDACTOR.redact(text) == Redaction(text)


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("Refund to GB82 WEST 1234 5698 7654 32 please", "GB82 WEST 1234 5698 7654 32"),
        ("IBAN: DE89370400440532013000.", "DE89370400440532013000"),
        ("iban nl91 abna 0417 1643 00 is mine", "nl91 abna 0417 1643 00"),
        ("BE68 5390 0754 7034, thanks", "BE68 5390 0754 7034"),
    ],
)
def test_an_iban_passing_its_check_is_redacted(text: str, evidence: str) -> None:
    found = REDACTOR.redact(text).found
    assert [(f.kind, text[f.start : f.end]) for f in found] == [("iban", evidence)]


@pytest.mark.parametrize(
    "text",
    [
        "GB83 WEST 1234 5698 7654 32",  # check digits wrong
        "DE89 3704 0044 0532 0130",  # two digits short for Germany
        "XX89370400440532013000",  # no such country
        "Model DE44X500 broke",
    ],
)
def test_iban_look_alikes_are_kept(text: str) -> None:
    assert REDACTOR.redact(text).text == text


def test_the_digits_of_a_failed_iban_are_not_read_as_a_card() -> None:
    # 4111 1111 1111 1111 passes Luhn; after "DE00 " it is the tail of an account-like code.
    text = "DE00 4111 1111 1111 1111 00"
    assert not [f for f in REDACTOR.redact(text).found if f.kind == "card"]


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("We moved to 18 Rue de la Paix last month", "18 Rue de la Paix"),
        ("5 bis rue Victor Hugo, Lyon", "5 bis rue Victor Hugo"),
        ("Mi dirección es Calle Mayor 12, Madrid", "Calle Mayor 12"),
        ("Via Roma 1, Milano", "Via Roma 1"),
        ("Ich wohne in der Lindenstraße 7a", "Lindenstraße 7a"),
        ("1 Infinite Loop, Cupertino", "1 Infinite Loop"),
    ],
)
def test_continental_and_more_street_formats(text: str, evidence: str) -> None:
    found = REDACTOR.redact(text).found
    assert [(f.kind, text[f.start : f.end]) for f in found] == [("address", evidence)]


@pytest.mark.parametrize(
    "text",
    ["Via DHL 3 days", "Offering 3 options", "We ship via Royal Mail 2nd class",
     "the icon@2x.png file is blurry", "Plaza Hotel 5 stars"],
)  # fmt: skip
def test_street_and_email_look_alikes_are_kept(text: str) -> None:
    assert REDACTOR.redact(text).text == text

"""Plain-text transcripts: speaker prefixes, continuation lines, timestamps and role mapping."""

from __future__ import annotations

import pytest

from tests.formats.helpers import Writer, read, summary, turns_of
from warmline.formats import InputError
from warmline.formats.transcript import parse_transcript

TRANSCRIPT = """\
# Chat 1042 (exported)

[10:02] Customer: My parcel never came.
It was a birthday present.

10:03:15 Agent: I'm so sorry, that's really disappointing.
Step 1: I've reshipped it today.
**Customer:** Thank you!
Bot: Anything else?
"""


def test_a_transcript_is_one_conversation_named_after_the_file(write: Writer) -> None:
    [conv] = read(write("chat-1042.txt", TRANSCRIPT))
    assert conv.id == "chat-1042"
    assert turns_of(conv) == [
        ("customer", "My parcel never came.\nIt was a birthday present.", "10:02"),
        (
            "agent",
            "I'm so sorry, that's really disappointing.\nStep 1: I've reshipped it today.",
            "10:03:15",
        ),
        ("customer", "Thank you!", None),
        ("bot", "Anything else?", None),
    ]


def parse(text: str, roles: dict[str, str] | None = None) -> list[tuple[str, str, str | None]]:
    from warmline.formats.roles import build_role_map

    record = parse_transcript(
        text, source="t.txt", conversation_id="t", roles=build_role_map(roles)
    )
    return turns_of(record)


# (first line, expected speaker, text, timestamp)
PREFIXES = [
    ("customer: hi", "customer", "hi", None),
    ("CALLER: hi", "customer", "hi", None),
    ("Client: hi", "customer", "hi", None),
    ("User: hi", "customer", "hi", None),
    ("Rep: hi", "agent", "hi", None),
    ("Representative: hi", "agent", "hi", None),
    ("Support: hi", "agent", "hi", None),
    ("Advisor: hi", "agent", "hi", None),
    ("Operator: hi", "agent", "hi", None),
    ("Agent 2: hi", "agent", "hi", None),
    ("Assistant: hi", "bot", "hi", None),
    ("Chatbot: hi", "bot", "hi", None),
    ("Virtual Assistant: hi", "bot", "hi", None),
    ("[10:02] Agent: hi", "agent", "hi", "10:02"),
    ("(10:02:33) Agent: hi", "agent", "hi", "10:02:33"),
    ("10:02 PM - Agent: hi", "agent", "hi", "10:02 PM"),
    ("[2024-05-01 10:02:33] Agent: hi", "agent", "hi", "2024-05-01 10:02:33"),
    ("  Agent:   hi  ", "agent", "hi", None),
    ("**Agent**: hi", "agent", "hi", None),
]


@pytest.mark.parametrize(("text", "speaker", "said", "stamp"), PREFIXES)
def test_role_words_and_timestamps(text: str, speaker: str, said: str, stamp: str | None) -> None:
    assert parse(text) == [(speaker, said, stamp)]


def test_names_are_mapped_to_roles_case_insensitively() -> None:
    text = "Priya: my order?\nSAM: on its way\nPriya van Dijk: thanks\n"
    roles = {"Priya": "customer", "sam": "agent", "priya van dijk": "customer"}
    assert [s for s, _, _ in parse(text, roles)] == ["customer", "agent", "customer"]


@pytest.mark.parametrize(
    "line",
    [
        "Order number: 12345",
        "Note: bring ID",
        "https://example.com/track",
        "at 10:30 tomorrow",
        "my account: locked",
        "Step 2: restart",
    ],
)
def test_lines_that_are_not_speakers_continue_the_turn(line: str) -> None:
    assert parse(f"Agent: hello\n{line}") == [("agent", f"hello\n{line}", None)]


def test_an_unknown_speaker_is_an_error_naming_file_line_and_name(write: Writer) -> None:
    records = read(write("t.txt", "Customer: hi\nAgent: hello\nManager: I'll take over\n"))
    assert summary(records) == [("error", 3, "t")]
    error = records[0]
    assert isinstance(error, InputError)
    assert "'Manager'" in error.message and "--role 'Manager=customer'" in error.message
    assert str(error).startswith(f"{error.source}:3: ")


@pytest.mark.parametrize("content", ["", "\n\n", "# just a title\nno speakers here\n"])
def test_a_file_without_turns_is_an_error(write: Writer, content: str) -> None:
    [error] = read(write("empty.txt", content))
    assert isinstance(error, InputError) and error.id == "empty"
    assert "no turns" in error.message


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (b"Customer: caf\xe9\n", 1, "not valid UTF-8"),
        (b"Customer: hi\nAgent: \x00\x00\x00\n", 2, "NUL bytes"),
        (b"Customer: hi\nAgent: " + b"y" * 2_000_000 + b"\n", 2, "turn 2: text is 2,000,000"),
    ],
)
def test_bad_files_point_at_the_bad_line(
    write: Writer, content: bytes, line: int, words: str
) -> None:
    [error] = read(write("bad.txt", content))
    assert isinstance(error, InputError)
    assert (error.line, error.id) == (line, "bad")
    assert words in error.message


def test_a_folder_reads_transcripts_in_name_order_and_ignores_other_files(
    write: Writer,
) -> None:
    write("chats/b.txt", "Customer: second\n")
    write("chats/a.md", "Customer: first\n")
    write("chats/c.txt", "Nobody: third\n")
    write("chats/notes.pdf", b"%PDF-1.4\x00\x00")
    write("chats/.hidden.txt", "Customer: hidden\n")
    folder = write("chats/d.txt", "Agent: fourth\n").parent
    assert summary(read(folder)) == [
        ("ok", None, "a"),
        ("ok", None, "b"),
        ("error", 1, "c"),
        ("ok", None, "d"),
    ]

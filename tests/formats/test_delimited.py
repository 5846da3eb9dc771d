"""CSV/TSV reader: grouping rows into conversations, column names, and bad rows."""

from __future__ import annotations

import io

import pytest

from tests.formats.helpers import Writer, conversation, read, summary, turns_of
from warmline.formats import InputError
from warmline.formats.delimited import read_csv

HEADER = "conversation_id,speaker,text,timestamp,agent_id,customer_name,channel\n"


def test_rows_become_conversations_with_multiline_text_and_conversation_fields(
    write: Writer,
) -> None:
    body = (
        'c1,customer,"Hi, my order\nnever came",10:02,,Priya,chat\n'
        "c1,agent,Sorry about that!,10:03,sam,,\n"
        "c2,Customer,Opening hours?,,,,\n"
        "c2,BOT,9 to 5.,,,,\n"
    )
    first, second = read(write("in.csv", HEADER + body))
    assert turns_of(first) == [
        ("customer", "Hi, my order\nnever came", "10:02"),
        ("agent", "Sorry about that!", "10:03"),
    ]
    first = conversation(first)
    assert (first.customer_name, first.agent_id, first.channel) == ("Priya", "sam", "chat")
    assert turns_of(second) == [("customer", "Opening hours?", None), ("bot", "9 to 5.", None)]


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("conversation_id,speaker,text", "c9,agent,hello"),
        ("ID,Role,Text", "c9,agent,hello"),
        ("Conversation ID,Author,Message", "c9,agent,hello"),
        ("\ufeffid,speaker,text", "c9,agent,hello"),
        ("text,extra,SPEAKER,conversation-id", "hello,,agent,c9"),
    ],
)
def test_header_names_are_case_insensitive_and_have_aliases(
    write: Writer, header: str, row: str
) -> None:
    [conv] = read(write("in.csv", f"{header}\n{row}\n"))
    assert conv.id == "c9"
    assert turns_of(conv) == [("agent", "hello", None)]


def test_tsv_by_extension_and_by_sniffing_a_stream(write: Writer) -> None:
    data = "id\tspeaker\ttext\nc1\tcustomer\thello, there\n"
    [from_file] = read(write("in.tsv", data))
    [from_stream] = list(read_csv(io.BytesIO(data.encode()), source="s", roles={}))
    assert turns_of(from_file) == turns_of(from_stream) == [("customer", "hello, there", None)]


def test_speakers_go_through_role_words_and_the_role_mapping(write: Writer) -> None:
    body = "c1,Priya,hi,\nc1,Sam,hello,\nc1,Caller,still there?,\nc1,Rep,yes,\n"
    [conv] = read(
        write("in.csv", "id,speaker,text,x\n" + body), roles={"priya": "customer", "Sam": "agent"}
    )
    assert [s for s, _, _ in turns_of(conv)] == ["customer", "agent", "customer", "agent"]


def test_a_missing_required_column_is_one_error_for_the_whole_file(write: Writer) -> None:
    records = read(write("in.csv", "conversation_id,who,message\nc1,customer,hi\nc2,agent,x\n"))
    assert summary(records) == [("error", 1, None)]
    assert isinstance(records[0], InputError)
    message = records[0].message
    assert "missing column speaker" in message
    assert "'who'" in message and "conversation_id, speaker and text" in message


def test_an_empty_file_is_an_error(write: Writer) -> None:
    assert summary(read(write("in.csv", b""))) == [("error", 1, None)]


def test_a_conversation_whose_rows_are_not_grouped_is_an_error(write: Writer) -> None:
    body = "c1,customer,a\nc1,agent,b\nc2,customer,c\nc1,agent,d\nc3,customer,e\n"
    records = read(write("in.csv", "id,speaker,text\n" + body))
    assert summary(records) == [
        ("ok", None, "c1"),
        ("ok", None, "c2"),
        ("error", 5, "c1"),
        ("ok", None, "c3"),
    ]
    assert isinstance(records[2], InputError)
    assert "grouped by conversation_id" in records[2].message
    assert "line 2" in records[2].message


TWO_MB = "x" * (2 * 1024 * 1024)

# (bad data row for conversation "bad", words the message must contain)
BAD_ROWS: list[tuple[bytes, str]] = [
    (b"bad,manager,hello\n", "unknown speaker 'manager'"),
    (b"bad,,hello\n", "speaker is empty"),
    (f"bad,customer,{TWO_MB}\n".encode(), "over the limit"),
    (b"bad,customer,caf\xe9\n", "not valid UTF-8 (byte 0xe9"),
    (b"bad,customer,\x00\x00junk\x00\n", "NUL bytes"),
    (b"bad,customer,one,two,three\n", "5 fields but the header has 3"),
]


@pytest.mark.parametrize(("bad", "words"), BAD_ROWS)
def test_a_bad_row_fails_its_conversation_at_that_line_and_the_run_goes_on(
    write: Writer, bad: bytes, words: str
) -> None:
    data = b"id,speaker,text\na,customer,hi\nbad,customer,first row is fine\n" + bad
    data += b"b,agent,bye\n"
    records = read(write("in.csv", data))
    assert summary(records) == [("ok", None, "a"), ("error", 4, "bad"), ("ok", None, "b")]
    assert isinstance(records[1], InputError)
    assert words in records[1].message


def test_a_row_without_a_conversation_id_fails_the_conversation_it_sits_in(
    write: Writer,
) -> None:
    data = "id,speaker,text\na,customer,hi\n,agent,lost\na,agent,bye\nb,customer,x\n"
    records = read(write("in.csv", data))
    assert summary(records) == [("error", 3, "a"), ("ok", None, "b")]


def test_blank_lines_and_empty_rows_are_skipped(write: Writer) -> None:
    data = "id,speaker,text\n\na,customer,hi\n,,\n\na,agent,bye\n"
    [conv] = read(write("in.csv", data))
    assert len(conversation(conv).turns) == 2


def test_an_unclosed_quote_swallows_the_rest_but_never_raises(write: Writer) -> None:
    data = 'id,speaker,text\na,customer,hi\nb,customer,"never closed\nc,agent,x\n'
    records = read(write("in.csv", data))
    assert summary(records)[0] == ("ok", None, "a")
    assert turns_of(records[1]) == [("customer", "never closed\nc,agent,x\n", None)]

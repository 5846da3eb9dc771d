"""WebVTT and SRT subtitles: voice tags, name prefixes, merging cues, stripping tags."""

from __future__ import annotations

import pytest

from tests.formats.helpers import Writer, conversation, read, turns_of
from warmline.formats import InputError

ROLES = {"Priya": "customer", "Sam": "agent"}

VTT = """\
WEBVTT
Kind: captions

NOTE exported from the call recorder

STYLE
::cue { color: white }

intro
00:00:01.000 --> 00:00:03.000 align:start
<v Priya>I've been waiting</v>

00:00:03.000 --> 00:00:05.000
<v.loud Priya>for <i>two</i> weeks &amp; <c.yellow>more</c>.

00:00:05.500 --> 00:00:08.000
<v Sam>I'm so sorry.
That's not OK.

00:00:08.000 --> 00:00:09.000
<v Priya>Thanks.</v> <v Sam>What's the order number?

00:09.000 --> 00:10.000
Customer: 12345
"""

SRT = """\
1
00:00:01,000 --> 00:00:04,000
PRIYA: Hi, my card was charged twice.

2
00:00:04,000 --> 00:00:06,000
<i>Can you help?</i>

3
00:00:06,000 --> 00:00:09,000
{\\an8}- Sam: Of course.
- Priya: Thanks!
"""


def test_webvtt_voices_merge_consecutive_cues_and_strip_tags(write: Writer) -> None:
    [conv] = read(write("call-7.vtt", VTT), roles=ROLES)
    assert conv.id == "call-7"
    assert turns_of(conv) == [
        ("customer", "I've been waiting for two weeks & more.", "00:00:01.000"),
        ("agent", "I'm so sorry. That's not OK.", "00:00:05.500"),
        ("customer", "Thanks.", "00:00:08.000"),
        ("agent", "What's the order number?", "00:00:08.000"),
        ("customer", "12345", "00:09.000"),
    ]


def test_srt_name_prefixes_and_unlabelled_cues_continue_the_speaker(write: Writer) -> None:
    [conv] = read(write("call.srt", SRT), roles=ROLES)
    assert turns_of(conv) == [
        ("customer", "Hi, my card was charged twice. Can you help?", "00:00:01,000"),
        ("agent", "Of course.", "00:00:06,000"),
        ("customer", "Thanks!", "00:00:06,000"),
    ]


def test_crlf_and_a_bom_are_fine(write: Writer) -> None:
    data = b"\xef\xbb\xbf" + SRT.replace("\n", "\r\n").encode()
    [conv] = read(write("call.srt", data), roles=ROLES)
    assert len(conversation(conv).turns) == 3


@pytest.mark.parametrize(
    ("name", "content", "line", "words"),
    [
        ("a.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Bob>hello\n", 4, "unknown speaker 'Bob'"),
        ("a.srt", "1\n00:00:01,000 --> 00:00:02,000\nManager: hi\n", 3, "'Manager=customer'"),
        ("a.srt", "1\n00:00:01,000 --> 00:00:02,000\nhello there\n", 3, "no speaker"),
        ("a.vtt", "WEBVTT\n\nNOTE nothing here\n", None, "no cues"),
        ("a.srt", "", None, "no cues"),
    ],
)
def test_bad_subtitles_are_an_error_at_the_line(
    write: Writer, name: str, content: str, line: int | None, words: str
) -> None:
    [error] = read(write(name, content), roles=ROLES)
    assert isinstance(error, InputError)
    assert (error.line, error.id) == (line, "a")
    assert words in error.message

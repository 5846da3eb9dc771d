"""``warmline check``: one draft reply checked in its conversation, run through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from warmline.cli import main
from warmline.engine.assist import check_draft
from warmline.engine.pipeline import Analyzer

CONTEXT = {
    "id": "late-1",
    "customer_name": "Jo",
    "turns": [
        {"speaker": "customer", "text": "My parcel is a week late!! I'm furious, I want a refund."},
        {"speaker": "agent", "text": "Let me check that for you."},
        {"speaker": "customer", "text": "This is the THIRD time. Unacceptable!!"},
    ],
}
BAD_DRAFT = "You should have read the policy. We cannot refund."
GOOD_DRAFT = "Jo, I'm so sorry, that's really frustrating. I've refunded the parcel today."


def invoke(args: list[str], stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)


@pytest.fixture
def context_file(tmp_path: Path) -> Path:
    path = tmp_path / "context.jsonl"
    path.write_text(json.dumps(CONTEXT) + "\n", encoding="utf-8")
    return path


def test_prints_a_readable_block(context_file: Path) -> None:
    done = invoke(["check", str(context_file), "--draft", BAD_DRAFT])
    assert done.exit_code == 0, done.output
    out = done.stdout
    assert "\x1b[" not in out
    for heading in ("Draft score:", "The moment:", "Behaviours found", "Missing", "Warnings"):
        assert heading in out
    assert "Suggested rewrite" in out
    assert "high empathy need" in out
    assert "blame “You should have read the policy.”" in out
    assert "bare refusal “We cannot refund.”" in out
    assert "acknowledge emotion:" in out and "Tip: " in out


@pytest.mark.parametrize("draft", [BAD_DRAFT, GOOD_DRAFT])
def test_json_is_the_library_result(context_file: Path, analyzer: Analyzer, draft: str) -> None:
    done = invoke(["check", str(context_file), "--draft", draft, "--json"])
    assert done.exit_code == 0, done.output
    expected = check_draft(CONTEXT["turns"], draft, customer_name="Jo", analyzer=analyzer)
    assert json.loads(done.stdout) == expected.to_dict()


def test_a_good_draft_says_no_rewrite_is_needed(context_file: Path) -> None:
    done = invoke(["check", str(context_file), "--draft", GOOD_DRAFT])
    assert done.exit_code == 0, done.output
    assert "none needed" in done.stdout
    assert "personalization “Jo”" in done.stdout


def test_draft_from_a_file_and_from_stdin(context_file: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(BAD_DRAFT + "\n", encoding="utf-8")
    from_file = invoke(["check", str(context_file), "--draft-file", str(draft), "--json"])
    from_stdin = invoke(["check", str(context_file), "--draft-file", "-", "--json"], BAD_DRAFT)
    assert from_file.exit_code == from_stdin.exit_code == 0, from_file.output
    assert json.loads(from_file.stdout)["warnings"] == json.loads(from_stdin.stdout)["warnings"]


def test_context_from_stdin_and_a_transcript(tmp_path: Path) -> None:
    stdin = invoke(["check", "-", "--draft", BAD_DRAFT, "--json"], json.dumps(CONTEXT))
    transcript = tmp_path / "chat.txt"
    transcript.write_text(
        "\n".join(f"{t['speaker'].capitalize()}: {t['text']}" for t in CONTEXT["turns"]) + "\n",
        encoding="utf-8",
    )
    text = invoke(["check", str(transcript), "--draft", BAD_DRAFT, "--json"])
    assert stdin.exit_code == text.exit_code == 0, text.output
    assert json.loads(stdin.stdout)["warnings"] == json.loads(text.stdout)["warnings"]


def test_bot_speaker_and_customer_name_options(context_file: Path) -> None:
    done = invoke(
        ["check", str(context_file), "--draft", "Sam, I'm sorry.", "--customer-name", "Sam"]
        + ["--speaker", "bot", "--json"]
    )
    assert done.exit_code == 0, done.output
    assert "personalization" in {b["id"] for b in json.loads(done.stdout)["behaviours"]}


def several(tmp_path: Path) -> Path:
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps(CONTEXT) + "\n" + json.dumps({**CONTEXT, "id": "b"}) + "\n")
    return path


def empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    return path


def bad_speaker(tmp_path: Path) -> Path:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x", "turns": [{"speaker": "boss", "text": "hi"}]}) + "\n")
    return path


@pytest.mark.parametrize(
    ("make", "code", "says"),
    [
        (several, 2, "more than one conversation"),
        (empty, 2, "no conversation"),
        (bad_speaker, 1, "turns[0].speaker"),
    ],
)
def test_context_problems_exit_with_a_clear_message(
    tmp_path: Path, make: Any, code: int, says: str
) -> None:
    done = invoke(["check", str(make(tmp_path)), "--draft", BAD_DRAFT])
    assert done.exit_code == code
    assert says in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "--draft TEXT or --draft-file FILE"),
        (["--draft", "hi", "--draft-file", "-"], "--draft TEXT or --draft-file FILE"),
        (["--draft", "   "], "empty"),
        (["--format", "yaml", "--draft", "hi"], "yaml"),
    ],
)
def test_usage_errors_exit_2(context_file: Path, args: list[str], says: str) -> None:
    done = invoke(["check", str(context_file), *args])
    assert done.exit_code == 2
    assert says in done.stderr


def test_stdin_cannot_hold_both_context_and_draft() -> None:
    done = invoke(["check", "-", "--draft-file", "-"], json.dumps(CONTEXT))
    assert done.exit_code == 2
    assert "both be read from stdin" in done.stderr

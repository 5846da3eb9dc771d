"""The optional LLM voice, against a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tests.practice.llm_stub import Stub, answer, url_of
from warmline.practice.loader import get_scenario
from warmline.practice.voice import (
    CHAT_PATH,
    LineRequest,
    OpenAICompatibleVoice,
    ScriptedVoice,
    voice_from_env,
)


def _request() -> LineRequest:
    scenario = get_scenario("late-order-transferred")
    turns = (
        {"speaker": "customer", "text": "Where is my desk?"},
        {"speaker": "agent", "text": "Let me look."},
    )
    return LineRequest(scenario, "angry", scenario.lines["angry"][0], turns)


def test_the_model_words_the_line(stub: Stub) -> None:
    stub.reply = answer('  "Still no desk. What are you doing about it?"  ')
    voice = OpenAICompatibleVoice(url_of(stub) + "/v1/", "tiny-model", api_key="sk-local")
    text = voice.phrase(_request())
    assert text == "Still no desk. What are you doing about it?"
    assert voice.last_error is None
    sent = stub.requests[0]
    assert sent["path"] == CHAT_PATH
    assert sent["headers"]["Authorization"] == "Bearer sk-local"
    body = sent["body"]
    assert body["model"] == "tiny-model"
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "assistant", "user"]  # the model plays the customer
    assert "Dana" in body["messages"][0]["content"] and "angry" in body["messages"][0]["content"]


@pytest.mark.parametrize(
    ("status", "reply"),
    [
        (500, {"error": "boom"}),
        (200, b"not json"),
        (200, {"choices": []}),
        (200, answer("   ")),
        (200, {"choices": [{"message": {"content": 42}}]}),
    ],
)
def test_any_failure_falls_back_to_the_scripted_line(stub: Stub, status: int, reply: Any) -> None:
    stub.status, stub.reply = status, reply
    voice = OpenAICompatibleVoice(url_of(stub), "tiny-model")
    request = _request()
    assert voice.phrase(request) == request.scripted
    assert voice.last_error


def test_an_unreachable_server_falls_back() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and is now closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    voice = OpenAICompatibleVoice(f"http://127.0.0.1:{port}", "m", timeout=2)
    request = _request()
    assert voice.phrase(request) == request.scripted
    assert voice.last_error


def test_scripted_voice_and_configuration_from_the_environment() -> None:
    request = _request()
    assert ScriptedVoice().phrase(request) == request.scripted
    assert voice_from_env({}) is None
    assert voice_from_env({"WARMLINE_LLM_URL": "http://127.0.0.1:9"}) is None
    voice = voice_from_env(
        {
            "WARMLINE_LLM_URL": "http://127.0.0.1:9/v1",
            "WARMLINE_LLM_MODEL": "m",
            "WARMLINE_LLM_API_KEY": "k",
        }
    )
    assert voice is not None
    assert voice.endpoint == "http://127.0.0.1:9" + CHAT_PATH
    assert voice.model == "m" and voice.api_key == "k"

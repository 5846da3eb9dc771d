"""Who phrases the customer's lines: the scenario's own script, or an optional LLM.

The simulator decides the customer's state; a :class:`Voice` only words the line. The
default, :class:`ScriptedVoice`, says the scripted variant as written. An
:class:`OpenAICompatibleVoice` asks any OpenAI-compatible server (llama.cpp, vLLM, Ollama, a
hosted one) to rephrase it in character, and falls back to the scripted line on any error,
so a session never fails because a model is down. It is used only when configured
(:func:`voice_from_env`: ``WARMLINE_LLM_URL`` and ``WARMLINE_LLM_MODEL``).
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from warmline.practice.scenario import Scenario

#: Where :class:`OpenAICompatibleVoice` posts, below the server's base URL.
CHAT_PATH: Final = "/v1/chat/completions"


@dataclass(frozen=True, slots=True)
class LineRequest:
    """What a voice is asked to phrase: the customer's next line in this state."""

    scenario: Scenario
    state: str
    scripted: str
    turns: Sequence[Mapping[str, str]]


class Voice(Protocol):
    """Phrases the customer's next line; must return the scripted line when it cannot."""

    def phrase(self, request: LineRequest) -> str:
        """The customer's line for *request*."""
        ...


class ScriptedVoice:
    """Says the scenario's scripted line unchanged (the offline default)."""

    def phrase(self, request: LineRequest) -> str:
        """The scripted line."""
        return request.scripted


class OpenAICompatibleVoice:
    """Voices the customer with a chat model behind an OpenAI-compatible HTTP endpoint.

    *url* is the server's base URL (``http://127.0.0.1:8080``; a trailing ``/v1`` is fine).
    Any failure (connection, HTTP status, timeout, a malformed or empty answer) returns the
    scripted line; ``last_error`` then says what went wrong, for the CLI to show.
    """

    def __init__(
        self, url: str, model: str, api_key: str | None = None, *, timeout: float = 20.0
    ) -> None:
        base = url.rstrip("/")
        self.endpoint = base.removesuffix("/v1") + CHAT_PATH
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.last_error: str | None = None

    def phrase(self, request: LineRequest) -> str:
        """The model's wording of the line, or the scripted line on any error."""
        try:
            text = self._ask(request)
        except (OSError, http.client.HTTPException, ValueError, LookupError, TypeError) as exc:
            # OSError covers URLError, HTTPError and timeouts; ValueError bad JSON; LookupError and
            # TypeError an answer of the wrong shape.
            self.last_error = f"{type(exc).__name__}: {exc}"
            return request.scripted
        self.last_error = None
        return text

    def _ask(self, request: LineRequest) -> str:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        body = json.dumps(
            {"model": self.model, "messages": messages(request), "temperature": 0.7}
        ).encode("utf-8")
        call = urllib.request.Request(self.endpoint, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(call, timeout=self.timeout) as response:  # noqa: S310
            answer: Any = json.loads(response.read().decode("utf-8"))
        text = answer["choices"][0]["message"]["content"]
        if not isinstance(text, str) or not text.strip():
            raise ValueError("the model returned no text")
        return text.strip().strip('"').strip()


def messages(request: LineRequest) -> list[dict[str, str]]:
    """The chat messages that ask a model to voice the customer in character."""
    s, p = request.scenario, request.scenario.persona
    system = (
        f"You are {p.name}, a customer talking to a support agent. Stay in character and"
        " reply with one short message (1-3 sentences), no stage directions.\n"
        f"Situation: {p.situation}\nHistory: {p.history}\nYou want: {p.wants}\n"
        f"You would accept: {p.will_accept}\nFacts: {' '.join(s.facts)}\n"
        f"Your mood now: {request.state}. Say what this line says, in your own words:"
        f" {request.scripted}"
    )
    chat = [{"role": "system", "content": system}]
    for turn in request.turns:
        # The model plays the customer, so the agent's turns are the "user" side.
        role = "assistant" if turn["speaker"] == "customer" else "user"
        chat.append({"role": role, "content": turn["text"]})
    return chat


def voice_from_env(environ: Mapping[str, str] | None = None) -> OpenAICompatibleVoice | None:
    """An LLM voice when ``WARMLINE_LLM_URL`` and ``WARMLINE_LLM_MODEL`` are set, else None."""
    env = os.environ if environ is None else environ
    url, model = env.get("WARMLINE_LLM_URL", ""), env.get("WARMLINE_LLM_MODEL", "")
    if not url.strip() or not model.strip():
        return None
    return OpenAICompatibleVoice(
        url.strip(), model.strip(), env.get("WARMLINE_LLM_API_KEY") or None
    )


__all__ = [
    "CHAT_PATH",
    "LineRequest",
    "OpenAICompatibleVoice",
    "ScriptedVoice",
    "Voice",
    "messages",
    "voice_from_env",
]

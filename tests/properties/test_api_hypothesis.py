"""The analysis API fed generated JSON and files never answers 500 (SQLite and PostgreSQL).

Bodies range from arbitrary JSON values to near-valid conversations with one part bent out of
shape (a wrong type, an over-long id or channel, an unknown speaker, a huge turn list), raw
bytes that are not JSON, and uploads of arbitrary content under every file name. A client
mistake must come back as a 4xx in the one error shape; a good body as its 2xx.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.properties.conftest import Api
from tests.properties.counts import counted
from warmline.formats import EXTENSIONS

EXAMPLES = settings(
    max_examples=50,
    deadline=None,  # a request is bounded by the client's own timeout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_text = st.text(max_size=60)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=15,
)
_speakers = st.sampled_from(["customer", "agent", "bot", "Customer", "", "boss", "AGENT "]) | _text
_odd = _json | st.text(min_size=150, max_size=400)  # wrong types, and values past column sizes


@st.composite
def turns(draw: st.DrawFn) -> Any:
    """A turn list, mostly well formed."""
    count = draw(st.integers(0, 6))
    out: list[Any] = []
    for _ in range(count):
        turn: dict[str, Any] = {"speaker": draw(_speakers), "text": draw(_text)}
        if draw(st.booleans()):
            turn["timestamp"] = draw(st.none() | _text | st.just("2026-11-02T10:00:00Z"))
        if draw(st.integers(0, 9)) == 0:
            turn[draw(st.sampled_from(["speaker", "text", "extra"]))] = draw(_odd)
        out.append(turn)
    if draw(st.integers(0, 9)) == 0:
        return draw(_json)
    return out


@st.composite
def conversations(draw: st.DrawFn) -> Any:
    """A conversation record with, sometimes, one field bent out of shape."""
    record: dict[str, Any] = {
        "id": draw(st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)),
        "turns": draw(turns()),
    }
    for key in ("agent_id", "channel", "customer_name"):
        if draw(st.booleans()):
            record[key] = draw(_text)
    if draw(st.booleans()):
        record["metadata"] = draw(
            st.dictionaries(st.sampled_from(["team", "customer_id", "x"]), _odd, max_size=3)
        )
    if draw(st.integers(0, 3)) == 0:
        record[
            draw(st.sampled_from(["id", "agent_id", "channel", "customer_name", "metadata"]))
        ] = draw(_odd)
    return record


def _no_server_error(resp: Any, allowed: set[int]) -> None:
    assert resp.status_code < 500 or resp.status_code in allowed, resp.text[:600]
    if resp.status_code >= 400:
        error = resp.json()["error"]
        assert error["status"] == resp.status_code and error["message"]


@EXAMPLES
@given(body=st.lists(conversations(), min_size=0, max_size=4) | conversations() | _json)
def test_post_conversations_never_answers_500(api: Api, body: Any) -> None:
    counted("api: POST /api/v1/conversations (json)")
    resp = api.client.post("/api/v1/conversations", json=body, headers=api.headers["coach"])
    _no_server_error(resp, set())
    assert resp.status_code in (201, 422), resp.text[:600]


@EXAMPLES
@given(
    body=st.fixed_dictionaries(
        {"turns": turns(), "draft": _text},
        optional={"customer_name": st.none() | _text, "extra": _json},
    )
    | _json
)
def test_assist_never_answers_500(api: Api, body: Any) -> None:
    counted("api: POST /api/v1/assist (json)")
    resp = api.client.post("/api/v1/assist", json=body, headers=api.headers["agent"])
    _no_server_error(resp, set())
    assert resp.status_code in (200, 422), resp.text[:600]


@EXAMPLES
@given(
    path=st.sampled_from(["/api/v1/conversations", "/api/v1/assist"]),
    raw=st.binary(max_size=200) | _text.map(str.encode),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded"]
    ),
)
def test_raw_bodies_that_are_not_json_are_a_4xx(
    api: Api, path: str, raw: bytes, content_type: str
) -> None:
    counted("api: raw bodies")
    headers = {**api.headers["admin"], "Content-Type": content_type}
    resp = api.client.post(path, content=raw, headers=headers)
    _no_server_error(resp, set())


_names = st.tuples(
    st.text(max_size=20), st.sampled_from([*sorted(EXTENSIONS), ".exe", "", ".JSONL", ".tar.gz"])
).map("".join)
_lines = st.lists(
    st.sampled_from(
        [json.dumps({"id": "u-1", "turns": [{"speaker": "customer", "text": "where is it?"}]}),
         "Customer: my parcel is late", "Agent: sorry, sending a new one", "id,speaker,text",
         "u-2,agent,hello", "WEBVTT", "00:00:01.000 --> 00:00:02.000", "<v Customer>late again",
         "{", "\x00\xff", ""]
    ) | st.text(max_size=30),
    max_size=12,
).map(lambda ls: "\n".join(ls).encode("utf-8", errors="surrogatepass"))  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=_names,
    content=_lines | st.binary(max_size=300),
    agent_id=st.none() | st.text(max_size=200),
)
def test_uploads_never_answer_500_and_their_jobs_end_with_a_reason(
    api: Api, name: str, content: bytes, agent_id: str | None
) -> None:
    counted("api: POST /api/v1/imports (files)")
    data = {"agent_id": agent_id} if agent_id is not None else {}
    resp = api.client.post(
        "/api/v1/imports",
        files={"file": (name, content, "application/octet-stream")},
        data=data,
        headers=api.headers["admin"],
    )
    _no_server_error(resp, set())
    if resp.status_code != 202:
        assert resp.status_code in (413, 422), resp.text[:600]
        return
    api.app.state.ctx.runner.wait(timeout=60)
    job = api.client.get(f"/api/v1/imports/{resp.json()['id']}", headers=api.headers["admin"])
    assert job.status_code == 200
    report = job.json()
    assert report["status"] in ("done", "failed"), report
    assert report["message"] and not report["message"].startswith("internal error"), report


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("id", "x" * 201, "id: at most 200 characters"),
        ("channel", "c" * 41, "channel: at most 40 characters"),
        ("agent_id", "a" * 121, "agent_id: at most 120 characters"),
        ("customer_name", "n" * 201, "customer_name: at most 200 characters"),
        ("metadata", {"team": "t" * 121}, "metadata.team: at most 120 characters"),
    ],
)
def test_a_value_longer_than_its_column_is_a_422_naming_the_field(
    api: Api, field: str, value: Any, said: str
) -> None:
    # Found by the properties above: PostgreSQL refused these (a 500 before the fix).
    record = {"id": "long-1", "turns": [{"speaker": "customer", "text": "hello"}], field: value}
    resp = api.client.post("/api/v1/conversations", json=record, headers=api.headers["admin"])
    assert resp.status_code == 422, resp.text
    assert said in resp.json()["error"]["message"]
    upload = api.client.post(
        "/api/v1/imports",
        files={"file": ("ok.jsonl", b'{"id": "x", "turns": [{"speaker": "agent", "text": "hi"}]}')},
        data={"agent_id": "a" * 121},
        headers=api.headers["admin"],
    )
    assert upload.status_code == 422 and "agent_id" in upload.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/api/v1/rubrics/{2**70}", None),
        ("GET", f"/api/v1/practice/sessions/{2**70}", None),
        ("GET", f"/api/v1/calibration/{2**70}/results", None),
        ("GET", f"/api/v1/imports/{2**70}", None),
        ("POST", "/api/v1/retention/purge", {"days": 10**12, "dry_run": True}),
        ("POST", "/api/v1/retention/purge", {"days": 10**7, "dry_run": True}),
    ],
)
def test_a_number_out_of_range_is_a_4xx_not_a_500(
    api: Api, method: str, path: str, body: dict[str, Any] | None
) -> None:
    # Found by schemathesis: SQLite cannot bind integers past 64 bits and dates stop at
    # year 1, so these raised OverflowError (a 500) before web/errors.py mapped it.
    resp = api.client.request(method, path, json=body, headers=api.headers["admin"])
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.json()["error"]["message"]

"""Helpers for the fault tests: big import files, real `warmline` processes, and a database audit.

Every wait here is bounded in time; a process that outlives its test is killed by its id.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from warmline.store.tables import Conversation, Label

SECRET = "fault-tests-secret-key-0123456789abcdef"
ADMIN = ("faults.admin@example.com", "a long enough test password")
CLI = [sys.executable, "-m", "warmline"]


def record(index: int) -> dict[str, Any]:
    """One small conversation with 2 to 4 turns, so turn counts differ between records."""
    turns: list[dict[str, str]] = [
        {"speaker": "customer", "text": f"Order {index} has not arrived and I'm really upset."},
        {
            "speaker": "agent",
            "text": "I'm so sorry. I've reshipped it today and will email the tracking.",
        },
    ]
    for extra in range(index % 3):
        speaker = "customer" if extra % 2 == 0 else "agent"
        turns.append({"speaker": speaker, "text": f"Follow-up {extra} on order {index}, thanks."})
    return {
        "id": f"fault-{index:05d}",
        "agent_id": f"agent-{index % 4}",
        "channel": "chat",
        "turns": turns,
    }


def write_import_file(path: Path, count: int) -> dict[str, int]:
    """Write *count* records as JSONL; returns id → turn count."""
    expected: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            rec = record(index)
            expected[rec["id"]] = len(rec["turns"])
            out.write(json.dumps(rec) + "\n")
    return expected


def env_for(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `warmline` subprocess on *database_url*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env.update(
        WARMLINE_DATA_DIR=str(tmp_path / "data"),
        WARMLINE_DATABASE_URL=database_url,
        WARMLINE_SECRET_KEY=SECRET,
        **extra,
    )
    return env


def wait_for(what: str, check: Callable[[], bool], *, timeout: float, step: float = 0.05) -> None:
    """Poll *check* until it is true; fail the test after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


def kill9(process: subprocess.Popen[Any], *, children_within: float = 10.0) -> None:
    """SIGKILL *process* (by its id) and reap it; then wait until the processes it had started
    (the server's import workers) are gone too, which they must be within *children_within*
    seconds: a worker that outlived its server could go on writing after the audit."""
    children = _children(process.pid) if process.poll() is None else []
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + children_within
    while (alive := [pid for pid in children if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"processes {alive} outlived their parent by {children_within} s"


def _children(pid: int) -> list[int]:
    """The ids of *pid*'s child processes (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """True while *pid* runs (a zombie, exited but not yet reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def written_bytes(database_url: str) -> int:
    """Bytes written to the conversation tables, committed or not (WAL frames; heap pages)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        wal = Path(f"{url.database}-wal")
        return wal.stat().st_size if wal.exists() else 0
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            size = conn.scalar(
                text(
                    "SELECT pg_total_relation_size('conversations') + pg_total_relation_size('labels')"
                )
            )
            return int(size or 0)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Audit:
    """What the database holds after a fault: counts and any half-written conversation."""

    rows: int
    distinct_ids: int
    ids: frozenset[str]
    problems: list[str]


def audit(database_url: str, expected: Mapping[str, int]) -> Audit:
    """Check every stored conversation is whole: analysis, score, labels, turn count."""
    engine = create_engine(database_url)
    problems: list[str] = []
    try:
        with Session(engine) as session:
            rows = session.scalar(select(func.count()).select_from(Conversation)) or 0
            distinct = session.scalar(select(func.count(Conversation.external_id.distinct()))) or 0
            labels = Counter(
                dict(
                    session.execute(
                        select(Label.conversation_id, func.count()).group_by(Label.conversation_id)
                    ).all()
                )
            )
            ids: set[str] = set()
            for conv in session.scalars(select(Conversation)):
                ids.add(conv.external_id)
                problems.extend(_whole(conv, expected, labels[conv.id]))
            if engine.dialect.name == "sqlite":
                check = session.scalar(text("PRAGMA integrity_check"))
                if check != "ok":
                    problems.append(f"integrity_check: {check}")
    finally:
        engine.dispose()
    return Audit(rows, distinct, frozenset(ids), problems)


def _whole(conv: Conversation, expected: Mapping[str, int], labels: int) -> Iterator[str]:
    name = conv.external_id
    if name not in expected:
        yield f"{name}: not in the import file"
        return
    turns = conv.analysis.get("turns") if isinstance(conv.analysis, dict) else None
    if not isinstance(turns, list):
        yield f"{name}: no analysis"
        return
    if not conv.turn_count == len(turns) == len(conv.record["turns"]) == expected[name]:
        yield f"{name}: turn counts differ ({conv.turn_count}, {len(turns)}, {expected[name]})"
    if conv.score is None:
        yield f"{name}: no score"
    wanted = sum(len(t.get("emotions", [])) + len(t.get("behaviours", [])) for t in turns) + len(
        conv.analysis.get("missed_opportunities", [])
    )
    if labels != wanted or labels == 0:
        yield f"{name}: {labels} label rows, the analysis has {wanted}"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(env: Mapping[str, str], log: Path, *, timeout: float = 90) -> Iterator[Server]:
    """`warmline serve` as a real process on 127.0.0.1; killed (SIGKILL) on exit if still alive."""
    port = free_port()
    with log.open("a") as out:
        process = subprocess.Popen(
            [*CLI, "serve", "--port", str(port)],
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_for("the server to answer /healthz", server.healthy, timeout=timeout, step=0.2)
        yield server
    finally:
        kill9(process)


@dataclass(frozen=True)
class Server:
    """A running `warmline serve` process and its base URL."""

    process: subprocess.Popen[Any]
    base: str
    log: Path

    def healthy(self) -> bool:
        """True once /healthz answers 200; fails at once if the process died."""
        if self.process.poll() is not None:
            raise AssertionError(f"the server exited: {self.log.read_text()[-2000:]}")
        try:
            return httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    @contextmanager
    def client(self) -> Iterator[httpx.Client]:
        """An HTTP client logged in as the admin (bearer token)."""
        with httpx.Client(base_url=self.base, timeout=30) as http:
            resp = http.post("/api/v1/token", data={"username": ADMIN[0], "password": ADMIN[1]})
            assert resp.status_code == 200, resp.text
            http.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
            yield http

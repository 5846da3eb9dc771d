"""Drive the REST API of a real `warmline serve` with concurrent clients; print throughput and latency.

For each database (a SQLite file; a throwaway PostgreSQL cluster from tests/support/postgres.py,
durability off) the script starts the server as its own process on 127.0.0.1, creates an
admin, warms it up for 3 s (unmeasured: lazy loading, the pool's connections, the import
worker's engine), and runs three phases, each for --seconds:

- ``assist, paced``: --clients clients call POST /api/v1/assist in a loop, each waiting
  --think-ms between calls, as agents do while the draft checker waits for typing to stop;
- ``assist, flat out``: the same clients with no pause at all (the server's saturation point);
- ``assist + import``: the paced assist clients while 2 more clients import conversations
  through POST /api/v1/conversations (25 per request) as fast as they can.

Latency is measured by the client from sending to the last byte, so it includes queueing in
the server. Under each phase it prints the cores the server, its import workers and PostgreSQL
kept busy (from /proc). Figures are printed, never asserted: the machine is noisy (and the load generator
shares its 2 cores with the server). Usage:

    python benchmarks/load.py [--db sqlite,postgres] [--clients 20] [--seconds 20] [--think-ms 250]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEY = "load-benchmark-key-" + "k" * 32
EMAIL, PASSWORD = "load@example.com", "load-benchmark-pw"

CONTEXTS = [
    "This is the second time my order hasn't arrived and nobody answers my emails!",
    "I was charged twice for the same subscription. Can you fix it?",
    "My mum passed away and I need to close her account.",
    "The blender arrived broken. Honestly so disappointed.",
    "Hi, can I change the delivery address on order 77120?",
]
DRAFTS = [
    "I'm really sorry, that's so frustrating. I've reshipped it by express and will email the tracking today.",
    "Please refer to our policy.",
    "I'm so sorry for your loss. I can close the account for you now; it takes two minutes.",
    "I understand how disappointing that is. A replacement is on its way and you can keep the broken one.",
    "Sure, what's the new address? I'll update it right away.",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(database_url: str, data_dir: Path) -> Iterator[str]:
    """`warmline serve` on a free port, with an admin created; yields the base URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env |= {"WARMLINE_SECRET_KEY": KEY, "WARMLINE_DATA_DIR": str(data_dir), "WARMLINE_DATABASE_URL": database_url}
    cli = [sys.executable, "-m", "warmline"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "users", "create", "--email", EMAIL, "--password", PASSWORD, "--role", "admin"],
                   env=env, check=True, capture_output=True)  # fmt: skip
    port = _free_port()
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {(data_dir / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _assist_body(rng: random.Random) -> dict[str, Any]:
    return {"turns": [{"speaker": "customer", "text": rng.choice(CONTEXTS)}], "draft": rng.choice(DRAFTS)}


def _import_body(rng: random.Random, counter: list[int]) -> list[dict[str, Any]]:
    out = []
    for _ in range(25):
        counter[0] += 1
        out.append({
            "id": f"load-{counter[0]}", "agent_id": f"agent-{counter[0] % 8}", "channel": "chat",
            "turns": [{"speaker": "customer", "text": rng.choice(CONTEXTS)},
                      {"speaker": "agent", "text": rng.choice(DRAFTS)}],
        })  # fmt: skip
    return out


class _Connection:
    """One keep-alive HTTP/1.1 connection with requests written by hand.

    The load generator shares the machine's two cores with the server, so it must cost next to
    nothing per request: an httpx client spent more CPU per call than the server's draft check
    and inflated every latency it measured.
    """

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        request = f"POST {path} HTTP/1.1\r\n{self.head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _client(
    conn: _Connection, kind: str, until: float, think_s: float, seed: int, out: list[float], errors: list[str], counter: list[int]
) -> None:
    rng = random.Random(seed)
    # Bodies are encoded before the clock starts: only the server's time is measured.
    assist_bodies = [json.dumps(_assist_body(rng)).encode() for _ in range(16)]
    # Paced clients start at random moments within one think time, as agents typing do;
    # all twenty firing in the same millisecond measured the benchmark, not the server.
    await asyncio.sleep(think_s * rng.random())
    try:
        while time.perf_counter() < until:
            if kind == "assist":
                path, body = "/api/v1/assist", rng.choice(assist_bodies)
            else:
                path, body = "/api/v1/conversations", json.dumps(_import_body(rng, counter)).encode()
            start = time.perf_counter()
            status, payload = await conn.post(path, body)
            elapsed = time.perf_counter() - start
            if status >= 400:
                errors.append(f"{status} {payload[:120]!r}")
            else:
                out.append(elapsed)
            if think_s:
                # Jittered, so that the clients do not fire in lock-step.
                await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
    finally:
        await conn.close()


async def _phase(base: str, token: str, *, clients: int, importers: int, seconds: float, think_s: float) -> dict[str, Any]:
    host, port = base.removeprefix("http://").split(":")
    assist: list[float] = []
    imports: list[float] = []
    errors: list[str] = []
    counter = [random.randrange(10**9)]
    until = time.perf_counter() + seconds
    tasks = [_client(_Connection(host, int(port), token), "assist", until, think_s, i, assist, errors, counter) for i in range(clients)]
    tasks += [_client(_Connection(host, int(port), token), "import", until, 0.0, 1000 + i, imports, errors, counter) for i in range(importers)]
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    return {"assist": assist, "imports": imports, "errors": errors, "wall": wall}


def _cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by the server, its import workers and the database (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {"server": 0.0, "import workers": 0.0, "database": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = (int(fields[11]) + int(fields[12])) / tick
        if "warmline serve" in cmd:
            out["server"] += used
        elif "multiprocessing.spawn" in cmd:
            out["import workers"] += used
        elif cmd.startswith("postgres"):
            out["database"] += used
    return out


def _row(name: str, times: list[float], wall: float, per: int = 1) -> str:
    if not times:
        return f"  {name:<26} no successful requests"
    ms = np.array(times) * 1000
    return (
        f"  {name:<26} {len(times):>6} req  {len(times) * per / wall:>8.1f} {'req' if per == 1 else 'conv'}/s  "
        f"p50 {np.percentile(ms, 50):6.1f} ms  p99 {np.percentile(ms, 99):6.1f} ms  max {ms.max():6.1f} ms"
    )


def run(db: str, args: argparse.Namespace, results: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory(prefix=f"warmline-load-{db}-") as tmp, _database(db, Path(tmp)) as url:
        data = Path(tmp) / "data"
        data.mkdir()
        with server(url, data) as base:
            token = httpx.post(f"{base}/api/v1/token", data={"username": EMAIL, "password": PASSWORD}).json()["access_token"]
            # Warm-up, not measured: the first calls load lazily initialised parts, and the
            # database pool opens its connections (a new PostgreSQL connection costs ms).
            asyncio.run(_phase(base, token, clients=args.clients, importers=1, seconds=3.0, think_s=args.think_ms / 1000))
            print(f"\n{db}: {args.clients} clients, {args.seconds:.0f} s per phase, think time {args.think_ms} ms (±50%)")
            phases = {
                "assist, paced": dict(clients=args.clients, importers=0, think_s=args.think_ms / 1000),
                "assist, flat out": dict(clients=args.clients, importers=0, think_s=0.0),
                "assist + import": dict(clients=args.clients, importers=2, think_s=args.think_ms / 1000),
            }
            for name, kw in phases.items():
                before = _cpu_seconds()
                got = asyncio.run(_phase(base, token, seconds=args.seconds, **kw))
                after = _cpu_seconds()
                print(_row(name, got["assist"], got["wall"]))
                if got["imports"]:
                    print(_row("  import (25 per request)", got["imports"], got["wall"], per=25))
                if got["errors"]:
                    print(f"    {len(got['errors'])} errors, first: {got['errors'][0]}")
                # A process that ended during the phase (a closed connection) drops out of the
                # sums, so a share can come out a little low; never below zero.
                used = {k: max(0.0, after[k] - before[k]) / got["wall"] for k in after}
                print("    cores busy: " + ", ".join(f"{k} {v:.2f}" for k, v in used.items()))
                ms = np.array(got["assist"]) * 1000
                results[f"{db}/{name}"] = {
                    "requests": len(got["assist"]), "errors": len(got["errors"]),
                    "per_s": len(got["assist"]) / got["wall"],
                    "p50_ms": float(np.percentile(ms, 50)) if len(ms) else None,
                    "p99_ms": float(np.percentile(ms, 99)) if len(ms) else None,
                    "imports_per_s": len(got["imports"]) * 25 / got["wall"] if got["imports"] else None,
                }  # fmt: skip


@contextmanager
def _database(db: str, tmp: Path) -> Iterator[str]:
    if db == "sqlite":
        yield f"sqlite:///{tmp / 'warmline.db'}"
        return
    from tests.support.postgres import PostgresServer

    with PostgresServer() as pg:
        yield pg.fresh_database("load")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load the REST API; print throughput and latency.")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think-ms", type=int, default=250)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    for db in args.db.split(","):
        run(db.strip(), args, results)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

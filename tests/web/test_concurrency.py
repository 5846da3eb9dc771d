"""Many more simultaneous requests than database connections, on a real server on 127.0.0.1.

Before the app admitted a bounded number of requests at once, 20 simultaneous draft checks
froze the server for good: the login check waited on the event loop for a pooled connection
that only requests queued behind it could return.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI

from tests.support.server import serve_app
from tests.web.conftest import ACCOUNTS, PASSWORD, conversation
from warmline.store.db import POOL_CONNECTIONS
from warmline.web.app import MAX_IN_FLIGHT

ASSIST = {"turns": [{"speaker": "customer", "text": "My parcel is lost and I'm upset."}], "draft": "I'm so sorry, I'll trace it now."}


def test_the_gate_is_below_the_pool() -> None:
    assert MAX_IN_FLIGHT < POOL_CONNECTIONS


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_twice_as_many_requests_as_connections_all_finish(app: FastAPI) -> None:
    clients = 2 * POOL_CONNECTIONS

    async def burst(base: str) -> list[tuple[int, float]]:
        async with httpx.AsyncClient(base_url=base, timeout=90, limits=httpx.Limits(max_connections=clients)) as http:
            tok = (await http.post("/api/v1/token", data={"username": ACCOUNTS["admin"].email, "password": PASSWORD})).json()
            http.headers["Authorization"] = f"Bearer {tok['access_token']}"
            assert (await http.post("/api/v1/conversations", json=conversation("c1", "agent-1"))).status_code == 201

            async def one(i: int) -> tuple[int, float]:
                start = time.perf_counter()
                if i % 4 == 0:  # pages and lists hold a connection longer than a draft check
                    resp = await http.get("/api/v1/conversations")
                else:
                    resp = await http.post("/api/v1/assist", json=ASSIST)
                return resp.status_code, time.perf_counter() - start

            return await asyncio.gather(*(one(i) for i in range(clients)))

    with serve_app(app) as base, ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        # A thread of its own: another test's plugin may leave an event loop running here.
        results = pool.submit(asyncio.run, burst(base)).result(timeout=120)
        took = time.monotonic() - started
    assert [code for code, _ in results] == [200] * clients
    assert took < 80, f"{clients} requests took {took:.0f} s"

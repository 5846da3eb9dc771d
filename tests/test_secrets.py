"""Secrets stay secret: the key is required outside demo mode and nothing secret reaches a log.

The last test runs the real `warmline serve` process on 127.0.0.1, drives it with passwords,
tokens, a wrong password and personal data, and reads everything the process printed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from warmline.cli import main
from warmline.engine.errors import ConfigError
from warmline.settings import MIN_SECRET_LENGTH, Settings
from warmline.store.db import Database
from warmline.store.errors import StoreError

SECRET = "k3y-" + "s" * 40  # the value every test below looks for in the output
PASSWORD = "pa55word-nobody-may-read"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    env.update({"WARMLINE_DATA_DIR": str(tmp_path / "data"), **extra})
    return env


def test_serve_without_a_key_outside_demo_mode_says_how_to_make_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "1"], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "WARMLINE_SECRET_KEY is not set" in result.output
    assert "secrets.token_urlsafe" in result.output and "--demo" in result.output
    assert not (tmp_path / "data" / "secret.key").exists(), "nothing was generated behind its back"


def test_a_short_key_is_refused_without_repeating_it(tmp_path: Path) -> None:
    short = "tooShort-but-private"
    result = CliRunner().invoke(main, ["db", "upgrade"], env=_env(tmp_path, WARMLINE_SECRET_KEY=short))
    assert result.exit_code == 1
    assert "WARMLINE_SECRET_KEY" in result.output and f"at least {MIN_SECRET_LENGTH}" in result.output
    assert short not in result.output


def test_demo_mode_and_tests_get_a_generated_key_kept_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = settings.resolved_secret()
    assert len(key) >= MIN_SECRET_LENGTH and settings.resolved_secret() == key
    with pytest.raises(ConfigError, match="WARMLINE_SECRET_KEY"):
        Settings(data_dir=tmp_path / "other").resolved_secret(required=True)
    assert Settings(data_dir=tmp_path, secret_key=SECRET).resolved_secret(required=True) == SECRET


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://warmline:" + PASSWORD + "@127.0.0.1:1/none?connect_timeout=2",
        "mysql://warmline:" + PASSWORD + "@db.example/warmline",
        "postgresql+psycopg://warmline:" + PASSWORD + "@127.0.0.1:notaport/x",
    ],
)
def test_database_errors_never_show_the_password(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        db = Database(url)
        from warmline.store.db import current_revision

        current_revision(db)
    assert PASSWORD not in str(caught.value)
    assert "warmline" in str(caught.value)  # the user name is still shown, to help


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_real_server_logs_no_password_key_token_or_personal_data(tmp_path: Path) -> None:
    env = _env(tmp_path, WARMLINE_SECRET_KEY=SECRET)
    cli = [sys.executable, "-m", "warmline"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [*cli, "users", "create", "--email", "lead@example.com", "--password", PASSWORD, "--role", "admin"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    seen: list[str] = [made.stdout, made.stderr]
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start in 90 s"
            time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=30) as http:
            wrong = http.post("/api/v1/token", data={"username": "lead@example.com", "password": "wrong-" + PASSWORD})
            assert wrong.status_code == 401
            tok = http.post("/api/v1/token", data={"username": "lead@example.com", "password": PASSWORD}).json()
            token = tok["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            record = {
                "id": "pii-1",
                "agent_id": "agent-1",
                "turns": [
                    {"speaker": "customer", "text": "I'm furious, email me at secret.person@example.com"},
                    {"speaker": "agent", "text": "I'm sorry, I'll write to you today."},
                ],
            }
            assert http.post("/api/v1/conversations", json=record, headers=headers).status_code in (200, 201)
            bad = http.get("/api/v1/conversations", headers={"Authorization": f"Bearer {token}x"})
            assert bad.status_code == 401
            login = http.post("/login", data={"email": "lead@example.com", "password": PASSWORD})
            assert login.status_code in (200, 303)
            cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
            stored = http.get("/api/v1/conversations/pii-1", headers=headers).json()
            assert "secret.person@example.com" not in json.dumps(stored)
    finally:
        server.terminate()
        server.wait(timeout=30)
    seen.append(log.read_text())
    output = "\n".join(seen)
    assert "Warmline is running at" in output  # the log was captured
    for secret in (SECRET, PASSWORD, token, "secret.person@example.com"):
        assert secret not in output
    for part in cookie.split("; "):
        assert part.split("=", 1)[1] not in output
    database = (tmp_path / "data" / "warmline.db").read_bytes()
    for secret in (PASSWORD, token, "secret.person@example.com"):
        assert secret.encode() not in database, "stored hashed or redacted, never as given"

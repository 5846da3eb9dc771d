"""Deployment settings of the web app and its CLI commands, read from ``WARMLINE_*`` variables.

Built once by whoever starts the app (``warmline serve``, the tests) and passed down; nothing
reads the environment at import time.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from warmline.engine.errors import ConfigError
from warmline.redact import KINDS, parse_kinds


class Settings(BaseSettings):
    """Everything a deployment may change; each field is ``WARMLINE_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="WARMLINE_", extra="forbid")

    #: Where the SQLite database and the generated secret live when nothing else is set.
    data_dir: Path = Path("warmline-data")
    #: ``sqlite:///path.db`` or ``postgresql+psycopg://user:pass@host/db``; default: SQLite in data_dir.
    database_url: str | None = None
    #: Keys the HMAC chain of the audit log (docs/privacy.md). Required by ``warmline serve``
    #: outside demo mode; in demo mode (and for tests) generated once and kept in data_dir.
    secret_key: str | None = None
    #: Comma-separated PII kinds to redact on import (email, phone, card, iban, address), or "none".
    redact: str = ",".join(KINDS)
    #: Largest accepted upload, in megabytes.
    max_upload_mb: int = Field(default=20, ge=1, le=1024)
    #: How long a REST API token stays valid.
    token_minutes: int = Field(default=60 * 24, ge=1)
    #: How long a browser login stays valid.
    session_minutes: int = Field(default=60 * 12, ge=1)
    #: Imports larger than this many conversations run in the background with a progress page.
    background_import_over: int = Field(default=50, ge=0)
    #: How many days a customer survey link stays open.
    survey_days: int = Field(default=30, ge=1, le=365)
    #: Worker processes that run the web app's imports (0: in the app's own process, where a
    #: running import slows every draft check; see docs/scale.md).
    import_workers: int = Field(default=1, ge=0, le=16)
    #: Delete conversations that started more than this many days ago (daily, audited); unset: keep.
    retention_days: int | None = Field(default=None, ge=1)
    #: Send session cookies over HTTPS only (turn on behind TLS).
    secure_cookies: bool = False

    @field_validator("secret_key")
    @classmethod
    def _check_secret(cls, value: str | None) -> str | None:
        if value is not None and len(value) < MIN_SECRET_LENGTH:
            # Never repeat the value: the message may end up in a log.
            raise ValueError(
                f"must be at least {MIN_SECRET_LENGTH} characters (it is {len(value)}); {MAKE_SECRET}"
            )
        return value

    @field_validator("redact")
    @classmethod
    def _check_redact(cls, value: str) -> str:
        parse_kinds(value)  # raises ValueError naming the bad kind
        return value

    @property
    def redact_kinds(self) -> frozenset[str]:
        """The PII kinds to redact, parsed."""
        return parse_kinds(self.redact)

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'warmline.db').resolve()}"

    def existing_secret(self) -> str:
        """The key the running app uses (set, or kept in data_dir); never a new one.

        For commands that write or check the audit log beside a server: a freshly generated key
        would not match the one the log was written with.
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        raise ConfigError(f"WARMLINE_SECRET_KEY is not set (and there is no {path}): set it to the key the app runs with")

    def resolved_secret(self, *, required: bool = False) -> str:
        """The secret key; when unset, generated once and kept in data_dir/secret.key.

        With ``required`` an unset key is a :class:`ConfigError` instead: a real deployment
        must choose its key, so that it survives a lost data folder and is kept with its secrets.
        """
        if self.secret_key:
            return self.secret_key
        if required:
            raise ConfigError(f"WARMLINE_SECRET_KEY is not set: {MAKE_SECRET}, or use --demo to try Warmline")
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        path.write_text(key, encoding="utf-8")
        path.chmod(0o600)
        return key


#: The shortest secret key accepted.
MIN_SECRET_LENGTH = 32
MAKE_SECRET = (
    "set it to a long random value, e.g. the output of "
    "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
)

__all__ = ["MIN_SECRET_LENGTH", "Settings"]

"""Fixtures for the fault tests: a migrated database with an admin, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.helpers import ADMIN
from warmline.admin import add_user, upgrade_database
from warmline.settings import Settings


@pytest.fixture
def migrated(database_url: str, tmp_path: Path) -> str:
    """*database_url* migrated to the newest schema, with one admin; returns the URL."""
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    upgrade_database(settings)
    add_user(settings, email=ADMIN[0], password=ADMIN[1], role="admin")
    return database_url

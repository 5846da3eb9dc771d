"""Data-protection commands: ``warmline retention purge``, ``warmline forget`` and
``warmline audit list|verify``.

They act on the configured database with the app's key (``WARMLINE_SECRET_KEY``, or the one
kept in the data folder in demo mode) and are recorded in the audit log as the actor ``cli``.
Registered on the ``warmline`` group by :mod:`warmline.cli`; the store loads inside each command.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from warmline.cli_server import database_option, settings_for
from warmline.engine.errors import WarmlineError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warmline.store.retention import Deletion

_dry_run = click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
_json = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@contextmanager
def _session(database_url: str | None) -> Iterator[tuple[Session, str]]:
    from warmline.store.db import current_session

    settings = settings_for(database_url)
    try:
        key = settings.existing_secret()
        with current_session(settings.resolved_database_url()) as session:
            yield session, key
    except WarmlineError as exc:
        raise click.ClickException(str(exc)) from None


def _report(done: Deletion, as_json: bool, what: str) -> None:
    if as_json:
        click.echo(json.dumps(done.to_dict()))
        return
    verb = "would delete" if done.dry_run else "deleted"
    click.echo(
        f"{what}: {verb} {done.conversations} conversations and "
        f"{done.practice_sessions} practice sessions built from them"
    )
    if done.audit_event_id is not None:
        click.echo(f"recorded as audit event {done.audit_event_id}")


@click.group()
def retention() -> None:
    """Delete conversations past the retention period."""


@retention.command("purge")
@click.option("--older-than", "days", type=click.IntRange(min=1), metavar="DAYS",
              help="Days to keep (default: WARMLINE_RETENTION_DAYS).")  # fmt: skip
@_dry_run
@_json
@database_option
def retention_purge(days: int | None, dry_run: bool, as_json: bool, database_url: str | None) -> None:
    """Delete every conversation that started more than DAYS days ago (audited)."""
    from warmline.store.retention import purge_older_than

    days = days or settings_for(database_url).retention_days
    if days is None:
        raise click.UsageError("give --older-than DAYS (WARMLINE_RETENTION_DAYS is not set)")
    _run(database_url, as_json, f"older than {days} days",
         lambda s, key: purge_older_than(s, key, days=days, actor="cli", dry_run=dry_run))  # fmt: skip


@click.command()
@click.option("--customer-id", metavar="ID", help="The metadata.customer_id their conversations carried.")
@click.option("--customer-name", metavar="NAME", help="Their customer_name (case-insensitive, exact).")
@_dry_run
@_json
@database_option
def forget(
    customer_id: str | None, customer_name: str | None, dry_run: bool, as_json: bool, database_url: str | None
) -> None:
    """Delete one customer's conversations and everything built from them (audited)."""
    from warmline.store.retention import forget_customer

    _run(database_url, as_json, "customer",
         lambda s, key: forget_customer(s, key, actor="cli", customer_id=customer_id,
                                        customer_name=customer_name, dry_run=dry_run))  # fmt: skip


def _run(database_url: str | None, as_json: bool, what: str, action: Callable[[Session, str], Deletion]) -> None:
    with _session(database_url) as (session, key):
        try:
            done = action(session, key)
        except WarmlineError as exc:
            raise click.ClickException(str(exc)) from None
    _report(done, as_json, what)


@click.group()
def audit() -> None:
    """The tamper-evident log of deletions."""


@audit.command("list")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@_json
@database_option
def audit_list(limit: int, as_json: bool, database_url: str | None) -> None:
    """The newest audit events first."""
    from warmline.store.audit import list_events

    with _session(database_url) as (session, _key):
        rows: list[dict[str, Any]] = [
            {"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail}
            for e in list_events(session, limit=limit)
        ]
    for row in rows:
        if as_json:
            click.echo(json.dumps(row))
        else:
            click.echo(f"{row['id']:>6}  {row['at']}  {row['actor']:<24} {row['action']:<18} {json.dumps(row['detail'])}")


@audit.command("verify")
@database_option
def audit_verify(database_url: str | None) -> None:
    """Check every event's MAC and link; exit 1 at the first altered or missing one."""
    from warmline.store.audit import verify_chain

    with _session(database_url) as (session, key):
        check = verify_chain(session, key)
    if not check.ok:
        raise click.ClickException(f"audit log broken at event {check.first_bad_id}: {check.reason}")
    click.echo(f"audit log intact: {check.events} events")


def register(group: click.Group) -> None:
    """Add ``retention``, ``forget`` and ``audit`` to the ``warmline`` group."""
    group.add_command(retention)
    group.add_command(forget)
    group.add_command(audit)


__all__ = ["register"]

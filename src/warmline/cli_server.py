"""The web app's commands: ``serve``, ``db upgrade``, ``users create``, ``import``.

Registered on the ``warmline`` group by :mod:`warmline.cli`; each wraps a function of
:mod:`warmline.admin` and only formats. The database and web modules are imported inside the
commands, so ``warmline analyze`` and ``warmline check`` start without them.
"""

from __future__ import annotations

import gc
from pathlib import Path

import click
from pydantic import ValidationError

from warmline.engine.errors import WarmlineError
from warmline.settings import Settings

database_option = click.option(
    "--database-url",
    envvar="WARMLINE_DATABASE_URL",
    metavar="URL",
    help="sqlite:///FILE or postgresql+psycopg://USER:PASS@HOST/DB (default: SQLite in WARMLINE_DATA_DIR).",
)


def settings_for(database_url: str | None) -> Settings:
    """Settings from the environment, with the command line's database URL on top."""
    try:
        settings = Settings()
    except ValidationError as exc:
        raise click.ClickException(setting_errors(exc)) from None
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def setting_errors(exc: ValidationError) -> str:
    """One line per bad ``WARMLINE_*`` variable, without its value (it may be a secret)."""
    lines = [
        f"WARMLINE_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)
    ]
    return "bad WARMLINE_* setting:\n  " + "\n  ".join(lines)


def _fail(exc: WarmlineError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@database_option
@click.option(
    "--demo", is_flag=True, help="Load the bundled demo team into an empty database first."
)
def serve(host: str, port: int, database_url: str | None, demo: bool) -> None:
    """Start the web app (pages and REST API); migrates the database first."""
    import uvicorn
    from sqlalchemy.exc import DBAPIError

    from warmline.admin import discard_stale_uploads, install_demo, upgrade_database
    from warmline.engine.pipeline import Analyzer
    from warmline.store.errors import database_error
    from warmline.web import create_app

    settings = settings_for(database_url)
    analyzer = Analyzer()
    try:
        settings.resolved_secret(required=not demo)
        upgrade_database(settings)
        if stale := discard_stale_uploads(settings):
            click.echo(f"removed {stale} upload(s) left by imports an earlier run did not finish")
        if demo:
            logins, imported = install_demo(settings, analyzer=analyzer)
            if imported:
                click.echo(f"loaded the demo team: {imported} conversations")
            click.echo("demo logins (demo passwords; change them for real use):")
            for login in logins:
                click.echo(f"  {login.role:<6} {login.email:<34} {login.password}   {login.note}")
        app = create_app(settings, analyzer=analyzer)
    except WarmlineError as exc:
        raise _fail(exc) from None
    except DBAPIError as exc:
        raise _fail(database_error(exc)) from None
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"Warmline is running at http://{shown}:{port}/  (Ctrl+C to stop)")
    # The analyzer's lexicons and models are millions of long-lived objects: without this each
    # full collection re-scanned them all, a pause of a few hundred ms in the middle of requests.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_level="warning")


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@database_option
def db_upgrade(database_url: str | None) -> None:
    """Create or migrate the database to the newest schema."""
    from warmline.admin import upgrade_database

    try:
        revision = upgrade_database(settings_for(database_url))
    except WarmlineError as exc:
        raise _fail(exc) from None
    click.echo(f"database is at schema {revision}")


@click.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", required=True, type=click.Choice(["admin", "coach", "agent"]))
@click.option("--team", metavar="NAME", help="Team the user coaches or works in (created if new).")
@click.option(
    "--agent-id", metavar="ID", help="For agents: the agent_id their conversations carry."
)
@click.option("--name", "display_name", default="", help="Display name.")
@database_option
def users_create(
    email: str,
    password: str,
    role: str,
    team: str | None,
    agent_id: str | None,
    display_name: str,
    database_url: str | None,
) -> None:
    """Create a user who can log in."""
    from sqlalchemy.exc import DBAPIError

    from warmline.admin import add_user
    from warmline.store.errors import database_error

    try:
        user = add_user(
            settings_for(database_url),
            email=email,
            password=password,
            role=role,
            team=team,
            agent_id=agent_id,
            display_name=display_name,
        )
    except WarmlineError as exc:
        raise _fail(exc) from None
    except DBAPIError as exc:
        raise _fail(database_error(exc)) from None
    click.echo(f"created {user.role} {user.email}" + (f" in team {team}" if team else ""))


@click.command("import")
@click.argument("source", metavar="FILE", type=click.Path(exists=True, path_type=Path))
@click.option("--agent-id", metavar="ID", help="Stamp this agent_id on every conversation.")
@click.option(
    "--team", metavar="NAME", help="Put every conversation in this team (created if new)."
)
@click.option(
    "--format", "fmt", default=None, help="Input format when the extension does not tell."
)
@database_option
def import_command(
    source: Path, agent_id: str | None, team: str | None, fmt: str | None, database_url: str | None
) -> None:
    """Import conversations into the database (redacted, analysed; re-imports update by id)."""
    from sqlalchemy.exc import DBAPIError

    from warmline.admin import import_file
    from warmline.store.conversations import ImportRefused
    from warmline.store.errors import database_error

    try:
        result = import_file(
            settings_for(database_url), source, fmt=fmt, agent_id=agent_id, team=team
        )
    except ImportRefused as exc:
        lines = [str(exc)] + [
            f"  {source}:{e.line or '?'} {e.id or ''}: {e.message}" for e in exc.result.errors[:20]
        ]
        raise click.ClickException("\n".join(lines)) from None
    except WarmlineError as exc:
        raise _fail(exc) from None
    except DBAPIError as exc:  # a full disk, a read-only file: one line, no traceback
        raise _fail(database_error(exc)) from None
    click.echo(
        f"imported {len(result.ids)} conversations from {source}: {result.created} new, "
        f"{result.updated} updated, {result.redactions} PII redactions"
    )


def register(group: click.Group) -> None:
    """Add the web app's commands to the ``warmline`` group."""
    for command in (serve, db, users, import_command):
        group.add_command(command)


__all__ = ["register", "settings_for"]

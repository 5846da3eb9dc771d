"""A throwaway PostgreSQL cluster for the test suite: initdb into a temp dir (in RAM when
/dev/shm has room), start on a free port on 127.0.0.1, hand out fresh empty databases, stop
and remove everything on close.

Durability is switched off (fsync, synchronous_commit, full_page_writes) because the cluster
lives only as long as the test session; that keeps start-up and CREATE DATABASE cheap.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

__all__ = [
    "INSTALL_HINT",
    "PostgresServer",
    "PostgresStartError",
    "PostgresUnavailable",
    "candidate_bindirs",
    "find_bindir",
]

INSTALL_HINT = "install postgresql (apt-get install postgresql)"
REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
SUPERUSER = "postgres"
_DB_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SETTINGS = """
# Added by tests/support/postgres.py: a disposable cluster needs no durability.
listen_addresses = '127.0.0.1'
unix_socket_directories = '{socket_dir}'
fsync = off
synchronous_commit = off
full_page_writes = off
# FILE_COPY databases and few WAL segments keep the cluster small (it may live in RAM).
max_wal_size = 128MB
min_wal_size = 32MB
"""


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot run here at all (binaries or the postgres user missing)."""


class PostgresStartError(RuntimeError):
    """The binaries exist but the cluster failed to initialise or start."""


def _version_key(bindir: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin: compare "9.6" < "15" < "16" numerically.
    parts = bindir.parent.name.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (-1,)


def candidate_bindirs(*, lib_root: Path = Path("/usr/lib/postgresql")) -> list[Path]:
    """Directories that may hold the server binaries, most preferred first."""
    found: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            )
            found.append(Path(out.stdout.strip()))
    found.extend(sorted(lib_root.glob("*/bin"), key=_version_key, reverse=True))
    initdb = shutil.which("initdb")
    if initdb:
        # /usr/local/bin/initdb may be a lone symlink; its target's directory is the real set.
        found.extend([Path(initdb).resolve().parent, Path(initdb).parent])
    return found


def _is_complete(bindir: Path) -> bool:
    return all(
        (bindir / name).is_file() and os.access(bindir / name, os.X_OK)
        for name in REQUIRED_BINARIES
    )


def find_bindir(candidates: Iterable[Path] | None = None) -> Path | None:
    """The first directory holding initdb, pg_ctl and postgres together, or None."""
    for bindir in candidate_bindirs() if candidates is None else candidates:
        if _is_complete(bindir):
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _scratch_parent(owner: pwd.struct_passwd | None) -> str | None:
    """Where the cluster lives: RAM-backed /dev/shm when roomy, else /tmp (or $TMPDIR)."""
    # On disk, CREATE DATABASE takes 100-400 ms even with fsync off (dirty-page throttling);
    # on tmpfs it takes 10-25 ms. Docker's default 64 MB /dev/shm is too small, hence the check.
    shm = "/dev/shm"
    with contextlib.suppress(OSError):
        stat = os.statvfs(shm)
        if os.access(shm, os.W_OK | os.X_OK) and stat.f_bavail * stat.f_frsize >= 1 << 30:
            return shm
    # Under root, $TMPDIR may sit below a directory postgres cannot traverse; /tmp is 1777.
    return "/tmp" if owner else None


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no server log: {exc})"


class PostgresServer:
    """A private PostgreSQL cluster on 127.0.0.1; use as a context manager or call close()."""

    def __init__(
        self,
        *,
        bindir: Path | None = None,
        database: str = "warmline_test",
        start_timeout: float = 60.0,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        """*settings* are extra postgresql.conf lines, values as written there ("'C'", "200")."""
        self.bindir = bindir
        self.database = database
        self.start_timeout = start_timeout
        self.settings = dict(settings or {})
        self.port = 0
        self._root: Path | None = None
        self._running = False

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> PostgresServer:
        """Initialise and start the cluster, then create the default database."""
        bindir = self.bindir or find_bindir()
        if bindir is None or not _is_complete(bindir):
            where = bindir or "pg_config, /usr/lib/postgresql/*/bin or PATH"
            raise PostgresUnavailable(
                f"PostgreSQL server binaries ({', '.join(REQUIRED_BINARIES)}) not found in "
                f"{where}; {INSTALL_HINT}"
            )
        self.bindir = bindir
        owner = self._owner()
        atexit.register(self.close)
        try:
            self._root = self._make_root(owner)
            self._initdb()
            self._start_postmaster()
            self.fresh_database(self.database)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop the server (immediate shutdown) and delete the cluster directory."""
        atexit.unregister(self.close)
        if self._running:
            self._pg_ctl("stop", "-m", "immediate", "-w")
            self._running = False
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- databases -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the default database (``warmline_test``)."""
        return self.url_for(self.database)

    def url_for(self, name: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of database *name* on this server."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def fresh_database(self, name: str) -> str:
        """Create a new empty database *name* and return its URL."""
        self._check_name(name)
        self._admin(sql.SQL("CREATE DATABASE {} STRATEGY FILE_COPY").format(sql.Identifier(name)))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop database *name*, disconnecting any sessions still open on it."""
        self._check_name(name)
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    @contextlib.contextmanager
    def connect(
        self, database: str = "postgres"
    ) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """An autocommit psycopg connection as the superuser (for assertions and admin work)."""
        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname=database,
            autocommit=True,
            connect_timeout=10,
        ) as conn:
            yield conn

    # -- internals -----------------------------------------------------------------------------

    @staticmethod
    def _check_name(name: str) -> None:
        if not _DB_NAME.fullmatch(name):
            raise ValueError(f"database name {name!r} must match {_DB_NAME.pattern}")

    def _admin(self, statement: sql.Composable) -> None:
        with self.connect() as conn:
            conn.execute(statement)

    @staticmethod
    def _owner() -> pwd.struct_passwd | None:
        # initdb and postgres refuse to run as root, so root hands the cluster to `postgres`.
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SUPERUSER)
        except KeyError:
            raise PostgresUnavailable(
                "running as root, but there is no 'postgres' system user to own the cluster; "
                f"{INSTALL_HINT} (it creates the user) or `useradd --system postgres`"
            ) from None

    @staticmethod
    def _make_root(owner: pwd.struct_passwd | None) -> Path:
        root = Path(tempfile.mkdtemp(prefix="warmline-pg-", dir=_scratch_parent(owner)))
        root.chmod(0o700)
        if owner is not None:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        return root

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert self.bindir is not None and self._root is not None
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            cmd = (
                [runuser, "-u", SUPERUSER, "--", *cmd]
                if runuser
                else ["su", SUPERUSER, "-s", "/bin/sh", "-c", shlex.join(cmd)]
            )
        # Stray PG* variables (PGDATA, PGPORT, ...) must not steer the private cluster.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return subprocess.run(
            cmd,
            cwd=self._root,
            env=env,
            capture_output=True,
            text=True,
            timeout=self.start_timeout + 30,
        )

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert self._root is not None
        return self._run(
            "pg_ctl", "-D", str(self._root / "data"), "-l", str(self._root / "server.log"), *args
        )

    def _initdb(self) -> None:
        assert self._root is not None
        done = self._run(
            "initdb",
            "-D",
            str(self._root / "data"),
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        if done.returncode != 0:
            raise PostgresStartError(
                f"initdb failed (exit {done.returncode}) in {self._root}:\n"
                f"{done.stdout}{done.stderr}"
            )
        # Appending keeps the file's owner (postgres) when we run as root.
        with open(self._root / "data" / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(_SETTINGS.format(socket_dir=self._root))
            conf.writelines(f"{key} = {value}\n" for key, value in self.settings.items())

    def _start_postmaster(self, attempts: int = 3) -> None:
        assert self._root is not None
        log = self._root / "server.log"
        for _ in range(attempts):
            self.port = _free_port()
            done = self._pg_ctl(
                "-w", "-t", str(int(self.start_timeout)), "-o", f"-p {self.port}", "start"
            )
            if done.returncode == 0:
                self._running = True
                return
            # Another process may grab the probed port before postgres binds it: try another.
            if "already in use" not in _tail(log):
                break
        self._running = True  # a half-started postmaster must still be stopped by close()
        raise PostgresStartError(
            f"PostgreSQL did not start on 127.0.0.1:{self.port} (pg_ctl exit {done.returncode})."
            f"\n{done.stdout}{done.stderr}\n--- server log tail ({log}) ---\n{_tail(log)}"
        )

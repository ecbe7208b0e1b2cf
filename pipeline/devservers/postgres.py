"""A throwaway PostgreSQL server for tests and the local demo.

Debian's packaged binaries (`apt-get install postgresql`: initdb, pg_ctl and
postgres under /usr/lib/postgresql/<version>/bin) run a fresh cluster in
ROOT/data, listening on a free loopback port and on a unix socket in
ROOT/run; the packaged `main` cluster and /etc/postgresql are never used.
The cluster trusts every local connection and runs with fsync off: it is
for tests, never for data anyone keeps.

PostgreSQL refuses to run as root. Started by root, initdb and the server
run as the `postgres` system user (created by the Debian package), who owns
ROOT/data and ROOT/run; ROOT and every folder above it must then be
enterable by others (see `scratch.make_traversable_dir`). Started by an
ordinary user, everything runs as that user.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

from pipeline.devservers.ports import free_port
from pipeline.devservers.base import LocalServer, log_tail, prepare_root

APT_PACKAGE = "postgresql"
DATABASE = "intake"
SUPERUSER = "postgres"
_BINARIES = ("initdb", "pg_ctl", "postgres")
_PACKAGED_BINDIRS = Path("/usr/lib/postgresql")
_START_ATTEMPTS = 3
_LOG_TAIL_LINES = 30
# Speed over durability: the cluster is thrown away after the run.
_SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "40",
    "shared_buffers": "16MB",
    "log_min_messages": "warning",
    "log_line_prefix": "'%m [%p] '",
}


class PostgresError(RuntimeError):
    """PostgreSQL is missing, or could not be initialised, started or stopped."""


@dataclass(frozen=True)
class _Identity:
    """Whom initdb and the server run as: `postgres` when started by root."""

    user: str
    uid: int
    gid: int
    home: str


def _server_identity() -> _Identity:
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return _Identity(me.pw_name, me.pw_uid, os.getegid(), me.pw_dir)
    try:
        entry = pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresError(
            f"PostgreSQL will not run as root and there is no {SUPERUSER!r} user to run it as; "
            f"install the apt package {APT_PACKAGE}, which creates it"
        ) from None
    return _Identity(entry.pw_name, entry.pw_uid, entry.pw_gid, entry.pw_dir)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bindir() -> Path:
    """The folder holding initdb, pg_ctl and postgres.

    Prefers Debian's /usr/lib/postgresql/<version>/bin (the newest version),
    then whatever `pg_config --bindir` names. Other copies on PATH (e.g.
    symlinks in /usr/local/bin) are not used: they may belong to another
    version than the one the package maintains. Raises PostgresError naming
    the apt package when none has all three.
    """
    candidates = sorted(_PACKAGED_BINDIRS.glob("*/bin"), key=_version_key, reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            answer = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                    timeout=10, check=True)
            candidates.append(Path(answer.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in _BINARIES):
            return folder
    raise PostgresError(
        f"PostgreSQL server binaries ({', '.join(_BINARIES)}) not found under "
        f"{_PACKAGED_BINDIRS}/<version>/bin or pg_config --bindir; "
        f"install the apt package {APT_PACKAGE}"
    )


class PostgresServer(LocalServer):
    """One PostgreSQL cluster on a free loopback port; start() then stop(), or use `with`.

    After start(), `url` is a SQLAlchemy URL for the empty database
    `intake` (`postgresql+psycopg://postgres@127.0.0.1:PORT/intake`), and
    the superuser `postgres` connects without a password. The cluster is
    created on the first start and kept in ROOT/data across restarts.
    """

    host: str = "127.0.0.1"

    def __init__(self, root: Path, start_timeout: float = 30.0) -> None:
        self.root = root.resolve()
        self.start_timeout = start_timeout
        self.port = 0
        self.data_dir = self.root / "data"
        self.socket_dir = self.root / "run"
        self.log_path = self.root / "postgres.log"
        self._identity = _server_identity()
        self._as_root = os.geteuid() == 0
        self._bindir: Path | None = None
        self._running = False

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        """Create the cluster if needed, start the server and create database `intake`.

        Raises PostgresError, with the tail of the server log, when initdb
        fails or the server does not accept connections within
        `start_timeout` seconds.
        """
        if self._running:
            raise PostgresError(f"PostgreSQL in {self.root} is already running")
        self._bindir = find_bindir()
        self._prepare_root()
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        for attempt in range(1, _START_ATTEMPTS + 1):
            self.port = free_port(self.host)
            log_offset = self.log_path.stat().st_size
            result = self._run_as_server(
                [
                    str(self._bindir / "pg_ctl"), "start", "--wait",
                    f"--timeout={max(1, round(self.start_timeout))}",
                    "--pgdata", str(self.data_dir), "--log", str(self.log_path),
                    "--options", f"-p {self.port}",
                ],
                timeout=self.start_timeout + 10,
            )
            if result.returncode == 0:
                self._running = True
                # An interrupted test run must not leave the server behind.
                atexit.register(self.stop)
                break
            log = self._log_since(log_offset)
            # pg_ctl may give up waiting while our postmaster still runs; stop
            # it, but never one that another process started on this folder.
            if self._postmaster_port() == self.port:
                self._pg_ctl_stop()
            if "Address already in use" in log and attempt < _START_ATTEMPTS:
                continue
            raise PostgresError(
                f"PostgreSQL did not start on {self.host}:{self.port}\n"
                f"pg_ctl: {result.stdout.strip()}\nlog tail:\n{self.log_tail()}"
            )
        try:
            self._create_database()
        except PostgresError:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server at once (`pg_ctl stop -m immediate`); calling it again does nothing.

        Nothing of value is lost: the next start replays the write-ahead log.
        """
        if not self._running:
            return
        atexit.unregister(self.stop)
        self._running = False
        result = self._pg_ctl_stop()
        if result.returncode != 0 and (self.data_dir / "postmaster.pid").exists():
            raise PostgresError(
                f"pg_ctl could not stop PostgreSQL in {self.data_dir}: {result.stdout.strip()}\n"
                f"log tail:\n{self.log_tail()}"
            )


    # -- what clients need -----------------------------------------------------

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of database `intake` (psycopg 3 driver)."""
        if not self.port:
            raise PostgresError("start the server before asking for its URL")
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{DATABASE}"

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The last `lines` lines of the server log ("" before the first start)."""
        return log_tail(self.log_path, lines)

    # -- internals -------------------------------------------------------------

    def _prepare_root(self) -> None:
        prepare_root(self.root, self._as_root, PostgresError, f"the {SUPERUSER} user")
        ident = self._identity
        for folder in (self.data_dir, self.socket_dir):
            folder.mkdir(exist_ok=True)
            # initdb and the server insist on a private data folder they own.
            folder.chmod(0o700)
            if self._as_root:
                os.chown(folder, ident.uid, ident.gid)
        # pg_ctl appends to the log as the server user, who cannot create files in ROOT.
        self.log_path.touch(exist_ok=True)
        if self._as_root:
            os.chown(self.log_path, ident.uid, ident.gid)

    def _initdb(self) -> None:
        assert self._bindir is not None
        result = self._run_as_server(
            [
                str(self._bindir / "initdb"), "--pgdata", str(self.data_dir),
                "--username", SUPERUSER, "--auth", "trust",
                "--encoding", "UTF8", "--locale", "C", "--no-sync",
            ],
            timeout=120,
        )
        if result.returncode != 0:
            raise PostgresError(f"initdb failed in {self.data_dir}:\n{result.stdout.strip()}")
        lines = [f"{name} = {value}" for name, value in _SERVER_SETTINGS.items()]
        lines.append(f"unix_socket_directories = '{self.socket_dir}'")
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# throwaway test cluster\n" + "\n".join(lines) + "\n")

    def _create_database(self) -> None:
        try:
            with psycopg.connect(host=self.host, port=self.port, user=SUPERUSER,
                                 dbname="postgres", autocommit=True, connect_timeout=10) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                      (DATABASE,)).fetchone()
                if exists is None:
                    conn.execute(f'CREATE DATABASE "{DATABASE}"')
        except psycopg.Error as err:
            raise PostgresError(
                f"could not create database {DATABASE!r} on {self.host}:{self.port}: {err}\n"
                f"log tail:\n{self.log_tail()}"
            ) from err

    def _pg_ctl_stop(self) -> subprocess.CompletedProcess[str]:
        assert self._bindir is not None
        return self._run_as_server(
            [str(self._bindir / "pg_ctl"), "stop", "--pgdata", str(self.data_dir),
             "--mode", "immediate", "--wait"],
            timeout=60,
        )

    def _run_as_server(self, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program as the server user, its output captured as text."""
        ident = self._identity
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": ident.home,
            "USER": ident.user,
            "LOGNAME": ident.user,
            # Keep the cluster's messages and locale the same whoever starts it.
            "LC_ALL": "C",
        }
        # initdb takes the cluster's default time zone from TZ, else /etc/localtime.
        if "TZ" in os.environ:
            env["TZ"] = os.environ["TZ"]
        # Dropping to the server user needs root; an ordinary user already is it.
        as_other = self._as_root and ident.uid != 0
        output = self.root / "pg_ctl.out"
        # A file, not a pipe: the server started by pg_ctl inherits this
        # output, and reading a pipe to its end would wait for the server.
        with output.open("w", encoding="utf-8") as out:
            if self._as_root:
                os.chown(output, ident.uid, ident.gid)
            try:
                returncode = subprocess.run(
                    args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                    # The server user may not be able to enter the caller's folder.
                    cwd=self.root, env=env, timeout=timeout, check=False,
                    user=ident.uid if as_other else None,
                    group=ident.gid if as_other else None,
                    extra_groups=[] if as_other else None,
                ).returncode
            except subprocess.TimeoutExpired:
                returncode = -1
        text = output.read_text(encoding="utf-8", errors="replace")
        return subprocess.CompletedProcess(args, returncode, stdout=text)

    def _postmaster_port(self) -> int | None:
        """The port in ROOT/data/postmaster.pid (its fourth line), if a server holds the folder."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text(encoding="utf-8").splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        try:
            return int(lines[3])
        except (IndexError, ValueError):
            return None

    def _log_since(self, offset: int) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                return log.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

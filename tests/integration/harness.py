"""Around the test servers: databases on the shared PostgreSQL, a settings file for
Dovecot and the SMTP sink, mail delivered and the intake run, results read back."""

from __future__ import annotations

import email
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import psycopg
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from pipeline.adapters.imap import Mailbox, open_mailbox
from pipeline.devservers.dovecot import DovecotServer, password_env_name
from pipeline.devservers.postgres import SUPERUSER, PostgresServer
from pipeline.devservers.smtp_sink import SmtpSink
from pipeline.runtime import Runtime, open_runtime
from pipeline.settings import Settings, load_settings
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.models import DecisionRow, FindingRow, MessageRow, OutboxRow, SubmissionRow
from pipeline.store.records import upsert_bookings, upsert_participants
from pipeline.types import Booking, Participant

# PostgreSQL truncates identifiers beyond 63 bytes; the random suffix must survive that.
_DATABASE_STEM_CHARS = 40


@dataclass(frozen=True)
class PostgresDatabase:
    """One empty database on a running PostgreSQL server."""

    name: str
    url: str  # SQLAlchemy URL, psycopg 3 driver, the superuser without a password


@contextmanager
def fresh_database(server: PostgresServer, label: str) -> Iterator[PostgresDatabase]:
    """An empty database on `server`, named after `label` plus a random suffix; dropped on exit.

    The `postgres_database` fixture gives one per module; a test that must
    not share its module's rows can take one of its own here.
    """
    stem = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:_DATABASE_STEM_CHARS]
    name = f"t_{stem}_{secrets.token_hex(4)}"
    with _maintenance(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(server.url).set(database=name).render_as_string(hide_password=False)
        yield PostgresDatabase(name, url)
    finally:
        with _maintenance(server) as conn:
            # FORCE ends any connection a test left open (PostgreSQL 13 and later).
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _maintenance(server: PostgresServer) -> psycopg.Connection[tuple[object, ...]]:
    """Autocommit on database `postgres`: CREATE and DROP DATABASE refuse to run in a
    transaction or while connected to the database concerned."""
    return psycopg.connect(host=server.host, port=server.port, user=SUPERUSER, dbname="postgres",
                           autocommit=True, connect_timeout=10)


def write_settings(root: Path, dovecot: DovecotServer, sink: SmtpSink, logins: Iterable[str],
                   extra: str = "", password_envs: dict[str, str] | None = None) -> Path:
    """An intake.toml under `root` for the given Dovecot users, one branch each."""
    lines = [
        "[storage]", 'database_url = "sqlite:///intake.db"', 'archive_dir = "archive"', "",
        "[smtp]", f'host = "{sink.host}"', f"port = {sink.port}", "",
        "[ocr]", "workers = 2", "",
        extra, "",
    ]
    for login in logins:
        env = (password_envs or {}).get(login, password_env_name(login))
        lines += [
            "[[branches]]", f'id = "{login}"', f'name = "Kantor Cabang {login}"',
            'province = "Kalimantan Timur"', f'reply_from = "{login}@kc.example.org"',
            "[branches.imap]", f'host = "{dovecot.host}"', f"port = {dovecot.port}",
            f'tls = "{"ssl" if dovecot.tls else "none"}"', f'user = "{login}"',
            f'password_env = "{env}"', "",
        ]
        if dovecot.cafile:
            lines.insert(-1, f'cafile = "{dovecot.cafile}"')
    path = root / "intake.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def load_records(settings: Settings, participants: Iterable[Participant],
                 bookings: Iterable[Booking] = ()) -> None:
    engine = make_engine(settings.storage.database_url)
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        upsert_participants(session, participants)
        upsert_bookings(session, bookings)
    engine.dispose()


def message_id_of(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=default_policy)["Message-ID"]).strip()


def sent_at(raw: bytes) -> datetime:
    parsed = email.message_from_bytes(raw, policy=default_policy)
    return parsedate_to_datetime(str(parsed["Date"]))


def run_once(config: Path, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    """`intake run --once` in its own process; with `crash_at`, the process dies there
    (exit code 86, see pipeline.faults)."""
    env = {**os.environ, "INTAKE_LOG_LEVEL": "WARNING"}
    env.pop("INTAKE_CRASH_AT", None)
    if crash_at:
        env["INTAKE_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), "run", "--once",
         "--without-prefect"], env=env, capture_output=True, text=True, timeout=600)


@dataclass(frozen=True)
class MailRig:
    """What an end-to-end test runs the intake against: a started Dovecot (users
    branch-a, branch-b, branch-c), a started SMTP sink, and a folder for the
    settings file, the archive and the SQLite store."""

    dovecot: DovecotServer
    sink: SmtpSink
    root: Path

    def configure(self, logins: Iterable[str], participants: Sequence[Participant] | None = None,
                  bookings: Sequence[Booking] = (), extra: str = "",
                  password_envs: dict[str, str] | None = None) -> Path:
        """intake.toml for `logins` (see write_settings); with participants or bookings,
        its store is created and they are loaded into it."""
        config = write_settings(self.root, self.dovecot, self.sink, logins, extra=extra,
                                password_envs=password_envs)
        if participants is not None or bookings:
            load_records(load_settings(config), participants or (), bookings)
        return config

    def deliver(self, login: str, messages: Iterable[bytes]) -> None:
        """Each message arrives when it was sent (its Date), as a branch inbox would see it:
        the rules measure the arrival against the booked appointment."""
        settings = self.dovecot.imap_settings(login, password_env_name(login))
        with open_mailbox(settings, os.environ[password_env_name(login)]) as mailbox:
            for raw in messages:
                mailbox.append("INBOX", raw, internal_date=sent_at(raw))

    @contextmanager
    def runtime(self, config: Path) -> Iterator[Runtime]:
        """The intake opened in this process on `config`, closed on exit."""
        runtime = open_runtime(load_settings(config))
        try:
            yield runtime
        finally:
            runtime.close()

    @contextmanager
    def mailbox(self, config: Path, login: str, folder: str | None = None) -> Iterator[Mailbox]:
        """`login`'s mailbox as `config` names it (or its `folder`), logged in."""
        imap = load_settings(config).branch(login).imap
        if folder is not None:
            imap = imap.model_copy(update={"folder": folder})
        with open_mailbox(imap, os.environ[password_env_name(login)]) as mailbox:
            yield mailbox


@dataclass(frozen=True)
class Stored:
    """What the database holds about one submission."""

    message_id: str | None
    branch_id: str
    status: str | None
    findings: tuple[str, ...]
    replies: int


def stored(config: Path) -> list[Stored]:
    result = []
    with store_session(config) as session:
        for sub in session.scalars(select(SubmissionRow).order_by(SubmissionRow.id)):
            decision = session.scalars(select(DecisionRow).where(
                DecisionRow.submission_id == sub.id)).first()
            findings = tuple(sorted({f.rule_id for f in session.scalars(
                select(FindingRow).where(FindingRow.submission_id == sub.id))}))
            replies = len(session.scalars(select(OutboxRow).where(
                OutboxRow.submission_id == sub.id)).all())
            result.append(Stored(sub.message_id, sub.branch_id,
                                 decision.status if decision else None, findings, replies))
    return result


@contextmanager
def store_session(config: Path) -> Iterator[Session]:
    """A session on the store `config` names, its engine disposed on exit."""
    engine = make_engine(load_settings(config).storage.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


def ledger_states(config: Path) -> list[str]:
    with store_session(config) as session:
        return [row.state for row in session.scalars(select(MessageRow).order_by(MessageRow.id))]


def outbox_statuses(config: Path) -> list[str]:
    with store_session(config) as session:
        return [row.status for row in session.scalars(select(OutboxRow).order_by(OutboxRow.id))]

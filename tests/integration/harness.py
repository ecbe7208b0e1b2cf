"""Building a settings file around the test servers, and reading results back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.devservers.dovecot import DovecotServer, password_env_name
from pipeline.devservers.smtp_sink import SmtpSink
from pipeline.settings import Settings, load_settings
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.models import DecisionRow, FindingRow, MessageRow, OutboxRow, SubmissionRow
from pipeline.store.records import upsert_bookings, upsert_participants
from pipeline.types import Booking, Participant


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
    with _session(config) as session:
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
def _session(config: Path) -> Iterator[Session]:
    engine = make_engine(load_settings(config).storage.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


def ledger_states(config: Path) -> list[str]:
    with _session(config) as session:
        return [row.state for row in session.scalars(select(MessageRow).order_by(MessageRow.id))]


def outbox_statuses(config: Path) -> list[str]:
    with _session(config) as session:
        return [row.status for row in session.scalars(select(OutboxRow).order_by(OutboxRow.id))]

"""The application database on a real PostgreSQL: migrations, the store, its constraints.

The run's throwaway cluster (pipeline.devservers.postgres, started once in
tests/integration/conftest.py) gives the module a database of its own; each
test writes under its own branch id, so the tests do not see each other's rows.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from extractors.nik import make_nik
from pipeline.devservers import postgres as postgres_module
from pipeline.devservers.postgres import PostgresError, PostgresServer, find_bindir
from pipeline.store.db import make_sessionmaker, schema_is_current, transaction, upgrade
from pipeline.store.ledger import LedgerEntry, LedgerState, record_archived
from pipeline.store.models import FindingRow, MessageRow, OutboxRow, SubmissionRow
from pipeline.store.records import find_participant, upsert_participants
from pipeline.store.reports import BranchCounts, branch_counts
from pipeline.store.results import save_outcome
from pipeline.types import (
    Action,
    Attachment,
    Decision,
    DecisionStatus,
    Finding,
    Outcome,
    Participant,
    Reply,
    Severity,
    Submission,
)
from tests.integration.harness import PostgresDatabase
from tests.unit.test_store_membership import membership_round_trip

WIB = timezone(timedelta(hours=7), "WIB")  # Jakarta time, as branch mail servers stamp it
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
TABLES = {"participants", "bookings", "messages", "submissions", "attachments", "documents",
          "findings", "decisions", "outbox", "alembic_version",
          "users", "reviews", "corrections", "audit_log", "login_attempts"}


@pytest.fixture(scope="module")
def engine(postgres_engine: Engine) -> Engine:
    upgrade(postgres_engine)  # a second run must find nothing to do
    return postgres_engine


@pytest.fixture(scope="module")
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def _sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def _participant(serial: int, nama: str, email: str | None) -> Participant:
    born = date(1980, 5, serial)
    return Participant(nik=make_nik("317101", born, female=False, serial=serial),
                       kpj=f"2{serial:010d}", nama=nama, tanggal_lahir=born,
                       jenis_kelamin="LAKI-LAKI", email=email, saldo_jht=12_500_000 * serial)


def _outcome(branch_id: str, sha256: str, nik: str) -> Outcome:
    """An incomplete claim: a KTP photo came, the F5 form is missing, a reply asks for it."""
    submission = Submission(
        branch_id=branch_id, message_sha256=sha256, message_id="<klaim-1@peserta.example>",
        sender="budi@peserta.example", sender_name="Budi Santoso", subject="Klaim JHT",
        received_at=datetime(2026, 11, 27, 8, 15, tzinfo=WIB),
        attachments=(Attachment(index=0, filename="ktp.jpg", declared_type="image/jpeg",
                                sniffed_type="image/jpeg", size=48_213, sha256=_sha("ktp")),),
        defects=("missing-boundary-end",),
    )
    finding = Finding(rule_id="DOC-001", severity=Severity.ERROR, action=Action.ASK,
                      message_id="Formulir F5 belum dilampirkan.",
                      message_en="Form F5 is missing.",
                      evidence={"document": "f5", "found": None})
    reply = Reply(message_id=f"<reply-{branch_id}@cabang.example>", to="budi@peserta.example",
                  from_addr="klaim@cabang.example", from_name="BPJS Ketenagakerjaan",
                  subject="Re: Klaim JHT", in_reply_to="<klaim-1@peserta.example>",
                  references=("<klaim-1@peserta.example>",), date=NOW,
                  body_text="Mohon lampirkan formulir F5.")
    return Outcome(submission=submission, nik=nik, participant_nik=nik,
                   decision=Decision(status=DecisionStatus.INCOMPLETE, findings=(finding,)),
                   reply=reply, ocr_engine="tesseract 5.3.0")


def _archive(session: Session, branch_id: str, uid: int, sha256: str) -> LedgerEntry:
    return record_archived(session, branch_id=branch_id, folder="INBOX", uidvalidity=1700000000,
                           uid=uid, sha256=sha256, size=2048,
                           internal_date=datetime(2026, 11, 27, 8, 16, tzinfo=WIB), now=NOW)


def test_server_runs_unprivileged_on_loopback_only(postgres: PostgresServer,
                                                   postgres_database: PostgresDatabase,
                                                   engine: Engine) -> None:
    assert postgres.url == f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/intake"
    pid = int((postgres.data_dir / "postmaster.pid").read_text().split()[0])
    owner = os.stat(f"/proc/{pid}").st_uid
    expected = pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else os.geteuid()
    assert owner == expected and owner != 0
    with engine.connect() as conn:
        assert conn.dialect.name == "postgresql"
        assert conn.scalar(text("SHOW listen_addresses")) == "127.0.0.1"
        assert conn.scalar(text("SHOW fsync")) == "off"
        assert conn.scalar(text("SELECT current_database()")) == postgres_database.name


def test_second_server_on_the_same_root_fails_with_the_log_tail(postgres: PostgresServer,
                                                                 engine: Engine) -> None:
    twin = PostgresServer(postgres.root, start_timeout=10)
    with pytest.raises(PostgresError, match="lock file") as caught:
        twin.start()
    assert "log tail:" in str(caught.value)
    twin.stop()  # never started: nothing to do
    with engine.connect() as conn:  # the first server was left alone
        assert conn.scalar(text("SELECT 1")) == 1


def test_missing_binaries_name_the_apt_package(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert (find_bindir() / "postgres").exists()
    monkeypatch.setattr(postgres_module, "_PACKAGED_BINDIRS", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PostgresError, match="install the apt package postgresql"):
        find_bindir()


def test_migrations_are_idempotent_and_current(engine: Engine) -> None:
    upgrade(engine)
    assert schema_is_current(engine)
    assert set(inspect(engine).get_table_names()) == TABLES
    with engine.connect() as conn:
        assert len(conn.execute(text("SELECT version_num FROM alembic_version")).all()) == 1


def test_participants_upsert_and_lookup(factory: sessionmaker[Session]) -> None:
    budi = _participant(11, "BUDI SANTOSO", "budi@peserta.example")
    siti = _participant(12, "SITI AMINAH", "keluarga@peserta.example")
    adik = _participant(13, "AGUS SALIM", "keluarga@peserta.example")
    with transaction(factory) as session:
        assert upsert_participants(session, [budi, siti, adik]) == 3
    renamed = budi.model_copy(update={"nama": "BUDI SANTOSO S", "saldo_jht": 1})
    with transaction(factory) as session:
        assert upsert_participants(session, [renamed]) == 1
    with transaction(factory) as session:
        assert find_participant(session, budi.nik, None, None) == renamed
        assert find_participant(session, None, siti.kpj, None) == siti
        assert find_participant(session, None, None, "budi@peserta.example") == renamed
        # A shared address names nobody; an unknown NIK is not guessed from the sender.
        assert find_participant(session, None, None, "keluarga@peserta.example") is None
        unknown = make_nik("317101", date(1980, 5, 14), female=False, serial=99)
        assert find_participant(session, unknown, None, "budi@peserta.example") is None


def test_membership_columns_migrate_and_round_trip(engine: Engine) -> None:
    membership_round_trip(engine)


def test_outcome_is_saved_duplicates_are_found_and_counted(
        factory: sessionmaker[Session]) -> None:
    branch, sha = "pg-outcome", _sha("message one")
    nik = make_nik("317101", date(1980, 5, 11), female=False, serial=11)
    with transaction(factory) as session:
        first = _archive(session, branch, uid=1, sha256=sha)
        assert first.state is LedgerState.ARCHIVED and first.duplicate_of is None
        submission_id = save_outcome(session, first.id, _outcome(branch, sha, nik), NOW)

    with transaction(factory) as session:
        # The same UID again is the same entry; the same bytes under a new UID are a duplicate.
        assert _archive(session, branch, uid=1, sha256=sha).id == first.id
        again = _archive(session, branch, uid=2, sha256=sha)
        assert again.state is LedgerState.DECIDED and again.duplicate_of == first.id
        assert save_outcome(session, again.id, _outcome(branch, sha, nik), NOW) == submission_id

    with transaction(factory) as session:
        stored = session.get_one(SubmissionRow, submission_id)
        assert stored.defects == ["missing-boundary-end"] and stored.nik == nik
        finding = session.scalars(
            select(FindingRow).where(FindingRow.submission_id == submission_id)).one()
        assert finding.evidence == {"document": "f5", "found": None}
        outbox = session.scalars(
            select(OutboxRow).where(OutboxRow.submission_id == submission_id)).one()
        assert b"Mohon lampirkan formulir F5." in outbox.raw and outbox.status == "pending"
        counts = branch_counts(session, [branch, "pg-empty"])
    assert BranchCounts(branch, received=1, incomplete=1, replies_pending=1) in counts
    assert BranchCounts("pg-empty") in counts


def test_same_uid_twice_violates_the_mailbox_constraint(factory: sessionmaker[Session]) -> None:
    branch = "pg-unique"
    with transaction(factory) as session:
        _archive(session, branch, uid=5, sha256=_sha("five"))
    row = MessageRow(branch_id=branch, folder="INBOX", uidvalidity=1700000000, uid=5,
                     sha256=_sha("five again"), size=1, state=LedgerState.ARCHIVED.value,
                     fetched_at=NOW, attempts=0)
    with pytest.raises(IntegrityError, match="uq_messages_mailbox_uid"):
        with transaction(factory) as session:
            session.add(row)
    with transaction(factory) as session:
        uids = session.scalars(select(MessageRow.uid).where(MessageRow.branch_id == branch))
        assert list(uids) == [5]


def _waiting_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        waiting = conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"))
    return bool(waiting)


def test_two_pollers_archiving_one_uid_cannot_both_insert(
        engine: Engine, factory: sessionmaker[Session]) -> None:
    """Two transactions archive the same UID at once: the second fails instead of duplicating."""
    branch = "pg-race"

    def archive_in_own_transaction() -> LedgerEntry:
        with transaction(factory) as session:
            return _archive(session, branch, uid=9, sha256=_sha("nine"))

    first = factory()
    first.begin()
    try:
        _archive(first, branch, uid=9, sha256=_sha("nine"))  # inserted, not yet committed
        with ThreadPoolExecutor(max_workers=1) as pool:
            second = pool.submit(archive_in_own_transaction)
            # The second insert waits on the first transaction's index entry.
            deadline = time.monotonic() + 10
            while not _waiting_on_a_lock(engine):
                assert not second.done(), "the second insert did not wait for the first"
                assert time.monotonic() < deadline, "the second insert never started"
                time.sleep(0.02)
            first.commit()
            with pytest.raises(IntegrityError, match="uq_messages_mailbox_uid"):
                second.result(timeout=10)
    finally:
        first.close()
    with transaction(factory) as session:
        count = session.scalars(select(MessageRow.id).where(MessageRow.branch_id == branch))
        assert len(list(count)) == 1


def test_datetimes_come_back_aware_in_utc(postgres_database: PostgresDatabase,
                                          factory: sessionmaker[Session]) -> None:
    branch, sha = "pg-time", _sha("time")
    nik = make_nik("317101", date(1980, 5, 11), female=False, serial=11)
    with transaction(factory) as session:
        entry = _archive(session, branch, uid=1, sha256=sha)
        submission_id = save_outcome(session, entry.id, _outcome(branch, sha, nik), NOW)
    # A server or session set to local time answers in that zone; the store must not.
    jakarta = create_engine(postgres_database.url,
                            connect_args={"options": "-c TimeZone=Asia/Jakarta"})
    try:
        for engine_factory in (factory, make_sessionmaker(jakarta)):
            with transaction(engine_factory) as session:
                message = session.get_one(MessageRow, entry.id)
                submission = session.get_one(SubmissionRow, submission_id)
                for value, expected in (
                    (message.internal_date, datetime(2026, 11, 27, 1, 16, tzinfo=UTC)),
                    (message.fetched_at, NOW),
                    (submission.received_at, datetime(2026, 11, 27, 1, 15, tzinfo=UTC)),
                ):
                    assert value == expected
                    assert value is not None and value.utcoffset() == timedelta(0)
    finally:
        jakarta.dispose()

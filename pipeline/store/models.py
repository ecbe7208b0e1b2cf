"""Tables of the application database (SQLAlchemy 2, typed mappings).

The schema is owned by the Alembic migrations in pipeline/store/migrations;
these classes describe it for the code. SQLite by default, PostgreSQL by URL.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL.

    SQLite keeps no zone; without this a value read back would be naive and
    compare wrongly with the aware values the pipeline uses. PostgreSQL keeps
    the instant and answers in the session's zone; that is turned to UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        # PostgreSQL answers in the session's TimeZone, which need not be UTC.
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class ParticipantRow(Base):
    __tablename__ = "participants"

    nik: Mapped[str] = mapped_column(String(16), primary_key=True)
    kpj: Mapped[str] = mapped_column(String(11), unique=True)
    nama: Mapped[str] = mapped_column(String(200))
    tanggal_lahir: Mapped[date] = mapped_column(Date)
    jenis_kelamin: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    nama_ibu: Mapped[str | None] = mapped_column(String(200))
    employer: Mapped[str | None] = mapped_column(String(200))
    saldo_jht: Mapped[int] = mapped_column(BigInteger, default=0)
    peserta_sejak: Mapped[date | None] = mapped_column(Date)
    berhenti_kerja: Mapped[date | None] = mapped_column(Date)


class BookingRow(Base):
    __tablename__ = "bookings"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    nik: Mapped[str] = mapped_column(String(16), index=True)
    appointment_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MessageRow(Base):
    """The mail ledger: one row per message seen in a mailbox (or file replayed).

    The state moves archived -> decided -> done; a rerun resumes a row where it
    stopped, so a message is processed once and its post-action runs once.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("branch_id", "folder", "uidvalidity", "uid", name="uq_messages_mailbox_uid"),
        Index("ix_messages_branch_sha", "branch_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    branch_id: Mapped[str] = mapped_column(String(64))
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[str | None] = mapped_column(String(998))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    internal_date: Mapped[datetime | None] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(16), index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Processing attempts that ended in an infrastructure fault; after a few
    # the row is parked as "failed" for an operator instead of retried forever.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class SubmissionRow(Base):
    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("branch_id", "message_sha256", name="uq_submissions_branch_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_row_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    message_sha256: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(998))
    sender: Mapped[str | None] = mapped_column(String(254))
    sender_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    booking_code: Mapped[str | None] = mapped_column(String(32))
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    defects: Mapped[list[str]] = mapped_column(JSON, default=list)
    unreadable_reason: Mapped[str | None] = mapped_column(String(64))
    # The attachments (or pages) that yielded no page to read, as processing
    # found them (results.dump_unreadable): the desk's re-run after a
    # correction needs them and would otherwise render every attachment again.
    # None for rows stored before migration 0006; [] when every file was read.
    unreadable_attachments: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AttachmentRow(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    declared_type: Mapped[str] = mapped_column(String(255))
    sniffed_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    problem: Mapped[str | None] = mapped_column(String(32))


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    attachment_index: Mapped[int] = mapped_column(Integer)
    page_number: Mapped[int] = mapped_column(Integer)
    # Which of several documents on the page (PageRef.part); None for a page of one.
    part: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    kind_confidence: Mapped[float] = mapped_column(Float)
    quality: Mapped[dict[str, object] | None] = mapped_column(JSON)
    # [{name, value, confidence, box, raw}] as dumped from ExtractedField
    fields: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)


class FindingRow(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ocr_engine: Mapped[str | None] = mapped_column(String(64))


class OutboxRow(Base):
    """Replies waiting to be sent; the Message-ID is deterministic and unique."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    from_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


# --------------------------------------------------------------------------
# Review desk: officers, their review of a submission, the audit log
# --------------------------------------------------------------------------


class UserRow(Base):
    """A person who signs in to the review desk.

    role officer: one branch (branch_id); supervisor: a province or a region
    named in the settings (scope); admin: users and settings, every branch.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    branch_id: Mapped[str | None] = mapped_column(String(64))
    scope: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ReviewRow(Base):
    """An officer's work on one submission; the machine's decision stays in `decisions`.

    status is the officer's final decision (None while only reviewed or
    locked); findings hold the findings of the rules re-run on corrected
    fields (None: the machine's findings stand).
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    status: Mapped[str | None] = mapped_column(String(16), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    findings: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
    rerun_status: Mapped[str | None] = mapped_column(String(16))


class CorrectionRow(Base):
    """An officer's correction of one extracted field; the latest per field applies."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    corrected_by: Mapped[str] = mapped_column(String(64))
    corrected_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditRow(Base):
    """Who did what, when, with the state before and after. Append-only:
    database triggers refuse UPDATE and DELETE (migration 0002)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_submission_at", "submission_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    submission_id: Mapped[int | None] = mapped_column(Integer)
    target: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[dict[str, object] | None] = mapped_column(JSON)
    after: Mapped[dict[str, object] | None] = mapped_column(JSON)


class LoginAttemptRow(Base):
    """Sign-in attempts, kept in the database so the limit holds across processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)


# --------------------------------------------------------------------------
# Dashboard indexes (migration 0003)
# --------------------------------------------------------------------------
# Every dashboard query selects a scope's branches and a period of received_at,
# then reads the decision, the review and the findings of each submission. The
# composite index turns the selection into one range per branch; the others
# hold what is read from each joined table, so no table row is visited.

DASHBOARD_INDEXES = (
    Index("ix_submissions_branch_received", SubmissionRow.branch_id, SubmissionRow.received_at),
    Index("ix_decisions_submission_status", DecisionRow.submission_id, DecisionRow.status,
          DecisionRow.decided_at),
    Index("ix_reviews_submission_status", ReviewRow.submission_id, ReviewRow.status,
          ReviewRow.decided_at),
    Index("ix_findings_submission_rule", FindingRow.submission_id, FindingRow.rule_id),
)

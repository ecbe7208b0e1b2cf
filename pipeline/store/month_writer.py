"""Writing a generated month (fixtures.month) straight into the database.

Bulk inserts of plain rows, a few thousand per statement, inside one
transaction: the month is either all there or not at all. Row ids are
assigned here, after the highest already stored, so that no insert has to
return them. Participants and bookings already present (same NIK, KPJ or
booking code) are kept as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Table, and_, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fixtures.month import MonthWorld, month_days
from pipeline.store.models import (
    BookingRow,
    DecisionRow,
    DocumentRow,
    FindingRow,
    MessageRow,
    ParticipantRow,
    ReviewRow,
    SubmissionRow,
)
from rules.registry import rule_by_id

CHUNK = 5000
OCR_ENGINE = "tesseract 5.3.0"


class MonthAlreadySeeded(Exception):
    """The database already holds submissions of these branches in that month."""

    exit_code = 1


@dataclass(frozen=True)
class WrittenMonth:
    participants: int
    bookings: int
    submissions: int
    documents: int
    findings: int
    reviews: int


def write_month(session: Session, world: MonthWorld) -> WrittenMonth:
    """Insert the month; refuses a month already seeded for any of its branches."""
    _refuse_if_seeded(session, world)
    people = world.participants
    ids = {table: _next_id(session, table) for table in (
        MessageRow.__table__, SubmissionRow.__table__, DocumentRow.__table__,
        FindingRow.__table__, DecisionRow.__table__, ReviewRow.__table__)}
    # One UIDVALIDITY per seeded month keeps the ledger's mailbox keys apart.
    uidvalidity = 1_000_000_000 + world.month.year * 100 + world.month.month

    _insert_new(session, ParticipantRow.__table__, (
        {"nik": p.nik, "kpj": p.kpj, "nama": p.nama, "tanggal_lahir": p.tanggal_lahir,
         "jenis_kelamin": p.jenis_kelamin, "email": p.email, "phone": p.phone,
         "nama_ibu": None, "employer": p.employer, "saldo_jht": p.saldo_jht} for p in people))
    _insert_new(session, BookingRow.__table__, (
        {"code": s.booking_code, "branch_id": s.branch_id, "nik": people[s.participant].nik,
         "appointment_at": s.appointment_at} for s in world.submissions))

    messages, submissions, decisions, documents, findings, reviews = [], [], [], [], [], []
    for n, sub in enumerate(world.submissions):
        person = people[sub.participant]
        message_id = ids[MessageRow.__table__] + n
        submission_id = ids[SubmissionRow.__table__] + n
        fetched = sub.received_at + timedelta(seconds=30)
        messages.append({
            "id": message_id, "branch_id": sub.branch_id, "folder": "INBOX",
            "uidvalidity": uidvalidity, "uid": n + 1, "message_id": f"<{sub.sha256[:24]}@mail>",
            "sha256": sub.sha256, "size": 900_000 + len(sub.documents) * 350_000,
            "internal_date": sub.received_at, "state": "done", "duplicate_of": None,
            "fetched_at": fetched, "decided_at": sub.decided_at, "done_at": sub.decided_at,
            "attempts": 0, "last_error": None})
        submissions.append({
            "id": submission_id, "message_row_id": message_id, "branch_id": sub.branch_id,
            "message_sha256": sub.sha256, "message_id": f"<{sub.sha256[:24]}@mail>",
            "sender": person.email, "sender_name": person.nama.title(), "subject": sub.subject,
            "received_at": sub.received_at, "booking_code": sub.booking_code, "nik": person.nik,
            "defects": [], "unreadable_reason": None, "created_at": sub.decided_at})
        decisions.append({
            "id": ids[DecisionRow.__table__] + n, "submission_id": submission_id,
            "status": sub.status, "decided_at": sub.decided_at, "ocr_engine": OCR_ENGINE})
        for index, kind in enumerate(sub.documents):
            documents.append({
                "id": ids[DocumentRow.__table__] + len(documents), "submission_id": submission_id,
                "attachment_index": index, "page_number": 1, "filename": f"{kind}.jpg",
                "kind": kind, "kind_confidence": 0.93,
                "quality": {"sharpness": 0.8, "contrast": 0.7},
                "fields": _fields(kind, person.nik, person.nama)})
        for rule_id in sub.findings:
            rule = rule_by_id(rule_id)
            findings.append({
                "id": ids[FindingRow.__table__] + len(findings), "submission_id": submission_id,
                "rule_id": rule_id, "severity": rule.severity.value,
                "action": rule.action.value, "message_id": _message(rule.message_id),
                "message_en": _message(rule.message_en), "evidence": {}})
        if sub.review is not None:
            reviews.append({
                "id": ids[ReviewRow.__table__] + len(reviews), "submission_id": submission_id,
                "status": sub.review.status, "decided_by": sub.review.decided_by,
                "decided_at": sub.review.decided_at, "locked_by": None, "locked_until": None,
                "findings": None, "rerun_status": None})
    # Parents before children: the foreign keys are checked row by row on SQLite.
    for table, rows in ((MessageRow.__table__, messages), (SubmissionRow.__table__, submissions),
                        (DecisionRow.__table__, decisions), (DocumentRow.__table__, documents),
                        (FindingRow.__table__, findings), (ReviewRow.__table__, reviews)):
        for chunk in _chunks(rows):
            session.execute(insert(table), chunk)
    return WrittenMonth(participants=len(people), bookings=len(world.submissions),
                        submissions=len(submissions), documents=len(documents),
                        findings=len(findings), reviews=len(reviews))


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "-"


def _message(template: str) -> str:
    # The seeded findings carry no evidence, so the template's values are blank.
    return template.format_map(_Blank())


def _fields(kind: str, nik: str, nama: str) -> list[dict[str, object]]:
    # Light, but shaped like ExtractedField dumps: the identity on the KTP only.
    if kind != "ktp":
        return []
    return [{"name": "nik", "value": nik, "confidence": 0.97, "box": None, "raw": nik},
            {"name": "nama", "value": nama, "confidence": 0.91, "box": None, "raw": nama}]


def _refuse_if_seeded(session: Session, world: MonthWorld) -> None:
    days = month_days(world.month)
    by_zone: dict[tzinfo, list[str]] = {}
    for branch in world.branches:
        by_zone.setdefault(branch.tz, []).append(branch.id)
    # The month as each branch's own clock has it, as the generator drew it.
    within = or_(*(and_(
        SubmissionRow.branch_id.in_(branch_ids),
        SubmissionRow.received_at >= datetime.combine(days[0], time(0), zone),
        SubmissionRow.received_at < datetime.combine(days[-1] + timedelta(days=1), time(0), zone),
    ) for zone, branch_ids in by_zone.items()))
    found = session.scalar(select(func.count()).select_from(SubmissionRow).where(within))
    if found:
        raise MonthAlreadySeeded(
            f"the database already holds {found} submissions of these branches in "
            f"{world.month:%Y-%m}; seed another month or a fresh database")


def _next_id(session: Session, table: Table) -> int:
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def _insert_new(session: Session, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert, skipping rows whose key or unique value is already stored."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table).on_conflict_do_nothing()
    for chunk in _chunks(rows):
        session.execute(statement, chunk)


def _chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

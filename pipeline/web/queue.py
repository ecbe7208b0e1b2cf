"""The queue: flagged submissions of the viewer's branches, oldest appointment first.

One paginated, index-backed query (submissions by branch, their decision
and review by submission id) plus grouped counts for the filters; the
final decision is the officer's when there is one, else the machine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session

from extractors.nik import mask_nik
from pipeline.store.models import BookingRow, DecisionRow, FindingRow, ReviewRow, SubmissionRow
from pipeline.web.labels import QUEUE_DECISIONS

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilter:
    decision: str = "needs_review"  # one of QUEUE_DECISIONS, or "flagged" for the three open ones
    rule: str | None = None
    day_from: date | None = None
    day_to: date | None = None
    page: int = 1


@dataclass(frozen=True)
class QueueItem:
    submission_id: int
    branch_id: str
    nik_masked: str
    sender: str
    subject: str
    received_at: datetime
    appointment_at: datetime | None
    status: str
    machine_status: str
    locked_by: str | None
    rules: tuple[str, ...]


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    page: int
    pages: int
    decision_counts: dict[str, int]
    rule_counts: list[tuple[str, int]]


def final_status() -> ColumnElement[str]:
    return func.coalesce(ReviewRow.status, DecisionRow.status)


def _statuses(decision: str) -> tuple[str, ...]:
    if decision == "flagged":
        return ("needs_review", "incomplete", "rejected")
    return (decision,) if decision in QUEUE_DECISIONS else ("needs_review",)


def _day_bounds(day_from: date | None, day_to: date | None, zone: str
                ) -> tuple[datetime | None, datetime | None]:
    tz = ZoneInfo(zone)
    start = datetime.combine(day_from, time(), tz) if day_from else None
    end = datetime.combine(day_to + timedelta(days=1), time(), tz) if day_to else None
    return start, end


def _base(branch_ids: frozenset[str], flt: QueueFilter, zone: str, *, statuses: bool,
          rule: bool) -> Select[tuple[int]]:
    """The submissions matching the filter; `statuses`/`rule` switch those filters on."""
    when = func.coalesce(BookingRow.appointment_at, SubmissionRow.received_at)
    query = (select(SubmissionRow.id)
             .join(DecisionRow, DecisionRow.submission_id == SubmissionRow.id)
             .outerjoin(ReviewRow, ReviewRow.submission_id == SubmissionRow.id)
             .outerjoin(BookingRow, BookingRow.code == SubmissionRow.booking_code)
             .where(SubmissionRow.branch_id.in_(sorted(branch_ids))))
    if statuses:
        query = query.where(final_status().in_(_statuses(flt.decision)))
    if rule and flt.rule:
        query = query.where(exists().where(and_(FindingRow.submission_id == SubmissionRow.id,
                                                FindingRow.rule_id == flt.rule)))
    start, end = _day_bounds(flt.day_from, flt.day_to, zone)
    if start is not None:
        query = query.where(when >= start)
    if end is not None:
        query = query.where(when < end)
    return query


def load_queue(session: Session, branch_ids: frozenset[str], flt: QueueFilter, now: datetime,
               zone: str = "Asia/Jakarta") -> QueuePage:
    if not branch_ids:
        return QueuePage([], 0, 1, 1, {d: 0 for d in QUEUE_DECISIONS}, [])
    matching = _base(branch_ids, flt, zone, statuses=True, rule=True).subquery()
    total = session.scalar(select(func.count()).select_from(matching)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, flt.page), pages)
    when = func.coalesce(BookingRow.appointment_at, SubmissionRow.received_at)
    rows = session.execute(
        select(SubmissionRow.id, SubmissionRow.branch_id, SubmissionRow.nik,
               SubmissionRow.sender, SubmissionRow.subject, SubmissionRow.received_at,
               BookingRow.appointment_at, final_status(), DecisionRow.status,
               ReviewRow.locked_by, ReviewRow.locked_until)
        .join(DecisionRow, DecisionRow.submission_id == SubmissionRow.id)
        .outerjoin(ReviewRow, ReviewRow.submission_id == SubmissionRow.id)
        .outerjoin(BookingRow, BookingRow.code == SubmissionRow.booking_code)
        .where(SubmissionRow.id.in_(select(matching.c.id)))
        .order_by(when.asc(), SubmissionRow.id.asc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    ids = [row[0] for row in rows]
    rules: dict[int, set[str]] = {i: set() for i in ids}
    if ids:
        for sub_id, rule_id in session.execute(
                select(FindingRow.submission_id, FindingRow.rule_id)
                .where(FindingRow.submission_id.in_(ids))):
            rules[sub_id].add(rule_id)
    items = []
    for (sub_id, branch_id, nik, sender, subject, received, appointment, status, machine,
         locked_by, locked_until) in rows:
        active_lock = locked_by if locked_until is not None and locked_until > now else None
        items.append(QueueItem(
            submission_id=sub_id, branch_id=branch_id, nik_masked=mask_nik(nik),
            sender=sender or "-", subject=subject, received_at=received,
            appointment_at=appointment, status=status, machine_status=machine,
            locked_by=active_lock, rules=tuple(sorted(rules[sub_id]))))
    # Counts beside each filter value: the other filters applied, not its own.
    by_status = _base(branch_ids, flt, zone, statuses=False, rule=True).subquery()
    decision_counts = {d: 0 for d in QUEUE_DECISIONS}
    for status, count in session.execute(
            select(final_status(), func.count())
            .select_from(SubmissionRow)
            .join(DecisionRow, DecisionRow.submission_id == SubmissionRow.id)
            .outerjoin(ReviewRow, ReviewRow.submission_id == SubmissionRow.id)
            .where(SubmissionRow.id.in_(select(by_status.c.id)))
            .group_by(final_status())):
        decision_counts[status] = count
    by_rule = _base(branch_ids, flt, zone, statuses=True, rule=False).subquery()
    rule_counts = [(rule_id, count) for rule_id, count in session.execute(
        select(FindingRow.rule_id, func.count(func.distinct(FindingRow.submission_id)))
        .where(FindingRow.submission_id.in_(select(by_rule.c.id)))
        .group_by(FindingRow.rule_id).order_by(FindingRow.rule_id))]
    return QueuePage(items=items, total=total, page=page, pages=pages,
                     decision_counts=decision_counts, rule_counts=rule_counts)

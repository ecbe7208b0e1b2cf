"""Figures for the officers' dashboard: counts, times and findings for a period.

Three statements per call, aggregated by the database (GROUP BY, COUNT over
CASE) on SQLite and PostgreSQL alike: counts per branch and day, from which
both the branch table and the daily chart are summed; the minutes to
decision for the medians (PostgreSQL's percentile_cont; SQLite, which has no
median, returns that one column); the findings per rule. The indexes they
read through are in migration 0003.

A submission counts under its *final* status: the officer's (`reviews`) if an
officer settled it, else the machine's (`decisions`). Days are calendar days
in the dashboard's time zone; the period's end day is included.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pipeline.store.models import DecisionRow, FindingRow, ReviewRow, SubmissionRow
from pipeline.types import DecisionStatus
from rules.registry import rule_by_id

TOP_FINDINGS = 10

COMPLETE = DecisionStatus.COMPLETE.value
INCOMPLETE = DecisionStatus.INCOMPLETE.value
NEEDS_REVIEW = DecisionStatus.NEEDS_REVIEW.value
REJECTED = DecisionStatus.REJECTED.value
# Statuses that settle a claim; "needs_review" still waits for an officer.
SETTLED = (COMPLETE, INCOMPLETE, REJECTED)


@dataclass(frozen=True)
class BranchFigures:
    branch_id: str
    province: str
    received: int = 0
    complete: int = 0
    incomplete: int = 0
    needs_review: int = 0
    rejected: int = 0
    median_minutes_to_decision: float | None = None
    straight_through_rate: float | None = None


@dataclass(frozen=True)
class DashboardFigures:
    """The dashboard for one scope and period.

    `median_minutes_to_decision`: from receipt to the final decision, over
    submissions settled (complete, incomplete or rejected); None when none is.
    `straight_through_rate`: share of the decided submissions that the machine
    decided complete and no officer changed; None when nothing was decided.
    `top_findings`: (rule id, rule title, submissions with that finding), as
    the machine found them, most frequent first.
    `daily`: one row per day of the period, days without mail included.
    """

    received: int
    complete: int
    incomplete: int
    needs_review: int
    rejected: int
    median_minutes_to_decision: float | None
    straight_through_rate: float | None
    top_findings: list[tuple[str, str, int]]
    daily: list[tuple[date, int, int]]
    per_branch: list[BranchFigures]


def period_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """[start 00:00, day after end 00:00) in `tz`, as aware datetimes."""
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    zone = ZoneInfo(tz)
    return (datetime.combine(start, time(0), zone),
            datetime.combine(end + timedelta(days=1), time(0), zone))


def dashboard_figures(session: Session, branch_ids: Collection[str], start: date, end: date,
                      tz: str = "Asia/Jakarta",
                      provinces: Mapping[str, str] | None = None) -> DashboardFigures:
    """The figures of the branches `branch_ids` (the viewer's scope) for start..end.

    `provinces` maps branch id to province (from the settings); a branch it
    does not name is shown with an empty province. Every branch of the scope
    gets a row, with zeros when it received nothing, ordered by province and id.
    """
    lo, hi = period_bounds(start, end, tz)
    provinces = provinces or {}
    # Branches grouped by province, as a regional office reads its table.
    scope = sorted(set(branch_ids), key=lambda branch: (provinces.get(branch, ""), branch))
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    if not scope:
        return DashboardFigures(0, 0, 0, 0, 0, None, None, [], [(d, 0, 0) for d in days], [])
    dialect = session.get_bind().dialect.name

    grid = _counts_by_branch_and_day(session, scope, lo, hi, tz, dialect)
    by_branch: dict[str, Counter[str]] = {branch: Counter() for branch in scope}
    by_day: dict[date, Counter[str]] = {day: Counter() for day in days}
    for (branch, day), counts in grid.items():
        by_branch[branch].update(counts)
        by_day.setdefault(day, Counter()).update(counts)
    total: Counter[str] = sum(by_branch.values(), Counter())
    medians = _medians(session, scope, lo, hi, dialect)
    return DashboardFigures(
        **_status_counts(total),
        median_minutes_to_decision=medians.get(None),
        straight_through_rate=_rate(total),
        top_findings=_top_findings(session, scope, lo, hi),
        daily=[(day, by_day[day]["received"], by_day[day][COMPLETE]) for day in days],
        per_branch=[BranchFigures(branch_id=branch, province=provinces.get(branch, ""),
                                  **_status_counts(counts),
                                  median_minutes_to_decision=medians.get(branch),
                                  straight_through_rate=_rate(counts))
                    for branch, counts in by_branch.items()],
    )


def _status_counts(counts: Counter[str]) -> dict[str, int]:
    return {"received": counts["received"], "complete": counts[COMPLETE],
            "incomplete": counts[INCOMPLETE], "needs_review": counts[NEEDS_REVIEW],
            "rejected": counts[REJECTED]}


def _rate(counts: Counter[str]) -> float | None:
    return counts["straight"] / counts["decided"] if counts["decided"] else None


# --------------------------------------------------------------------------
# The queries
# --------------------------------------------------------------------------


def _final_status() -> ColumnElement[Any]:
    return func.coalesce(ReviewRow.status, DecisionRow.status)


def _final_decided_at() -> ColumnElement[Any]:
    # A review row may only hold a lock (no status yet): the machine's time stands.
    return case((ReviewRow.status.is_not(None), ReviewRow.decided_at),
                else_=DecisionRow.decided_at)


def _in_scope(query: Any, scope: list[str], lo: datetime, hi: datetime) -> Any:
    # branch_id IN (...) AND received_at in [lo, hi): one range per branch of
    # the (branch_id, received_at) index.
    return query.where(SubmissionRow.branch_id.in_(scope), SubmissionRow.received_at >= lo,
                       SubmissionRow.received_at < hi)


def _with_decision(query: Any) -> Any:
    return (query.outerjoin(DecisionRow, DecisionRow.submission_id == SubmissionRow.id)
            .outerjoin(ReviewRow, ReviewRow.submission_id == SubmissionRow.id))


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1)))


def _counts_by_branch_and_day(session: Session, scope: list[str], lo: datetime, hi: datetime,
                              tz: str, dialect: str) -> dict[tuple[str, date], Counter[str]]:
    """One scan: counts per branch and local day (at most branches x days rows).

    Per-branch figures and the daily chart are both sums of this grid.
    """
    final = _final_status()
    straight = (DecisionRow.status == COMPLETE) & (
        func.coalesce(ReviewRow.status, COMPLETE) == COMPLETE)
    day = _local_day(tz, lo, hi, dialect).label("day")
    query = _in_scope(_with_decision(select(
        SubmissionRow.branch_id, day,
        func.count().label("received"),
        *(_count_where(final == status).label(status) for status in
          (COMPLETE, INCOMPLETE, NEEDS_REVIEW, REJECTED)),
        func.count(DecisionRow.id).label("decided"),
        _count_where(straight).label("straight"),
    ).select_from(SubmissionRow)), scope, lo, hi).group_by(SubmissionRow.branch_id, day)
    grid: dict[tuple[str, date], Counter[str]] = {}
    for row in session.execute(query):
        values = dict(row._mapping)
        branch, value = values.pop("branch_id"), values.pop("day")
        key = value if isinstance(value, date) else date.fromisoformat(value)
        grid[(branch, key)] = Counter(values)
    return grid


def _minutes_between(earlier: ColumnElement[Any], later: ColumnElement[Any],
                     dialect: str) -> ColumnElement[float]:
    if dialect == "sqlite":
        # Stored as ISO text in UTC; julianday counts days with fractions.
        return cast((func.julianday(later) - func.julianday(earlier)) * 1440.0, Float)
    return cast(func.extract("epoch", later - earlier) / 60.0, Float)


def _medians(session: Session, scope: list[str], lo: datetime, hi: datetime,
             dialect: str) -> dict[str | None, float]:
    """Median minutes from receipt to the final decision per branch, overall under None.

    PostgreSQL computes them (percentile_cont). SQLite has no median: the one
    column of minutes comes back and the middle is picked here (sorting a list
    of floats costs less than SQLite's ORDER BY on a computed value).
    """
    minutes = _minutes_between(SubmissionRow.received_at, _final_decided_at(), dialect)
    settled = _in_scope(_with_decision(select().select_from(SubmissionRow)), scope, lo, hi).where(
        _final_status().in_(SETTLED))
    result: dict[str | None, float] = {}
    if dialect == "postgresql":
        median = func.percentile_cont(0.5).within_group(minutes)
        for branch, value in session.execute(settled.add_columns(SubmissionRow.branch_id, median)
                                             .group_by(SubmissionRow.branch_id)):
            if value is not None:
                result[branch] = float(value)
        overall = session.execute(settled.add_columns(median)).scalar()
        if overall is not None:
            result[None] = float(overall)
        return result
    # In branch order, as the (branch_id, received_at) index yields the rows anyway.
    rows = session.execute(settled.add_columns(SubmissionRow.branch_id, minutes)
                           .order_by(SubmissionRow.branch_id))
    everything: list[float] = []
    for branch, group in groupby(rows, key=itemgetter(0)):
        values = [value for _branch, value in group if value is not None]
        if values:
            result[branch] = _median(values)
            everything.extend(values)
    if everything:
        result[None] = _median(everything)
    return result


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    half = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[half])
    return (ordered[half - 1] + ordered[half]) / 2.0


def _local_day(tz: str, lo: datetime, hi: datetime, dialect: str) -> ColumnElement[Any]:
    """The calendar day of received_at in `tz`, computed by the database."""
    if dialect == "postgresql":
        return cast(func.timezone(tz, SubmissionRow.received_at), Date)
    zone = ZoneInfo(tz)
    offsets = {(lo + timedelta(hours=h)).astimezone(zone).utcoffset()
               for h in range(0, int((hi - lo).total_seconds() // 3600) + 1)}
    if len(offsets) == 1:
        # SQLite has no zone database; a zone without daylight saving (all of
        # Indonesia's) is a fixed shift of the stored UTC text.
        (offset,) = offsets
        shift = int(offset.total_seconds() // 60) if offset is not None else 0
        return func.date(SubmissionRow.received_at, f"{shift:+d} minutes")
    # A zone that changes offset within the period: each day is its own UTC range.
    day = lo.astimezone(zone).date()
    whens = []
    while True:
        upper = datetime.combine(day + timedelta(days=1), time(0), zone)
        whens.append((SubmissionRow.received_at < upper, literal(day.isoformat())))
        if upper >= hi:
            break
        day += timedelta(days=1)
    return case(*whens)


def _top_findings(session: Session, scope: list[str], lo: datetime,
                  hi: datetime) -> list[tuple[str, str, int]]:
    # A rule can fire on several pages of one packet: count packets, not hits.
    count = func.count(FindingRow.submission_id.distinct())
    query = _in_scope(select(FindingRow.rule_id, count).select_from(SubmissionRow).join(
        FindingRow, FindingRow.submission_id == SubmissionRow.id), scope, lo, hi
    ).group_by(FindingRow.rule_id).order_by(count.desc(), FindingRow.rule_id).limit(TOP_FINDINGS)
    return [(rule_id, _rule_title(rule_id), n) for rule_id, n in session.execute(query)]


def _rule_title(rule_id: str) -> str:
    try:
        return rule_by_id(rule_id).title
    except KeyError:  # a rule retired since the finding was stored
        return rule_id


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

CSV_HEADER = ("cabang", "provinsi", "diterima", "lengkap", "belum_lengkap", "perlu_diperiksa",
              "ditolak", "median_menit_ke_keputusan", "tingkat_langsung_selesai")
CSV_TOTAL = "SEMUA"


def dashboard_csv(figures: DashboardFigures) -> str:
    """One row per branch and a last row SEMUA for the whole scope.

    Plain numbers (no thousands separator, a dot for decimals) so that a
    spreadsheet reads them in any locale setting; empty cells where a figure
    has no value.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for b in figures.per_branch:
        writer.writerow((b.branch_id, b.province, b.received, b.complete, b.incomplete,
                         b.needs_review, b.rejected, _number(b.median_minutes_to_decision),
                         _number(b.straight_through_rate, 4)))
    f = figures
    writer.writerow((CSV_TOTAL, "", f.received, f.complete, f.incomplete, f.needs_review,
                     f.rejected, _number(f.median_minutes_to_decision),
                     _number(f.straight_through_rate, 4)))
    return out.getvalue()


def _number(value: float | None, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}"

"""Counts per branch for `intake report` and the demo."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.store.models import DecisionRow, MessageRow, OutboxRow, SubmissionRow
from pipeline.types import DecisionStatus


@dataclass(frozen=True)
class BranchCounts:
    branch_id: str
    received: int = 0  # distinct messages (duplicates not counted again)
    complete: int = 0
    incomplete: int = 0
    needs_review: int = 0
    rejected: int = 0
    failed: int = 0  # parked after repeated infrastructure faults
    replies_sent: int = 0
    replies_pending: int = 0

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


def branch_counts(session: Session, branch_ids: list[str]) -> list[BranchCounts]:
    """One row per configured branch (and any other branch found in the data)."""
    data: dict[str, dict[str, int]] = {b: {} for b in branch_ids}
    for branch, status, count in session.execute(
        select(SubmissionRow.branch_id, DecisionRow.status, func.count())
        .join(DecisionRow, DecisionRow.submission_id == SubmissionRow.id)
        .group_by(SubmissionRow.branch_id, DecisionRow.status)
    ):
        data.setdefault(branch, {})[status] = count
    for branch, count in session.execute(
        select(MessageRow.branch_id, func.count()).where(MessageRow.duplicate_of.is_(None))
        .group_by(MessageRow.branch_id)
    ):
        data.setdefault(branch, {})["received"] = count
    for branch, count in session.execute(
        select(MessageRow.branch_id, func.count()).where(MessageRow.state == "failed")
        .group_by(MessageRow.branch_id)
    ):
        data.setdefault(branch, {})["failed"] = count
    for branch, status, count in session.execute(
        select(OutboxRow.branch_id, OutboxRow.status, func.count())
        .group_by(OutboxRow.branch_id, OutboxRow.status)
    ):
        data.setdefault(branch, {})[f"replies_{status}"] = count
    rows = []
    for branch, values in data.items():
        rows.append(BranchCounts(
            branch_id=branch, received=values.get("received", 0),
            complete=values.get(DecisionStatus.COMPLETE.value, 0),
            incomplete=values.get(DecisionStatus.INCOMPLETE.value, 0),
            needs_review=values.get(DecisionStatus.NEEDS_REVIEW.value, 0),
            rejected=values.get(DecisionStatus.REJECTED.value, 0),
            failed=values.get("failed", 0),
            replies_sent=values.get("replies_sent", 0),
            replies_pending=values.get("replies_pending", 0),
        ))
    return rows


def format_table(rows: list[BranchCounts]) -> str:
    headers = ("branch", "received", "complete", "incomplete", "needs_review", "rejected",
               "failed", "replies_sent", "replies_pending")
    table = [headers] + [
        (r.branch_id, *(str(v) for v in (r.received, r.complete, r.incomplete, r.needs_review,
                                          r.rejected, r.failed, r.replies_sent,
                                          r.replies_pending)))
        for r in rows
    ]
    totals = ("TOTAL", *(str(sum(int(row[i]) for row in table[1:])) for i in range(1, len(headers))))
    table.append(totals)
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                       for i, cell in enumerate(row)) for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(len(lines) - 1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)

"""The mail ledger: which messages were seen, archived, decided and finished.

States: archived (raw bytes safe on disk) -> decided (results and reply
committed) -> done (post-action applied in the mailbox). A message already
decided under another UID (UIDVALIDITY change, or the same bytes delivered
twice) is recorded as a duplicate and only gets its post-action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.store.models import MessageRow, SubmissionRow

MAX_ATTEMPTS = 3


class LedgerState(StrEnum):
    ARCHIVED = "archived"
    DECIDED = "decided"
    DONE = "done"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS infrastructure faults


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    uid: int | None
    sha256: str
    state: LedgerState
    duplicate_of: int | None
    internal_date: datetime | None


def _entry(row: MessageRow) -> LedgerEntry:
    return LedgerEntry(row.id, row.uid, row.sha256, LedgerState(row.state), row.duplicate_of,
                       row.internal_date)


def settled_uids(session: Session, branch_id: str, folder: str, uidvalidity: int) -> set[int]:
    """UIDs that need nothing more: done, or parked as failed."""
    rows = session.scalars(
        select(MessageRow.uid).where(
            MessageRow.branch_id == branch_id, MessageRow.folder == folder,
            MessageRow.uidvalidity == uidvalidity,
            MessageRow.state.in_([LedgerState.DONE.value, LedgerState.FAILED.value]),
        )
    )
    return {uid for uid in rows if uid is not None}


def open_entries(session: Session, branch_id: str, folder: str,
                 uidvalidity: int) -> dict[int, LedgerEntry]:
    """Entries of this mailbox that a crash left archived or decided, by UID."""
    rows = session.scalars(
        select(MessageRow).where(
            MessageRow.branch_id == branch_id, MessageRow.folder == folder,
            MessageRow.uidvalidity == uidvalidity,
            MessageRow.state.in_([LedgerState.ARCHIVED.value, LedgerState.DECIDED.value]),
        )
    )
    return {row.uid: _entry(row) for row in rows if row.uid is not None}


def record_archived(session: Session, *, branch_id: str, folder: str, uidvalidity: int,
                    uid: int | None, sha256: str, size: int, internal_date: datetime | None,
                    now: datetime) -> LedgerEntry:
    """The ledger row for a message whose bytes are archived (idempotent).

    When this branch already decided the same bytes, the new row points at
    that submission and starts as decided: nothing is processed twice.
    """
    if uid is not None:
        existing = session.scalars(
            select(MessageRow).where(
                MessageRow.branch_id == branch_id, MessageRow.folder == folder,
                MessageRow.uidvalidity == uidvalidity, MessageRow.uid == uid)
        ).first()
        if existing is not None:
            return _entry(existing)
    original = session.scalars(
        select(SubmissionRow.message_row_id).where(
            SubmissionRow.branch_id == branch_id, SubmissionRow.message_sha256 == sha256)
    ).first()
    row = MessageRow(
        branch_id=branch_id, folder=folder, uidvalidity=uidvalidity, uid=uid, message_id=None,
        sha256=sha256, size=size, internal_date=internal_date,
        state=(LedgerState.DECIDED if original else LedgerState.ARCHIVED).value,
        duplicate_of=original, fetched_at=now, decided_at=now if original else None, attempts=0,
    )
    session.add(row)
    session.flush()
    return _entry(row)


def record_failure(session: Session, entry_id: int, error: str) -> LedgerState:
    """Count an infrastructure fault; park the message after MAX_ATTEMPTS."""
    row = session.get_one(MessageRow, entry_id)
    row.attempts += 1
    row.last_error = error[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        row.state = LedgerState.FAILED.value
    return LedgerState(row.state)


def mark_done(session: Session, entry_id: int, now: datetime) -> None:
    row = session.get_one(MessageRow, entry_id)
    row.state = LedgerState.DONE.value
    row.done_at = now

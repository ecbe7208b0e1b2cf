"""A small hand-built month for the dashboard tests, with every figure worked out by hand.

Branches a and b are in Kalimantan Timur, c in Kalimantan Selatan. Times are
Jakarta time (WIB); the period under test is 1-3 June 2020.

    id  br received (WIB)    machine     +min  officer           final         findings
    a1  a  01-06 08:00       complete      10  -                 complete      -
    a2  a  01-06 23:59:59    incomplete    20  -                 incomplete    DOC-002, QUAL-001 x2
    a3  a  02-06 00:00       needs_review   5  complete at +180  complete      NIK-002
    a4  a  01-06 00:00       needs_review   3  (waiting)         needs_review  REC-002, DOC-003
    a5  a  31-05 23:59:59    complete      10  -                 (outside)     DOC-001
    a6  a  04-06 00:00       complete      10  -                 (outside)     DOC-001
    a7  a  03-06 23:59       complete      30  lock only         complete      -
    a8  a  03-06 10:00       complete       7  rejected at +120  rejected      -
    b1  b  02-06 09:00       rejected       1  -                 rejected      REC-001
    b2  b  02-06 10:00       complete      15  -                 complete      -
    c1  c  02-06 09:00       complete     100  -                 complete      DOC-003
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from pipeline.store.models import (
    DecisionRow,
    FindingRow,
    MessageRow,
    ReviewRow,
    SubmissionRow,
)

WIB = timezone(timedelta(hours=7))
PROVINCES = {"a": "Kalimantan Timur", "b": "Kalimantan Timur", "c": "Kalimantan Selatan"}

# (key, branch, received WIB, machine status, minutes to machine decision,
#  officer (status or None for a lock only, minutes) or None, findings)
ROWS: tuple[tuple[str, str, datetime, str, int, tuple[str | None, int] | None,
                  tuple[str, ...]], ...] = (
    ("a1", "a", datetime(2020, 6, 1, 8, 0, tzinfo=WIB), "complete", 10, None, ()),
    ("a2", "a", datetime(2020, 6, 1, 23, 59, 59, tzinfo=WIB), "incomplete", 20, None,
     ("DOC-002", "QUAL-001", "QUAL-001")),
    ("a3", "a", datetime(2020, 6, 2, 0, 0, tzinfo=WIB), "needs_review", 5, ("complete", 180),
     ("NIK-002",)),
    ("a4", "a", datetime(2020, 6, 1, 0, 0, tzinfo=WIB), "needs_review", 3, None,
     ("REC-002", "DOC-003")),
    ("a5", "a", datetime(2020, 5, 31, 23, 59, 59, tzinfo=WIB), "complete", 10, None, ("DOC-001",)),
    ("a6", "a", datetime(2020, 6, 4, 0, 0, tzinfo=WIB), "complete", 10, None, ("DOC-001",)),
    ("a7", "a", datetime(2020, 6, 3, 23, 59, tzinfo=WIB), "complete", 30, (None, 0), ()),
    ("a8", "a", datetime(2020, 6, 3, 10, 0, tzinfo=WIB), "complete", 7, ("rejected", 120), ()),
    ("b1", "b", datetime(2020, 6, 2, 9, 0, tzinfo=WIB), "rejected", 1, None, ("REC-001",)),
    ("b2", "b", datetime(2020, 6, 2, 10, 0, tzinfo=WIB), "complete", 15, None, ()),
    ("c1", "c", datetime(2020, 6, 2, 9, 0, tzinfo=WIB), "complete", 100, None, ("DOC-003",)),
)


def add_rows(session: Session, prefix: str = "") -> None:
    """Write the rows; `prefix` goes before each branch id (tests sharing one database)."""
    now = datetime(2020, 6, 30, tzinfo=UTC)
    for uid, (key, branch, received, status, minutes, officer, findings) in enumerate(ROWS, 1):
        sha = hashlib.sha256(f"{prefix}{key}".encode()).hexdigest()
        message = MessageRow(branch_id=prefix + branch, folder="INBOX", uidvalidity=1, uid=uid,
                             sha256=sha, size=100, state="done", fetched_at=received,
                             attempts=0)
        session.add(message)
        session.flush()
        submission = SubmissionRow(
            message_row_id=message.id, branch_id=prefix + branch, message_sha256=sha,
            subject=f"Klaim JHT {key}", received_at=received, defects=[], created_at=now)
        session.add(submission)
        session.flush()
        session.add(DecisionRow(submission_id=submission.id, status=status,
                                decided_at=received + timedelta(minutes=minutes)))
        for rule_id in findings:
            session.add(FindingRow(submission_id=submission.id, rule_id=rule_id,
                                   severity="error", action="ask", message_id="-",
                                   message_en="-", evidence={}))
        if officer is not None:
            final, after = officer
            session.add(ReviewRow(
                submission_id=submission.id, status=final,
                decided_by="petugas" if final else None,
                decided_at=received + timedelta(minutes=after) if final else None,
                locked_by="petugas", locked_until=received + timedelta(hours=1)))
    session.flush()

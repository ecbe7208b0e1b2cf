"""Unreadable attachments stored with the submission: migration 0006 and the store.

`unreadable_round_trip` runs on any engine at the head revision; the
PostgreSQL suite (tests/integration/test_postgres_unreadable.py) runs it there too.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import JSON, Engine, column, insert, inspect, select, table
from sqlalchemy.orm import Session

from pipeline.store.db import downgrade, make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.ledger import record_archived
from pipeline.store.models import SubmissionRow, UtcDateTime
from pipeline.store.results import dump_unreadable, load_unreadable, save_outcome
from pipeline.types import (Attachment, AttachmentProblem, Decision, DecisionStatus, Outcome,
                            PageProblem, PageRef, Submission, UnreadableAttachment)

NOW = datetime(2020, 6, 15, 2, 0, tzinfo=UTC)

# One of each way a file yields no page: a problem the renderer found, one
# intake found (whose value "too_large" the renderer's enum has too), and
# pages cut by the page cap, which name the first page not read.
UNREADABLE = (
    UnreadableAttachment(ref=PageRef(attachment_index=1), filename="rusak.pdf",
                         problem=PageProblem.PDF_CORRUPT, detail="cannot open: trailer"),
    UnreadableAttachment(ref=PageRef(attachment_index=2), filename="besar.tif",
                         problem=AttachmentProblem.TOO_LARGE, detail="refused at intake"),
    UnreadableAttachment(ref=PageRef(attachment_index=3, page_number=21), filename="banyak.pdf",
                         problem=PageProblem.TOO_MANY_PAGES, detail="pages 21-40 of 40 not read"),
)


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("submissions")}


def _sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def _outcome(branch_id: str, label: str, unreadable: tuple[UnreadableAttachment, ...]
             ) -> Outcome:
    attachments = tuple(Attachment(index=i, filename=f"berkas-{i}.pdf",
                                   declared_type="application/pdf",
                                   sniffed_type="application/pdf", size=1000, sha256=_sha(str(i)))
                        for i in range(4))
    submission = Submission(branch_id=branch_id, message_sha256=_sha(label), message_id=None,
                            sender=None, sender_name=None, subject="Klaim JHT",
                            received_at=NOW, attachments=attachments)
    return Outcome(submission=submission, unreadable=unreadable,
                   decision=Decision(status=DecisionStatus.INCOMPLETE))


def _save(session: Session, branch_id: str, label: str,
          unreadable: tuple[UnreadableAttachment, ...]) -> int:
    entry = record_archived(session, branch_id=branch_id, folder="(file)", uidvalidity=0,
                            uid=None, sha256=_sha(label), size=1000, internal_date=NOW, now=NOW)
    return save_outcome(session, entry.id, _outcome(branch_id, label, unreadable), NOW)


def unreadable_round_trip(engine: Engine, branch_id: str = "unreadable") -> None:
    """Down to 0005, a submission written then, up again: it does not know; new ones do."""
    downgrade(engine, "0005")
    assert "unreadable_attachments" not in _columns(engine)
    factory = make_sessionmaker(engine)
    older = table("submissions", column("id"), column("message_row_id"), column("branch_id"),
                  column("message_sha256"), column("subject"), column("received_at", UtcDateTime()),
                  column("defects", JSON), column("created_at", UtcDateTime()))
    with transaction(factory) as session:
        entry = record_archived(session, branch_id=branch_id, folder="(file)", uidvalidity=0,
                                uid=None, sha256=_sha(f"{branch_id} old"), size=1000,
                                internal_date=NOW, now=NOW)
        old_id = session.execute(insert(older).values(
            message_row_id=entry.id, branch_id=branch_id, message_sha256=_sha(f"{branch_id} old"),
            subject="Klaim JHT", received_at=NOW, defects=[], created_at=NOW,
        ).returning(older.c.id)).scalar_one()
    upgrade(engine)
    assert "unreadable_attachments" in _columns(engine)
    with transaction(factory) as session:
        with_files = _save(session, branch_id, f"{branch_id} with", UNREADABLE)
        all_read = _save(session, branch_id, f"{branch_id} all read", ())
    with factory() as session:
        stored = {row.id: row.unreadable_attachments for row in session.scalars(
            select(SubmissionRow).where(SubmissionRow.branch_id == branch_id))}
    # None: stored before the list was kept, so the desk renders to find out.
    assert stored[old_id] is None
    assert stored[all_read] == []
    back = stored[with_files]
    assert back is not None
    assert load_unreadable(back) == list(UNREADABLE)
    # The problem comes back as the enum processing found, not its namesake.
    assert [type(u.problem) for u in load_unreadable(back)] == [
        PageProblem, AttachmentProblem, PageProblem]


def test_dump_and_load_are_inverse() -> None:
    dumped = dump_unreadable(UNREADABLE)
    assert dumped[2] == {"ref": {"attachment_index": 3, "page_number": 21, "part": None},
                         "filename": "banyak.pdf", "problem": "too_many_pages",
                         "detail": "pages 21-40 of 40 not read", "problem_kind": "page"}
    assert load_unreadable(dumped) == list(UNREADABLE)
    assert load_unreadable([]) == []


def test_migration_keeps_older_submissions_and_stores_the_list(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    try:
        upgrade(engine)
        unreadable_round_trip(engine)
    finally:
        engine.dispose()

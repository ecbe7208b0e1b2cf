"""Polling one branch mailbox: fetch what the ledger has not finished.

For each message, in order: archive the raw bytes and write the ledger row;
process and commit the outcome together with the ledger state; only then
apply the post-action in the mailbox. A crash anywhere resumes from the
ledger on the next poll: archived rows are processed from the archive,
decided rows only get their post-action.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from pipeline.adapters.archive import Archive
from pipeline.adapters.imap import Mailbox
from pipeline.faults import checkpoint
from pipeline.settings import Branch, PollingSettings, PostAction
from pipeline.store import ledger
from pipeline.store.db import transaction
from pipeline.store.results import save_outcome
from pipeline.types import Outcome

log = logging.getLogger(__name__)

Processor = Callable[[Branch, bytes, datetime], Outcome]


@dataclass(frozen=True)
class PollReport:
    branch_id: str
    in_mailbox: int = 0
    processed: int = 0
    duplicates: int = 0
    resumed: int = 0
    failed: int = 0
    error: str | None = None


def _batches(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def apply_post_action(mailbox: Mailbox, uid: int, polling: PollingSettings) -> None:
    if polling.post_action in (PostAction.KEYWORD, PostAction.KEYWORD_AND_MOVE):
        mailbox.add_keyword(uid, polling.done_keyword)
    if polling.post_action in (PostAction.MOVE, PostAction.KEYWORD_AND_MOVE):
        mailbox.move(uid, polling.move_to)


def poll_mailbox(branch: Branch, mailbox: Mailbox, factory: sessionmaker[Session],
                 archive: Archive, process: Processor, polling: PollingSettings,
                 now: Callable[[], datetime]) -> PollReport:
    """Bring every message of the mailbox to `done` (or parked as failed)."""
    folder = mailbox.folder
    uidvalidity = mailbox.uidvalidity()
    uids = mailbox.list_uids()
    with factory() as session:
        settled = ledger.settled_uids(session, branch.id, folder, uidvalidity)
        resumable = ledger.open_entries(session, branch.id, folder, uidvalidity)
    todo = [uid for uid in uids if uid not in settled]
    counts = {"processed": 0, "duplicates": 0, "resumed": 0, "failed": 0}

    # Rows a crash left open need no refetch: their bytes are in the archive.
    fetch = [uid for uid in todo if uid not in resumable]
    for uid in [uid for uid in todo if uid in resumable]:
        counts["resumed"] += 1
        _finish(branch, mailbox, factory, archive, process, polling, now, resumable[uid], counts)

    for batch in _batches(fetch, polling.batch_size):
        for fetched in mailbox.fetch(batch):
            digest = archive.put(fetched.raw)
            with transaction(factory) as session:
                entry = ledger.record_archived(
                    session, branch_id=branch.id, folder=folder, uidvalidity=uidvalidity,
                    uid=fetched.uid, sha256=digest, size=len(fetched.raw),
                    internal_date=fetched.internal_date, now=now())
            if entry.duplicate_of is not None:
                counts["duplicates"] += 1
                log.info("branch %s uid %s: same message as ledger row %s, not processed again",
                         branch.id, fetched.uid, entry.duplicate_of)
            checkpoint("after_archive")
            _finish(branch, mailbox, factory, archive, process, polling, now, entry, counts)
    return PollReport(branch_id=branch.id, in_mailbox=len(uids), **counts)


def _finish(branch: Branch, mailbox: Mailbox, factory: sessionmaker[Session], archive: Archive,
            process: Processor, polling: PollingSettings, now: Callable[[], datetime],
            entry: ledger.LedgerEntry, counts: dict[str, int]) -> None:
    """Take one ledger entry from wherever it stands to done."""
    if entry.state == ledger.LedgerState.ARCHIVED:
        if not decide_entry(branch, factory, archive, process, now, entry):
            counts["failed"] += 1
            return
        counts["processed"] += 1
        checkpoint("after_decision")
    assert entry.uid is not None
    apply_post_action(mailbox, entry.uid, polling)
    with transaction(factory) as session:
        ledger.mark_done(session, entry.id, now())
    checkpoint("after_post_action")


def decide_entry(branch: Branch, factory: sessionmaker[Session], archive: Archive,
                 process: Processor, now: Callable[[], datetime], entry: ledger.LedgerEntry
                 ) -> bool:
    """Process an archived message and commit the outcome; False on a fault.

    Processing turns bad input into findings, so an exception here is an
    infrastructure fault (OCR engine missing, disk full): it is counted on
    the ledger row and retried on a later poll, up to ledger.MAX_ATTEMPTS.
    """
    received = entry.internal_date or now()
    try:
        raw = archive.get(entry.sha256)
        outcome = process(branch, raw, received)
        with transaction(factory) as session:
            save_outcome(session, entry.id, outcome, now())
    except Exception as err:  # noqa: BLE001 - recorded on the ledger, then the poll goes on
        reason = getattr(err, "reason", type(err).__name__)
        with transaction(factory) as session:
            state = ledger.record_failure(session, entry.id, f"{reason}: {err}")
        log.exception("branch %s ledger row %s: processing failed (%s), state %s",
                      branch.id, entry.id, reason, state.value)
        return False
    return True


def process_local(branch: Branch, raw: bytes, received: datetime, factory: sessionmaker[Session],
                  archive: Archive, process: Processor, now: Callable[[], datetime]) -> str:
    """Run a local .eml through the same steps; returns what happened.

    The ledger row has no UID; the (branch, sha256) key of the submission
    keeps a replayed file from being decided twice.
    """
    digest = archive.put(raw)
    with transaction(factory) as session:
        entry = ledger.record_archived(
            session, branch_id=branch.id, folder="(file)", uidvalidity=0, uid=None,
            sha256=digest, size=len(raw), internal_date=received, now=now())
    if entry.duplicate_of is not None:
        with transaction(factory) as session:
            ledger.mark_done(session, entry.id, now())
        return "duplicate"
    if not decide_entry(branch, factory, archive, process, now, entry):
        return "failed"
    with transaction(factory) as session:
        ledger.mark_done(session, entry.id, now())
    return "processed"

"""Sending the replies that decisions queued.

A reply row is committed together with its decision; this sends pending
rows and marks each one sent right after the server accepts it. The
Message-ID is fixed when the row is written, so a resend after a crash in
the narrow window between acceptance and marking carries the same ID and
mail systems file it as the same message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.adapters.smtp import SendError, SmtpSender
from pipeline.faults import checkpoint
from pipeline.store.db import transaction
from pipeline.store.models import OutboxRow

log = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 8


@dataclass(frozen=True)
class OutboxReport:
    sent: int = 0
    retry_later: int = 0
    failed: int = 0


def send_pending(factory: sessionmaker[Session], sender: SmtpSender, now: Callable[[], datetime],
                 branch_id: str | None = None, limit: int = 500) -> OutboxReport:
    """Send queued replies (all branches, or one); failures are kept, not raised."""
    with factory() as session:
        query = select(OutboxRow.id).where(OutboxRow.status == "pending").order_by(OutboxRow.id)
        if branch_id is not None:
            query = query.where(OutboxRow.branch_id == branch_id)
        ids = list(session.scalars(query.limit(limit)))
    sent = retry = failed = 0
    with sender:
        for row_id in ids:
            with factory() as session:
                row = session.get_one(OutboxRow, row_id)
                if row.status != "pending":
                    continue
                raw, from_addr, to_addr = row.raw, row.from_addr, row.to_addr
            try:
                sender.send(raw, from_addr, [to_addr])
            except SendError as err:
                with transaction(factory) as session:
                    row = session.get_one(OutboxRow, row_id)
                    row.attempts += 1
                    row.last_error = f"{err.reason}: {err}"[:2000]
                    if err.permanent or row.attempts >= MAX_SEND_ATTEMPTS:
                        row.status = "failed"
                        failed += 1
                    else:
                        retry += 1
                log.warning("reply %s not sent (%s)", row_id, err.reason)
                continue
            checkpoint("after_send")
            with transaction(factory) as session:
                row = session.get_one(OutboxRow, row_id)
                row.status = "sent"
                row.attempts += 1
                row.sent_at = now()
            sent += 1
    return OutboxReport(sent=sent, retry_later=retry, failed=failed)

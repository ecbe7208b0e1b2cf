"""Writing what a message led to, and reading it back for reports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.replies.mime import render_reply
from pipeline.store.ledger import LedgerState
from pipeline.store.models import (
    AttachmentRow,
    DecisionRow,
    DocumentRow,
    FindingRow,
    MessageRow,
    OutboxRow,
    SubmissionRow,
)
from pipeline.types import AttachmentProblem, Outcome, PageProblem, UnreadableAttachment

# "too_large" and "unsupported_type" are values of both problem enums (intake's
# and the renderer's); the stored record says which, so what is read back is
# the very value processing found.
_PROBLEM_KINDS: dict[str, type[AttachmentProblem | PageProblem]] = {
    "attachment": AttachmentProblem, "page": PageProblem}


def dump_unreadable(items: Iterable[UnreadableAttachment]) -> list[dict[str, object]]:
    """Unreadable attachments as JSON for `submissions.unreadable_attachments`."""
    return [{**item.model_dump(mode="json"),
             "problem_kind": "attachment" if isinstance(item.problem, AttachmentProblem)
             else "page"} for item in items]


def load_unreadable(stored: Sequence[Mapping[str, object]]) -> list[UnreadableAttachment]:
    """The inverse of `dump_unreadable`."""
    out = []
    for record in stored:
        item = dict(record)
        kind = _PROBLEM_KINDS[str(item.pop("problem_kind"))]
        item["problem"] = kind(str(item["problem"]))
        out.append(UnreadableAttachment.model_validate(item))
    return out


def save_outcome(session: Session, entry_id: int, outcome: Outcome, now: datetime) -> int:
    """Store the submission, its documents, findings, decision and reply.

    Runs inside the caller's transaction together with the ledger update, so
    a crash leaves either all of it or none of it. Returns the submission id;
    if this branch already decided the same bytes, returns that one instead.
    """
    sub = outcome.submission
    ledger = session.get_one(MessageRow, entry_id)
    existing = session.scalars(
        select(SubmissionRow).where(SubmissionRow.branch_id == sub.branch_id,
                                    SubmissionRow.message_sha256 == sub.message_sha256)
    ).first()
    ledger.message_id = sub.message_id
    ledger.state = LedgerState.DECIDED.value
    ledger.decided_at = now
    if existing is not None:
        ledger.duplicate_of = existing.message_row_id
        return existing.id

    row = SubmissionRow(
        message_row_id=entry_id, branch_id=sub.branch_id, message_sha256=sub.message_sha256,
        message_id=sub.message_id, sender=sub.sender, sender_name=sub.sender_name,
        subject=sub.subject, received_at=sub.received_at,
        booking_code=outcome.booking_code or sub.booking_code, nik=outcome.nik,
        defects=list(sub.defects), unreadable_reason=sub.unreadable_reason,
        unreadable_attachments=dump_unreadable(outcome.unreadable), created_at=now,
    )
    session.add(row)
    session.flush()
    for att in sub.attachments:
        session.add(AttachmentRow(
            submission_id=row.id, index=att.index, filename=att.filename,
            declared_type=att.declared_type, sniffed_type=att.sniffed_type, size=att.size,
            sha256=att.sha256, problem=att.problem.value if att.problem else None))
    for doc in outcome.documents:
        session.add(DocumentRow(
            submission_id=row.id, attachment_index=doc.ref.attachment_index,
            page_number=doc.ref.page_number, part=doc.ref.part, filename=doc.filename,
            kind=doc.kind.value, kind_confidence=doc.kind_confidence,
            quality=doc.quality.model_dump(mode="json") if doc.quality else None,
            fields=[f.model_dump(mode="json") for f in doc.fields]))
    for finding in outcome.decision.findings:
        session.add(FindingRow(
            submission_id=row.id, rule_id=finding.rule_id, severity=finding.severity.value,
            action=finding.action.value, message_id=finding.message_id,
            message_en=finding.message_en, evidence=dict(finding.evidence)))
    session.add(DecisionRow(submission_id=row.id, status=outcome.decision.status.value,
                            decided_at=now, ocr_engine=outcome.ocr_engine))
    if outcome.reply is not None:
        reply = outcome.reply
        session.add(OutboxRow(
            submission_id=row.id, branch_id=sub.branch_id, message_id=reply.message_id,
            to_addr=reply.to, from_addr=reply.from_addr, subject=reply.subject,
            raw=render_reply(reply), status="pending", attempts=0, created_at=now))
    return row.id

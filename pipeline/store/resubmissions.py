"""Earlier submissions of the same claim, for a resubmission to build on.

A message belongs to an earlier claim at the same branch when it names the
same booking code, is about the same NIK, or answers (In-Reply-To,
References) an earlier message or the reply sent to it. Only messages
received before this one count, with the ledger row as the tie-break for
equal times; the message itself and later ones never do, so processing the
same message again, after a crash, finds the same earlier submissions.

The claim's history is read oldest first: a submission decided complete or
sent to an officer closes what came before it; the incomplete ones after the
last such submission are the open ones offered for merging.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from pipeline.resubmission import EarlierQuery, EarlierSubmission
from pipeline.store.models import DecisionRow, DocumentRow, MessageRow, OutboxRow, SubmissionRow
from pipeline.types import Document, DocumentKind, ExtractedField, PageRef, Quality

_OPEN = "incomplete"
_CLOSING = ("complete", "needs_review")


def _ledger_row(session: Session, branch_id: str, sha256: str) -> int | None:
    """The first ledger row of these bytes at this branch (later ones are duplicates)."""
    return session.scalar(select(func.min(MessageRow.id)).where(
        MessageRow.branch_id == branch_id, MessageRow.sha256 == sha256))


def _document(row: DocumentRow) -> Document:
    return Document(
        ref=PageRef(attachment_index=row.attachment_index, page_number=row.page_number,
                    part=row.part),
        filename=row.filename, kind=DocumentKind(row.kind), kind_confidence=row.kind_confidence,
        fields=tuple(ExtractedField.model_validate(f) for f in row.fields),
        quality=Quality.model_validate(row.quality) if row.quality else None)


def earlier_submissions(session: Session, query: EarlierQuery) -> tuple[EarlierSubmission, ...]:
    """The open incomplete submissions of the same claim, oldest first."""
    same_claim = []
    if query.booking_code:
        same_claim.append(SubmissionRow.booking_code == query.booking_code)
    if query.nik:
        same_claim.append(SubmissionRow.nik == query.nik)
    if query.thread:
        answered = select(OutboxRow.submission_id).where(OutboxRow.message_id.in_(query.thread))
        same_claim += [SubmissionRow.message_id.in_(query.thread), SubmissionRow.id.in_(answered)]
    if not same_claim:
        return ()
    before = SubmissionRow.received_at < query.received_at
    own_row = _ledger_row(session, query.branch_id, query.message_sha256)
    if own_row is not None:
        before = or_(before, and_(SubmissionRow.received_at == query.received_at,
                                  SubmissionRow.message_row_id < own_row))
    history = session.execute(
        select(SubmissionRow.id, SubmissionRow.received_at, SubmissionRow.message_id,
               DecisionRow.status)
        .join(DecisionRow, DecisionRow.submission_id == SubmissionRow.id)
        .where(SubmissionRow.branch_id == query.branch_id, or_(*same_claim), before,
               SubmissionRow.message_sha256 != query.message_sha256)
        .order_by(SubmissionRow.received_at, SubmissionRow.message_row_id)
    ).all()
    open_ones: list[tuple[int, datetime, str | None]] = []
    for sub_id, received_at, message_id, status in history:
        if status in _CLOSING:
            open_ones.clear()
        elif status == _OPEN:
            open_ones.append((sub_id, received_at, message_id))
    if not open_ones:
        return ()
    docs: dict[int, list[Document]] = {sub_id: [] for sub_id, _, _ in open_ones}
    for row in session.scalars(select(DocumentRow).where(DocumentRow.submission_id.in_(docs))
                               .order_by(DocumentRow.id)):
        docs[row.submission_id].append(_document(row))
    return tuple(EarlierSubmission(submission_id=sub_id, received_at=received_at,
                                   message_id=message_id, documents=tuple(docs[sub_id]))
                 for sub_id, received_at, message_id in open_ones)

"""A submission as an officer sees it, and the actions that settle it.

Every function takes the viewer and looks the submission up within the
viewer's branches only: outside them it does not exist (NotFound). Each
action writes the review state and one audit entry in the same
transaction; the machine's decision in `decisions` is never changed.
"""

from __future__ import annotations

import email
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message
from email.policy import default as default_policy

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.adapters.archive import Archive
from pipeline.intake import build_submission
from pipeline.pages import render_pages
from pipeline.process import find_record
from pipeline.replies.compose import compose_reply
from pipeline.replies.mime import render_reply
from pipeline.settings import Settings
from pipeline.store import records, resubmissions
from pipeline.store.models import (AuditRow, CorrectionRow, DecisionRow, DocumentRow, FindingRow,
                                   OutboxRow, ReviewRow, SubmissionRow)
from pipeline.store.results import load_unreadable
from pipeline.types import (Action, Booking, Decision, DecisionStatus, Document, Finding,
                            Participant, Reply, Severity, Submission, UnreadableAttachment)
from pipeline.web.labels import record_value, same_value
from pipeline.web.rerun import document_from_row, rerun_rules
from pipeline.web.scope import Viewer
from rules.packet import packet_kpj, packet_nik
from rules.regions import Regions


class NotFound(Exception):
    """No such submission for this viewer (it may exist in another branch)."""


class Refused(Exception):
    """An action that cannot be done now; the message is shown to the officer."""


@dataclass(frozen=True)
class DeskContext:
    settings: Settings
    archive: Archive
    regions: Regions
    now: Callable[[], datetime]


# --------------------------------------------------------------------------
# Looking up, within the viewer's scope
# --------------------------------------------------------------------------


def submission_in_scope(session: Session, viewer: Viewer, submission_id: int) -> SubmissionRow:
    row = session.get(SubmissionRow, submission_id)
    if row is None or not viewer.may_see(row.branch_id):
        raise NotFound(submission_id)
    return row


def document_in_scope(session: Session, viewer: Viewer, submission_id: int,
                      document_id: int) -> tuple[SubmissionRow, DocumentRow]:
    sub = submission_in_scope(session, viewer, submission_id)
    doc = session.get(DocumentRow, document_id)
    if doc is None or doc.submission_id != sub.id:
        raise NotFound(document_id)
    return sub, doc


def _review(session: Session, submission_id: int) -> ReviewRow:
    row = session.scalars(select(ReviewRow).where(ReviewRow.submission_id == submission_id)
                          ).first()
    if row is None:
        row = ReviewRow(submission_id=submission_id)
        session.add(row)
        session.flush()
    return row


def _corrections(session: Session, submission_id: int) -> dict[int, dict[str, str | None]]:
    """Per document id, the latest corrected value of each corrected field."""
    out: dict[int, dict[str, str | None]] = {}
    for row in session.scalars(select(CorrectionRow).where(
            CorrectionRow.submission_id == submission_id).order_by(CorrectionRow.id)):
        out.setdefault(row.document_id, {})[row.field] = row.new_value
    return out


def _documents(session: Session, submission_id: int
               ) -> list[tuple[DocumentRow, Document, dict[str, str | None]]]:
    corrected = _corrections(session, submission_id)
    rows = session.scalars(select(DocumentRow).where(DocumentRow.submission_id == submission_id)
                           .order_by(DocumentRow.attachment_index, DocumentRow.page_number,
                                     DocumentRow.id)).all()
    out = []
    for row in rows:
        mine = corrected.get(row.id, {})
        doc = document_from_row(row.attachment_index, row.page_number, row.filename, row.kind,
                                row.kind_confidence, row.quality, row.fields, mine, row.part)
        out.append((row, doc, mine))
    return out


def raw_message(ctx: DeskContext, sub: SubmissionRow) -> bytes:
    return ctx.archive.get(sub.message_sha256)


def parsed_submission(ctx: DeskContext, sub: SubmissionRow) -> Submission:
    return build_submission(sub.branch_id, raw_message(ctx, sub), sub.received_at,
                            ctx.settings.limits)


def unreadable_attachments(ctx: DeskContext, sub: SubmissionRow, parsed: Submission
                           ) -> list[UnreadableAttachment]:
    """The attachments that yielded no page, as processing found them."""
    if sub.unreadable_attachments is not None:
        return load_unreadable(sub.unreadable_attachments)
    # Rows stored before migration 0006 do not hold the list: decoding and
    # rendering the archived attachments again is the only way left to know.
    _pages, unreadable = render_pages(parsed, ctx.settings.limits)
    return unreadable


# --------------------------------------------------------------------------
# The submission page
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldView:
    name: str
    value: str | None
    original: str | None
    corrected: bool
    record: str | None
    agrees: bool | None
    confidence: float
    box: tuple[int, int, int, int] | None


@dataclass(frozen=True)
class DocumentView:
    id: int
    filename: str
    attachment_index: int
    page_number: int
    kind: str
    readable: bool
    fields: list[FieldView]
    part: int | None = None  # which of several documents on the page


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    target: str | None
    before: dict[str, object] | None
    after: dict[str, object] | None


@dataclass(frozen=True)
class EmailView:
    headers: list[tuple[str, str]]
    body: str
    attachments: list[tuple[str, str, int]]


@dataclass
class Detail:
    sub: SubmissionRow
    machine_status: str
    machine_decided_at: datetime
    status: str
    decided_by: str | None
    findings: list[Finding]
    documents: list[DocumentView]
    participant: Participant | None
    nik: str | None
    booking_code: str | None
    appointment_at: datetime | None
    email: EmailView
    history: list[HistoryEntry]
    lock_holder: str | None
    lock_until: datetime | None
    replies: list[OutboxRow] = field(default_factory=list)


def _findings_of(session: Session, sub_id: int, review: ReviewRow | None) -> list[Finding]:
    if review is not None and review.findings is not None:
        return [Finding.model_validate(item) for item in review.findings]
    return [Finding(rule_id=f.rule_id, severity=Severity(f.severity), action=Action(f.action),
                    message_id=f.message_id, message_en=f.message_en,
                    evidence={k: (None if v is None else str(v)) for k, v in f.evidence.items()})
            for f in session.scalars(select(FindingRow).where(FindingRow.submission_id == sub_id)
                                     .order_by(FindingRow.id))]


_SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Date", "Subject", "Message-ID")


def _email_view(raw: bytes, parsed: Submission) -> EmailView:
    message: Message = email.message_from_bytes(raw, policy=default_policy)
    headers = []
    for name in _SHOWN_HEADERS:
        value = message.get(name)
        if value is not None:
            try:
                headers.append((name, " ".join(str(value).split())))
            except Exception:  # noqa: BLE001 - a header that cannot be decoded is shown raw
                headers.append((name, repr(value)))
    return EmailView(headers=headers, body=parsed.body_text,
                     attachments=[(a.filename, a.sniffed_type, a.size)
                                  for a in parsed.attachments])


def participant_for(session: Session, ctx: DeskContext, parsed: Submission,
                    documents: list[Document], today: datetime) -> tuple[str | None,
                                                                        Participant | None]:
    nik = packet_nik(documents, ctx.regions, today.date())
    kpj = packet_kpj(documents)
    return nik, find_record(lambda n, k, e: records.find_participant(session, n, k, e),
                            nik, kpj, parsed.sender)


def load_detail(session: Session, ctx: DeskContext, viewer: Viewer, submission_id: int
                ) -> Detail:
    sub = submission_in_scope(session, viewer, submission_id)
    decision = session.scalars(select(DecisionRow).where(DecisionRow.submission_id == sub.id)
                               ).one()
    review = session.scalars(select(ReviewRow).where(ReviewRow.submission_id == sub.id)).first()
    raw = raw_message(ctx, sub)
    parsed = build_submission(sub.branch_id, raw, sub.received_at, ctx.settings.limits)
    docs = _documents(session, sub.id)
    nik, participant = participant_for(session, ctx, parsed, [d for _, d, _ in docs],
                                       decision.decided_at)
    booking = records.find_booking(session, sub.booking_code,
                                   participant.nik if participant else nik, sub.branch_id)
    views = []
    for row, doc, corrected in docs:
        originals = {str(f["name"]): f.get("value") for f in row.fields}
        fields = []
        for item in doc.fields:
            record = record_value(participant, item.name)
            box = (item.box.x, item.box.y, item.box.w, item.box.h) if item.box else None
            original = originals.get(item.name)
            fields.append(FieldView(
                name=item.name, value=item.value,
                original=None if original is None else str(original),
                corrected=item.name in corrected, record=record,
                agrees=same_value(item.value, record), confidence=item.confidence, box=box))
        views.append(DocumentView(id=row.id, filename=row.filename,
                                  attachment_index=row.attachment_index,
                                  page_number=row.page_number, kind=row.kind,
                                  readable=doc.quality.readable if doc.quality else True,
                                  fields=fields, part=row.part))
    history = [HistoryEntry(at=a.at, actor=a.actor, action=a.action, target=a.target,
                            before=a.before, after=a.after)
               for a in session.scalars(select(AuditRow).where(AuditRow.submission_id == sub.id)
                                        .order_by(AuditRow.at, AuditRow.id))]
    replies = list(session.scalars(select(OutboxRow).where(OutboxRow.submission_id == sub.id)
                                   .order_by(OutboxRow.id)))
    now = ctx.now()
    holder = until = None
    if review is not None and review.locked_until is not None and review.locked_until > now:
        holder, until = review.locked_by, review.locked_until
    return Detail(
        sub=sub, machine_status=decision.status, machine_decided_at=decision.decided_at,
        status=(review.status if review and review.status else decision.status),
        decided_by=review.decided_by if review else None,
        findings=_findings_of(session, sub.id, review), documents=views,
        participant=participant, nik=nik,
        booking_code=booking.code if booking else sub.booking_code,
        appointment_at=booking.appointment_at if booking else None,
        email=_email_view(raw, parsed), history=history, lock_holder=holder, lock_until=until,
        replies=replies)


# --------------------------------------------------------------------------
# The lock and the audit log
# --------------------------------------------------------------------------


def take_lock(session: Session, ctx: DeskContext, viewer: Viewer, submission_id: int
              ) -> tuple[str, datetime]:
    """Reserve the submission for the viewer unless someone else holds it; who holds it."""
    submission_in_scope(session, viewer, submission_id)
    review = _review(session, submission_id)
    now = ctx.now()
    if review.locked_by not in (None, viewer.username) and review.locked_until is not None \
            and review.locked_until > now:
        return review.locked_by or "", review.locked_until
    review.locked_by = viewer.username
    review.locked_until = now + timedelta(minutes=ctx.settings.web.lock_minutes)
    return viewer.username, review.locked_until


def _check_lock(review: ReviewRow, viewer: Viewer, now: datetime) -> None:
    if review.locked_by not in (None, viewer.username) and review.locked_until is not None \
            and review.locked_until > now:
        raise Refused(f"Pengajuan ini sedang dikerjakan oleh {review.locked_by}.")


def append_audit(session: Session, at: datetime, actor: str, action: str,
                 submission_id: int | None, target: str | None,
                 before: dict[str, object] | None, after: dict[str, object] | None) -> None:
    """One entry of the audit log; the database refuses any later change to it."""
    session.add(AuditRow(at=at, actor=actor, action=action, submission_id=submission_id,
                         target=target, before=before, after=after))


def _current_status(session: Session, sub_id: int, review: ReviewRow) -> str:
    if review.status:
        return review.status
    return session.scalars(select(DecisionRow.status).where(DecisionRow.submission_id == sub_id)
                           ).one()


def _settle(session: Session, ctx: DeskContext, viewer: Viewer, submission_id: int,
            action: str, status: str, extra_after: dict[str, object] | None = None,
            target: str | None = None) -> ReviewRow:
    submission_in_scope(session, viewer, submission_id)
    review = _review(session, submission_id)
    now = ctx.now()
    _check_lock(review, viewer, now)
    before = {"status": _current_status(session, submission_id, review)}
    review.status = status
    review.decided_by = viewer.username
    review.decided_at = now
    review.locked_by = review.locked_until = None  # settled: free for anyone to look at
    append_audit(session, now, viewer.username, action, submission_id, target, before,
                 {"status": status, **(extra_after or {})})
    return review


def approve(session: Session, ctx: DeskContext, viewer: Viewer, submission_id: int) -> None:
    _settle(session, ctx, viewer, submission_id, "approve", DecisionStatus.COMPLETE.value)


def reject(session: Session, ctx: DeskContext, viewer: Viewer, submission_id: int,
           reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise Refused("Tuliskan alasan penolakan.")
    _settle(session, ctx, viewer, submission_id, "reject", DecisionStatus.REJECTED.value,
            {"reason": reason[:2000]})


# --------------------------------------------------------------------------
# Correcting a field: the rules run again
# --------------------------------------------------------------------------


def correct_field(session: Session, ctx: DeskContext, viewer: Viewer, submission_id: int,
                  document_id: int, name: str, value: str) -> Decision:
    """Store the corrected value, re-run the rules, and make their decision the shown one."""
    sub, doc_row = document_in_scope(session, viewer, submission_id, document_id)
    review = _review(session, sub.id)
    now = ctx.now()
    _check_lock(review, viewer, now)
    value = " ".join(value.split()).upper() if name != "email" else value.strip()
    if not value:
        raise Refused("Nilai koreksi tidak boleh kosong.")
    known = {str(f["name"]) for f in doc_row.fields}
    if name not in known:
        raise Refused("Kolom ini tidak ada pada dokumen.")
    docs_before = _documents(session, sub.id)
    old = next((d.value(name) for row, d, _ in docs_before if row.id == doc_row.id), None)
    status_before = _current_status(session, sub.id, review)
    session.add(CorrectionRow(submission_id=sub.id, document_id=doc_row.id, field=name,
                              old_value=old, new_value=value, corrected_by=viewer.username,
                              corrected_at=now))
    session.flush()
    parsed = parsed_submission(ctx, sub)
    unreadable = unreadable_attachments(ctx, sub, parsed)
    machine = session.scalars(select(DecisionRow).where(DecisionRow.submission_id == sub.id)
                              ).one()
    decision, _nik, _participant = rerun_rules(
        parsed, [d for _, d, _ in _documents(session, sub.id)], unreadable,
        lambda n, k, e: records.find_participant(session, n, k, e),
        lambda c, n, b: records.find_booking(session, c, n, b),
        lambda query: resubmissions.earlier_submissions(session, query),
        ctx.regions, machine.decided_at.date(), ctx.settings.zone_of(sub.branch_id))
    review.findings = [f.model_dump(mode="json") for f in decision.findings]
    review.rerun_status = decision.status.value
    review.status = decision.status.value
    review.decided_by = viewer.username
    review.decided_at = now
    append_audit(session, now, viewer.username, "correct", sub.id,
                 f"dokumen {doc_row.id} ({doc_row.kind}) kolom {name}",
                 {"field": name, "value": old, "status": status_before},
                 {"field": name, "value": value, "status": decision.status.value,
                  "findings": [f.rule_id for f in decision.findings]})
    return decision


# --------------------------------------------------------------------------
# Asking the participant for documents, through the outbox
# --------------------------------------------------------------------------


def _request_findings(findings: list[Finding]) -> list[Finding]:
    """What the participant can act on: the asks, else whatever the officer must raise."""
    asks = [f for f in findings if f.action is Action.ASK]
    return asks or [f for f in findings if f.action in (Action.REVIEW, Action.REJECT)]


def draft_request(session: Session, ctx: DeskContext, viewer: Viewer, submission_id: int
                  ) -> str:
    """The reply text asking for documents, composed from the current findings."""
    inputs = _request_inputs(session, ctx, viewer, submission_id)
    items = tuple(f.model_copy(update={"action": Action.ASK})
                  for f in _request_findings(inputs.findings))
    reply = _compose(ctx, inputs, Decision(status=DecisionStatus.INCOMPLETE, findings=items))
    return reply.body_text if reply is not None else ""


@dataclass(frozen=True)
class _RequestInputs:
    findings: list[Finding]
    parsed: Submission
    documents: list[Document]
    participant: Participant | None
    booking: Booking | None
    booking_code: str | None


def _request_inputs(session: Session, ctx: DeskContext, viewer: Viewer, submission_id: int
                    ) -> _RequestInputs:
    sub = submission_in_scope(session, viewer, submission_id)
    review = session.scalars(select(ReviewRow).where(ReviewRow.submission_id == sub.id)).first()
    parsed = parsed_submission(ctx, sub)
    machine = session.scalars(select(DecisionRow).where(DecisionRow.submission_id == sub.id)
                              ).one()
    documents = [d for _, d, _ in _documents(session, sub.id)]
    nik, participant = participant_for(session, ctx, parsed, documents, machine.decided_at)
    booking = records.find_booking(session, sub.booking_code,
                                   participant.nik if participant else nik, sub.branch_id)
    return _RequestInputs(findings=_findings_of(session, sub.id, review), parsed=parsed,
                          documents=documents, participant=participant, booking=booking,
                          booking_code=booking.code if booking else sub.booking_code)


def _compose(ctx: DeskContext, inputs: _RequestInputs, decision: Decision) -> Reply | None:
    return compose_reply(submission=inputs.parsed, decision=decision,
                         branch=ctx.settings.branch(inputs.parsed.branch_id),
                         participant=inputs.participant, booking=inputs.booking,
                         booking_code=inputs.booking_code, now=ctx.now(),
                         zone=ctx.settings.zone_of(inputs.parsed.branch_id),
                         documents=inputs.documents)


def request_documents(session: Session, ctx: DeskContext, viewer: Viewer, submission_id: int,
                      body: str) -> str:
    """Queue the (edited) reply in the outbox; the outbox sender sends it. Its Message-ID."""
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise Refused("Isi email tidak boleh kosong.")
    sub = submission_in_scope(session, viewer, submission_id)
    parsed = parsed_submission(ctx, sub)
    if not parsed.sender or "@" not in parsed.sender:
        raise Refused("Pengirim email tidak diketahui: balasan tidak dapat dikirim.")
    branch = ctx.settings.branch(sub.branch_id)
    now = ctx.now()
    reply = _compose(ctx, _request_inputs(session, ctx, viewer, submission_id),
                     Decision(status=DecisionStatus.INCOMPLETE))
    if reply is None:
        raise Refused("Pengirim ini tidak menerima balasan (alamat otomatis).")
    earlier = len(session.scalars(select(OutboxRow.id).where(OutboxRow.submission_id == sub.id)
                                  ).all())
    # A fixed, distinct Message-ID per request: a resend after a crash is the same mail.
    key = f"{sub.branch_id}\n{sub.message_sha256}\nreview-{earlier + 1}".encode()
    domain = branch.reply_from.partition("@")[2] or "localhost"
    message_id = f"<jht-{hashlib.sha256(key).hexdigest()[:32]}@{domain}>"
    reply = reply.model_copy(update={"message_id": message_id, "body_text": body + "\n"})
    _settle(session, ctx, viewer, submission_id, "request_documents",
            DecisionStatus.INCOMPLETE.value, {"message_id": message_id, "body": body},
            target=reply.to)
    session.add(OutboxRow(submission_id=sub.id, branch_id=sub.branch_id, message_id=message_id,
                          to_addr=reply.to, from_addr=reply.from_addr, subject=reply.subject,
                          raw=render_reply(reply), status="pending", attempts=0, created_at=now))
    return message_id

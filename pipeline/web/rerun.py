"""The rules re-run on a submission whose fields an officer corrected.

The same steps as the tail of pipeline.process.process_message, from the
documents on: who the packet is about, the findings, the decision. The
documents come from the database with the officer's corrections applied;
`today` is the day of the machine's decision, so the only thing that
changes between the two evaluations is what the officer corrected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from pipeline.decide import decide
from pipeline.process import FindBooking, FindEarlier, FindParticipant, find_record
from pipeline.resubmission import EarlierQuery, merge_documents, merge_note, thread_ids
from pipeline.types import (Booking, Decision, Document, DocumentKind, ExtractedField, PageRef,
                            Participant, Quality, Submission, UnreadableAttachment)
from rules.base import CheckInput
from rules.packet import packet_kpj, packet_nik
from rules.registry import evaluate_rules
from rules.regions import Regions

# Confidence given to a value an officer typed: read by a person from the scan.
CORRECTED_CONFIDENCE = 1.0


def document_from_row(attachment_index: int, page_number: int, filename: str, kind: str,
                      kind_confidence: float, quality: Mapping[str, object] | None,
                      fields: Sequence[Mapping[str, object]],
                      corrections: Mapping[str, str | None]) -> Document:
    """A stored document as the rules see it, with corrected values put in."""
    out: list[ExtractedField] = []
    for item in fields:
        field = ExtractedField.model_validate(dict(item))
        if field.name in corrections:
            field = field.model_copy(update={"value": corrections[field.name],
                                             "confidence": CORRECTED_CONFIDENCE})
        out.append(field)
    present = {f.name for f in out}
    for name, value in corrections.items():
        if name not in present:  # a field the reader did not find at all
            out.append(ExtractedField(name=name, value=value, confidence=CORRECTED_CONFIDENCE,
                                      box=None, raw=None))
    return Document(ref=PageRef(attachment_index=attachment_index, page_number=page_number),
                    filename=filename, kind=DocumentKind(kind), kind_confidence=kind_confidence,
                    fields=tuple(out),
                    quality=Quality.model_validate(dict(quality)) if quality else None)


def rerun_rules(submission: Submission, documents: Sequence[Document],
                unreadable: Sequence[UnreadableAttachment], find_participant: FindParticipant,
                find_booking: FindBooking, find_earlier: FindEarlier, regions: Regions,
                today: date) -> tuple[Decision, str | None, Participant | None]:
    """The decision the rules reach on these documents; also the NIK and record found.

    Mirrors process_message: documents of earlier incomplete submissions of
    the same claim count with these, as they did for the machine's decision.
    """
    def identify(docs: tuple[Document, ...]) -> tuple[str | None, Participant | None,
                                                      Booking | None]:
        nik = packet_nik(docs, regions, today)
        participant = find_record(find_participant, nik, packet_kpj(docs), submission.sender)
        booking = find_booking(submission.booking_code,
                               participant.nik if participant else nik, submission.branch_id)
        return nik, participant, booking

    docs = tuple(documents)
    nik, participant, booking = identify(docs)
    merge = merge_documents(docs, ())
    if submission.attachments and submission.unreadable_reason is None:
        earlier = find_earlier(EarlierQuery(
            branch_id=submission.branch_id,
            booking_code=booking.code if booking else submission.booking_code,
            nik=participant.nik if participant else nik,
            thread=thread_ids(submission.in_reply_to, submission.references),
            received_at=submission.received_at, message_sha256=submission.message_sha256))
        merge = merge_documents(docs, earlier)
        if merge.counted:
            nik, participant, booking = identify(merge.documents)
    findings = evaluate_rules(CheckInput(
        submission=submission, documents=merge.documents, unreadable=tuple(unreadable),
        participant=participant, booking=booking, nik=nik, today=today,
    ))
    note = merge_note(merge)
    return decide((*findings, note) if note else findings), nik, participant

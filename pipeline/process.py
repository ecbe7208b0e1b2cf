"""One message end to end, as plain calls: testable without Prefect.

    raw bytes -> Submission -> Pages -> PreparedPages -> Documents
              -> who it is about -> + earlier documents of the same claim
              -> Findings -> Decision -> Reply

Look-ups of records, bookings and earlier submissions are passed in as
functions, so this module does no I/O of its own except through the OCR
engine it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date, datetime

from extractors import read_page
from pipeline.adapters.ocr import OcrEngine
from pipeline.decide import decide
from pipeline.intake import build_submission
from pipeline.pages import prepare_page, render_pages
from pipeline.replies.compose import compose_reply
from pipeline.resubmission import (
    EarlierQuery,
    EarlierSubmission,
    Merge,
    merge_documents,
    merge_note,
    thread_ids,
)
from pipeline.settings import Branch, LimitSettings
from pipeline.types import Booking, Document, Outcome, Page, Participant, Submission
from rules.base import CheckInput
from rules.packet import packet_kpj, packet_nik
from rules.registry import evaluate_rules
from rules.regions import Regions

FindParticipant = Callable[[str | None, str | None, str | None], Participant | None]
FindBooking = Callable[[str | None, str | None, str], Booking | None]
FindEarlier = Callable[[EarlierQuery], tuple[EarlierSubmission, ...]]


def no_earlier_submissions(_query: EarlierQuery) -> tuple[EarlierSubmission, ...]:
    """For callers without a store of decided submissions: every message stands alone."""
    return ()


@dataclass(frozen=True)
class Services:
    """What processing needs from outside, handed in by the caller."""

    engine: OcrEngine
    regions: Regions
    limits: LimitSettings
    find_participant: FindParticipant
    find_booking: FindBooking
    timezone: str = "Asia/Jakarta"
    # Shared by every branch polled at once, so the number of OCR processes
    # stays at the pool's size. pytesseract waits on a child process, so
    # threads give real parallelism up to the number of cores.
    ocr_pool: Executor | None = None
    # Earlier incomplete submissions of the same claim (pipeline/store/resubmissions.py).
    earlier_submissions: FindEarlier = no_earlier_submissions


def read_document(page: Page, engine: OcrEngine) -> Document:
    return read_page(prepare_page(page), engine)


def read_documents(pages: Sequence[Page], services: Services) -> tuple[Document, ...]:
    """Every page read, in page order."""
    if services.ocr_pool is None or len(pages) <= 1:
        return tuple(read_document(page, services.engine) for page in pages)
    return tuple(services.ocr_pool.map(lambda page: read_document(page, services.engine), pages))


# Digits in which a read NIK may differ from a record found by other means
# and still be taken for that person's, pending an officer's check (NIK-002).
NEAR_NIK_DIGITS = 2


def digits_apart(first: str, second: str) -> int:
    if len(first) != len(second):
        return max(len(first), len(second))
    return sum(a != b for a, b in zip(first, second, strict=True))


def find_record(find: FindParticipant, nik: str | None, kpj: str | None,
                sender: str | None) -> Participant | None:
    """The participant the packet is about.

    By the NIK read from the documents; when that NIK is in no record, a
    record found by KPJ or sender address whose NIK differs in a digit or
    two is taken instead (a misread digit is likelier than a stranger
    writing from the participant's address): rule NIK-002 then puts the
    difference in front of an officer rather than rejecting the claim.
    """
    found = find(nik, kpj, sender)
    if found is not None or nik is None:
        return found
    nearby = find(None, kpj, sender)
    if nearby is not None and digits_apart(nearby.nik, nik) <= NEAR_NIK_DIGITS:
        return nearby
    return None


@dataclass(frozen=True)
class Identity:
    """Who a packet is about: the NIK its documents show, the record, the booking."""

    nik: str | None
    participant: Participant | None
    booking: Booking | None


def identify(documents: Sequence[Document], submission: Submission, branch: Branch,
             services: Services, today: date) -> Identity:
    nik = packet_nik(documents, services.regions, today)
    kpj = packet_kpj(documents)
    participant = find_record(services.find_participant, nik, kpj, submission.sender)
    booking = services.find_booking(submission.booking_code,
                                    participant.nik if participant else nik, branch.id)
    return Identity(nik, participant, booking)


def process_message(branch: Branch, raw: bytes, received_at: datetime, services: Services,
                    now: datetime) -> Outcome:
    """Decide one message. Bad input yields findings; only infrastructure raises."""
    today: date = now.date()
    submission = build_submission(branch.id, raw, received_at, services.limits)
    pages, unreadable = render_pages(submission, services.limits)
    documents = read_documents(pages, services)
    who = identify(documents, submission, branch, services, today)
    merge = Merge(documents=documents)
    # A message with files may complete an earlier incomplete one: its documents
    # count together. A message without files is a question, not a resubmission.
    if submission.attachments and submission.unreadable_reason is None:
        earlier = services.earlier_submissions(EarlierQuery(
            branch_id=branch.id,
            booking_code=who.booking.code if who.booking else submission.booking_code,
            nik=who.participant.nik if who.participant else who.nik,
            thread=thread_ids(submission.in_reply_to, submission.references),
            received_at=submission.received_at, message_sha256=submission.message_sha256))
        merge = merge_documents(documents, earlier)
        if merge.counted:
            who = identify(merge.documents, submission, branch, services, today)
    findings = evaluate_rules(CheckInput(
        submission=submission, documents=merge.documents, unreadable=tuple(unreadable),
        participant=who.participant, booking=who.booking, nik=who.nik, today=today,
    ))
    note = merge_note(merge)
    decision = decide((*findings, note) if note else findings)
    booking_code = who.booking.code if who.booking else submission.booking_code
    reply = compose_reply(submission, decision, branch, who.participant, who.booking,
                          booking_code, now, services.timezone, merge.documents, merge.counted)
    return Outcome(
        submission=submission, documents=documents, unreadable=tuple(unreadable), nik=who.nik,
        participant_nik=who.participant.nik if who.participant else None,
        booking_code=booking_code, decision=decision, reply=reply,
        ocr_engine=f"{services.engine.name} {services.engine.version()}" if pages else None,
        merged_from=merge.submissions,
    )

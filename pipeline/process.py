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
from zoneinfo import ZoneInfo

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
from pipeline.types import (
    Booking,
    Decision,
    Document,
    Outcome,
    Page,
    Participant,
    Submission,
    UnreadableAttachment,
)
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
    timezone: str = "Asia/Jakarta"  # for a branch that names no zone of its own
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
    kpj: str | None
    participant: Participant | None
    # The record the KPJ alone points to, so a rule can tell whether NIK and
    # KPJ name the same person.
    kpj_participant: Participant | None
    booking: Booking | None


@dataclass(frozen=True)
class Lookups:
    """The look-ups deciding needs, as functions: the store behind them is the caller's."""

    find_participant: FindParticipant
    find_booking: FindBooking
    earlier_submissions: FindEarlier
    regions: Regions
    timezone: str


@dataclass(frozen=True)
class Assessment:
    """What the rules made of a packet: who, what counted, the decision."""

    who: Identity
    merge: Merge
    decision: Decision


def identify(documents: Sequence[Document], submission: Submission, lookups: Lookups,
             today: date) -> Identity:
    nik = packet_nik(documents, lookups.regions, today)
    kpj = packet_kpj(documents)
    participant = find_record(lookups.find_participant, nik, kpj, submission.sender)
    kpj_participant = lookups.find_participant(None, kpj, None) if kpj else None
    booking = lookups.find_booking(submission.booking_code,
                                   participant.nik if participant else nik, submission.branch_id)
    return Identity(nik, kpj, participant, kpj_participant, booking)


def assess(submission: Submission, documents: tuple[Document, ...],
           unreadable: tuple[UnreadableAttachment, ...], lookups: Lookups,
           today: date) -> Assessment:
    """From the documents on: who, earlier documents of the same claim, findings, decision.

    Shared by the pipeline and the review desk's re-run after a correction,
    so an officer's corrected packet is judged exactly as the machine would.
    """
    who = identify(documents, submission, lookups, today)
    merge = Merge(documents=documents)
    # A message with files may complete an earlier incomplete one: its documents
    # count together. A message without files is a question, not a resubmission.
    if submission.attachments and submission.unreadable_reason is None:
        earlier = lookups.earlier_submissions(EarlierQuery(
            branch_id=submission.branch_id,
            booking_code=who.booking.code if who.booking else submission.booking_code,
            nik=who.participant.nik if who.participant else who.nik,
            thread=thread_ids(submission.in_reply_to, submission.references),
            received_at=submission.received_at, message_sha256=submission.message_sha256))
        merge = merge_documents(documents, earlier)
        if merge.counted:
            who = identify(merge.documents, submission, lookups, today)
    findings = evaluate_rules(CheckInput(
        submission=submission, documents=merge.documents, unreadable=unreadable,
        participant=who.participant, booking=who.booking, nik=who.nik, kpj=who.kpj,
        kpj_participant=who.kpj_participant, timezone=lookups.timezone, today=today,
    ))
    note = merge_note(merge)
    return Assessment(who, merge, decide((*findings, note) if note else findings))


def process_message(branch: Branch, raw: bytes, received_at: datetime, services: Services,
                    now: datetime) -> Outcome:
    """Decide one message. Bad input yields findings; only infrastructure raises."""
    # Times in findings and the reply are the branch's own (WIB, WITA, WIT),
    # and so is "today": at 06:30 WITA it is already tomorrow in UTC terms.
    zone = branch.timezone or services.timezone
    today: date = now.astimezone(ZoneInfo(zone)).date()
    submission = build_submission(branch.id, raw, received_at, services.limits)
    pages, unreadable = render_pages(submission, services.limits)
    documents = read_documents(pages, services)
    lookups = Lookups(services.find_participant, services.find_booking,
                      services.earlier_submissions, services.regions, zone)
    result = assess(submission, documents, tuple(unreadable), lookups, today)
    who, merge, decision = result.who, result.merge, result.decision
    booking_code = who.booking.code if who.booking else submission.booking_code
    reply = compose_reply(submission, decision, branch, who.participant, who.booking,
                          booking_code, now, zone, merge.documents, merge.counted)
    return Outcome(
        submission=submission, documents=documents, unreadable=tuple(unreadable), nik=who.nik,
        participant_nik=who.participant.nik if who.participant else None,
        booking_code=booking_code, decision=decision, reply=reply,
        ocr_engine=f"{services.engine.name} {services.engine.version()}" if pages else None,
        merged_from=merge.submissions,
    )

"""One message end to end, as plain calls: testable without Prefect.

    raw bytes -> Submission -> Pages -> PreparedPages -> Documents
              -> who it is about -> Findings -> Decision -> Reply

Look-ups of records and bookings are passed in as functions, so this module
does no I/O of its own except through the OCR engine it is given.
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
from pipeline.settings import Branch, LimitSettings
from pipeline.types import Booking, Document, Outcome, Page, Participant
from rules.base import CheckInput
from rules.packet import packet_kpj, packet_nik
from rules.registry import evaluate_rules
from rules.regions import Regions

FindParticipant = Callable[[str | None, str | None, str | None], Participant | None]
FindBooking = Callable[[str | None, str | None, str], Booking | None]


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


def process_message(branch: Branch, raw: bytes, received_at: datetime, services: Services,
                    now: datetime) -> Outcome:
    """Decide one message. Bad input yields findings; only infrastructure raises."""
    today: date = now.date()
    submission = build_submission(branch.id, raw, received_at, services.limits)
    pages, unreadable = render_pages(submission, services.limits)
    documents = read_documents(pages, services)
    nik = packet_nik(documents, services.regions, today)
    kpj = packet_kpj(documents)
    participant = find_record(services.find_participant, nik, kpj, submission.sender)
    booking = services.find_booking(submission.booking_code,
                                    participant.nik if participant else nik, branch.id)
    findings = evaluate_rules(CheckInput(
        submission=submission, documents=documents, unreadable=tuple(unreadable),
        participant=participant, booking=booking, nik=nik, today=today,
    ))
    decision = decide(findings)
    booking_code = booking.code if booking else submission.booking_code
    reply = compose_reply(submission, decision, branch, participant, booking_code, now,
                          services.timezone)
    return Outcome(
        submission=submission, documents=documents, unreadable=tuple(unreadable), nik=nik,
        participant_nik=participant.nik if participant else None, booking_code=booking_code,
        decision=decision, reply=reply,
        ocr_engine=f"{services.engine.name} {services.engine.version()}" if pages else None,
    )

"""The values that pass between the stages of the pipeline.

Every stage is a plain function from one of these immutable values to the
next (see docs/architecture.md). Nothing here does I/O; images are numpy
arrays so that pages can cross process boundaries cheaply (pickle).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field as PydField, PlainSerializer


class Frozen(BaseModel):
    """Base of every stage value: immutable, no unknown attributes."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _array_summary(image: np.ndarray) -> dict[str, Any]:
    # Pixels are never serialised (JSON dumps are for reports and goldens).
    return {"shape": list(image.shape), "dtype": str(image.dtype)}


Image = Annotated[
    np.ndarray,
    PlainSerializer(_array_summary, return_type=dict, when_used="json"),
]


# --------------------------------------------------------------------------
# Mail
# --------------------------------------------------------------------------


class RawMessage(Frozen):
    """One message as fetched from a branch inbox, archived before anything else."""

    branch_id: str
    folder: str
    uidvalidity: int
    uid: int
    message_id: str | None
    sha256: str
    internal_date: datetime | None
    raw: bytes = PydField(repr=False)


class AttachmentProblem(StrEnum):
    """Why an attachment cannot be read, as a reason a reply can name."""

    TOO_LARGE = "too_large"
    DECODE_ERROR = "decode_error"
    UNSUPPORTED_TYPE = "unsupported_type"
    EMPTY = "empty"


class Attachment(Frozen):
    """A file carried by a message, typed by its bytes, not by its label."""

    index: int
    filename: str
    declared_type: str
    sniffed_type: str
    size: int
    sha256: str
    data: bytes = PydField(repr=False, default=b"")
    problem: AttachmentProblem | None = None
    # Path of MIME parts leading here, e.g. "2.1" inside a forwarded message.
    part_path: str = ""


class Submission(Frozen):
    """What a participant sent: the parsed message with its attachments."""

    branch_id: str
    message_sha256: str
    message_id: str | None
    sender: str | None
    sender_name: str | None
    subject: str
    received_at: datetime
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    body_text: str = ""
    booking_code: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # Parse problems noticed in the MIME structure; kept, never fatal.
    defects: tuple[str, ...] = ()
    # Set when the message itself could not be understood at all.
    unreadable_reason: str | None = None


# --------------------------------------------------------------------------
# Pages and OCR
# --------------------------------------------------------------------------


class PageRef(Frozen):
    """Where a page came from: attachment index and 1-based page number.

    `part` numbers the documents found side by side on one page (several
    cards scanned together), 1-based in reading order; None when the page
    holds one document, as every page did before pages were split.
    """

    attachment_index: int
    page_number: int = 1
    part: int | None = None


class PageProblem(StrEnum):
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_CORRUPT = "pdf_corrupt"
    IMAGE_CORRUPT = "image_corrupt"
    TOO_MANY_PAGES = "too_many_pages"
    TOO_LARGE = "too_large"
    UNSUPPORTED_TYPE = "unsupported_type"


class Page(Frozen):
    """One raster image: a decoded image file or a rendered PDF page."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    ref: PageRef
    filename: str
    image: Image = PydField(repr=False)
    dpi: int | None = None


class UnreadableAttachment(Frozen):
    """An attachment that yielded no page, with the reason."""

    ref: PageRef
    filename: str
    problem: PageProblem | AttachmentProblem
    detail: str = ""


class Quality(Frozen):
    """Measures of a page image that decide whether OCR can be trusted."""

    width: int
    height: int
    sharpness: float  # second-derivative variance near text, weakest direction
    brightness: float  # mean grey level, 0-255
    glare: float  # share of saturated pixels
    readable: bool
    reasons: tuple[str, ...] = ()


class PreparedPage(Frozen):
    """A page ready for OCR: straightened, oriented, greyscale."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    ref: PageRef
    filename: str
    image: Image = PydField(repr=False)
    rotation: int = 0  # degrees clockwise applied to the source
    skew: float = 0.0
    quality: Quality
    char_height: float | None = None  # capitals' height in `image` (px), when measured
    # Highlights on the capture, in `image`'s pixels: print beside or under
    # them may be washed out, so a value reaching one may be cut short.
    glare: tuple[Box, ...] = ()


class Box(Frozen):
    x: int
    y: int
    w: int
    h: int


class Word(Frozen):
    text: str
    confidence: float  # 0..1
    box: Box
    line: int  # index of the text line the word belongs to, page-wide


class OcrResult(Frozen):
    ref: PageRef
    engine: str
    engine_version: str
    width: int
    height: int
    words: tuple[Word, ...] = ()

    def lines(self) -> list[list[Word]]:
        """Words grouped by line, in reading order."""
        grouped: dict[int, list[Word]] = {}
        for word in self.words:
            grouped.setdefault(word.line, []).append(word)
        return [grouped[key] for key in sorted(grouped)]

    def text(self) -> str:
        return "\n".join(" ".join(w.text for w in line) for line in self.lines())


# --------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------


class DocumentKind(StrEnum):
    KTP = "ktp"
    KK = "kk"
    F5 = "f5"
    KARTU_PESERTA = "kartu_peserta"
    PAKLARING = "paklaring"
    BUKU_TABUNGAN = "buku_tabungan"
    NPWP = "npwp"
    PHOTO = "photo"
    UNKNOWN = "unknown"


class ExtractedField(Frozen):
    """One value read from a document. `value` None means unreadable."""

    name: str
    value: str | None
    confidence: float
    box: Box | None = None
    raw: str | None = None  # the OCR text before any repair


class Document(Frozen):
    ref: PageRef
    filename: str
    kind: DocumentKind
    kind_confidence: float
    fields: tuple[ExtractedField, ...] = ()
    quality: Quality | None = None

    def field(self, name: str) -> ExtractedField | None:
        for item in self.fields:
            if item.name == name:
                return item
        return None

    def value(self, name: str) -> str | None:
        item = self.field(name)
        return item.value if item else None


# --------------------------------------------------------------------------
# Records the rules compare against
# --------------------------------------------------------------------------


class Participant(Frozen):
    nik: str
    kpj: str
    nama: str
    tanggal_lahir: date
    jenis_kelamin: str  # LAKI-LAKI or PEREMPUAN
    email: str | None = None
    phone: str | None = None
    nama_ibu: str | None = None
    employer: str | None = None
    saldo_jht: int = 0
    # Membership start (the Kartu Peserta's "Peserta sejak"), None when the
    # records do not say; the end of the last employment as the employer
    # reported it, None when none is reported (still employed, or not known).
    peserta_sejak: date | None = None
    berhenti_kerja: date | None = None


class Booking(Frozen):
    code: str
    branch_id: str
    nik: str
    appointment_at: datetime


# --------------------------------------------------------------------------
# Findings and decisions
# --------------------------------------------------------------------------


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Action(StrEnum):
    """What a finding asks for; the decision follows from the strongest."""

    NOTE = "note"  # recorded only
    REVIEW = "review"  # a person must judge a mismatch
    ASK = "ask"  # the participant can fix it: missing, unreadable, late
    REJECT = "reject"  # not a claim we can act on


class Finding(Frozen):
    rule_id: str
    severity: Severity
    action: Action
    message_id: str  # Indonesian, as the participant reads it
    message_en: str
    evidence: dict[str, str | None] = PydField(default_factory=dict)


class DecisionStatus(StrEnum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"


class Decision(Frozen):
    status: DecisionStatus
    findings: tuple[Finding, ...] = ()


class Reply(Frozen):
    """An email to the participant, ready for the outbox."""

    message_id: str
    to: str
    from_addr: str
    from_name: str = ""
    subject: str
    in_reply_to: str | None
    references: tuple[str, ...]
    date: datetime
    body_text: str


class Outcome(Frozen):
    """Everything one message led to, committed in one transaction."""

    submission: Submission
    documents: tuple[Document, ...] = ()
    unreadable: tuple[UnreadableAttachment, ...] = ()
    nik: str | None = None  # the NIK the documents point at
    participant_nik: str | None = None  # the record it matched, if any
    booking_code: str | None = None
    decision: Decision
    reply: Reply | None = None
    ocr_engine: str | None = None
    # Earlier incomplete submissions of the same claim whose documents were
    # counted with this message's (a resubmission); ids of the submissions table.
    merged_from: tuple[int, ...] = ()


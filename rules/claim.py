"""What several rules need to know about the claim: is it one, why, and when.

Pure helpers over a `CheckInput`: whether the message is a claim that can be
completed at all, the claim reason ticked on the F5 (resignation when it
cannot be read: by far the most common reason, and the one asking for the
most documents), the date the claim was submitted, and the dates and names
the documents print.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from extractors.nik import split_nik
from pipeline.types import Document, DocumentKind
from rules.base import CheckInput, readable
from rules.names import NameMatch, match_names, person_name

# Above this JHT balance the NPWP is required (tax on the lump sum, DOMAIN.md).
NPWP_BALANCE_THRESHOLD = 50_000_000
RESIGNATION = "mengundurkan_diri"
TERMINATION = "phk"
CONTRACT_END = "kontrak_berakhir"
RETIREMENT = "usia_pensiun"
# The codes of extractors.f5.CLAIM_REASONS, as the participant reads them.
REASON_LABELS_ID: dict[str, str] = {
    "usia_pensiun": "mencapai usia pensiun",
    "mengundurkan_diri": "mengundurkan diri",
    "phk": "pemutusan hubungan kerja (PHK)",
    "kontrak_berakhir": "berakhirnya perjanjian kerja waktu tertentu",
    "meninggalkan_indonesia": "meninggalkan Indonesia untuk selamanya",
    "cacat_total": "cacat total tetap",
    "meninggal_dunia": "meninggal dunia",
    "pengambilan_sebagian": "pengambilan sebagian (10% atau 30%)",
}
# Kinds that only a claimant sends; a photo or an unknown page proves nothing.
CLAIM_KINDS = frozenset({DocumentKind.KTP, DocumentKind.KK, DocumentKind.F5,
                         DocumentKind.KARTU_PESERTA, DocumentKind.PAKLARING,
                         DocumentKind.BUKU_TABUNGAN, DocumentKind.NPWP})


def is_claim(data: CheckInput) -> bool:
    """A claim to complete: attachments, and a known participant or claim documents.

    False when the message or the person is not a claim at all (MAIL-*,
    REC-001 and REC-003 reject those, and nothing else need be said).
    """
    if data.submission.unreadable_reason is not None or not data.submission.attachments:
        return False
    if data.participant is not None:
        return True
    if data.nik is not None:
        return False  # a NIK outside the records: REC-001 rejects
    return bool(data.unreadable) or any(doc.kind in CLAIM_KINDS for doc in data.documents)


# Below this the tick read on the F5 is not trusted (a shadow or a stray mark
# can outweigh a box); the claim then counts as a resignation.
REASON_CONFIDENCE = 0.6


def claim_reason(data: CheckInput) -> tuple[str, bool]:
    """The reason ticked on the F5 and whether it was read (else resignation)."""
    for doc in data.documents_of(DocumentKind.F5):
        item = doc.field("sebab_klaim")
        if item is not None and item.value in REASON_LABELS_ID \
                and item.confidence >= REASON_CONFIDENCE:
            return item.value, True
    return RESIGNATION, False


def submitted_on(data: CheckInput) -> date:
    """The day the claim reached the branch (the email's arrival)."""
    return data.submission.received_at.date()


def parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def nik_birth(nik: str | None, today: date) -> tuple[date | None, str | None]:
    """Birth date and sex (LAKI-LAKI / PEREMPUAN) a NIK encodes, or Nones."""
    parts = split_nik(nik) if nik else None
    if parts is None:
        return None, None
    return parts.birth_date(today), "PEREMPUAN" if parts.female else "LAKI-LAKI"


def mask_number(value: str | None) -> str:
    """`1234***8901`: identity numbers are never written out whole."""
    if not value:
        return "-"
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


# A name read below this confidence is too unsure to call a mismatch on
# (clean prints read at 0.9 and more; stray marks and smudges far lower).
NAME_CONFIDENCE = 0.5


def read_name(doc: Document, name: str) -> str | None:
    """A person's name as read from `doc`, or None when unread, unsure or a label."""
    item = doc.field(name)
    if item is None or item.confidence < NAME_CONFIDENCE:
        return None
    if not readable(doc):
        return None
    return person_name(item.value)


@dataclass(frozen=True)
class StrangeName:
    """A name read on a document that matches none of the names it should."""

    kind: DocumentKind
    doc: Document
    field: str
    shown: str
    best: NameMatch  # the closest of the failed comparisons, for the evidence


def names_matching_none(data: CheckInput, places: Sequence[tuple[DocumentKind, str]],
                        references: Sequence[str]) -> Iterator[StrangeName]:
    """Each readable name at `places` that agrees with none of `references`."""
    if not references:
        return
    for kind, field in places:
        for doc in data.documents_of(kind):
            shown = read_name(doc, field)
            if not shown:
                continue
            matches = [match_names(shown, ref) for ref in references]
            if not any(m.matched for m in matches):
                yield StrangeName(kind, doc, field, shown, max(matches, key=lambda m: m.score))

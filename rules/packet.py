"""Who a packet is about: the identity numbers its documents agree on.

The e-KTP is the authority for the NIK; the F5 form and the NPWP are
fall-backs when the KTP is missing or unreadable. The KK is not: it lists
every member of the household. Only structurally
valid numbers count, so an OCR error cannot point at another person.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from extractors.nik import nik_problems
from pipeline.types import Document, DocumentKind
from rules.regions import Regions

# Where a NIK may be printed, most trusted first.
_NIK_SOURCES: tuple[tuple[DocumentKind, str], ...] = (
    (DocumentKind.KTP, "nik"),
    (DocumentKind.F5, "nik"),
    (DocumentKind.NPWP, "nik"),
)
_KPJ_SOURCES: tuple[tuple[DocumentKind, str], ...] = (
    (DocumentKind.KARTU_PESERTA, "kpj"),
    (DocumentKind.F5, "kpj"),
)


def packet_nik(documents: Sequence[Document], regions: Regions, today: date) -> str | None:
    """The first valid NIK in order of trust, or None."""
    for kind, name in _NIK_SOURCES:
        for doc in documents:
            if doc.kind != kind:
                continue
            value = doc.value(name)
            if value and not nik_problems(value, regions, today):
                return value
    return None


def packet_kpj(documents: Sequence[Document]) -> str | None:
    for kind, name in _KPJ_SOURCES:
        for doc in documents:
            value = doc.value(name) if doc.kind == kind else None
            if value and len(value) == 11 and value.isdigit():
                return value
    return None

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


# A district unknown to both editions may be older than either (DOMAIN.md:
# an unknown old prefix is a warning, not a rejection); NIK-003 notes it.
TOLERATED_PROBLEMS = frozenset({"unknown_district"})


def nik_acceptable(value: str, regions: Regions, today: date) -> bool:
    """Structurally valid, or valid but for a district code no edition knows."""
    return set(nik_problems(value, regions, today)) <= TOLERATED_PROBLEMS


def packet_nik(documents: Sequence[Document], regions: Regions, today: date) -> str | None:
    """The first valid NIK in order of trust, or None.

    A NIK whose district no edition knows is taken only when no document
    has a fully valid one: a misread region digit must not win over a
    clean reading elsewhere.
    """
    fallback: str | None = None
    for kind, name in _NIK_SOURCES:
        for doc in documents:
            if doc.kind != kind:
                continue
            value = doc.value(name)
            if not value:
                continue
            if not nik_problems(value, regions, today):
                return value
            if fallback is None and nik_acceptable(value, regions, today):
                fallback = value
    return fallback


def packet_kpj(documents: Sequence[Document]) -> str | None:
    for kind, name in _KPJ_SOURCES:
        for doc in documents:
            value = doc.value(name) if doc.kind == kind else None
            if value and len(value) == 11 and value.isdigit():
                return value
    return None

"""Rules on which documents a claim needs, by the reason ticked on the F5.

DOMAIN.md: every claim needs the KTP, the KK, the filled-in F5, the Kartu
Peserta and the first page of the bank book; a resignation and the end of a
fixed-term contract also need the employer's letter (paklaring); the NPWP
is needed when the balance is above Rp50,000,000. Documents particular to
other reasons are for an officer (ELIG-003). An unread reason counts as a
resignation, the reason needing the most.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.types import Action, DocumentKind, Severity
from rules.base import CheckInput, Hit, Rule, readable
from rules.claim import (CONTRACT_END, NPWP_BALANCE_THRESHOLD, RESIGNATION, claim_reason,
                         is_claim)



# Kinds a page is given when its reading could not tell what it shows.
UNTOLD_KINDS = (DocumentKind.PHOTO, DocumentKind.UNKNOWN)


def _untold_unreadable_pages(data: CheckInput) -> bool:
    """Whether a page too poor to read could not even be told apart (photo or unknown)."""
    return any(doc.kind in UNTOLD_KINDS and not readable(doc) for doc in data.documents)


def _missing(kind: DocumentKind, needed: Callable[[CheckInput], bool] = lambda _d: True
             ) -> Callable[[CheckInput], list[Hit]]:
    def check(data: CheckInput) -> list[Hit]:
        if not is_claim(data) or not needed(data) or data.documents_of(kind):
            return []
        # The document may well be inside an attachment that could not be
        # opened, or be the blurred page whose kind the reading could not
        # tell: say so rather than claim it was never sent.
        if data.unreadable:
            where = " (atau berada di lampiran yang tidak dapat dibuka)"
            where_en = " (or it is in the attachment that could not be opened)"
        elif _untold_unreadable_pages(data):
            where = " (atau berada di halaman yang tidak terbaca di atas)"
            where_en = " (or it is the unreadable page above)"
        else:
            where = where_en = ""
        return [Hit(params={"where": where, "where_en": where_en},
                    evidence={"kind": kind.value})]
    return check


# Reasons whose claim needs the employer's letter.
PAKLARING_REASONS = (RESIGNATION, CONTRACT_END)


def _reason_needs_paklaring(data: CheckInput) -> bool:
    return claim_reason(data)[0] in PAKLARING_REASONS


def _balance_needs_npwp(data: CheckInput) -> bool:
    return data.participant is not None and data.participant.saldo_jht > NPWP_BALANCE_THRESHOLD


def _document_rule(number: int, kind: DocumentKind, title: str, short_id: str, name_id: str,
                   needed: Callable[[CheckInput], bool] = lambda _d: True) -> Rule:
    return Rule(
        id=f"DOC-{number:03d}", family="completeness", severity=Severity.ERROR, action=Action.ASK,
        title=f"{title} missing",
        title_id=f"{short_id} tidak ada",
        message_id=f"{name_id} belum dilampirkan{{where}}.",
        message_en=f"{title} is missing{{where_en}}.",
        check=_missing(kind, needed),
    )


RULES = (
    _document_rule(1, DocumentKind.KTP, "e-KTP", "e-KTP",
                   "Foto atau pindaian KTP elektronik (e-KTP)"),
    _document_rule(2, DocumentKind.KK, "Kartu Keluarga", "Kartu Keluarga", "Kartu Keluarga (KK)"),
    _document_rule(3, DocumentKind.F5, "Form F5", "Formulir F5",
                   "Formulir Pengajuan Pembayaran JHT (F5) yang sudah diisi dan ditandatangani"),
    _document_rule(4, DocumentKind.KARTU_PESERTA, "Kartu Peserta", "Kartu Peserta",
                   "Kartu Peserta BPJS Ketenagakerjaan"),
    _document_rule(5, DocumentKind.PAKLARING, "Paklaring", "Paklaring",
                   "Surat keterangan berhenti bekerja (paklaring) dari perusahaan",
                   _reason_needs_paklaring),
    _document_rule(6, DocumentKind.BUKU_TABUNGAN, "Bank book", "Buku tabungan",
                   "Halaman pertama buku tabungan atas nama peserta"),
    _document_rule(7, DocumentKind.NPWP, "NPWP", "NPWP",
                   "NPWP (wajib karena saldo JHT Anda di atas Rp50.000.000)", _balance_needs_npwp),
)

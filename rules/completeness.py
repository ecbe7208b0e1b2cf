"""Rules on which documents a claim needs (DOMAIN.md, claim by resignation)."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.types import Action, DocumentKind, Severity
from rules.base import CheckInput, Hit, Rule

# Above this JHT balance the NPWP is required (tax on the lump sum).
NPWP_BALANCE_THRESHOLD = 50_000_000


def _applies(data: CheckInput) -> bool:
    # Nothing to complete when the message or the person is not a claim at all.
    if data.submission.unreadable_reason is not None or not data.submission.attachments:
        return False
    if data.participant is not None:
        return True
    if data.nik is not None:
        return False  # a NIK outside the records: REC-001 rejects
    # Nobody identified yet: ask for what is missing when the mail looks like
    # a claim; otherwise REC-003 rejects it as not a claim.
    return bool(data.unreadable) or any(
        doc.kind not in (DocumentKind.PHOTO, DocumentKind.UNKNOWN) for doc in data.documents)


def _missing(kind: DocumentKind, needed: Callable[[CheckInput], bool] = lambda _d: True
             ) -> Callable[[CheckInput], list[Hit]]:
    def check(data: CheckInput) -> list[Hit]:
        if not _applies(data) or not needed(data) or data.documents_of(kind):
            return []
        # With an attachment that could not be opened, the document may well
        # be inside it: say so rather than claim it was never sent.
        where = " (atau berada di lampiran yang tidak dapat dibuka)" if data.unreadable else ""
        return [Hit(params={"where": where}, evidence={"kind": kind.value})]
    return check


def _balance_needs_npwp(data: CheckInput) -> bool:
    return data.participant is not None and data.participant.saldo_jht > NPWP_BALANCE_THRESHOLD


def _document_rule(number: int, kind: DocumentKind, title: str, name_id: str,
                   needed: Callable[[CheckInput], bool] = lambda _d: True) -> Rule:
    return Rule(
        id=f"DOC-{number:03d}", family="completeness", severity=Severity.ERROR, action=Action.ASK,
        title=f"{title} missing",
        message_id=f"{name_id} belum dilampirkan{{where}}.",
        message_en=f"{title} is missing.",
        check=_missing(kind, needed),
    )


RULES = (
    _document_rule(1, DocumentKind.KTP, "e-KTP", "Foto atau pindaian KTP elektronik (e-KTP)"),
    _document_rule(2, DocumentKind.KK, "Kartu Keluarga", "Kartu Keluarga (KK)"),
    _document_rule(3, DocumentKind.F5, "Form F5",
                   "Formulir Pengajuan Pembayaran JHT (F5) yang sudah diisi dan ditandatangani"),
    _document_rule(4, DocumentKind.KARTU_PESERTA, "Kartu Peserta",
                   "Kartu Peserta BPJS Ketenagakerjaan"),
    _document_rule(5, DocumentKind.PAKLARING, "Paklaring",
                   "Surat keterangan berhenti bekerja (paklaring) dari perusahaan"),
    _document_rule(6, DocumentKind.BUKU_TABUNGAN, "Bank book",
                   "Halaman pertama buku tabungan atas nama peserta"),
    _document_rule(7, DocumentKind.NPWP, "NPWP",
                   "NPWP (wajib karena saldo JHT Anda di atas Rp50.000.000)", _balance_needs_npwp),
)

"""Rules comparing the packet with the participant record."""

from __future__ import annotations

from extractors.nik import mask_nik
from pipeline.types import Action, DocumentKind, Severity
from rules.base import CheckInput, Hit, Rule
from rules.names import match_names


def _not_a_participant(data: CheckInput) -> list[Hit]:
    if data.nik is None or data.participant is not None:
        return []
    return [Hit(params={"nik": mask_nik(data.nik)}, evidence={"nik": mask_nik(data.nik)})]


def _ktp_name_mismatch(data: CheckInput) -> list[Hit]:
    if data.participant is None:
        return []
    hits = []
    for doc in data.documents_of(DocumentKind.KTP):
        name = doc.value("nama")
        if not name:
            continue
        match = match_names(name, data.participant.nama)
        if not match.matched:
            hits.append(Hit(
                params={"name": name},
                evidence={"ktp_nama": name, "record_nama": data.participant.nama,
                          "score": f"{match.score:.0f}", "reason": match.reason,
                          "filename": doc.filename},
            ))
    return hits


NOT_A_PARTICIPANT = Rule(
    id="REC-001", family="records", severity=Severity.ERROR, action=Action.REJECT,
    title="NIK not in the participant records",
    message_id=("NIK {nik} tidak terdaftar sebagai peserta BPJS Ketenagakerjaan. Mohon periksa "
                "kembali NIK Anda, atau hubungi kantor cabang bila Anda yakin terdaftar."),
    message_en="NIK {nik} is not in the participant records.",
    check=_not_a_participant,
)

KTP_NAME_MISMATCH = Rule(
    id="REC-002", family="records", severity=Severity.WARNING, action=Action.REVIEW,
    title="KTP name differs from the record",
    message_id=("Nama pada KTP ({name}) berbeda dengan nama pada data kepesertaan. Petugas kami "
                "akan memeriksa dan menghubungi Anda."),
    message_en="The name on the KTP ({name}) does not match the participant record.",
    check=_ktp_name_mismatch,
)

# Kinds that only a claimant sends; a photo or an unknown page proves nothing.
_CLAIM_KINDS = {DocumentKind.KTP, DocumentKind.KK, DocumentKind.F5, DocumentKind.KARTU_PESERTA,
                DocumentKind.PAKLARING, DocumentKind.BUKU_TABUNGAN, DocumentKind.NPWP}


def _not_a_claim(data: CheckInput) -> list[Hit]:
    sub = data.submission
    if (sub.unreadable_reason is not None or not sub.attachments or data.participant is not None
            or data.nik is not None or data.unreadable):
        return []
    if any(doc.kind in _CLAIM_KINDS for doc in data.documents):
        return []
    return [Hit(evidence={"sender": sub.sender,
                          "kinds": ",".join(sorted({d.kind.value for d in data.documents}))})]


NOT_A_CLAIM = Rule(
    id="REC-003", family="records", severity=Severity.ERROR, action=Action.REJECT,
    title="Sender unknown and no claim document",
    message_id=("Alamat email Anda tidak terdaftar pada data peserta dan lampiran Anda tidak berisi "
                "dokumen klaim JHT. Bila Anda peserta BPJS Ketenagakerjaan, kirim pindaian KTP, "
                "Kartu Keluarga, Formulir F5, Kartu Peserta, paklaring, dan buku tabungan."),
    message_en="The sender is not a registered participant and no claim document was found.",
    check=_not_a_claim,
)

RULES = (NOT_A_PARTICIPANT, KTP_NAME_MISMATCH, NOT_A_CLAIM)

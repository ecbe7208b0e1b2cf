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

RULES = (NOT_A_PARTICIPANT, KTP_NAME_MISMATCH)

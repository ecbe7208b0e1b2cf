"""Rules on identity numbers as printed on the documents."""

from __future__ import annotations

from extractors.nik import mask_nik, nik_problems
from pipeline.types import Action, DocumentKind, Severity
from rules.base import CheckInput, Hit, Rule
from rules.regions import load_regions


def _ktp_nik_unreadable(data: CheckInput) -> list[Hit]:
    hits = []
    regions = load_regions()
    for doc in data.documents_of(DocumentKind.KTP):
        if doc.quality is not None and not doc.quality.readable:
            continue  # QUAL-001 already asks for a rescan of this page
        field = doc.field("nik")
        value = field.value if field else None
        if value and not nik_problems(value, regions, data.today):
            continue
        raw = field.raw if field else None
        hits.append(Hit(params={"filename": doc.filename},
                        evidence={"filename": doc.filename, "raw": mask_nik(raw) if raw else None}))
    return hits


KTP_NIK_UNREADABLE = Rule(
    id="NIK-001", family="identity", severity=Severity.ERROR, action=Action.ASK,
    title="NIK on the KTP unreadable",
    message_id=('NIK pada KTP (lampiran "{filename}") tidak terbaca. Mohon kirim ulang foto atau '
                "pindaian KTP yang jelas, utuh, dan tidak terkena pantulan cahaya."),
    message_en='The NIK on the KTP ("{filename}") cannot be read.',
    check=_ktp_nik_unreadable,
)

def _nik_differs_from_record(data: CheckInput) -> list[Hit]:
    if data.nik is None or data.participant is None or data.nik == data.participant.nik:
        return []
    return [Hit(params={"nik": mask_nik(data.nik)},
                evidence={"nik_read": mask_nik(data.nik),
                          "nik_record": mask_nik(data.participant.nik)})]


NIK_DIFFERS_FROM_RECORD = Rule(
    id="NIK-002", family="identity", severity=Severity.WARNING, action=Action.REVIEW,
    title="NIK read differs from the record",
    message_id=("NIK yang terbaca pada dokumen ({nik}) berbeda dengan NIK pada data "
                "kepesertaan. Petugas kami akan memeriksanya."),
    message_en="The NIK read from the documents ({nik}) differs from the participant record.",
    check=_nik_differs_from_record,
)

RULES = (KTP_NIK_UNREADABLE, NIK_DIFFERS_FROM_RECORD)

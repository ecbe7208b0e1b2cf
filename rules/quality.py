"""Rules about scans too poor to read: ask for a rescan, never guess."""

from __future__ import annotations

import re
from datetime import date

from extractors.nik import mask_nik
from pipeline.types import Action, DocumentKind, Severity
from rules.base import CheckInput, Hit, Rule, readable

_REASONS_ID = {
    "blurred": "buram",
    "too_dark": "terlalu gelap",
    "too_bright": "terlalu terang",
    "glare": "ada pantulan cahaya",
    "too_small": "resolusi terlalu kecil",
    "cut_off": "terpotong",
    "no_text": "tidak ada tulisan yang terbaca",
}


def _unreadable_pages(data: CheckInput) -> list[Hit]:
    hits = []
    for doc in data.documents:
        quality = doc.quality
        if quality is None or quality.readable:
            continue
        reasons = ", ".join(_REASONS_ID.get(r, r) for r in quality.reasons) or "tidak jelas"
        hits.append(Hit(
            params={"filename": doc.filename, "page": str(doc.ref.page_number), "reasons": reasons,
                    "reasons_en": ", ".join(quality.reasons) or "unclear"},
            evidence={"filename": doc.filename, "page": str(doc.ref.page_number),
                      "reasons": ",".join(quality.reasons), "sharpness": f"{quality.sharpness:.1f}"},
        ))
    return hits


UNREADABLE_PAGE = Rule(
    id="QUAL-001", family="quality", severity=Severity.ERROR, action=Action.ASK,
    title="Page unreadable",
    title_id="Halaman tidak terbaca",
    message_id=('Lampiran "{filename}" halaman {page} tidak terbaca jelas ({reasons}). Mohon pindai '
                "atau foto ulang dokumen tersebut di tempat terang, tegak lurus, dan tidak buram."),
    message_en='Attachment "{filename}" page {page} is unreadable ({reasons_en}).',
    check=_unreadable_pages,
)



def _ktp_expired(data: CheckInput) -> list[Hit]:
    """A KTP whose printed "Berlaku Hingga" date has passed (not SEUMUR HIDUP).

    Since 2013 an e-KTP is valid for life even when an older date is
    printed, so an officer judges: the finding asks for review, not a rescan.
    """
    hits = []
    for doc in data.documents_of(DocumentKind.KTP):
        until = doc.value("berlaku_hingga")
        if not until or "SEUMUR" in until.upper() or not readable(doc):
            continue
        expiry = parse_printed_date(until)
        if expiry is None or expiry >= data.today:
            continue
        hits.append(Hit(params={"until": expiry.strftime("%d-%m-%Y")},
                        evidence={"filename": doc.filename, "berlaku_hingga": until,
                                  "today": data.today.isoformat()}))
    return hits


def parse_printed_date(text: str) -> date | None:
    """'17-08-2017' or '2017-08-17' as a date; None for anything else."""
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})", text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        return None


KTP_EXPIRED = Rule(
    id="QUAL-002", family="quality", severity=Severity.WARNING, action=Action.REVIEW,
    title="KTP validity date has passed",
    title_id="Masa berlaku KTP sudah lewat",
    message_id=("Masa berlaku KTP Anda tercetak sampai {until}. Petugas kami akan memeriksa "
                "apakah KTP masih berlaku."),
    message_en="The KTP's printed validity ended on {until}.",
    check=_ktp_expired,
)

# Identity numbers the decision rests on; read below this confidence, a person
# looks before anything is paid (a lone, unsure reading can still pass the
# structure check with a wrong digit).
KEY_FIELDS: tuple[tuple[DocumentKind, str, str], ...] = (
    (DocumentKind.KTP, "nik", "NIK pada KTP"),
    (DocumentKind.KARTU_PESERTA, "kpj", "nomor KPJ pada Kartu Peserta"),
)
KEY_FIELD_CONFIDENCE = 0.5


def _unsure_key_field(data: CheckInput) -> list[Hit]:
    hits = []
    for kind, name, label in KEY_FIELDS:
        for doc in data.documents_of(kind):
            item = doc.field(name)
            if item is None or item.value is None or item.confidence >= KEY_FIELD_CONFIDENCE:
                continue
            if not readable(doc):
                continue  # QUAL-001 asks for a rescan
            hits.append(Hit(params={"field": label, "filename": doc.filename},
                            evidence={"filename": doc.filename, "field": name,
                                      "confidence": f"{item.confidence:.2f}",
                                      "value": mask_nik(item.value)}))
    return hits


UNSURE_KEY_FIELD = Rule(
    id="QUAL-003", family="quality", severity=Severity.WARNING, action=Action.REVIEW,
    title="Key identity number read with low confidence",
    title_id="NIK atau KPJ kurang jelas terbaca",
    message_id=('{field} (lampiran "{filename}") kurang jelas terbaca. Petugas kami akan '
                "mencocokkannya dengan dokumen asli."),
    message_en='The {field} ("{filename}") was read with low confidence.',
    check=_unsure_key_field,
)

RULES = (UNREADABLE_PAGE, KTP_EXPIRED, UNSURE_KEY_FIELD)

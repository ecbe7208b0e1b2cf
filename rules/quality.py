"""Rules about scans too poor to read: ask for a rescan, never guess."""

from __future__ import annotations

from pipeline.types import Action, Severity
from rules.base import CheckInput, Hit, Rule

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
    message_id=('Lampiran "{filename}" halaman {page} tidak terbaca jelas ({reasons}). Mohon pindai '
                "atau foto ulang dokumen tersebut di tempat terang, tegak lurus, dan tidak buram."),
    message_en='Attachment "{filename}" page {page} is unreadable ({reasons_en}).',
    check=_unreadable_pages,
)

RULES = (UNREADABLE_PAGE,)

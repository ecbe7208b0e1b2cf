"""Rules about attachments that yielded no page to read."""

from __future__ import annotations

from pipeline.types import Action, AttachmentProblem, PageProblem, Severity
from rules.base import CheckInput, Hit, Rule

# Each problem as the participant reads it, with what to do instead.
_PROBLEMS_ID: dict[str, str] = {
    PageProblem.PDF_ENCRYPTED: "PDF dilindungi kata sandi; kirim PDF tanpa kata sandi",
    PageProblem.PDF_CORRUPT: "berkas PDF rusak; pindai ulang dan kirim kembali",
    PageProblem.IMAGE_CORRUPT: "berkas gambar rusak; foto ulang dan kirim kembali",
    PageProblem.UNSUPPORTED_TYPE: "jenis berkas tidak didukung; kirim dalam bentuk JPG, PNG atau PDF",
    PageProblem.TOO_MANY_PAGES: "halaman terlalu banyak; kirim hanya dokumen persyaratan",
    AttachmentProblem.DECODE_ERROR: "lampiran rusak saat dikirim; kirim ulang",
    AttachmentProblem.EMPTY: "berkas kosong; kirim ulang",
}


def _unreadable_files(data: CheckInput) -> list[Hit]:
    hits = []
    for item in data.unreadable:
        if item.problem in (AttachmentProblem.TOO_LARGE, PageProblem.TOO_LARGE):
            continue
        hits.append(Hit(
            params={"filename": item.filename,
                    "problem": _PROBLEMS_ID.get(item.problem, "berkas tidak dapat dibuka"),
                    "problem_en": str(item.problem)},
            evidence={"filename": item.filename, "problem": str(item.problem),
                      "attachment": str(item.ref.attachment_index)},
        ))
    return hits


def _too_large(data: CheckInput) -> list[Hit]:
    hits = []
    for item in data.unreadable:
        if item.problem not in (AttachmentProblem.TOO_LARGE, PageProblem.TOO_LARGE):
            continue
        hits.append(Hit(params={"filename": item.filename},
                        evidence={"filename": item.filename, "detail": item.detail}))
    return hits


UNREADABLE_FILE = Rule(
    id="FILE-001", family="files", severity=Severity.ERROR, action=Action.ASK,
    title="Attachment cannot be opened",
    title_id="Lampiran tidak dapat dibuka",
    message_id='Lampiran "{filename}" tidak dapat dibuka: {problem}.',
    message_en='Attachment "{filename}" cannot be opened ({problem_en}).',
    check=_unreadable_files,
)

TOO_LARGE_FILE = Rule(
    id="FILE-002", family="files", severity=Severity.ERROR, action=Action.ASK,
    title="Attachment too large",
    title_id="Lampiran terlalu besar",
    message_id=('Lampiran "{filename}" terlalu besar untuk diproses. Mohon kirim ulang dengan '
                "ukuran lebih kecil (misalnya foto JPG per dokumen)."),
    message_en='Attachment "{filename}" exceeds the size limit.',
    check=_too_large,
)

RULES = (UNREADABLE_FILE, TOO_LARGE_FILE)

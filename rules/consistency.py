"""Rules comparing the documents of one packet with each other.

The e-KTP is the authority for the NIK and the name (rules/packet.py); the
other documents must carry the same NIK and KPJ and the same person's name.
A difference is for an officer to judge (a typing slip on the form, a
misread digit, or someone else's document), so these rules ask for review.
"""

from __future__ import annotations

import re

from extractors.nik import mask_nik
from pipeline.types import Action, Document, DocumentKind, Severity
from rules.base import CheckInput, Hit, Rule, readable
from rules.claim import mask_number, names_matching_none, read_name
from rules.identity import DOC_LABELS_ID
from rules.names import match_names, person_name

# A typed NIK whose structure is impossible (a wrong birth-date digit) is
# still compared when it is this close to the packet's NIK: a typing slip.
TYPO_DIGITS = 3
# Member rows a KK reading needs before the participant's absence counts.
MIN_KK_ROWS = 3
# A valid NIK one digit off, read below this confidence, is taken for a
# misread digit rather than a different number (a typing slip reads sure).
UNSURE_READING = 0.6


def digits_apart(first: str, second: str) -> int:
    if len(first) != len(second):
        return max(len(first), len(second))
    return sum(a != b for a, b in zip(first, second, strict=True))


def reference_nik(data: CheckInput) -> str | None:
    """The NIK other documents must carry: the KTP's, else the packet's."""
    for doc in data.documents_of(DocumentKind.KTP):
        if doc.value("nik"):
            return doc.value("nik")
    return data.nik


def _printed_nik(doc: Document, name: str, reference: str) -> str | None:
    """The NIK a document carries: its checked value, or a raw 16 digits near `reference`.

    A typed NIK whose date is impossible is kept by the reader as raw text
    only; it is compared when close to `reference` (a typing slip), not when
    far (more likely a garbled reading). A sure-looking value one digit off
    but read with little confidence is a misread, not a difference.
    """
    item = doc.field(name)
    if item is None:
        return None
    if item.value:
        if digits_apart(item.value, reference) == 1 and item.confidence < UNSURE_READING \
                and not _read_twice(doc, name, item.value):
            return None
        return item.value
    digits = re.sub(r"\D", "", item.raw or "")
    if len(digits) == 16 and digits_apart(digits, reference) <= TYPO_DIGITS:
        return digits
    return None


def _read_twice(doc: Document, name: str, value: str) -> bool:
    """Whether the F5 shows the same number in its other section too.

    Two sections read alike are two readings of the same typed digits: an
    unsure reading they both give is the form's, not the reader's, slip.
    """
    other = {"nik": "pemohon_nik"}.get(name) if doc.kind is DocumentKind.F5 else None
    return other is not None and doc.value(other) == value


def _misread_on_f5(doc: Document, printed: str, reference: str) -> bool:
    """The F5 shows the NIK twice when the participant applies in person.

    When the applicant's NIK reads exactly as the KTP's, a participant's NIK
    one digit away on the same form is a misread of the same typed number
    (a typing slip would show in both places, since both are typed from the
    same card). An heir's NIK in the applicant section decides nothing.
    """
    return (doc.kind is DocumentKind.F5 and doc.value("pemohon_nik") == reference
            and digits_apart(printed, reference) == 1)


def _nik_differs(data: CheckInput) -> list[Hit]:
    reference = reference_nik(data)
    if reference is None:
        return []
    hits = []
    for doc in data.documents:
        if not readable(doc):
            continue
        places = {DocumentKind.F5: ("nik",), DocumentKind.NPWP: ("nik", "npwp")}.get(doc.kind, ())
        for name in places:
            printed = _printed_nik(doc, name, reference)
            if printed is None or len(printed) != 16 or printed == reference:
                continue
            if _misread_on_f5(doc, printed, reference):
                continue
            hits.append(Hit(
                params={"document": DOC_LABELS_ID[doc.kind], "filename": doc.filename},
                evidence={"filename": doc.filename, "field": name,
                          "nik_document": mask_nik(printed), "nik_ktp": mask_nik(reference),
                          "digits_apart": str(digits_apart(printed, reference))}))
            break
    return hits


NIK_DIFFERS_BETWEEN_DOCUMENTS = Rule(
    id="CON-001", family="consistency", severity=Severity.WARNING, action=Action.REVIEW,
    title="NIK on a document differs from the KTP",
    title_id="NIK pada dokumen berbeda dengan KTP",
    message_id=('NIK pada {document} (lampiran "{filename}") berbeda dengan NIK pada KTP. Petugas '
                "kami akan memeriksanya; bila salah tulis, mohon siapkan dokumen yang benar."),
    message_en='The NIK on the {document} ("{filename}") differs from the KTP\'s.',
    check=_nik_differs,
)


def _kk_rows(doc: Document) -> dict[str, dict[str, str | None]]:
    """Member rows by row number: the NIK read (value or raw text) and the name."""
    rows: dict[str, dict[str, str | None]] = {}
    for item in doc.fields:
        match = re.fullmatch(r"anggota_(\d+)_(nik|nama)", item.name)
        if match:
            row = rows.setdefault(match[1], {})
            row[match[2]] = item.value
            if match[2] == "nik":
                row["raw"] = item.raw
    return rows


def _could_be(row: dict[str, str | None], nik: str, names: list[str]) -> bool:
    """Whether a KK row may be the participant's.

    Its NIK is theirs (one digit off is a misread cell), or its NIK cell
    could not be read and the name in the row is theirs, or nothing in the
    row was read at all (nothing then says it is someone else).
    """
    if row.get("nik"):
        return digits_apart(row["nik"] or "", nik) <= 1
    raw = re.sub(r"\D", "", row.get("raw") or "")
    if len(raw) >= 12 and nik.endswith(raw[-12:]):
        return True
    name = person_name(row.get("nama"))
    return name is None or any(match_names(name, known).matched for known in names)


def _not_on_kk(data: CheckInput) -> list[Hit]:
    """The participant's row on the family card, found by NIK."""
    reference = reference_nik(data)
    if reference is None:
        return []
    names = [name for d in data.documents_of(DocumentKind.KTP) if (name := read_name(d, "nama"))]
    if data.participant is not None:
        names.append(data.participant.nama)
    hits = []
    for doc in data.documents_of(DocumentKind.KK):
        rows = _kk_rows(doc)
        members = [row["nik"] for row in rows.values() if row.get("nik")]
        # A few rows read say too little: the participant's row may be the one
        # the reading missed.
        if len(members) < MIN_KK_ROWS or not readable(doc):
            continue
        if any(_could_be(row, reference, names) for row in rows.values()):
            continue
        hits.append(Hit(params={"filename": doc.filename},
                        evidence={"filename": doc.filename, "nik_ktp": mask_nik(reference),
                                  "kk_members": ",".join(mask_nik(m) for m in members if m)}))
    return hits


NOT_ON_KK = Rule(
    id="CON-002", family="consistency", severity=Severity.WARNING, action=Action.REVIEW,
    title="Participant's NIK not among the KK members",
    title_id="NIK peserta tidak ada di Kartu Keluarga",
    message_id=('NIK Anda tidak ditemukan pada daftar anggota Kartu Keluarga (lampiran '
                '"{filename}"). Petugas kami akan memeriksanya.'),
    message_en='The participant\'s NIK is not among the members of the KK ("{filename}").',
    check=_not_on_kk,
)


def _kpj(value: str | None) -> bool:
    """A well-formed KPJ; a malformed one is KPJ-001's."""
    return bool(value) and len(value or "") == 11 and (value or "").isdigit()


def kpj_misread(form_kpj: str, card_kpj: str | None, record_kpj: str | None) -> bool:
    """The F5's KPJ one digit off a card that agrees with the record.

    The printed card settles the number; a digit off on the form is a
    misread (or a slip of no consequence), not another person's KPJ.
    """
    return (card_kpj is not None and card_kpj == record_kpj
            and digits_apart(form_kpj, card_kpj) == 1)


def _kpj_differs(data: CheckInput) -> list[Hit]:
    card = [(d, d.value("kpj")) for d in data.documents_of(DocumentKind.KARTU_PESERTA)]
    form = [(d, d.value("kpj")) for d in data.documents_of(DocumentKind.F5)]
    record = data.participant.kpj if data.participant else None
    hits = []
    for card_doc, card_kpj in card:
        for form_doc, form_kpj in form:
            if _kpj(card_kpj) and _kpj(form_kpj) and card_kpj != form_kpj \
                    and not kpj_misread(form_kpj or "", card_kpj, record):
                hits.append(Hit(evidence={"kpj_kartu": mask_number(card_kpj),
                                          "kpj_f5": mask_number(form_kpj),
                                          "filename_kartu": card_doc.filename,
                                          "filename_f5": form_doc.filename}))
    return hits[:1]


KPJ_DIFFERS_BETWEEN_DOCUMENTS = Rule(
    id="CON-003", family="consistency", severity=Severity.WARNING, action=Action.REVIEW,
    title="KPJ on the Kartu Peserta differs from the F5",
    title_id="KPJ di Kartu Peserta berbeda dengan F5",
    message_id=("Nomor KPJ pada Kartu Peserta berbeda dengan nomor KPJ yang ditulis pada Formulir "
                "F5. Petugas kami akan memeriksanya."),
    message_en="The KPJ number on the Kartu Peserta differs from the one on the F5.",
    check=_kpj_differs,
)

# Documents naming the worker, with the field; the bank book is REC-008's.
_NAME_PLACES = ((DocumentKind.F5, "nama"), (DocumentKind.KARTU_PESERTA, "nama"),
                (DocumentKind.PAKLARING, "nama"))


def _names_differ(data: CheckInput) -> list[Hit]:
    """A document naming someone who is neither the KTP's person nor the record's.

    The KTP against the record is REC-002; a document agreeing with either
    of them is that person's (which of the two is right is REC-002's call).
    """
    references = [name for d in data.documents_of(DocumentKind.KTP)
                  if (name := read_name(d, "nama"))]
    if data.participant is not None:
        references.append(data.participant.nama)
    return [Hit(params={"document": DOC_LABELS_ID[odd.kind], "name": odd.shown},
                evidence={"filename": odd.doc.filename, "nama_dokumen": odd.shown,
                          "nama_acuan": references[0], "score": f"{odd.best.score:.0f}",
                          "reason": odd.best.reason})
            for odd in names_matching_none(data, _NAME_PLACES, references)]

NAMES_DIFFER_BETWEEN_DOCUMENTS = Rule(
    id="CON-004", family="consistency", severity=Severity.WARNING, action=Action.REVIEW,
    title="Name on a document differs from the KTP and the record",
    title_id="Nama pada dokumen berbeda dengan KTP",
    message_id=("Nama pada {document} ({name}) berbeda dengan nama pada KTP. Petugas kami akan "
                "memeriksanya."),
    message_en="The name on the {document} ({name}) differs from the KTP and the record.",
    check=_names_differ,
)

RULES = (NIK_DIFFERS_BETWEEN_DOCUMENTS, NOT_ON_KK, KPJ_DIFFERS_BETWEEN_DOCUMENTS,
         NAMES_DIFFER_BETWEEN_DOCUMENTS)

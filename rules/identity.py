"""Rules on identity numbers as printed on the documents."""

from __future__ import annotations

import re
from collections.abc import Callable

from extractors.nik import mask_nik, nik_problems, split_nik
from extractors.numbers import is_kpj, is_npwp, kk_number_problems
from pipeline.types import Action, DocumentKind, Severity
from rules.base import CheckInput, Hit, Rule, readable
from rules.claim import NPWP_BALANCE_THRESHOLD, mask_number, nik_birth
from rules.packet import TOLERATED_PROBLEMS
from rules.regions import load_regions

# Labels of the documents in messages to the participant.
DOC_LABELS_ID: dict[DocumentKind, str] = {
    DocumentKind.KTP: "KTP", DocumentKind.KK: "Kartu Keluarga", DocumentKind.F5: "Formulir F5",
    DocumentKind.KARTU_PESERTA: "Kartu Peserta", DocumentKind.PAKLARING: "paklaring",
    DocumentKind.BUKU_TABUNGAN: "buku tabungan", DocumentKind.NPWP: "kartu NPWP",
}


def _ktp_nik_unreadable(data: CheckInput) -> list[Hit]:
    hits = []
    regions = load_regions()
    for doc in data.documents_of(DocumentKind.KTP):
        if not readable(doc):
            continue  # QUAL-001 already asks for a rescan of this page
        field = doc.field("nik")
        value = field.value if field else None
        if value and set(nik_problems(value, regions, data.today)) <= TOLERATED_PROBLEMS:
            continue  # an unknown old district is NIK-003's note, not a rescan
        raw = field.raw if field else None
        if _settled_elsewhere(data, raw):
            continue
        hits.append(Hit(params={"filename": doc.filename},
                        evidence={"filename": doc.filename, "raw": mask_nik(raw) if raw else None}))
    return hits


def _settled_elsewhere(data: CheckInput, raw: str | None) -> bool:
    """Whether the KTP's failed reading is a misread of a NIK already established.

    When the F5 or NPWP carries a valid NIK that the participant record
    holds, and the KTP's own reading is that NIK or one digit from it, the
    NIK is known: a rescan would add nothing an officer needs.
    """
    digits = re.sub(r"\D", "", raw or "")
    if data.nik is None or data.participant is None or data.participant.nik != data.nik:
        return False
    return len(digits) == len(data.nik) and sum(
        a != b for a, b in zip(digits, data.nik, strict=True)) <= 1


KTP_NIK_UNREADABLE = Rule(
    id="NIK-001", family="identity", severity=Severity.ERROR, action=Action.ASK,
    title="NIK on the KTP unreadable",
    title_id="NIK pada KTP tidak terbaca",
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
    title_id="NIK berbeda dengan data peserta",
    message_id=("NIK yang terbaca pada dokumen ({nik}) berbeda dengan NIK pada data "
                "kepesertaan. Petugas kami akan memeriksanya."),
    message_en="The NIK read from the documents ({nik}) differs from the participant record.",
    check=_nik_differs_from_record,
)



def _region_not_current(data: CheckInput) -> list[Hit]:
    """A NIK issued under a district code the 2025 edition no longer has.

    Districts are split and renamed; a code of the 2022 edition is real, and
    a district unknown to both may be older still. Either way the NIK stays
    valid for life: recorded for the officer, never held against the claim.
    """
    regions = load_regions()
    seen: set[str] = set()
    hits = []
    for doc in data.documents:
        for item in doc.fields:
            if not (item.name == "nik" or item.name.endswith("_nik")) or not item.value:
                continue
            parts = split_nik(item.value)
            if parts is None or item.value in seen:
                continue
            seen.add(item.value)
            edition = regions.edition_of(parts.region)
            if edition == "2025" or regions.get(parts.region[:2]) is None:
                continue
            region = regions.get(parts.region)
            hits.append(Hit(
                params={"code": parts.region, "edition": edition or "-"},
                evidence={"nik": mask_nik(item.value), "region": parts.region,
                          "edition": edition or "unknown", "region_name": region.name if region
                          else None, "filename": doc.filename, "field": item.name}))
    return hits


NIK_REGION_NOT_CURRENT = Rule(
    id="NIK-003", family="identity", severity=Severity.WARNING, action=Action.NOTE,
    title="NIK issued under an old or unknown district code",
    title_id="Kode wilayah NIK lama atau tidak dikenal",
    message_id=("Kode wilayah NIK ({code}) tidak ada pada kode wilayah Kemendagri 2025 "
                "(edisi: {edition}); wilayah mungkin telah dimekarkan. Dicatat untuk petugas."),
    message_en=("The NIK's district code {code} is not in the 2025 Kemendagri codes "
                "(found in edition: {edition}); recorded, not held against the claim."),
    check=_region_not_current,
)


def _nik_disagrees_with_ktp(data: CheckInput) -> list[Hit]:
    """The birth date and sex a KTP prints against those its own NIK encodes."""
    hits = []
    for doc in data.documents_of(DocumentKind.KTP):
        nik = doc.value("nik")
        if not nik or not readable(doc):
            continue
        born, sex = nik_birth(nik, data.today)
        printed_born, printed_sex = doc.value("tanggal_lahir"), doc.value("jenis_kelamin")
        wrong = []
        if born is not None and printed_born and printed_born != born.isoformat():
            wrong.append("tanggal lahir")
        if sex is not None and printed_sex and printed_sex != sex:
            wrong.append("jenis kelamin")
        if wrong:
            hits.append(Hit(
                params={"what": " dan ".join(wrong)},
                evidence={"filename": doc.filename, "nik": mask_nik(nik),
                          "nik_tanggal_lahir": born.isoformat() if born else None,
                          "ktp_tanggal_lahir": printed_born, "nik_jenis_kelamin": sex,
                          "ktp_jenis_kelamin": printed_sex}))
    return hits


NIK_DISAGREES_WITH_KTP = Rule(
    id="NIK-004", family="identity", severity=Severity.WARNING, action=Action.REVIEW,
    title="NIK disagrees with the KTP's printed birth date or sex",
    title_id="NIK tidak cocok dengan tanggal lahir atau jenis kelamin di KTP",
    message_id=("Data {what} yang tercetak pada KTP tidak sesuai dengan NIK. Petugas kami akan "
                "memeriksanya."),
    message_en="The KTP's printed {what} does not agree with its NIK.",
    check=_nik_disagrees_with_ktp,
)

# Where each number is printed, and what a valid one looks like.
_KPJ_PLACES = ((DocumentKind.KARTU_PESERTA, "kpj"), (DocumentKind.F5, "kpj"))


def _seen_digits(raw: str | None) -> bool:
    """Whether OCR saw something number-like where the number should be."""
    return bool(raw) and len(re.sub(r"\D", "", raw or "")) >= 5


def _malformed(data: CheckInput, places: tuple[tuple[DocumentKind, str], ...],
               valid: Callable[[str], bool]) -> list[Hit]:
    """Numbers present on a readable page but without their structure."""
    hits = []
    for kind, name in places:
        for doc in data.documents_of(kind):
            item = doc.field(name)
            if item is None or not readable(doc):
                continue
            if item.value is not None and valid(item.value):
                continue
            if item.value is None and not _seen_digits(item.raw):
                continue  # nothing number-like seen: the page says nothing about it
            shown = item.value or item.raw
            hits.append(Hit(params={"filename": doc.filename, "document": DOC_LABELS_ID[kind]},
                            evidence={"filename": doc.filename, "field": name,
                                      "read": mask_number(re.sub(r"\s", "", shown or ""))}))
    return hits


def _kpj_malformed(data: CheckInput) -> list[Hit]:
    """Unless another document carries the record's KPJ: the number is then
    settled, and a poor reading of the other is not worth a rescan."""
    if data.participant is not None and any(
            doc.value("kpj") == data.participant.kpj for kind, _n in _KPJ_PLACES
            for doc in data.documents_of(kind)):
        return []
    return _malformed(data, _KPJ_PLACES, lambda v: v.isdigit() and is_kpj(v))


def _kk_malformed(data: CheckInput) -> list[Hit]:
    regions = load_regions()
    return _malformed(data, ((DocumentKind.KK, "no_kk"),),
                      lambda v: not kk_number_problems(v, regions, data.today))


def _npwp_malformed(data: CheckInput) -> list[Hit]:
    """Only where the NPWP matters: with a balance above the threshold (DOC-007)."""
    if data.participant is None or data.participant.saldo_jht <= NPWP_BALANCE_THRESHOLD:
        return []
    regions = load_regions()

    def valid(value: str) -> bool:
        # Old style 15 digits, or since 2024 the citizen's NIK.
        return value.isdigit() and (is_npwp(value) or not nik_problems(value, regions, data.today))
    return _malformed(data, ((DocumentKind.NPWP, "npwp"),), valid)


KPJ_MALFORMED = Rule(
    id="KPJ-001", family="identity", severity=Severity.ERROR, action=Action.ASK,
    title="KPJ number unreadable or not 11 digits",
    title_id="Nomor KPJ tidak terbaca atau bukan 11 angka",
    message_id=('Nomor KPJ pada {document} (lampiran "{filename}") tidak terbaca atau tidak '
                "terdiri dari 11 angka. Mohon periksa dan kirim ulang pindaian yang jelas."),
    message_en='The KPJ number on the {document} ("{filename}") is unreadable or not 11 digits.',
    check=_kpj_malformed,
)

KK_NUMBER_MALFORMED = Rule(
    id="KK-001", family="identity", severity=Severity.ERROR, action=Action.ASK,
    title="No. KK unreadable or invalid",
    title_id="Nomor KK tidak terbaca atau tidak sah",
    message_id=('Nomor Kartu Keluarga (lampiran "{filename}") tidak terbaca atau tidak sesuai '
                "format (16 angka). Mohon kirim ulang pindaian Kartu Keluarga yang jelas dan "
                "utuh."),
    message_en='The No. KK ("{filename}") is unreadable or not a valid 16-digit number.',
    check=_kk_malformed,
)

NPWP_MALFORMED = Rule(
    id="NPWP-001", family="identity", severity=Severity.ERROR, action=Action.ASK,
    title="NPWP number unreadable or invalid",
    title_id="Nomor NPWP tidak terbaca atau tidak sah",
    message_id=('Nomor NPWP (lampiran "{filename}") tidak terbaca atau tidak sesuai format '
                "(15 angka, atau NIK 16 angka). Mohon kirim ulang pindaian kartu NPWP yang jelas."),
    message_en='The NPWP number ("{filename}") is unreadable or neither 15 digits nor a NIK.',
    check=_npwp_malformed,
)

RULES = (KTP_NIK_UNREADABLE, NIK_DIFFERS_FROM_RECORD, NIK_REGION_NOT_CURRENT,
         NIK_DISAGREES_WITH_KTP, KPJ_MALFORMED, KK_NUMBER_MALFORMED, NPWP_MALFORMED)

"""Rules comparing the packet with the participant record."""

from __future__ import annotations

from extractors.nik import mask_nik
from pipeline.types import Action, DocumentKind, Severity
from rules.base import CheckInput, Hit, Rule, readable
from rules.claim import (CLAIM_KINDS, mask_number, names_matching_none, nik_birth,
                         parse_iso, read_name)
from rules.consistency import kpj_misread
from rules.names import match_companies, match_names


def _not_a_participant(data: CheckInput) -> list[Hit]:
    if data.nik is None or data.participant is not None:
        return []
    return [Hit(params={"nik": mask_nik(data.nik)}, evidence={"nik": mask_nik(data.nik)})]


def _ktp_name_mismatch(data: CheckInput) -> list[Hit]:
    if data.participant is None:
        return []
    hits = []
    for doc in data.documents_of(DocumentKind.KTP):
        name = read_name(doc, "nama")
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
    title_id="NIK tidak terdaftar sebagai peserta",
    message_id=("NIK {nik} tidak terdaftar sebagai peserta BPJS Ketenagakerjaan. Mohon periksa "
                "kembali NIK Anda, atau hubungi kantor cabang bila Anda yakin terdaftar."),
    message_en="NIK {nik} is not in the participant records.",
    check=_not_a_participant,
)

KTP_NAME_MISMATCH = Rule(
    id="REC-002", family="records", severity=Severity.WARNING, action=Action.REVIEW,
    title="KTP name differs from the record",
    title_id="Nama KTP berbeda dengan data peserta",
    message_id=("Nama pada KTP ({name}) berbeda dengan nama pada data kepesertaan. Petugas kami "
                "akan memeriksa dan menghubungi Anda."),
    message_en="The name on the KTP ({name}) does not match the participant record.",
    check=_ktp_name_mismatch,
)



def _not_a_claim(data: CheckInput) -> list[Hit]:
    sub = data.submission
    if (sub.unreadable_reason is not None or not sub.attachments or data.participant is not None
            or data.nik is not None or data.unreadable):
        return []
    if any(doc.kind in CLAIM_KINDS for doc in data.documents):
        return []
    return [Hit(evidence={"sender": sub.sender,
                          "kinds": ",".join(sorted({d.kind.value for d in data.documents}))})]


NOT_A_CLAIM = Rule(
    id="REC-003", family="records", severity=Severity.ERROR, action=Action.REJECT,
    title="Sender unknown and no claim document",
    title_id="Pengirim tidak dikenal dan tanpa dokumen klaim",
    message_id=("Alamat email Anda tidak terdaftar pada data peserta dan lampiran Anda tidak berisi "
                "dokumen klaim JHT. Bila Anda peserta BPJS Ketenagakerjaan, kirim pindaian KTP, "
                "Kartu Keluarga, Formulir F5, Kartu Peserta, paklaring, dan buku tabungan."),
    message_en="The sender is not a registered participant and no claim document was found.",
    check=_not_a_claim,
)



def _kpj_not_the_participants(data: CheckInput) -> list[Hit]:
    """The KPJ on the card or the F5 against the record found by NIK.

    When the KPJ was also looked up on its own (`kpj_participant`), the
    evidence says whose it is: NIK and KPJ must point to the same person.
    """
    person = data.participant
    if person is None:
        return []
    read: dict[str, str] = {}
    card = next((d.value("kpj") for d in data.documents_of(DocumentKind.KARTU_PESERTA)
                 if d.value("kpj") and readable(d)), None)
    for kind in (DocumentKind.KARTU_PESERTA, DocumentKind.F5):
        for doc in data.documents_of(kind):
            value = doc.value("kpj")
            # A malformed number is KPJ-001's, not someone else's KPJ.
            well_formed = bool(value) and len(value or "") == 11 and (value or "").isdigit()
            if not value or not well_formed or not readable(doc) or value == person.kpj:
                continue
            if kind == DocumentKind.F5 and kpj_misread(value, card, person.kpj):
                continue
            read.setdefault(value, doc.filename)
    if not read:
        return []
    owner = data.kpj_participant
    owner_nik = owner.nik if owner is not None and owner.nik != person.nik else None
    kpj, filename = next(iter(read.items()))
    return [Hit(params={"kpj": mask_number(kpj)},
                evidence={"kpj_read": mask_number(kpj), "kpj_record": mask_number(person.kpj),
                          "filename": filename, "kpj_owner_nik": mask_nik(owner_nik)
                          if owner_nik else None,
                          "other_kpj_read": ",".join(mask_number(k) for k in list(read)[1:])
                          or None})]


KPJ_NOT_THE_PARTICIPANTS = Rule(
    id="REC-004", family="records", severity=Severity.WARNING, action=Action.REVIEW,
    title="KPJ on the documents is not the participant's",
    title_id="KPJ pada dokumen bukan milik peserta",
    message_id=("Nomor KPJ pada dokumen ({kpj}) tidak sesuai dengan nomor KPJ Anda pada data "
                "kepesertaan. Petugas kami akan memeriksanya."),
    message_en="The KPJ on the documents ({kpj}) is not the participant record's KPJ.",
    check=_kpj_not_the_participants,
)


def _birth_date_differs(data: CheckInput) -> list[Hit]:
    """The record's birth date against the documents'.

    The documents' date is the one the NIK encodes (a checked number, read
    far more reliably than printed text), else the KTP's printed date,
    else the F5's.
    """
    person = data.participant
    if person is None:
        return []
    ktp = next((d.value("tanggal_lahir") for d in data.documents_of(DocumentKind.KTP)
                if d.value("tanggal_lahir") and readable(d)), None)
    form = next((d.value("tanggal_lahir") for d in data.documents_of(DocumentKind.F5)
                 if d.value("tanggal_lahir") and readable(d)), None)
    encoded, _sex = nik_birth(data.nik, data.today)
    documents = encoded or parse_iso(ktp) or parse_iso(form)
    if documents is None or documents == person.tanggal_lahir:
        return []
    source = "nik" if encoded else ("ktp" if parse_iso(ktp) else "f5")
    return [Hit(params={"born": documents.strftime("%d-%m-%Y")},
                evidence={"tanggal_lahir_dokumen": documents.isoformat(), "sumber": source,
                          "tanggal_lahir_ktp": ktp, "tanggal_lahir_f5": form,
                          "tanggal_lahir_record": person.tanggal_lahir.isoformat()})]


BIRTH_DATE_DIFFERS = Rule(
    id="REC-005", family="records", severity=Severity.WARNING, action=Action.REVIEW,
    title="Birth date differs from the record",
    title_id="Tanggal lahir berbeda dengan data peserta",
    message_id=("Tanggal lahir pada dokumen ({born}) berbeda dengan tanggal lahir pada data "
                "kepesertaan. Petugas kami akan memeriksa dan, bila perlu, memperbaiki data."),
    message_en="The birth date on the documents ({born}) differs from the participant record.",
    check=_birth_date_differs,
)


def _sex_differs(data: CheckInput) -> list[Hit]:
    person = data.participant
    if person is None:
        return []
    _born, encoded = nik_birth(data.nik, data.today)
    printed = next((d.value("jenis_kelamin") for d in data.documents_of(DocumentKind.KTP)
                    if d.value("jenis_kelamin") and readable(d)), None)
    documents = encoded or printed
    if documents is None or documents == person.jenis_kelamin:
        return []
    return [Hit(params={"sex": documents},
                evidence={"jenis_kelamin_dokumen": documents, "jenis_kelamin_ktp": printed,
                          "jenis_kelamin_record": person.jenis_kelamin})]


SEX_DIFFERS = Rule(
    id="REC-006", family="records", severity=Severity.WARNING, action=Action.REVIEW,
    title="Sex differs from the record",
    title_id="Jenis kelamin berbeda dengan data peserta",
    message_id=("Jenis kelamin pada dokumen ({sex}) berbeda dengan data kepesertaan. Petugas kami "
                "akan memeriksanya."),
    message_en="The sex on the documents ({sex}) differs from the participant record.",
    check=_sex_differs,
)


def _mother_differs(data: CheckInput) -> list[Hit]:
    """The mother's maiden name written on the F5 against the record's."""
    person = data.participant
    if person is None or not person.nama_ibu:
        return []
    hits = []
    for doc in data.documents_of(DocumentKind.F5):
        shown = read_name(doc, "nama_ibu")
        if not shown:
            continue
        match = match_names(shown, person.nama_ibu)
        if not match.matched:
            hits.append(Hit(params={"name": shown},
                            evidence={"filename": doc.filename, "nama_ibu_f5": shown,
                                      "nama_ibu_record": person.nama_ibu,
                                      "score": f"{match.score:.0f}", "reason": match.reason}))
    return hits


MOTHER_DIFFERS = Rule(
    id="REC-007", family="records", severity=Severity.WARNING, action=Action.REVIEW,
    title="Mother's maiden name differs from the record",
    title_id="Nama ibu kandung berbeda dengan data peserta",
    message_id=("Nama ibu kandung pada Formulir F5 ({name}) berbeda dengan data kepesertaan. "
                "Petugas kami akan memeriksanya."),
    message_en="The mother's maiden name on the F5 ({name}) differs from the participant record.",
    check=_mother_differs,
)

# Where the account holder's name is printed or written.
_HOLDER_PLACES = ((DocumentKind.BUKU_TABUNGAN, "nama"), (DocumentKind.F5, "nama_rekening"))


def _holder_not_participant(data: CheckInput) -> list[Hit]:
    """The bank account must be in the participant's own name (DOMAIN.md)."""
    person = data.participant
    if person is None:
        return []
    names = [person.nama] + [name for d in data.documents_of(DocumentKind.KTP)
                             if (name := read_name(d, "nama"))]
    return [Hit(params={"name": odd.shown},
                evidence={"filename": odd.doc.filename, "field": odd.field,
                          "nama_rekening": odd.shown, "record_nama": person.nama,
                          "score": f"{odd.best.score:.0f}", "reason": odd.best.reason})
            for odd in names_matching_none(data, _HOLDER_PLACES, names)]

HOLDER_NOT_PARTICIPANT = Rule(
    id="REC-008", family="records", severity=Severity.WARNING, action=Action.REVIEW,
    title="Bank account holder is not the participant",
    title_id="Rekening bukan atas nama peserta",
    message_id=("Rekening bank atas nama {name}, bukan atas nama peserta. JHT hanya dapat "
                "dibayarkan ke rekening atas nama peserta sendiri; petugas kami akan "
                "menghubungi Anda."),
    message_en="The bank account is held by {name}, not by the participant.",
    check=_holder_not_participant,
)


def _employer_differs(data: CheckInput) -> list[Hit]:
    """The employer issuing the paklaring against the record's last employer."""
    person = data.participant
    if person is None or not person.employer:
        return []
    hits = []
    for doc in data.documents_of(DocumentKind.PAKLARING):
        shown = doc.value("employer")
        if not shown or not readable(doc):
            continue
        match = match_companies(shown, person.employer)
        if not match.matched:
            hits.append(Hit(params={"employer": shown},
                            evidence={"filename": doc.filename, "employer_paklaring": shown,
                                      "employer_record": person.employer,
                                      "score": f"{match.score:.0f}"}))
    return hits


EMPLOYER_DIFFERS = Rule(
    id="REC-009", family="records", severity=Severity.WARNING, action=Action.REVIEW,
    title="Paklaring employer is not the record's last employer",
    title_id="Perusahaan di paklaring bukan perusahaan terakhir",
    message_id=("Perusahaan pada paklaring ({employer}) bukan perusahaan terakhir Anda menurut "
                "data kepesertaan. Petugas kami akan memeriksanya."),
    message_en="The paklaring's employer ({employer}) is not the record's last employer.",
    check=_employer_differs,
)

RULES = (NOT_A_PARTICIPANT, KTP_NAME_MISMATCH, NOT_A_CLAIM, KPJ_NOT_THE_PARTICIPANTS,
         BIRTH_DATE_DIFFERS, SEX_DIFFERS, MOTHER_DIFFERS, HOLDER_NOT_PARTICIPANT,
         EMPLOYER_DIFFERS)

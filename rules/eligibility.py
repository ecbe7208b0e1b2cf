"""Rules on whether the claim can be paid yet, by the reason ticked on the F5.

DOMAIN.md: JHT for resignation is paid one month after the resignation
(the last working day on the employer's letter), for termination one month
after the termination date; the retirement reason needs age 56 (or the
retirement age in the work agreement, which only an officer can see);
several reasons need documents this system does not read (a passport, a
doctor's statement, a death certificate, the termination evidence); a
partial withdrawal (10% or 30%) needs at least 10 years of membership and a
participant still at work, which the participant record shows.
"""

from __future__ import annotations

from datetime import date

from pipeline.types import Action, DocumentKind, Participant, Severity
from rules.base import CheckInput, Hit, Rule, readable
from rules.claim import (CONTRACT_END, REASON_LABELS_ID, RESIGNATION, RETIREMENT, TERMINATION,
                         add_months, age_on, claim_reason, is_claim, nik_birth, parse_iso,
                         submitted_on)

WAITING_MONTHS = 1
RETIREMENT_AGE = 56
PARTIAL_WITHDRAWAL = "pengambilan_sebagian"
PARTIAL_WITHDRAWAL_YEARS = 10
# Reasons paid only after the waiting month, counted from the last working day.
_AFTER_LEAVING = (RESIGNATION, TERMINATION, CONTRACT_END)
# Supporting documents a reason needs beyond the usual packet, as the participant reads them.
SUPPORTING_ID: dict[str, str] = {
    TERMINATION: ("bukti PHK: tanda terima laporan PHK dari dinas ketenagakerjaan, surat PHK "
                  "dengan pernyataan menerima, perjanjian bersama, atau putusan pengadilan "
                  "hubungan industrial"),
    "meninggalkan_indonesia": "paspor dan visa atau bukti keluar dari Indonesia untuk selamanya",
    "cacat_total": "surat keterangan dokter tentang cacat total tetap",
    "meninggal_dunia": "akta kematian dan dokumen ahli waris (surat keterangan ahli waris, KTP "
                       "dan KK ahli waris)",
    PARTIAL_WITHDRAWAL: "surat keterangan masih aktif bekerja dari perusahaan",
}


def _left_too_recently(data: CheckInput) -> list[Hit]:
    reason, _read = claim_reason(data)
    if not is_claim(data) or reason not in _AFTER_LEAVING:
        return []
    submitted = submitted_on(data)
    for doc in data.documents_of(DocumentKind.PAKLARING):
        if not readable(doc):
            continue
        left = parse_iso(doc.value("berhenti_kerja"))
        if left is None:
            continue
        payable = add_months(left, WAITING_MONTHS)
        if submitted < payable:
            return [Hit(params={"left": left.strftime("%d-%m-%Y"),
                                "payable": payable.strftime("%d-%m-%Y"),
                                "reason": REASON_LABELS_ID[reason]},
                        evidence={"filename": doc.filename, "berhenti_kerja": left.isoformat(),
                                  "submitted": submitted.isoformat(),
                                  "payable_from": payable.isoformat(), "sebab_klaim": reason})]
    return []


LEFT_TOO_RECENTLY = Rule(
    id="ELIG-001", family="eligibility", severity=Severity.ERROR, action=Action.ASK,
    title="Left work less than a month before submitting",
    title_id="Berhenti kerja belum genap satu bulan",
    message_id=("Klaim JHT karena {reason} baru dapat diajukan satu bulan setelah tanggal "
                "berhenti bekerja ({left}). Mohon daftar ulang untuk jadwal mulai tanggal "
                "{payable} dan kirim kembali berkas Anda."),
    message_en=("Left work on {left}: a claim for this reason can be submitted from {payable} "
                "(one month later)."),
    check=_left_too_recently,
)


def _under_retirement_age(data: CheckInput) -> list[Hit]:
    reason, _read = claim_reason(data)
    if not is_claim(data) or reason != RETIREMENT:
        return []
    born = (data.participant.tanggal_lahir if data.participant
            else nik_birth(data.nik, data.today)[0])
    if born is None:
        return []
    age = age_on(born, submitted_on(data))
    if age >= RETIREMENT_AGE:
        return []
    return [Hit(params={"age": str(age)},
                evidence={"tanggal_lahir": born.isoformat(), "age": str(age),
                          "submitted": submitted_on(data).isoformat()})]


UNDER_RETIREMENT_AGE = Rule(
    id="ELIG-002", family="eligibility", severity=Severity.WARNING, action=Action.REVIEW,
    title="Retirement reason under age 56",
    title_id="Alasan pensiun tetapi usia belum 56 tahun",
    message_id=("Alasan klaim \"mencapai usia pensiun\" dipilih, tetapi usia Anda {age} tahun "
                "(batas usia pensiun 56 tahun, kecuali perjanjian kerja menetapkan lain). "
                "Petugas kami akan memeriksanya."),
    message_en="The retirement reason is ticked but the participant is {age} (retirement age 56).",
    check=_under_retirement_age,
)


def _needs_supporting_document(data: CheckInput) -> list[Hit]:
    reason, read = claim_reason(data)
    if not is_claim(data) or not read or reason not in SUPPORTING_ID:
        return []
    return [Hit(params={"reason": REASON_LABELS_ID[reason], "documents": SUPPORTING_ID[reason]},
                evidence={"sebab_klaim": reason})]


NEEDS_SUPPORTING_DOCUMENT = Rule(
    id="ELIG-003", family="eligibility", severity=Severity.WARNING, action=Action.REVIEW,
    title="Claim reason needs a document an officer must check",
    title_id="Sebab klaim perlu dokumen pendukung",
    message_id=("Untuk klaim karena {reason} diperlukan juga {documents}. Petugas kami akan "
                "memeriksa dokumen tersebut; bila belum dilampirkan, mohon kirimkan."),
    message_en="The claim reason ({reason}) needs supporting documents an officer must check.",
    check=_needs_supporting_document,
)


def _partial_withdrawal_record(data: CheckInput) -> Participant | None:
    """The participant record when the F5 asks for a partial withdrawal, else None."""
    reason, _read = claim_reason(data)
    if not is_claim(data) or reason != PARTIAL_WITHDRAWAL:
        return None
    # No record: REC-001 (or NIK-002) speaks, and there is nothing to count from.
    return data.participant


def _left_work_on(person: Participant, submitted: date) -> date | None:
    """The recorded end of the last employment when it came before the mail."""
    left = person.berhenti_kerja
    # An end still ahead (a notice period) leaves the participant at work today.
    return left if left is not None and left <= submitted else None


def _membership_too_short(data: CheckInput) -> list[Hit]:
    person = _partial_withdrawal_record(data)
    # An unknown membership start proves nothing either way: saying "not yet"
    # could wrongly turn a participant away, and a partial withdrawal goes
    # before an officer anyway (ELIG-003), who sees the membership card.
    if person is None or person.peserta_sejak is None:
        return []
    submitted = submitted_on(data)
    if _left_work_on(person, submitted) is not None:
        return []  # ELIG-005: closed to them however long the membership
    reached = add_months(person.peserta_sejak, PARTIAL_WITHDRAWAL_YEARS * 12)
    if submitted >= reached:
        return []
    return [Hit(params={"since": person.peserta_sejak.strftime("%d-%m-%Y"),
                        "reached": reached.strftime("%d-%m-%Y")},
                evidence={"peserta_sejak_record": person.peserta_sejak.isoformat(),
                          "sepuluh_tahun": reached.isoformat(),
                          "submitted": submitted.isoformat(), "sebab_klaim": PARTIAL_WITHDRAWAL})]


# Review, as ELIG-002: the record's start can miss an earlier membership
# under another KPJ that only an officer can find and merge; the reply still
# tells the participant the date (pipeline/replies/compose.py).
MEMBERSHIP_TOO_SHORT = Rule(
    id="ELIG-004", family="eligibility", severity=Severity.WARNING, action=Action.REVIEW,
    title="Partial withdrawal before 10 years of membership",
    title_id="Pengambilan sebagian tetapi kepesertaan belum 10 tahun",
    message_id=("Pengambilan sebagian JHT (10% atau 30%) baru dapat diajukan setelah menjadi "
                "peserta paling sedikit 10 tahun. Menurut data kami Anda menjadi peserta sejak "
                "{since}, sehingga 10 tahun kepesertaan tercapai pada {reached}. Pengambilan "
                "sebagian dapat Anda ajukan mulai tanggal tersebut. Petugas kami akan "
                "memeriksanya."),
    message_en=("Partial withdrawal needs 10 years of membership. Member since {since}: the "
                "10 years are reached on {reached}, and a partial withdrawal can be claimed from "
                "that date."),
    check=_membership_too_short,
)


def _partial_withdrawal_after_leaving(data: CheckInput) -> list[Hit]:
    person = _partial_withdrawal_record(data)
    if person is None:
        return []
    submitted = submitted_on(data)
    left = _left_work_on(person, submitted)
    if left is None:
        return []
    return [Hit(params={"left": left.strftime("%d-%m-%Y")},
                evidence={"berhenti_kerja_record": left.isoformat(),
                          "submitted": submitted.isoformat(), "sebab_klaim": PARTIAL_WITHDRAWAL})]


# A rule of its own rather than a second message of ELIG-004: the remedy
# differs (claim the whole JHT for the reason the participant left, not wait
# for a date), and an officer filters and counts the two apart.
LEFT_WORK_PARTIAL_WITHDRAWAL = Rule(
    id="ELIG-005", family="eligibility", severity=Severity.WARNING, action=Action.REVIEW,
    title="Partial withdrawal after leaving work",
    title_id="Pengambilan sebagian tetapi sudah berhenti bekerja",
    message_id=("Pengambilan sebagian JHT (10% atau 30%) hanya untuk peserta yang masih bekerja. "
                "Menurut data kami Anda berhenti bekerja pada {left}. Peserta yang sudah berhenti "
                "bekerja dapat mengajukan klaim seluruh saldo JHT dengan sebab klaim yang sesuai "
                "(misalnya mengundurkan diri) pada Formulir F5. Petugas kami akan memeriksanya."),
    message_en=("Partial withdrawal is for participants still at work; the records show work "
                "ended on {left}. The whole JHT can be claimed instead, with the matching reason "
                "(for example resignation) on the F5."),
    check=_partial_withdrawal_after_leaving,
)

RULES = (LEFT_TOO_RECENTLY, UNDER_RETIREMENT_AGE, NEEDS_SUPPORTING_DOCUMENT, MEMBERSHIP_TOO_SHORT,
         LEFT_WORK_PARTIAL_WITHDRAWAL)

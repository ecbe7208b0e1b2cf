"""Rules on whether the claim can be paid yet, by the reason ticked on the F5.

DOMAIN.md: JHT for resignation is paid one month after the resignation
(the last working day on the employer's letter), for termination one month
after the termination date; the retirement reason needs age 56 (or the
retirement age in the work agreement, which only an officer can see);
several reasons need documents this system does not read (a passport, a
doctor's statement, a death certificate, the termination evidence).
"""

from __future__ import annotations

from pipeline.types import Action, DocumentKind, Severity
from rules.base import CheckInput, Hit, Rule
from rules.claim import (CONTRACT_END, REASON_LABELS_ID, RESIGNATION, RETIREMENT, TERMINATION,
                         add_months, age_on, claim_reason, is_claim, nik_birth, parse_iso,
                         submitted_on)

WAITING_MONTHS = 1
RETIREMENT_AGE = 56
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
    "pengambilan_sebagian": "surat keterangan masih aktif bekerja dari perusahaan",
}


def _left_too_recently(data: CheckInput) -> list[Hit]:
    reason, _read = claim_reason(data)
    if not is_claim(data) or reason not in _AFTER_LEAVING:
        return []
    submitted = submitted_on(data)
    for doc in data.documents_of(DocumentKind.PAKLARING):
        if doc.quality is not None and not doc.quality.readable:
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

RULES = (LEFT_TOO_RECENTLY, UNDER_RETIREMENT_AGE, NEEDS_SUPPORTING_DOCUMENT)

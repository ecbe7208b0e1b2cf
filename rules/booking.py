"""Rules on the Lapak Asik booking the packet belongs to (DOMAIN.md).

The booking is looked up before the rules run (by the code in the subject
or body, else by the participant's NIK at this branch) and passed in; a
code names one booking wherever it was made, so a booking at another
branch shows up here.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from extractors.nik import mask_nik
from pipeline.types import Action, Severity
from rules.base import CheckInput, Hit, Rule
from rules.claim import is_claim

# The documents must arrive at least this long before the appointment.
LEAD_TIME = timedelta(days=1)


def _no_booking(data: CheckInput) -> list[Hit]:
    if not is_claim(data) or data.booking is not None:
        return []
    return [Hit(evidence={"booking_code_in_mail": data.submission.booking_code,
                          "branch": data.submission.branch_id})]


NO_BOOKING = Rule(
    id="BOOK-001", family="booking", severity=Severity.ERROR, action=Action.ASK,
    title="No booking found",
    title_id="Booking tidak ditemukan",
    message_id=("Kami tidak menemukan jadwal (booking) Lapak Asik Anda di kantor cabang ini. "
                "Mohon balas email ini dengan menyebutkan kode booking Anda, atau daftar "
                "antrian terlebih dahulu melalui aplikasi BPJSTKU atau situs antrian."),
    message_en="No Lapak Asik booking matches this message at this branch.",
    check=_no_booking,
)


def _other_branch(data: CheckInput) -> list[Hit]:
    booking = data.booking
    if not is_claim(data) or booking is None or booking.branch_id == data.submission.branch_id:
        return []
    return [Hit(params={"code": booking.code, "branch": booking.branch_id},
                evidence={"booking_code": booking.code, "booking_branch": booking.branch_id,
                          "branch": data.submission.branch_id})]


OTHER_BRANCH = Rule(
    id="BOOK-002", family="booking", severity=Severity.ERROR, action=Action.ASK,
    title="Booking is for another branch",
    title_id="Booking untuk kantor cabang lain",
    message_id=("Booking {code} Anda terdaftar di kantor cabang {branch}, bukan di kantor cabang "
                "ini. Mohon kirim berkas ke alamat email kantor cabang {branch}, atau daftar "
                "ulang untuk kantor cabang ini."),
    message_en="Booking {code} is for branch {branch}, not this one.",
    check=_other_branch,
)


def _someone_elses_booking(data: CheckInput) -> list[Hit]:
    booking = data.booking
    if not is_claim(data) or booking is None:
        return []
    own = {nik for nik in (data.nik, data.participant.nik if data.participant else None) if nik}
    if not own or booking.nik in own:
        return []
    return [Hit(params={"code": booking.code},
                evidence={"booking_code": booking.code, "booking_nik": mask_nik(booking.nik),
                          "nik": mask_nik(next(iter(sorted(own))))})]


SOMEONE_ELSES_BOOKING = Rule(
    id="BOOK-003", family="booking", severity=Severity.WARNING, action=Action.REVIEW,
    title="Booking belongs to another person",
    title_id="Booking atas nama orang lain",
    message_id=("Kode booking {code} terdaftar atas nama orang lain. Petugas kami akan "
                "memeriksanya."),
    message_en="Booking {code} was made for another NIK.",
    check=_someone_elses_booking,
)


def _too_late(data: CheckInput) -> list[Hit]:
    booking = data.booking
    if not is_claim(data) or booking is None:
        return []
    received = data.submission.received_at
    if received <= booking.appointment_at - LEAD_TIME:
        return []
    local = booking.appointment_at.astimezone(ZoneInfo(data.timezone))
    hours = (booking.appointment_at - received).total_seconds() / 3600
    return [Hit(params={"code": booking.code, "when": local.strftime("%d-%m-%Y %H:%M")},
                evidence={"booking_code": booking.code,
                          "appointment_at": booking.appointment_at.isoformat(),
                          "received_at": received.isoformat(),
                          "hours_before": f"{hours:.1f}"})]


TOO_LATE = Rule(
    id="BOOK-004", family="booking", severity=Severity.ERROR, action=Action.ASK,
    title="Arrived less than a day before the appointment",
    title_id="Berkas masuk kurang dari sehari sebelum jadwal",
    message_id=("Berkas diterima kurang dari satu hari sebelum jadwal Anda ({when}, booking "
                "{code}). Berkas harus dikirim paling lambat satu hari sebelum jadwal; mohon "
                "daftar ulang untuk jadwal baru lalu kirim kembali berkas Anda."),
    message_en=("The packet arrived less than one day before the appointment ({when}, booking "
                "{code})."),
    check=_too_late,
)

RULES = (NO_BOOKING, OTHER_BRANCH, SOMEONE_ELSES_BOOKING, TOO_LATE)

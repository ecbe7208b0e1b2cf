"""Participant records and bookings: loading and looking up."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.store.models import BookingRow, ParticipantRow
from pipeline.types import Booking, Participant


def _to_participant(row: ParticipantRow) -> Participant:
    return Participant(nik=row.nik, kpj=row.kpj, nama=row.nama, tanggal_lahir=row.tanggal_lahir,
                       jenis_kelamin=row.jenis_kelamin, email=row.email, phone=row.phone,
                       nama_ibu=row.nama_ibu, employer=row.employer, saldo_jht=row.saldo_jht,
                       peserta_sejak=row.peserta_sejak, berhenti_kerja=row.berhenti_kerja)


def upsert_participants(session: Session, participants: Iterable[Participant]) -> int:
    """Insert or update by NIK; returns how many were written."""
    count = 0
    for item in participants:
        session.merge(ParticipantRow(**item.model_dump()))
        count += 1
    return count


def upsert_bookings(session: Session, bookings: Iterable[Booking]) -> int:
    count = 0
    for item in bookings:
        session.merge(BookingRow(**item.model_dump()))
        count += 1
    return count


def find_participant(session: Session, nik: str | None, kpj: str | None,
                     email: str | None) -> Participant | None:
    """By NIK when the documents gave one, else by KPJ, else by sender address.

    A NIK that is not in the records is an answer in itself (not a
    participant): the sender's address is not then used to guess a person.
    """
    if nik:
        row = session.get(ParticipantRow, nik)
        return _to_participant(row) if row else None
    if kpj:
        row = session.scalars(select(ParticipantRow).where(ParticipantRow.kpj == kpj)).first()
        if row:
            return _to_participant(row)
    if email:
        rows = session.scalars(select(ParticipantRow).where(ParticipantRow.email == email.lower())
                               .limit(2)).all()
        if len(rows) == 1:  # a shared address (family, agent) identifies nobody
            return _to_participant(rows[0])
    return None


def find_booking(session: Session, code: str | None, nik: str | None,
                 branch_id: str) -> Booking | None:
    """The booking named in the mail, else the participant's latest booking.

    One at this branch is preferred; failing that, one at any other branch
    is returned, so that rule BOOK-002 can tell the participant they wrote
    to the wrong office instead of saying they have no booking at all.
    """
    row: BookingRow | None = None
    if code:
        row = session.get(BookingRow, code)
    if row is None and nik:
        latest = select(BookingRow).where(BookingRow.nik == nik).order_by(
            BookingRow.appointment_at.desc())
        row = (session.scalars(latest.where(BookingRow.branch_id == branch_id)).first()
               or session.scalars(latest).first())
    if row is None:
        return None
    return Booking(code=row.code, branch_id=row.branch_id, nik=row.nik,
                   appointment_at=row.appointment_at)

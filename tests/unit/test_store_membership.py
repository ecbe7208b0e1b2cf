"""The record's membership start and end of work: migration 0004, the store, the CSV load.

`membership_round_trip` runs on any engine at the head revision; the
PostgreSQL suite (tests/integration/test_postgres.py) runs it there too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from extractors.nik import make_nik
from pipeline.store.csvload import read_participants_csv
from pipeline.store.db import downgrade, make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.records import find_participant, upsert_participants
from pipeline.types import Participant

NEW_COLUMNS = {"peserta_sejak", "berhenti_kerja"}


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("participants")}


def membership_round_trip(engine: Engine, serial: int = 77) -> None:
    """Down to 0003, a record written then, up again: kept, the new dates unknown; then set."""
    born = date(1979, 4, 21)
    nik = make_nik("647203", born, female=False, serial=serial)
    old = Participant(nik=nik, kpj=f"0{serial:010d}", nama="ANDI WIJAYA", tanggal_lahir=born,
                      jenis_kelamin="LAKI-LAKI", email=f"andi{serial}@peserta.example",
                      saldo_jht=30_000_000)
    downgrade(engine, "0003")
    assert not NEW_COLUMNS & _columns(engine)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO participants (nik, kpj, nama, tanggal_lahir, jenis_kelamin, email, "
            "saldo_jht) VALUES (:nik, :kpj, :nama, :born, :sex, :email, :saldo)"),
            {"nik": nik, "kpj": old.kpj, "nama": old.nama, "born": born, "sex": old.jenis_kelamin,
             "email": old.email, "saldo": old.saldo_jht})
    upgrade(engine)
    assert NEW_COLUMNS <= _columns(engine)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        assert find_participant(session, nik, None, None) == old  # both dates None
    known = old.model_copy(update={"peserta_sejak": date(2008, 2, 29),
                                   "berhenti_kerja": date(2020, 3, 31)})
    with transaction(factory) as session:
        upsert_participants(session, [known])
    with transaction(factory) as session:
        assert find_participant(session, None, old.kpj, None) == known


def test_migration_keeps_older_records_and_stores_the_dates(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    try:
        upgrade(engine)
        membership_round_trip(engine)
    finally:
        engine.dispose()


def test_csv_columns_are_optional(tmp_path: Path) -> None:
    head = "nik,kpj,nama,tanggal_lahir,jenis_kelamin,email,phone,nama_ibu,employer,saldo_jht"
    row = "6472031001800001,12345678901,BUDI SANTOSO,1980-01-10,LAKI-LAKI,,,,PT X,1000"
    without = tmp_path / "old.csv"
    without.write_text(f"{head}\n{row}\n", encoding="utf-8")
    with_dates = tmp_path / "new.csv"
    with_dates.write_text(f"{head},peserta_sejak,berhenti_kerja\n{row},2009-07-01,\n",
                          encoding="utf-8")
    (old,) = read_participants_csv(without)
    (new,) = read_participants_csv(with_dates)
    assert (old.peserta_sejak, old.berhenti_kerja) == (None, None)
    assert (new.peserta_sejak, new.berhenti_kerja) == (date(2009, 7, 1), None)

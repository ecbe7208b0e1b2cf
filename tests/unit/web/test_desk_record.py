"""The submission page shows the participant record's membership start and end of work."""

from __future__ import annotations

from datetime import date
from html import unescape
from pathlib import Path

from pipeline.store.records import find_participant, upsert_participants
from pipeline.types import Participant
from pipeline.web.labels import record_value
from tests.unit.web.deskdata import build_world, client_for


def _record_block(html: str) -> str:
    return html.split('<dl class="record">', 1)[1].split("</dl>", 1)[0]


def test_record_block_shows_membership_start_and_end_of_work(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    with world.factory() as session, session.begin():
        alpha = find_participant(session, world.niks["alpha"], None, None)
        assert alpha is not None
        upsert_participants(session, [alpha.model_copy(update={
            "peserta_sejak": date(2016, 8, 1), "berhenti_kerja": date(2020, 3, 31)})])
    with client_for(world, "spv.kalimantan") as client:
        known = _record_block(unescape(client.get(f"/pengajuan/{world.submissions['alpha']}")
                                       .text))
        unknown = _record_block(unescape(client.get(f"/pengajuan/{world.submissions['beta']}")
                                         .text))
    assert "<dt>Peserta sejak</dt><dd>01-08-2016</dd>" in known
    assert "<dt>Berhenti kerja</dt><dd>31-03-2020</dd>" in known
    # Records loaded without the dates say so with a dash, not a guess.
    assert "<dt>Peserta sejak</dt><dd>-</dd>" in unknown
    assert "<dt>Berhenti kerja</dt><dd>-</dd>" in unknown


def test_paklaring_end_date_is_compared_with_the_record() -> None:
    person = Participant(nik="6472031001800001", kpj="12345678901", nama="BUDI SANTOSO",
                         tanggal_lahir=date(1980, 1, 10), jenis_kelamin="LAKI-LAKI")
    left = person.model_copy(update={"berhenti_kerja": date(2020, 3, 31),
                                     "peserta_sejak": date(2016, 8, 1)})
    assert record_value(left, "berhenti_kerja") == "2020-03-31"  # the paklaring's field
    assert record_value(left, "peserta_sejak") == "2016-08-01"  # the Kartu Peserta's
    assert record_value(person, "berhenti_kerja") is None

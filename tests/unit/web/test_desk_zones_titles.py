"""The desk writes each branch's times in its own zone and names findings in Indonesian."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape

import pytest
from fastapi.testclient import TestClient

from pipeline.store.models import SubmissionRow
from tests.unit.web.deskdata import DeskWorld, build_world, client_for

# NOW in deskdata is 02:00 UTC on 15 June 2020: every submission's receipt.
ALPHA_RECEIVED = "15 Juni 2020 pukul 10.00 WITA"
BETA_RECEIVED = "15 Juni 2020 pukul 09.00 WIB"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> DeskWorld:
    built = build_world(tmp_path_factory.mktemp("desk-zones"))
    # Alpha and gamma (Kalimantan Timur) keep WITA; beta (Barat) the top-level WIB.
    branches = tuple(b.model_copy(update={"timezone": "Asia/Makassar"})
                     if b.province == "Kalimantan Timur" else b
                     for b in built.settings.branches)
    return dataclasses.replace(built, settings=built.settings.model_copy(
        update={"branches": branches}))


@pytest.fixture
def supervisor(world: DeskWorld) -> Iterator[TestClient]:
    with client_for(world, "spv.kalimantan") as client:
        yield client


def test_queue_writes_each_branch_in_its_zone_and_rules_by_title(supervisor: TestClient) -> None:
    html = unescape(supervisor.get("/antrean?keputusan=flagged").text)
    assert ALPHA_RECEIVED in html and BETA_RECEIVED in html
    assert "REC-002 · Nama KTP berbeda dengan data peserta (3)" in html


def test_queue_csv_writes_each_branch_in_its_zone(supervisor: TestClient) -> None:
    rows = supervisor.get("/antrean.csv?keputusan=flagged").text.splitlines()[1:]
    received = {row.split(",")[1]: row.split(",")[4] for row in rows}
    assert received["alpha"] == ALPHA_RECEIVED and received["beta"] == BETA_RECEIVED


def test_submission_page_in_its_branch_zone(world: DeskWorld, supervisor: TestClient) -> None:
    alpha = unescape(supervisor.get(f"/pengajuan/{world.submissions['alpha']}").text)
    assert f"diterima {ALPHA_RECEIVED}" in alpha
    assert "Nama KTP berbeda dengan data peserta" in alpha  # the finding's title
    beta = unescape(supervisor.get(f"/pengajuan/{world.submissions['beta']}").text)
    assert f"diterima {BETA_RECEIVED}" in beta


def test_dashboard_top_findings_by_indonesian_title(supervisor: TestClient) -> None:
    html = unescape(supervisor.get("/dasbor?start=2020-06-01&end=2020-06-30").text)
    assert "Nama KTP berbeda dengan data peserta" in html
    assert "KTP name differs from the record" not in html


def test_dashboard_days_of_one_branch_in_its_zone(world: DeskWorld) -> None:
    # Alpha's mail moved to 16:30 UTC on 14 June: 23.30 WIB on the 14th, but
    # 00.30 WITA on the 15th. Alone, alpha counts it on its own day (the
    # 15th); in the region view, mixing WIB and WITA, the top-level WIB day.
    with world.factory() as session, session.begin():
        row = session.get(SubmissionRow, world.submissions["alpha"])
        assert row is not None
        original = row.received_at
        row.received_at = datetime(2020, 6, 14, 16, 30, tzinfo=UTC)
    try:
        with client_for(world, "spv.kalimantan") as client:
            def received(query: str) -> dict[str, str]:
                lines = client.get(f"/dasbor.csv?start=2020-06-15&end=2020-06-15{query}"
                                   ).text.splitlines()[1:]
                return {line.split(",")[0]: line.split(",")[2] for line in lines}

            assert received("&branch=alpha") == {"alpha": "1", "SEMUA": "1"}
            assert received("&province=Kalimantan+Timur")["alpha"] == "1"  # WITA throughout
            assert received("")["alpha"] == "0"  # region: 14 June in WIB
    finally:
        with world.factory() as session, session.begin():
            row = session.get(SubmissionRow, world.submissions["alpha"])
            assert row is not None
            row.received_at = original

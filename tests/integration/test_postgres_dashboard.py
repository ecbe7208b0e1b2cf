"""The dashboard's queries on a real PostgreSQL: the same figures as on SQLite.

PostgreSQL takes other paths (percentile_cont for medians, AT TIME ZONE for
days), so the hand-built rows of tests/unit/dashboard_data.py are checked
here too, and a generated month is compared with the naive count.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from fixtures.month import KALIMANTAN_BRANCHES, generate_month
from pipeline.bench.dashboard import differences, naive_dashboard_figures
from pipeline.store.dashboard import BranchFigures, dashboard_csv, dashboard_figures
from pipeline.store.db import make_sessionmaker, transaction
from pipeline.store.month_writer import write_month
from tests.unit.dashboard_data import PROVINCES, add_rows

JUNE_1, JUNE_3 = date(2020, 6, 1), date(2020, 6, 3)
# The hand-built branches under their own ids, apart from the generated month's.
SCOPE = {f"pg-{branch}": province for branch, province in PROVINCES.items()}


@pytest.fixture(scope="module")
def engine(postgres_engine: Engine) -> Engine:
    with transaction(make_sessionmaker(postgres_engine)) as session:
        add_rows(session, prefix="pg-")
    return postgres_engine


@pytest.fixture(scope="module")
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def test_the_dashboard_indexes_exist(engine: Engine) -> None:
    names = {table: {i["name"] for i in inspect(engine).get_indexes(table)}
             for table in ("submissions", "decisions", "reviews", "findings")}
    assert "ix_submissions_branch_received" in names["submissions"]
    assert "ix_decisions_submission_status" in names["decisions"]
    assert "ix_reviews_submission_status" in names["reviews"]
    assert "ix_findings_submission_rule" in names["findings"]


def test_one_branch_as_on_sqlite(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        dash = dashboard_figures(session, ["pg-a"], JUNE_1, JUNE_3, provinces=SCOPE)
    assert (dash.received, dash.complete, dash.incomplete, dash.needs_review,
            dash.rejected) == (6, 3, 1, 1, 1)
    assert dash.median_minutes_to_decision == pytest.approx(30)
    assert dash.straight_through_rate == pytest.approx(2 / 6)
    assert dash.daily == [(JUNE_1, 3, 1), (date(2020, 6, 2), 1, 1), (JUNE_3, 2, 1)]


def test_whole_scope_even_median_findings_and_csv(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        dash = dashboard_figures(session, list(SCOPE), JUNE_1, JUNE_3, provinces=SCOPE)
    assert (dash.received, dash.complete, dash.rejected) == (9, 5, 2)
    assert dash.median_minutes_to_decision == pytest.approx(25)
    assert dash.top_findings[0] == ("DOC-003", "Form F5 missing", 2)
    assert ("QUAL-001", "Page unreadable", 1) in dash.top_findings
    assert dash.per_branch[0] == BranchFigures("pg-c", "Kalimantan Selatan", 1, 1, 0, 0, 0,
                                               pytest.approx(100), pytest.approx(1.0))
    assert dashboard_csv(dash).splitlines()[-1] == "SEMUA,,9,5,1,1,2,25.0,0.4444"


@pytest.mark.parametrize(("tz", "start", "expected_tail"), [
    ("Asia/Makassar", JUNE_1, [(JUNE_1, 3, 2), (date(2020, 6, 2), 2, 1), (JUNE_3, 1, 0)]),
    ("Europe/Berlin", date(2020, 3, 1),
     [(date(2020, 5, 31), 2, 1), (JUNE_1, 3, 2), (date(2020, 6, 2), 0, 0), (JUNE_3, 3, 2)]),
])
def test_days_follow_the_zone(factory: sessionmaker[Session], tz: str, start: date,
                              expected_tail: list[tuple[date, int, int]]) -> None:
    with factory() as session:
        dash = dashboard_figures(session, ["pg-a"], start, JUNE_3, tz, provinces=SCOPE)
    assert dash.daily[-len(expected_tail):] == expected_tail
    assert sum(received for _d, received, _c in dash.daily) == dash.received


def test_a_generated_month_agrees_with_the_naive_count(factory: sessionmaker[Session]) -> None:
    world = generate_month(11, 800, JUNE_1)
    with transaction(factory) as session:
        assert write_month(session, world).submissions == 800
    provinces = {b.id: b.province for b in KALIMANTAN_BRANCHES}
    for scope in (sorted(provinces), ["samarinda", "bontang"]):
        with factory() as session:
            real = dashboard_figures(session, scope, JUNE_1, date(2020, 6, 30),
                                     provinces=provinces)
            naive = naive_dashboard_figures(session, scope, JUNE_1, date(2020, 6, 30),
                                            provinces=provinces)
        assert differences(real, naive) == []
        assert real.received > 0 and real.median_minutes_to_decision is not None

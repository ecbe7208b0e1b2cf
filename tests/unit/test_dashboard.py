"""Dashboard figures on a small hand-built SQLite database (see dashboard_data.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from pipeline.store.dashboard import (
    CSV_HEADER,
    BranchFigures,
    DashboardFigures,
    dashboard_csv,
    dashboard_figures,
)
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from tests.unit.dashboard_data import PROVINCES, add_rows

JUNE_1, JUNE_3 = date(2020, 6, 1), date(2020, 6, 3)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("dashboard") / "intake.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        add_rows(session)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_sessionmaker(engine)() as session:
        yield session


def figures(session: Session, scope: list[str], start: date = JUNE_1, end: date = JUNE_3,
            tz: str = "Asia/Jakarta") -> DashboardFigures:
    return dashboard_figures(session, scope, start, end, tz, provinces=PROVINCES)


def test_one_branch_counts_final_statuses_within_the_period(session: Session) -> None:
    dash = figures(session, ["a"])
    # a5 (31 May 23:59:59) and a6 (4 June 00:00) fall outside; officers settled a3 and a8.
    assert (dash.received, dash.complete, dash.incomplete, dash.needs_review,
            dash.rejected) == (6, 3, 1, 1, 1)
    # Settled: a1 10, a2 20, a7 30 (the lock alone changes nothing), a8 120, a3 180.
    assert dash.median_minutes_to_decision == pytest.approx(30)
    # Machine complete and left so: a1 and a7, of six decided.
    assert dash.straight_through_rate == pytest.approx(2 / 6)
    assert dash.per_branch == [BranchFigures("a", "Kalimantan Timur", 6, 3, 1, 1, 1,
                                             pytest.approx(30), pytest.approx(2 / 6))]


def test_days_are_jakarta_days_and_the_end_day_is_included(session: Session) -> None:
    dash = figures(session, ["a"])
    # 1 June: a4 at 00:00 (the first instant), a1, a2 at 23:59:59; a3 at 00:00 is 2 June.
    assert dash.daily == [(date(2020, 6, 1), 3, 1), (date(2020, 6, 2), 1, 1),
                          (date(2020, 6, 3), 2, 1)]


def test_another_zone_moves_the_midnight(session: Session) -> None:
    # In Makassar time (WIB + 1 h): a5 (31 May 23:59:59 WIB) is 1 June, a2 is 2 June,
    # a7 (3 June 23:59 WIB) is 4 June, outside.
    dash = figures(session, ["a"], tz="Asia/Makassar")
    assert dash.daily == [(date(2020, 6, 1), 3, 2), (date(2020, 6, 2), 2, 1),
                          (date(2020, 6, 3), 1, 0)]
    assert (dash.received, dash.complete, dash.incomplete, dash.needs_review,
            dash.rejected) == (6, 3, 1, 1, 1)


def test_days_without_mail_appear_with_zero(session: Session) -> None:
    dash = figures(session, ["b"], date(2020, 5, 30), date(2020, 6, 4))
    assert dash.daily == [(date(2020, 5, 30), 0, 0), (date(2020, 5, 31), 0, 0),
                          (date(2020, 6, 1), 0, 0), (date(2020, 6, 2), 2, 1),
                          (date(2020, 6, 3), 0, 0), (date(2020, 6, 4), 0, 0)]


def test_whole_scope_sums_branches_and_takes_an_even_median(session: Session) -> None:
    dash = figures(session, ["a", "b", "c"])
    assert (dash.received, dash.complete, dash.incomplete, dash.needs_review,
            dash.rejected) == (9, 5, 1, 1, 2)
    # 1, 10, 15, 20 | 30, 100, 120, 180: the mean of the middle two.
    assert dash.median_minutes_to_decision == pytest.approx(25)
    assert dash.straight_through_rate == pytest.approx(4 / 9)
    by_branch = {b.branch_id: b for b in dash.per_branch}
    assert by_branch["b"] == BranchFigures("b", "Kalimantan Timur", 2, 1, 0, 0, 1,
                                           pytest.approx(8), pytest.approx(0.5))
    assert by_branch["c"] == BranchFigures("c", "Kalimantan Selatan", 1, 1, 0, 0, 0,
                                           pytest.approx(100), pytest.approx(1.0))


def test_top_findings_count_submissions_not_pages(session: Session) -> None:
    dash = figures(session, ["a", "b", "c"])
    assert dash.top_findings == [
        ("DOC-003", "Form F5 missing", 2),  # a4 and c1
        ("DOC-002", "Kartu Keluarga missing", 1),
        ("NIK-002", "NIK read differs from the record", 1),
        ("QUAL-001", "Page unreadable", 1),  # twice on a2: one submission
        ("REC-001", "NIK not in the participant records", 1),
        ("REC-002", "KTP name differs from the record", 1),
    ]


def test_one_branch_never_shows_another_branchs_data(session: Session) -> None:
    dash = figures(session, ["b"])
    assert [b.branch_id for b in dash.per_branch] == ["b"]
    assert (dash.received, dash.complete, dash.rejected) == (2, 1, 1)
    assert dash.top_findings == [("REC-001", "NIK not in the participant records", 1)]
    assert dash.median_minutes_to_decision == pytest.approx(8)
    assert sum(received for _day, received, _complete in dash.daily) == 2


def test_a_branch_without_mail_gets_a_row_of_zeros(session: Session) -> None:
    dash = figures(session, ["c", "quiet"])
    # Ordered by province: the branch the settings do not place comes first.
    assert [b.branch_id for b in dash.per_branch] == ["quiet", "c"]
    assert dash.per_branch[0] == BranchFigures("quiet", "", 0, 0, 0, 0, 0, None, None)
    empty = figures(session, ["quiet"])
    assert (empty.received, empty.median_minutes_to_decision, empty.straight_through_rate,
            empty.top_findings) == (0, None, None, [])
    assert empty.daily == [(JUNE_1, 0, 0), (date(2020, 6, 2), 0, 0), (JUNE_3, 0, 0)]


def test_an_empty_scope_queries_nothing_and_shows_zeros(session: Session) -> None:
    dash = figures(session, [])
    assert dash.per_branch == [] and dash.received == 0 and len(dash.daily) == 3


def test_a_period_ending_before_it_starts_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="before it starts"):
        figures(session, ["a"], JUNE_3, JUNE_1)


def test_csv_has_a_header_a_row_per_branch_and_a_total(session: Session) -> None:
    text = dashboard_csv(figures(session, ["a", "b"]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(CSV_HEADER)
    assert rows[1:] == [
        ["a", "Kalimantan Timur", "6", "3", "1", "1", "1", "30.0", "0.3333"],
        ["b", "Kalimantan Timur", "2", "1", "0", "0", "1", "8.0", "0.5000"],
        ["SEMUA", "", "8", "4", "1", "1", "2", "20.0", "0.3750"],
    ]
    assert text.endswith("\r\n")


def test_csv_leaves_missing_figures_empty(session: Session) -> None:
    rows = list(csv.reader(io.StringIO(dashboard_csv(figures(session, ["quiet"])))))
    assert rows[1] == ["quiet", "", "0", "0", "0", "0", "0", "", ""]


def test_a_zone_with_daylight_saving_still_cuts_days_at_its_midnight(session: Session) -> None:
    # Berlin moves to summer time on 29 March 2020; in June it is WIB - 5 h.
    dash = figures(session, ["a"], date(2020, 3, 1), JUNE_3, tz="Europe/Berlin")
    assert dash.received == 8
    assert all(received == 0 for _day, received, _complete in dash.daily[:-4])
    assert dash.daily[-4:] == [(date(2020, 5, 31), 2, 1), (JUNE_1, 3, 2),
                               (date(2020, 6, 2), 0, 0), (JUNE_3, 3, 2)]


def test_every_query_selects_through_the_dashboard_indexes(engine: Engine) -> None:
    statements: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: object,
                _context: object, _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with make_sessionmaker(engine)() as session:
            figures(session, ["a", "b"])
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) == 3  # the grid, the medians' minutes, the findings
    with engine.connect() as conn:
        plans = [" | ".join(row[3] for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters)) for statement, parameters in statements]
    for plan in plans:
        # One index range per branch and the period, never a scan of the table.
        assert "INDEX ix_submissions_branch_received (branch_id=? AND received_at>? AND " \
               "received_at<?)" in plan, plan
        assert "SCAN" not in plan, plan
    assert "COVERING INDEX ix_findings_submission_rule (submission_id=?)" in plans[2]

"""The generated month and its writer; the dashboard's SQL checked against a naive count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from extractors.nik import nik_problems
from fixtures.month import (
    KALIMANTAN_BRANCHES,
    PROVINCE_CODES,
    MonthWorld,
    daily_counts,
    generate_month,
    month_days,
)
from pipeline.bench.dashboard import differences, naive_dashboard_figures
from pipeline.store.dashboard import dashboard_figures
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.models import (
    DecisionRow,
    FindingRow,
    ParticipantRow,
    ReviewRow,
    SubmissionRow,
)
from pipeline.store.month_writer import MonthAlreadySeeded, write_month
from rules.regions import load_regions
from rules.registry import RULES

JUNE = date(2020, 6, 1)
PROVINCES = {b.id: b.province for b in KALIMANTAN_BRANCHES}


@pytest.fixture(scope="module")
def world() -> MonthWorld:
    return generate_month(7, 1500, JUNE)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, world: MonthWorld) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("month") / "intake.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        write_month(session, world)
    yield engine
    engine.dispose()


def test_same_seed_same_month_other_seed_other_month(world: MonthWorld) -> None:
    again = generate_month(7, 1500, JUNE)
    assert again.submissions == world.submissions and again.participants == world.participants
    other = generate_month(8, 1500, JUNE)
    assert other.submissions[0] != world.submissions[0]


def test_count_days_and_branches(world: MonthWorld) -> None:
    assert len(world.submissions) == len(world.participants) == 1500
    received = Counter(s.received_at.date() for s in world.submissions)
    assert set(received) <= set(month_days(JUNE))
    by_weekday = Counter(d.weekday() for d in month_days(JUNE) for _ in range(received[d]))
    assert by_weekday[0] > 2 * by_weekday[5] > by_weekday[6] > 0  # Mondays busy, Sundays quiet
    provinces = Counter(PROVINCES[s.branch_id] for s in world.submissions)
    assert set(provinces) == set(PROVINCE_CODES)


def test_daily_counts_spread_the_exact_total_by_weekday() -> None:
    counts = daily_counts(21976, JUNE)
    assert sum(counts) == 21976 and len(counts) == 30
    assert counts[0] > counts[5] > counts[6]  # Monday 1 June, Saturday 6, Sunday 7
    assert sum(daily_counts(0, JUNE)) == 0


def test_niks_are_structurally_valid_unique_and_from_the_branch_province(world: MonthWorld) -> None:
    regions = load_regions()
    niks = [p.nik for p in world.participants]
    assert len(set(niks)) == len(niks)
    assert len({p.kpj for p in world.participants}) == len(niks)
    for participant in world.participants:
        assert nik_problems(participant.nik, regions, JUNE) == [], participant.nik
    for sub in world.submissions[:200]:
        nik = world.participants[sub.participant].nik
        assert nik[:2] == PROVINCE_CODES[PROVINCES[sub.branch_id]]


def test_outcomes_follow_the_mix_and_the_registry(world: MonthWorld) -> None:
    machine = Counter(s.status for s in world.submissions)
    for status, share in (("complete", 0.70), ("incomplete", 0.18), ("needs_review", 0.08),
                          ("rejected", 0.04)):
        assert machine[status] / 1500 == pytest.approx(share, abs=0.03)
    action = {rule.id: rule.action.value for rule in RULES}
    outcome = {"ask": "incomplete", "review": "needs_review", "reject": "rejected"}
    for sub in world.submissions:
        deciding = [r for r in sub.findings if action[r] in outcome]
        assert all(outcome[action[r]] == sub.status for r in deciding)
        assert bool(deciding) == (sub.status != "complete")
        assert sub.received_at < sub.decided_at
        if sub.review is not None:
            assert sub.decided_at < sub.review.decided_at
    reviewed = [s for s in world.submissions if s.status == "needs_review"]
    assert 0.6 < sum(s.review is not None for s in reviewed) / len(reviewed) < 0.95


def test_writer_stores_every_row(engine: Engine, world: MonthWorld) -> None:
    with make_sessionmaker(engine)() as session:
        count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(SubmissionRow) == count(DecisionRow) == count(ParticipantRow) == 1500
        assert count(FindingRow) == sum(len(s.findings) for s in world.submissions)
        assert count(ReviewRow) == sum(s.review is not None for s in world.submissions)
        first = session.scalars(select(SubmissionRow).order_by(SubmissionRow.id)).first()
        assert first is not None and first.received_at == world.submissions[0].received_at


def test_a_month_is_seeded_once(engine: Engine, world: MonthWorld) -> None:
    with pytest.raises(MonthAlreadySeeded, match="already holds 1500 submissions"):
        with transaction(make_sessionmaker(engine)) as session:
            write_month(session, world)
    july = generate_month(7, 10, date(2020, 7, 1))  # same people again: kept, not duplicated
    with transaction(make_sessionmaker(engine)) as session:
        assert write_month(session, july).submissions == 10
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(SubmissionRow)) == 1510


@pytest.mark.parametrize("scope", [
    pytest.param(sorted(PROVINCES), id="region"),
    pytest.param(sorted(b for b, p in PROVINCES.items() if p == "Kalimantan Selatan"),
                 id="province"),
    pytest.param(["tarakan"], id="branch"),
])
def test_sql_figures_equal_the_naive_count(engine: Engine, scope: list[str]) -> None:
    with make_sessionmaker(engine)() as session:
        real = dashboard_figures(session, scope, JUNE, date(2020, 6, 30), provinces=PROVINCES)
        naive = naive_dashboard_figures(session, scope, JUNE, date(2020, 6, 30),
                                        provinces=PROVINCES)
    assert differences(real, naive) == [], (asdict(real), asdict(naive))
    assert real.received > 0 and real.top_findings


def test_seed_month_command_seeds_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    assert main(["fixtures", "seed-month", "--db", url, "--count", "60", "--seed", "5"]) == 0
    assert "60 submissions of 2020-06 in 20 branches" in capsys.readouterr().out
    assert main(["fixtures", "seed-month", "--db", url, "--count", "60", "--seed", "5"]) == 1
    assert "already holds 60 submissions" in capsys.readouterr().err
    assert main(["fixtures", "seed-month", "--db", url, "--month", "June"]) == 2


def test_bench_times_queries_and_pages_on_a_small_month() -> None:
    from pipeline.bench.dashboard import format_bench, run_bench

    figures = run_bench(400, JUNE, seed=3, runs=1)
    assert figures["written"]["submissions"] == figures["totals"]["received"] == 400
    assert set(figures["queries"]) == {"region", "province", "branch", "csv"}
    assert all(row["agree"] and row["seconds"] > 0 for row in figures["queries"].values())
    assert figures["queries"]["branch"]["submissions"] < figures["queries"]["province"][
        "submissions"] < 400
    pages = figures["pages"]
    assert pages["measured"] and pages["region"]["bytes"] > pages["csv"]["bytes"] > 0
    assert "rendered pages" in format_bench(figures)

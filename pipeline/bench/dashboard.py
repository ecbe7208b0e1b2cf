"""`intake bench dashboard`: the dashboard over a generated month, timed.

A throwaway SQLite database receives a generated month (by default 22,000
submissions in June 2020, the Kalimantan regional office's volume); then
`dashboard_figures` is timed for the whole region, one province and one
branch, and the CSV export, each the median of several runs. The same
figures computed the naive way (every row of the period loaded into Python
and aggregated there) are timed beside them and must agree. When the review
desk's web app is installed, the rendered pages are timed too, through a
signed-in session.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fixtures.month import KALIMANTAN_BRANCHES, MonthBranch, generate_month, month_days
from pipeline.store.dashboard import (
    COMPLETE,
    SETTLED,
    TOP_FINDINGS,
    BranchFigures,
    DashboardFigures,
    dashboard_csv,
    dashboard_figures,
    period_bounds,
)
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.models import DecisionRow, FindingRow, ReviewRow, SubmissionRow
from pipeline.store.month_writer import write_month
from rules.registry import rule_by_id

TZ = "Asia/Jakarta"
PROVINCE = "Kalimantan Timur"
BRANCH = "balikpapan"


# --------------------------------------------------------------------------
# The naive baseline
# --------------------------------------------------------------------------


def naive_dashboard_figures(session: Session, branch_ids: Collection[str], start: date,
                            end: date, tz: str = TZ,
                            provinces: Mapping[str, str] | None = None) -> DashboardFigures:
    """What a first attempt does: load the period's rows as objects, count in Python.

    Every submission of the period (all branches) with its decision and
    review, and every finding of those submissions, come back as ORM objects;
    scope, days, statuses and medians are worked out in Python.
    """
    provinces = provinces or {}
    scope = set(branch_ids)
    lo, hi = period_bounds(start, end, tz)
    zone = ZoneInfo(tz)
    rows = session.execute(
        select(SubmissionRow, DecisionRow, ReviewRow)
        .outerjoin(DecisionRow, DecisionRow.submission_id == SubmissionRow.id)
        .outerjoin(ReviewRow, ReviewRow.submission_id == SubmissionRow.id)
        .where(SubmissionRow.received_at >= lo, SubmissionRow.received_at < hi)).all()
    findings = session.scalars(
        select(FindingRow).join(SubmissionRow, SubmissionRow.id == FindingRow.submission_id)
        .where(SubmissionRow.received_at >= lo, SubmissionRow.received_at < hi)).all()

    counts: dict[str, Counter[str]] = {
        b: Counter() for b in sorted(scope, key=lambda b: (provinces.get(b, ""), b))}
    minutes: dict[str, list[float]] = defaultdict(list)
    daily: dict[date, Counter[str]] = defaultdict(Counter)
    in_scope: set[int] = set()
    for sub, decision, review in rows:
        if sub.branch_id not in scope:
            continue
        in_scope.add(sub.id)
        final = review.status if review is not None and review.status else (
            decision.status if decision is not None else None)
        tally = counts[sub.branch_id]
        tally["received"] += 1
        day = sub.received_at.astimezone(zone).date()
        daily[day]["received"] += 1
        if final is not None:
            tally[final] += 1
        if final == COMPLETE:
            daily[day][COMPLETE] += 1
        if decision is not None:
            tally["decided"] += 1
            if decision.status == COMPLETE and final == COMPLETE:
                tally["straight"] += 1
        if final in SETTLED:
            at = review.decided_at if review is not None and review.status else decision.decided_at
            minutes[sub.branch_id].append((at - sub.received_at).total_seconds() / 60)
    by_rule: dict[str, set[int]] = defaultdict(set)
    for finding in findings:
        if finding.submission_id in in_scope:
            by_rule[finding.rule_id].add(finding.submission_id)
    top = sorted(((rule, len(subs)) for rule, subs in by_rule.items()),
                 key=lambda item: (-item[1], item[0]))[:TOP_FINDINGS]

    def rate(tally: Counter[str]) -> float | None:
        return tally["straight"] / tally["decided"] if tally["decided"] else None

    def median(values: list[float]) -> float | None:
        return statistics.median(values) if values else None

    total: Counter[str] = sum(counts.values(), Counter())
    per_branch = [BranchFigures(b, provinces.get(b, ""), t["received"], t["complete"],
                                t["incomplete"], t["needs_review"], t["rejected"],
                                median(minutes[b]), rate(t)) for b, t in counts.items()]
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return DashboardFigures(
        total["received"], total["complete"], total["incomplete"], total["needs_review"],
        total["rejected"], median([m for values in minutes.values() for m in values]),
        rate(total), [(r, rule_by_id(r).title, n) for r, n in top],
        [(d, daily[d]["received"], daily[d][COMPLETE]) for d in days], per_branch)


def differences(real: DashboardFigures, naive: DashboardFigures) -> list[str]:
    """Where two sets of figures disagree; times to the millisecond' precision of the store."""

    def close(a: float | None, b: float | None) -> bool:
        return (a is None and b is None) or (
            a is not None and b is not None and abs(a - b) <= 1e-3 * max(1.0, abs(b)))

    found = []
    for name in ("received", "complete", "incomplete", "needs_review", "rejected",
                 "top_findings", "daily"):
        if getattr(real, name) != getattr(naive, name):
            found.append(name)
    for name in ("median_minutes_to_decision", "straight_through_rate"):
        if not close(getattr(real, name), getattr(naive, name)):
            found.append(name)
    if len(real.per_branch) != len(naive.per_branch):
        found.append("per_branch")
    for a, b in zip(real.per_branch, naive.per_branch, strict=False):
        if (a.branch_id, a.province, a.received, a.complete, a.incomplete, a.needs_review,
                a.rejected) != (b.branch_id, b.province, b.received, b.complete, b.incomplete,
                                b.needs_review, b.rejected) or not close(
                a.median_minutes_to_decision, b.median_minutes_to_decision) or not close(
                a.straight_through_rate, b.straight_through_rate):
            found.append(f"per_branch[{a.branch_id}]")
    return found


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


def _median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run_bench(count: int, month: date, seed: int, runs: int = 5,
              branches: tuple[MonthBranch, ...] = KALIMANTAN_BRANCHES) -> dict[str, Any]:
    provinces = {b.id: b.province for b in branches}
    scopes = {
        "region": sorted(provinces),
        "province": sorted(b for b, p in provinces.items() if p == PROVINCE),
        "branch": [BRANCH],
    }
    days = month_days(month)
    start, end = days[0], days[-1]
    figures: dict[str, Any] = {"count": count, "month": f"{month:%Y-%m}", "seed": seed,
                               "runs": runs, "branches": len(branches),
                               "provinces": len(set(provinces.values())),
                               # Timings on a shared machine mean little without it.
                               "load_average": round(os.getloadavg()[0], 1),
                               "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'intake.db'}")
        upgrade(engine)
        factory = make_sessionmaker(engine)
        started = time.perf_counter()
        world = generate_month(seed, count, month, branches)
        generated = time.perf_counter()
        with transaction(factory) as session:
            written = write_month(session, world)
        figures["seed_seconds"] = {"generate": round(generated - started, 2),
                                   "write": round(time.perf_counter() - generated, 2)}
        figures["written"] = written.__dict__

        def real(scope: list[str]) -> DashboardFigures:
            with factory() as session:
                return dashboard_figures(session, scope, start, end, TZ, provinces)

        def naive(scope: list[str]) -> DashboardFigures:
            with factory() as session:  # a fresh session: no objects cached between runs
                return naive_dashboard_figures(session, scope, start, end, TZ, provinces)

        rows: dict[str, dict[str, Any]] = {}
        for name, scope in scopes.items():
            fast, slow = real(scope), naive(scope)
            rows[name] = _row(_median_seconds(lambda s=scope: real(s), runs),
                              _median_seconds(lambda s=scope: naive(s), max(1, runs // 2)),
                              fast.received, differences(fast, slow))
        region = scopes["region"]
        rows["csv"] = _row(_median_seconds(lambda: dashboard_csv(real(region)), runs),
                           _median_seconds(lambda: dashboard_csv(naive(region)),
                                           max(1, runs // 2)),
                           real(region).received,
                           ["csv"] if dashboard_csv(real(region)) != dashboard_csv(
                               naive(region)) else [])
        figures["queries"] = rows
        figures["totals"] = _totals(real(region))
        figures["pages"] = _time_pages(factory, branches, start, end, runs)
        engine.dispose()
    return figures


def _row(seconds: float, naive_seconds: float, submissions: int,
         disagree: list[str]) -> dict[str, Any]:
    return {"submissions": submissions, "seconds": round(seconds, 4),
            "naive_seconds": round(naive_seconds, 4),
            "ratio": round(naive_seconds / seconds, 1) if seconds else None,
            "agree": not disagree, "disagree": disagree}


def _totals(dash: DashboardFigures) -> dict[str, Any]:
    return {"received": dash.received, "complete": dash.complete,
            "incomplete": dash.incomplete, "needs_review": dash.needs_review,
            "rejected": dash.rejected,
            "median_minutes_to_decision": round(dash.median_minutes_to_decision or 0, 1),
            "straight_through_rate": round(dash.straight_through_rate or 0, 4)}


def _time_pages(factory: sessionmaker[Session], branches: tuple[MonthBranch, ...], start: date,
                end: date, runs: int) -> dict[str, Any]:
    """GET /dasbor and /dasbor.csv through the desk app, signed in as a regional supervisor."""
    try:
        with warnings.catch_warnings():  # the test client's notice about its HTTP library
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient

        from pipeline.settings import Branch, ImapSettings, Settings, WebSettings
        from pipeline.web.app import SESSION_COOKIE, create_app
        from pipeline.web.security import new_session
        from pipeline.web.users import add_user
    except ImportError as err:
        return {"measured": False, "reason": f"web app not available ({err})"}
    region = "Kalimantan"
    settings = Settings(
        timezone=TZ, web=WebSettings(regions={region: tuple(sorted({b.province
                                                                       for b in branches}))}),
        branches=tuple(Branch(id=b.id, name=b.name, province=b.province,
                              timezone=b.zone, reply_from=f"klaim.{b.id}@bpjs-demo.test",
                              imap=ImapSettings(host="127.0.0.1", port=993, user=b.id,
                                                password_env="UNUSED"))
                       for b in branches))
    now = datetime(end.year, end.month, end.day, 12, tzinfo=UTC)
    with transaction(factory) as session:
        add_user(session, settings, "supervisor.kalimantan", "bench-password-1234",
                 "supervisor", None, region, "Supervisor Kalimantan", "bench", now)
    app = create_app(settings, "bench-secret-key-" + "x" * 32, factory=factory,
                     now=lambda: now)
    cookie = app.state.desk.codec.dumps(new_session("supervisor.kalimantan"))
    period = f"start={start.isoformat()}&end={end.isoformat()}"
    urls = {"region": f"/dasbor?{period}",
            "province": f"/dasbor?{period}&province={PROVINCE.replace(' ', '+')}",
            "branch": f"/dasbor?{period}&branch={BRANCH}",
            "csv": f"/dasbor.csv?{period}"}
    pages: dict[str, Any] = {"measured": True}
    with TestClient(app) as client:
        client.cookies.set(SESSION_COOKIE, cookie)
        for name, url in urls.items():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            pages[name] = {"seconds": round(_median_seconds(lambda u=url: client.get(u), runs), 4),
                           "bytes": len(response.content)}
    return pages


def format_bench(figures: dict[str, Any]) -> str:
    seeded = figures["seed_seconds"]
    lines = [f"{figures['count']} submissions in {figures['month']} (seed {figures['seed']}), "
             f"{figures['branches']} branches in {figures['provinces']} provinces; "
             f"seeded in {seeded['generate'] + seeded['write']:.1f} s "
             f"(generate {seeded['generate']} s, write {seeded['write']} s)",
             f"median of {figures['runs']} runs (naive: of {max(1, figures['runs'] // 2)}); "
             f"{figures['cores']} cores, load average {figures['load_average']} at the start", "",
             f"{'scope':<10}{'rows':>7}{'seconds':>10}{'naive s':>10}{'ratio':>8}  agree"]
    for name, row in figures["queries"].items():
        agree = "yes" if row["agree"] else "NO: " + ", ".join(row["disagree"])
        lines.append(f"{name:<10}{row['submissions']:>7}{row['seconds']:>10.4f}"
                     f"{row['naive_seconds']:>10.4f}{row['ratio']:>8}  {agree}")
    pages = figures["pages"]
    lines.append("")
    if pages.get("measured"):
        lines.append("rendered pages (GET through the app, signed in as a regional supervisor):")
        for name, page in pages.items():
            if name != "measured":
                lines.append(f"  {name:<10}{page['seconds']:>8.4f} s  {page['bytes']:>8} bytes")
    else:
        lines.append(f"rendered pages: not measured, {pages['reason']}")
    totals = figures["totals"]
    lines += ["", "region: " + ", ".join(f"{k} {v}" for k, v in totals.items())]
    return "\n".join(lines)

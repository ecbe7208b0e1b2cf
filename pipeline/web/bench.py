"""How fast the queue answers at a regional office's month.

    .venv/bin/python -m pipeline.web.bench [--count 22000] [--db sqlite:///PATH]

Seeds a generated month of decided submissions (fixtures.month, as
`intake fixtures seed-month` does) unless the database already holds one,
serves the desk with uvicorn on loopback, signs in as a supervisor of the
whole region and as a branch officer, and times queue pages over HTTP.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

from fixtures.month import KALIMANTAN_BRANCHES, generate_month
from pipeline.devservers.ports import free_port
from pipeline.settings import Settings, parse_settings
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.models import SubmissionRow, UserRow
from pipeline.store.month_writer import write_month
from pipeline.web.app import create_app
from pipeline.web.server import BackgroundServer
from pipeline.web.users import add_user

PASSWORD = "bench-kata-sandi-1"
PAGES = {
    "queue, needs_review (default)": "/antrean",
    "queue, all flagged": "/antrean?keputusan=flagged",
    "queue, flagged, one rule": "/antrean?keputusan=flagged&aturan=DOC-002",
    "queue, flagged, a week": "/antrean?keputusan=flagged&dari=2020-06-08&sampai=2020-06-14",
    "queue, flagged, page 20": "/antrean?keputusan=flagged&halaman=20",
}


def _settings(url: str) -> Settings:
    return parse_settings({
        "storage": {"database_url": url},
        "web": {"regions": {"Kalimantan": sorted({b.province for b in KALIMANTAN_BRANCHES})}},
        "branches": [{"id": b.id, "name": b.name, "province": b.province,
                      "reply_from": f"{b.id}@bpjs-demo.test",
                      "imap": {"host": "127.0.0.1", "port": 993, "user": b.id,
                               "password_env": "UNUSED"}} for b in KALIMANTAN_BRANCHES],
    })


def _sign_in(client: httpx.Client, username: str) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/masuk").text)
    assert token
    answer = client.post("/masuk", data={"csrf": token.group(1), "username": username,
                                         "password": PASSWORD})
    assert answer.status_code == 303, answer.text[:200]


def run(url: str, count: int, repeats: int) -> dict[str, dict[str, float]]:
    settings = _settings(url)
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with factory() as session:
        have = session.scalar(select(func.count()).select_from(SubmissionRow)) or 0
        users = session.scalar(select(func.count()).select_from(UserRow)) or 0
    if have == 0:
        started = time.monotonic()
        with transaction(factory) as session:
            write_month(session, generate_month(2020, count, datetime(2020, 6, 1).date(),
                                                KALIMANTAN_BRANCHES))
        print(f"seeded {count} submissions in {time.monotonic() - started:.1f} s")
    if users == 0:
        now = datetime.now(UTC)
        with transaction(factory) as session:
            add_user(session, settings, "spv.kalimantan", PASSWORD, "supervisor", None,
                     "Kalimantan", "", "bench", now)
            add_user(session, settings, "petugas.pontianak", PASSWORD, "officer", "pontianak",
                     None, "", "bench", now)
    with factory() as session:
        total = session.scalar(select(func.count()).select_from(SubmissionRow)) or 0
    server = BackgroundServer(create_app(settings, "bench-signing-key-0123456789",
                                         factory=factory), "127.0.0.1", free_port()).start()
    results: dict[str, dict[str, float]] = {}
    try:
        for username in ("spv.kalimantan", "petugas.pontianak"):
            with httpx.Client(base_url=server.url, timeout=60) as client:
                _sign_in(client, username)
                for label, path in PAGES.items():
                    client.get(path)  # warm
                    times = []
                    for _ in range(repeats):
                        started = time.perf_counter()
                        answer = client.get(path)
                        times.append((time.perf_counter() - started) * 1000)
                        assert answer.status_code == 200
                    results[f"{username}: {label}"] = {
                        "median_ms": statistics.median(times), "max_ms": max(times)}
    finally:
        server.stop()
        engine.dispose()
    print(f"{total} submissions in the database")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=22000)
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='desk-bench-')) / 'intake.db'}"
    for label, figures in run(url, args.count, args.repeats).items():
        print(f"{label:<60} median {figures['median_ms']:7.1f} ms   max "
              f"{figures['max_ms']:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

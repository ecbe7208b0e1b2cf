"""The review desk's screenshots in docs/img, from a generated world.

    .venv/bin/python -m tests.integration.web.screenshots [--out docs/img]

Processes a few generated claim emails with the real pipeline (tesseract),
serves the desk on loopback and photographs the queue and a submission page
with Debian's Chromium; then seeds a generated month of decided claims
(fixtures.month: 22,000 across the twenty Kalimantan branches, the scale of
the regional office's June 2020) and photographs the dashboard over it.
Everything shown is synthetic.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from fixtures.month import KALIMANTAN_BRANCHES, generate_month
from fixtures.world import BranchSpec
from pipeline.devservers.scratch import make_traversable_dir
from pipeline.store.db import transaction
from pipeline.store.month_writer import write_month
from tests.integration.web.browser import chromium
from tests.integration.web.deskworld import HOME, OTHER, PASSWORD, DeskWorld, build_desk

# The seeded month: a whole month before the processed mail (which is June
# 2020), so the two never share a day, a booking code or a branch's month.
MONTH = date(2020, 5, 1)
MONTH_COUNT = 22_000
MONTH_SEED = 2020
# Every Kalimantan branch of the month, configured beside the two that get mail.
MORE_BRANCHES = tuple(BranchSpec(b.id, b.code, b.name, b.province,
                                  f"lapakasik.{b.id}@bpjs-demo.test")
                      for b in KALIMANTAN_BRANCHES if b.id not in (HOME.id, OTHER.id))


def seed_month(desk: DeskWorld) -> int:
    """Write the generated month into the desk's database; the submissions written."""
    started = time.monotonic()
    world = generate_month(MONTH_SEED, MONTH_COUNT, MONTH, KALIMANTAN_BRANCHES)
    with transaction(desk.runtime.factory) as session:
        written = write_month(session, world)
    print(f"seeded {written.submissions} submissions of {MONTH:%Y-%m} in "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    return written.submissions


def _sign_in(page: Page, username: str) -> None:
    page.goto("/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Antrean pemeriksaan")


def take(desk: DeskWorld, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with chromium() as browser:
        context = browser.new_context(base_url=desk.url, viewport={"width": 1366, "height": 860})
        page = context.new_page()
        page.set_default_timeout(90_000)
        _sign_in(page, "supervisor.kalimantan")
        page.goto("/antrean?keputusan=flagged")
        shots.append(out / "desk-queue.png")
        page.screenshot(path=str(shots[-1]))

        target = desk.of("name_mismatch")[0]
        page.goto(f"/pengajuan/{target.submission_id}")
        first = page.locator("figure.scan img").first
        expect(first).to_have_js_property("complete", True, timeout=90_000)
        page.locator("h2:has-text('Temuan')").scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, 0)")
        shots.append(out / "desk-submission.png")
        page.screenshot(path=str(shots[-1]), full_page=False)

        seed_month(desk)
        page.goto(f"/dasbor?start={MONTH.isoformat()}&end=2020-05-31")
        shots.append(out / "desk-dashboard.png")
        page.screenshot(path=str(shots[-1]), full_page=True)
        context.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/img")
    args = parser.parse_args(argv)
    root = make_traversable_dir(prefix="desk-shots-")
    desk = build_desk(root, more_branches=MORE_BRANCHES)
    try:
        for path in take(desk, Path(args.out)):
            print(path)
    finally:
        desk.close()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

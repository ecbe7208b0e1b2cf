"""The review desk's screenshots in docs/img, from a generated world.

    .venv/bin/python -m tests.integration.web.screenshots [--out docs/img]

Processes a few generated claim emails with the real pipeline (tesseract),
serves the desk on loopback and photographs the queue, a submission page
and the dashboard with Debian's Chromium. Everything shown is synthetic.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from pipeline.devservers.scratch import make_traversable_dir
from tests.integration.web.browser import chromium
from tests.integration.web.deskworld import PASSWORD, DeskWorld, build_desk


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

        page.goto("/dasbor?start=2020-06-01&end=2020-06-30")
        shots.append(out / "desk-dashboard.png")
        page.screenshot(path=str(shots[-1]), full_page=True)
        context.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/img")
    args = parser.parse_args(argv)
    root = make_traversable_dir(prefix="desk-shots-")
    desk = build_desk(root)
    try:
        for path in take(desk, Path(args.out)):
            print(path)
    finally:
        desk.close()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

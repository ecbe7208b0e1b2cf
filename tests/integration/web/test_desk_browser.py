"""The review desk in a real browser, over submissions the real pipeline decided.

Chromium (Debian's, through Playwright) signs in, reads the queue, opens a
submission, corrects a field and sees the rules' new decision, asks for
documents (the reply reaches the SMTP server through the outbox sender),
approves, and cannot open another branch's submission.
"""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.policy import default as default_policy
from email.utils import parseaddr

import shutil

import pytest
from playwright.sync_api import Browser, Page, expect

from pipeline.devservers.scratch import make_traversable_dir
from pipeline.types import Action
from pipeline.web.labels import DECISION_LABELS
from tests.integration.web.browser import chromium
from tests.integration.web.deskworld import HOME, OTHER, PASSWORD, DeskWorld, build_desk

pytestmark = [pytest.mark.browser, pytest.mark.ocr, pytest.mark.smtp, pytest.mark.slow]


@pytest.fixture(scope="module")
def desk() -> Iterator[DeskWorld]:
    root = make_traversable_dir(prefix="pytest-desk-")
    world = build_desk(root)
    yield world
    world.close()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, desk: DeskWorld) -> Iterator[Page]:
    context = browser.new_context(base_url=desk.url, viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def sign_in(page: Page, username: str = "petugas.bpn") -> None:
    page.goto("/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Antrean pemeriksaan")


def open_submission(page: Page, submission_id: int) -> None:
    page.goto(f"/pengajuan/{submission_id}")
    expect(page.locator("h1")).to_contain_text(f"Pengajuan #{submission_id}")


def test_wrong_password_is_refused(page: Page) -> None:
    page.goto("/masuk")
    page.fill("input[name=username]", "petugas.bpn")
    page.fill("input[name=password]", "bukan-kata-sandinya")
    page.click("button[type=submit]")
    expect(page.locator(".alert")).to_contain_text("salah")


def test_queue_lists_the_branchs_flagged_submissions_oldest_first(page: Page,
                                                                  desk: DeskWorld) -> None:
    sign_in(page)
    flagged = [p for p in desk.processed if p.branch_id == HOME.id and p.status == "needs_review"]
    assert flagged, "the generated world should give the home branch a needs_review"
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(len(flagged))
    links = [rows.nth(i).locator("a.button").get_attribute("href") for i in range(len(flagged))]
    assert set(links) == {f"/pengajuan/{p.submission_id}" for p in flagged}
    # NIKs are masked in the list.
    for p in flagged:
        assert p.message.profile_nik not in page.content()
    # Filters with counts: the incomplete one is a click away.
    incomplete = [p for p in desk.processed if p.branch_id == HOME.id
                  and p.status == "incomplete"]
    expect(page.locator("a.chip.incomplete b")).to_have_text(str(len(incomplete)))
    page.click("a.chip.incomplete")
    expect(rows).to_have_count(len(incomplete))


def test_submission_page_shows_scans_values_findings_email_and_history(
        page: Page, desk: DeskWorld) -> None:
    mismatch = desk.of("name_mismatch")[0]
    sign_in(page)
    page.click(f"a[href='/pengajuan/{mismatch.submission_id}']")
    expect(page.locator("#decision")).to_have_text(DECISION_LABELS[mismatch.status])
    scans = page.locator("figure.scan img")
    assert scans.count() >= 5
    first = scans.first
    first.scroll_into_view_if_needed()
    # The first page request prepares every page of the submission (as the pipeline did).
    expect(first).to_have_js_property("complete", True, timeout=90_000)
    assert first.evaluate("img => img.naturalWidth") > 300  # the PNG rendered, not a broken image
    expect(page.locator("article.finding")).to_contain_text(["REC-002"])
    expect(page.locator("dl.record")).to_contain_text(mismatch.message.profile_nik)  # full NIK
    expect(page.locator("dl.headers")).to_contain_text("Subject")
    expect(page.locator("ol.history")).to_contain_text("Keputusan mesin")


def test_correcting_the_ktp_name_reruns_the_rules_and_changes_the_decision(
        page: Page, desk: DeskWorld) -> None:
    mismatch = desk.of("name_mismatch")[0]
    assert mismatch.status == "needs_review"
    sign_in(page)
    open_submission(page, mismatch.submission_id)
    expect(page.locator("#decision")).to_have_text("Perlu diperiksa")
    row = page.locator("table.fields[data-kind=ktp] tr[data-field=nama]")
    row.locator("input[name=value]").fill(mismatch.nama)
    row.locator("button").click()
    expect(page.locator(".notice")).to_contain_text("aturan sudah dijalankan ulang")
    # REC-002 is gone; the decision is what the remaining findings call for.
    findings = page.locator("article.finding .rule").all_inner_texts()
    assert "REC-002" not in findings
    remaining = {a.value for a in Action} & {
        c.split()[-1] for c in page.locator("article.finding").evaluate_all(
            "els => els.map(e => e.className)")}
    expected = ("rejected" if "reject" in remaining else "incomplete" if "ask" in remaining
                else "needs_review" if "review" in remaining else "complete")
    expect(page.locator("#decision")).to_have_text(DECISION_LABELS[expected])
    if not findings:
        expect(page.locator("#decision")).to_have_text("Lengkap")
    expect(page.locator("table.fields[data-kind=ktp] tr[data-field=nama] .was")).to_contain_text(
        "dikoreksi")
    expect(page.locator("ol.history")).to_contain_text("Koreksi data oleh petugas.bpn")


def test_requesting_documents_sends_the_edited_reply_through_the_outbox(
        page: Page, desk: DeskWorld) -> None:
    target = desk.of("missing_kk")[0]
    sign_in(page)
    open_submission(page, target.submission_id)
    page.click("details.act summary:has-text('Minta dokumen')")
    body = page.locator("#request-body")
    draft = body.input_value()
    assert "Kartu Keluarga" in draft  # composed from the findings (DOC-002)
    note = "Catatan petugas: mohon KK terbaru, seluruh halaman."
    body.fill(draft.rstrip() + "\n\n" + note)
    page.click("#send-request")
    expect(page.locator(".notice")).to_contain_text("antrean pengiriman")
    expect(page.locator("#decision")).to_have_text("Belum lengkap")
    before = len(desk.sink.messages())
    assert desk.send_outbox() == 1
    received = desk.sink.wait_for(before + 1, timeout=10)
    reply = received[-1]
    assert note in reply.get_content()
    sender = parseaddr(str(email.message_from_bytes(target.message.eml,
                                                    policy=default_policy)["From"]))[1]
    assert sender in str(reply["To"])
    assert str(reply["Subject"]).startswith("Re: ")


def test_approving_settles_the_submission(page: Page, desk: DeskWorld) -> None:
    target = desk.of("complete")[0]
    sign_in(page)
    open_submission(page, target.submission_id)
    page.click("#approve")
    expect(page.locator(".notice")).to_contain_text("disetujui")
    expect(page.locator("#decision")).to_have_text("Lengkap")
    expect(page.locator("ol.history")).to_contain_text("Disetujui oleh petugas.bpn")
    page.goto("/antrean?keputusan=complete")
    expect(page.locator(f"a[href='/pengajuan/{target.submission_id}']")).to_have_count(1)


def test_another_branchs_submission_cannot_be_opened(page: Page, desk: DeskWorld) -> None:
    theirs = desk.of("complete", OTHER.id)[0]
    sign_in(page)
    for path in (f"/pengajuan/{theirs.submission_id}",
                 f"/pengajuan/{theirs.submission_id}/halaman/1.png"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 404
        expect(page.locator("h1")).to_have_text("Tidak ditemukan")
        assert theirs.message.profile_nik not in page.content()

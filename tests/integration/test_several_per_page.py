"""Cards scanned together on one page, read end to end with real tesseract: each on its own."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from extractors import read_page
from fixtures.capture import encode_jpeg, several_on_page
from fixtures.people import generate_profiles
from fixtures.render import renderers
from fixtures.world import generate_world
from pipeline.adapters.ocr import OcrEngine
from pipeline.adapters.ocr_inprocess import make_ocr_engine
from pipeline.pages import prepare_page, render_pages
from pipeline.replies.showcase import run_world
from pipeline.settings import LimitSettings, OcrSettings
from pipeline.store.db import make_engine, make_sessionmaker
from pipeline.store.models import DocumentRow
from pipeline.types import Attachment, DocumentKind, Submission

pytestmark = [pytest.mark.ocr, pytest.mark.slow]

TODAY = date(2020, 6, 15)
CARDS = ("ktp", "kartu_peserta", "npwp")
# The number each card is known by, as the extractor names it and as printed.
NUMBER = {"ktp": "nik", "kartu_peserta": "kpj", "npwp": "npwp"}


def engine() -> OcrEngine:
    ocr = OcrSettings()
    return make_ocr_engine(ocr.engine, ocr.lang, ocr.tessdata_dir, ocr.timeout_seconds)


def digits(text: str | None) -> str:
    return "".join(c for c in text or "" if c.isdigit())


def test_each_card_on_a_shared_scan_is_read_as_its_own_document() -> None:
    profile = generate_profiles(random.Random(31), 1, TODAY)[0]
    rng = random.Random(32)
    cards = [renderers()[kind](profile, rng) for kind in CARDS]
    page, _placed = several_on_page([card.image for card in cards], rng)
    data = encode_jpeg(page, 85)
    submission = Submission(
        branch_id="smd", message_sha256="2" * 64, message_id=None,
        sender="peserta@example.test", sender_name=None, subject="klaim JHT",
        received_at=datetime(2020, 6, 15, tzinfo=UTC),
        attachments=(Attachment(index=0, filename="scan kartu.jpg", declared_type="image/jpeg",
                                sniffed_type="image/jpeg", size=len(data),
                                sha256=hashlib.sha256(data).hexdigest(), data=data),))
    pages, unreadable = render_pages(submission, LimitSettings())
    assert unreadable == [] and [p.ref.part for p in pages] == [1, 2, 3]
    ocr = engine()
    documents = [read_page(prepare_page(p), ocr, today=TODAY) for p in pages]
    assert [d.kind for d in documents] == [DocumentKind(kind) for kind in CARDS]
    for page_, document, card in zip(pages, documents, cards, strict=True):
        field = NUMBER[card.kind]
        assert digits(document.value(field)) == digits(card.truth[field].value)
        # The document still names the file and page it came from, and which part of it.
        assert document.ref == page_.ref and document.filename == "scan kartu.jpg"


def test_several_per_page_packets_are_decided_as_expected(tmp_path: Path) -> None:
    """The scenario through ledger, OCR, rules, store and outbox, as the reply showcase runs it."""
    world = generate_world(seed=7, count=2, scenarios=["several_per_page"])
    shown = run_world(world, tmp_path)
    assert [s.status for s in shown] == [s.message.expected_decision for s in shown]
    factory = make_sessionmaker(make_engine(f"sqlite:///{tmp_path / 'intake.db'}"))
    with factory() as session:
        rows = session.scalars(select(DocumentRow).order_by(DocumentRow.id)).all()
    shared = [r for r in rows if r.part is not None]
    # Every card of each packet was found on its shared page and stored as its own document.
    cards_sent = sum(1 for s in shown for d in s.message.documents if d.get("shared_page"))
    assert len(shared) == cards_sent
    assert {r.kind for r in shared} >= {"ktp", "kartu_peserta"}
    assert all(r.filename.startswith("scan kartu") and r.page_number == 1 for r in shared)
    # The documents sent one per file are stored as before: no part.
    assert all(r.part is None for r in rows if not r.filename.startswith("scan kartu"))

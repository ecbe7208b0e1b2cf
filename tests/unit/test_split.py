"""Several documents on one page: each card found on its own, a single document never cut."""

from __future__ import annotations

import hashlib
import random
import time
from datetime import UTC, date, datetime

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from fixtures.capture import (
    Capture,
    Placed,
    encode_jpeg,
    flatbed_capture,
    phone_capture,
    rotate_capture,
    several_on_page,
)
from fixtures.people import generate_profiles
from fixtures.render import Rendered, renderers
from pipeline.imaging.split import PageSplit, cut_out, find_documents
from pipeline.pages import render_pages, split_page
from pipeline.settings import LimitSettings
from pipeline.types import Attachment, Page, PageRef, Submission
from pipeline.web.scans import PageCache

TODAY = date(2020, 6, 15)
KINDS = ("ktp", "kk", "f5", "kartu_peserta", "paklaring", "buku_tabungan", "npwp")
CARDS = ("ktp", "kartu_peserta", "npwp")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.fixture(scope="module")
def documents() -> dict[str, Rendered]:
    profile = generate_profiles(random.Random(5), 1, TODAY)[0]
    return {kind: renderers()[kind](profile, random.Random(2)) for kind in KINDS}


def jpeg(image: np.ndarray, quality: int = 85) -> np.ndarray:
    """The image as a participant's attachment carries it."""
    return cv2.imdecode(np.frombuffer(encode_jpeg(image, quality), np.uint8), cv2.IMREAD_COLOR)


def scan_of(documents: dict[str, Rendered], kinds: tuple[str, ...], seed: int
            ) -> tuple[np.ndarray, tuple[Placed, ...]]:
    page, placed = several_on_page([documents[k].image for k in kinds], random.Random(seed))
    return jpeg(page), placed


def holds(region: tuple[int, int, int, int], card: tuple[int, int, int, int]) -> bool:
    """The region holds the whole card and no more than a margin of lid around it."""
    x, y, w, h = region
    cx, cy, cw, ch = card
    inside = x <= cx + 2 and y <= cy + 2 and cx + cw <= x + w + 2 and cy + ch <= y + h + 2
    return inside and w * h < 1.4 * cw * ch


def assert_found(split: PageSplit, truth: list[tuple[int, int, int, int]]) -> None:
    assert len(split.regions) == len(truth)
    for region, box in zip(split.regions, truth, strict=True):
        assert holds(region.box, box), (region.box, box)


@pytest.mark.parametrize(("kinds", "seed"), [
    (CARDS, 1), (CARDS, 2), (CARDS, 3), (("ktp", "kartu_peserta"), 4),
    (("kartu_peserta", "ktp"), 5), (("npwp", "ktp"), 6)])
def test_cards_scanned_together_are_found_each_in_reading_order(
        documents: dict[str, Rendered], kinds: tuple[str, ...], seed: int) -> None:
    page, placed = scan_of(documents, kinds, seed)
    split = find_documents(page)
    assert split.several
    # Laid one under another: the regions come top to bottom, as the cards were placed.
    assert_found(split, [Capture(page, p.quad).box() for p in placed])


def test_documents_side_by_side_come_row_by_row_left_to_right(
        documents: dict[str, Rendered]) -> None:
    """Two rows of two on a landscape lid, the bank book among the cards."""
    page = np.full((1654, 2339, 3), 246, np.uint8)
    truth = []
    for kind, (x, y) in zip(("ktp", "npwp", "kartu_peserta", "buku_tabungan"),
                            ((150, 200), (1200, 230), (180, 900), (1250, 850)), strict=True):
        card = cv2.resize(documents[kind].image, None, fx=2 / 3, fy=2 / 3,
                          interpolation=cv2.INTER_AREA)
        page[y:y + card.shape[0], x:x + card.shape[1]] = card
        truth.append((x, y, card.shape[1], card.shape[0]))
    assert_found(find_documents(jpeg(page)), truth)


@pytest.mark.parametrize("turn", [0, 90, 180])
def test_a_grey_or_turned_scan_is_split_too(documents: dict[str, Rendered], turn: int) -> None:
    page, placed = scan_of(documents, CARDS, 7)
    captures = [Capture(page, p.quad) for p in placed]
    if turn:
        captures = [rotate_capture(c, turn) for c in captures]
    grey = cv2.cvtColor(captures[0].image, cv2.COLOR_BGR2GRAY)
    split = find_documents(grey)
    assert split.several and len(split.background) == 1
    found = sorted(r.box for r in split.regions)
    for region, capture in zip(found, sorted(c.box() for c in captures), strict=True):
        assert holds(region, capture), (region, capture)


@pytest.mark.parametrize("style", ["scan", "photo"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_single_document_is_never_split(documents: dict[str, Rendered], kind: str,
                                          style: str) -> None:
    image = documents[kind].image
    for seed in range(3):
        rng = random.Random(seed)
        capture = flatbed_capture(image, rng) if style == "scan" else phone_capture(image, rng)
        if seed == 2:
            capture = rotate_capture(capture, 90)
        page = jpeg(capture.image)
        split = find_documents(page)
        assert not split.several, (kind, style, seed)
        assert split.regions[0].box == (0, 0, page.shape[1], page.shape[0])


@pytest.mark.parametrize("kind", KINDS)
def test_a_page_filling_the_frame_is_never_split(documents: dict[str, Rendered],
                                                 kind: str) -> None:
    """A document as a digital PDF renders it: paper to the edge, blocks of print on it."""
    image = documents[kind].image
    assert not find_documents(image).several
    assert not find_documents(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)).several


def test_blocks_of_print_apart_on_white_paper_stay_one_page() -> None:
    """Two paragraphs of a letter far apart: whitespace is no outline, however wide."""
    page = Image.new("RGB", (1654, 2339), "white")
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(FONT, 30)
    for top in (300, 1400):
        for row in range(12):
            draw.text((250, top + row * 48), "Yang bertanda tangan di bawah ini menerangkan",
                      fill="black", font=face)
    image = jpeg(flatbed_capture(cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR),
                                 random.Random(3)).image)
    assert not find_documents(image).several


def test_cards_on_a_grained_table_stay_one_page(documents: dict[str, Rendered]) -> None:
    """An uneven background (wood, a phone's shading) is no colour to cut along: whole page."""
    page, _placed = scan_of(documents, CARDS, 8)
    photo = jpeg(phone_capture(page, random.Random(8)).image)
    assert not find_documents(photo).several


def test_each_piece_shows_one_card_on_the_background(documents: dict[str, Rendered]) -> None:
    page, placed = scan_of(documents, CARDS, 9)
    split = find_documents(page)
    painted = 0
    for region, place in zip(split.regions, placed, strict=True):
        piece = cut_out(page, region, split.background)
        x, y, w, h = region.box
        assert piece.shape == (h, w, 3)
        # A turned card's box has corners outside its quad: painted the lid's colour ...
        corners = [(0, 0), (w - 1, 0), (w - 1, h - 1), (0, h - 1)]
        quad = (region.quad - np.float32([x, y])).reshape(-1, 1, 2)
        px, py = min(corners, key=lambda c: cv2.pointPolygonTest(quad, c, True))
        if cv2.pointPolygonTest(quad, (px, py), True) < -3:
            assert tuple(int(v) for v in piece[py, px]) == split.background
            painted += 1
        # ... and the card itself is untouched.
        cx, cy = np.mean(np.float32(place.quad), axis=0)
        assert np.array_equal(piece[int(cy) - y, int(cx) - x], page[int(cy), int(cx)])
    assert painted >= 1  # this page's first card lies turned by about 3 degrees


def test_small_or_empty_images_are_taken_whole() -> None:
    for image in (np.full((20, 30), 255, np.uint8), np.full((400, 300, 3), 250, np.uint8),
                  np.zeros((300, 400, 4), np.uint8)):
        split = find_documents(image)
        assert not split.several
        assert split.regions[0].box == (0, 0, image.shape[1], image.shape[0])


def test_the_split_test_is_cheap(documents: dict[str, Rendered]) -> None:
    """An A4 scan at 200 dpi is decided in a few milliseconds (best of five, a loaded machine)."""
    single = jpeg(flatbed_capture(documents["f5"].image, random.Random(1)).image)
    several, _placed = scan_of(documents, CARDS, 10)
    for page in (single, several):
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            find_documents(page)
            timings.append(time.perf_counter() - start)
        assert min(timings) < 0.025


# --------------------------------------------------------------------------
# Pages: a page of several documents becomes a page per document
# --------------------------------------------------------------------------


def submission_of(*images: np.ndarray) -> Submission:
    attachments = []
    for index, image in enumerate(images):
        data = encode_jpeg(image, 90)
        attachments.append(Attachment(
            index=index, filename=f"scan{index}.jpg", declared_type="image/jpeg",
            sniffed_type="image/jpeg", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
            data=data))
    return Submission(branch_id="smd", message_sha256="1" * 64, message_id=None,
                      sender="peserta@example.test", sender_name=None, subject="klaim JHT",
                      received_at=datetime(2020, 6, 15, tzinfo=UTC), attachments=tuple(attachments))


def test_pages_of_several_documents_become_parts_of_their_page(
        documents: dict[str, Rendered]) -> None:
    several, _placed = scan_of(documents, CARDS, 11)
    single = flatbed_capture(documents["kk"].image, random.Random(11)).image
    pages, unreadable = render_pages(submission_of(single, several), LimitSettings())
    assert unreadable == []
    assert [(p.ref.attachment_index, p.ref.page_number, p.ref.part) for p in pages] == [
        (0, 1, None), (1, 1, 1), (1, 1, 2), (1, 1, 3)]
    assert {p.filename for p in pages[1:]} == {"scan1.jpg"}
    # Each piece is about a card's size (85.6 x 54 mm at 200 dpi, with a margin), not the page.
    for piece in pages[1:]:
        height, width = piece.image.shape[:2]
        assert 650 < width < 800 and 420 < height < 560


def test_a_page_of_one_document_is_passed_on_as_it_is(documents: dict[str, Rendered]) -> None:
    page = Page(ref=PageRef(attachment_index=2, page_number=3), filename="ktp.jpg",
                image=jpeg(flatbed_capture(documents["ktp"].image, random.Random(12)).image))
    assert split_page(page) == [page]


def test_page_refs_stored_before_parts_read_as_whole_pages() -> None:
    old = PageRef.model_validate({"attachment_index": 1, "page_number": 2})
    assert old.part is None and old == PageRef(attachment_index=1, page_number=2)
    assert PageRef(attachment_index=1, part=2) != PageRef(attachment_index=1)


def test_the_review_desk_shows_each_part_on_its_own(documents: dict[str, Rendered]) -> None:
    several, _placed = scan_of(documents, ("ktp", "kartu_peserta"), 13)
    submission = submission_of(several)
    cache = PageCache()
    first = cache.prepared(submission, LimitSettings(), 0, 1, 1)
    second = cache.prepared(submission, LimitSettings(), 0, 1, 2)
    assert first is not None and second is not None
    # Card-shaped, not the A4 page; the page as a whole is no document of its own.
    for image in (first, second):
        assert 1.3 < image.shape[1] / image.shape[0] < 1.9
    assert cache.prepared(submission, LimitSettings(), 0, 1, None) is None

"""Phone photos taken at any quarter turn end up read the right way up.

Preparation guesses the turn from the shape of the text; the whole-page
reading checks the guess and turns the page again when it reads poorly.
Photos are generated (renderer, phone capture, JPEG as a phone sends it).
"""

from __future__ import annotations

import random
from datetime import date

import cv2
import numpy as np
import pytest

from extractors import read_page, read_upright, reading_scale
from extractors.classify import classify
from fixtures.capture import Capture, encode_jpeg, phone_capture, rotate_capture
from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.adapters.ocr_inprocess import TesserocrEngine
from pipeline.imaging.geometry import rotate_quarter
from pipeline.pages import prepare_page
from pipeline.types import DocumentKind, Page, PageRef, PreparedPage

pytestmark = pytest.mark.ocr

TODAY = date(2020, 6, 15)


@pytest.fixture(scope="module")
def engine() -> TesserocrEngine:
    return TesserocrEngine()


def _sent(capture: Capture, quality: int) -> Page:
    """The capture as the pipeline receives it: a JPEG, decoded."""
    data = np.frombuffer(encode_jpeg(capture.image, quality), np.uint8)
    return Page(ref=PageRef(attachment_index=0), filename="IMG.jpeg",
                image=cv2.imdecode(data, cv2.IMREAD_COLOR))


@pytest.mark.parametrize("turn", (0, 90, 180, 270))
@pytest.mark.parametrize("kind", ("buku_tabungan", "kk", "f5", "ktp"))
def test_phone_photo_is_read_upright(kind: str, turn: int, engine: TesserocrEngine) -> None:
    profile = generate_profiles(random.Random(17), 1, TODAY)[0]
    capture = phone_capture(renderers()[kind](profile, random.Random(5)).image,
                            random.Random(turn))
    if turn:
        capture = rotate_capture(capture, turn)
    prepared = prepare_page(_sent(capture, 82))
    read, ocr = read_upright(prepared, engine, reading_scale(prepared.image,
                                                             prepared.char_height))
    assert read.rotation == (360 - turn) % 360
    assert classify(ocr)[0].value == kind


@pytest.fixture(scope="module")
def bank_book() -> PreparedPage:
    """A bank book photo on which tesseract, reading it upside down, finds no text at all."""
    profile = generate_profiles(random.Random(7), 475, TODAY)[474]
    rng = random.Random(474)
    capture = phone_capture(renderers()["buku_tabungan"](profile, rng).image, rng)
    return prepare_page(_sent(capture, rng.randint(75, 88)))


def test_upright_bank_book_is_not_turned_over(bank_book: PreparedPage,
                                              engine: TesserocrEngine) -> None:
    # Its signature rule runs into the stamp: one strip with the whole
    # stamp below the rule, which once outweighed every line of text.
    assert bank_book.rotation == 0
    assert read_page(bank_book, engine).kind is DocumentKind.BUKU_TABUNGAN


def test_page_read_as_nothing_is_tried_the_other_way_up(bank_book: PreparedPage,
                                                        engine: TesserocrEngine) -> None:
    # As preparation once left it: upside down (the photo was upright, so
    # that is half a turn from where preparation turned it). An empty
    # reading is the poorest there is, not a page without text.
    back = (180 - bank_book.rotation) % 360
    upside_down = bank_book.model_copy(update={
        "image": np.ascontiguousarray(rotate_quarter(bank_book.image, back)),
        "rotation": 180})
    assert read_page(upside_down, engine).kind is DocumentKind.BUKU_TABUNGAN

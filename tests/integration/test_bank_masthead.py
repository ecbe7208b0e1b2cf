"""The bank of a savings book is found in its masthead when the page reading missed it.

The masthead prints the bank's name light on a coloured band; the reduced
whole-page reading can miss it, the masthead read alone at full size finds it.
"""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from extractors import read_upright, reading_scale
from extractors.buku_tabungan import extract_buku_tabungan, find_bank
from fixtures import capture
from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.adapters.ocr_inprocess import TesserocrEngine
from pipeline.pages import prepare_page
from pipeline.types import Page, PageRef

pytestmark = pytest.mark.ocr

TODAY = date(2025, 6, 1)
ENGINE = TesserocrEngine()
# A book of Bank Kaltimtara, whose masthead the page reading misses.
SEED = 8


def book(style: str) -> tuple[np.ndarray, str]:
    rng = random.Random(SEED)
    person = generate_profiles(rng, 1, TODAY)[0]
    rendered = renderers()["buku_tabungan"](person, rng)
    image = capture.flatbed_scan(rendered.image, random.Random(SEED)) if style == "scan" \
        else capture.phone_photo(rendered.image, random.Random(SEED))
    return image, rendered.truth["bank"].value


@pytest.mark.parametrize("style", ["scan", "photo"])
def test_a_bank_missed_by_the_page_reading_is_read_from_the_masthead(style: str) -> None:
    image, bank = book(style)
    prepared = prepare_page(Page(ref=PageRef(attachment_index=0), filename="buku.jpg",
                                 image=image))
    prepared, ocr = read_upright(prepared, ENGINE, reading_scale(prepared.image,
                                                                 prepared.char_height))
    assert find_bank(ocr).value is None
    assert extract_buku_tabungan(prepared, ocr, ENGINE)[0].value == bank

"""A page the quality gate calls unreadable is read once, and only for what can still be trusted.

Its values would all be withheld, so a family card, a bank book or a
reference letter in that state is not read field by field: the reply asks
for a better copy either way. An e-KTP, F5 or NPWP still is, because a NIK
that agreeing readers confirm survives a poor page (extractors._verified).
Captures are generated (renderer, phone capture, spoil).
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from extractors import read_page
from fixtures.capture import defocus, low_resolution, motion_blur, phone_capture
from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.adapters.ocr_inprocess import TesserocrEngine
from pipeline.pages import prepare_page
from pipeline.types import Page, PageRef

pytestmark = pytest.mark.ocr

TODAY = date(2020, 6, 15)


class CountingEngine(TesserocrEngine):
    """The real in-process engine, counting whole-page readings (page segmentation 3)."""

    def __init__(self) -> None:
        super().__init__()
        self.page_readings = 0

    def recognise(self, image, ref, *, psm=3, whitelist=None, lang=None):  # type: ignore[no-untyped-def]
        self.page_readings += psm == 3
        return super().recognise(image, ref, psm=psm, whitelist=whitelist, lang=lang)


@pytest.fixture(scope="module")
def engine() -> CountingEngine:
    return CountingEngine()


def _rendered(kind: str, seed: int):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    person = generate_profiles(rng, 1, TODAY)[0]
    return renderers()[kind](person, random.Random(seed + 1))


@pytest.mark.parametrize("kind,spoil", [("kk", motion_blur), ("paklaring", defocus),
                                        ("buku_tabungan", motion_blur)])
def test_unreadable_page_of_a_kind_without_identity_number_is_read_once(
        engine: CountingEngine, kind: str, spoil) -> None:  # type: ignore[no-untyped-def]
    rendered = _rendered(kind, 31)
    rng = random.Random(7)
    image = spoil(phone_capture(rendered.image, rng), rng).image
    prepared = prepare_page(Page(ref=PageRef(attachment_index=0), filename="IMG.jpg",
                                 image=image))
    assert not prepared.quality.readable
    engine.page_readings = 0
    document = read_page(prepared, engine, today=TODAY)
    assert engine.page_readings == 1  # no turned re-readings
    assert document.quality is not None and not document.quality.readable
    # Nothing read field by field, so nothing that could be mistaken for a value.
    assert all(field.value is None for field in document.fields)


def test_small_e_ktp_still_gives_its_verified_nik(engine: CountingEngine) -> None:
    rendered = _rendered("ktp", 12)
    unreadable = found = 0
    for seed in range(8):
        rng = random.Random(seed)
        # A thumbnail of about 300 px: too small to trust, its large NIK print still legible.
        image = low_resolution(phone_capture(rendered.image, rng), rng, max_side=330).image
        prepared = prepare_page(Page(ref=PageRef(attachment_index=0), filename="IMG.jpg",
                                     image=image))
        if prepared.quality.readable:
            continue
        unreadable += 1
        document = read_page(prepared, engine, today=TODAY)
        nik = document.field("nik")
        if nik is None:
            continue  # too small even to tell it is an e-KTP
        # Never a wrong number: the right one, or none.
        assert nik.value in (None, rendered.truth["nik"].value)
        if nik.value is not None:
            assert nik.confidence <= 0.85
            found += 1
    assert unreadable >= 4 and found >= 2

"""The cheap orientation test of page preparation on generated documents.

It decides which way text lines run and whether they are upside down,
before any OCR. What it cannot tell it must leave alone: an upright page
turned over is read upside down.
"""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from fixtures.capture import phone_capture, rotate_capture
from fixtures.people import Profile, generate_profiles
from fixtures.render import renderers
from pipeline.imaging.enhance import to_grey
from pipeline.imaging.geometry import estimate_orientation, rotate_quarter
from pipeline.pages import prepare_page
from pipeline.types import Page, PageRef

TODAY = date(2020, 6, 15)
KINDS = ("buku_tabungan", "kk", "f5", "ktp")


@pytest.fixture(scope="module")
def profiles() -> list[Profile]:
    return generate_profiles(random.Random(3), 4, TODAY)


def _page(image: np.ndarray) -> Page:
    return Page(ref=PageRef(attachment_index=0), filename="photo.jpg", image=image)


@pytest.mark.parametrize("kind", KINDS)
def test_flat_documents_are_turned_upright_from_every_quarter_turn(
        kind: str, profiles: list[Profile]) -> None:
    # The bank book's signature rule runs into its stamp: one strip with the
    # whole stamp below the rule, which once outweighed every text line.
    for number, profile in enumerate(profiles):
        grey = to_grey(renderers()[kind](profile, random.Random(number)).image)
        for turn in (0, 90, 180, 270):
            found = estimate_orientation(rotate_quarter(grey, turn))
            assert found == (360 - turn) % 360, (number, turn)


@pytest.mark.parametrize("kind", sorted(renderers()))
def test_upright_phone_photos_stay_upright(kind: str, profiles: list[Profile]) -> None:
    for number, profile in enumerate(profiles[:3]):
        rendered = renderers()[kind](profile, random.Random(number))
        capture = phone_capture(rendered.image, random.Random(100 + number))
        assert prepare_page(_page(capture.image)).rotation == 0, number


@pytest.mark.parametrize("kind", KINDS)
def test_sideways_phone_photos_get_level_lines(kind: str, profiles: list[Profile]) -> None:
    rendered = renderers()[kind](profiles[0], random.Random(0))
    base = phone_capture(rendered.image, random.Random(200))
    for turn in (90, 270):
        rotation = prepare_page(_page(rotate_capture(base, turn).image)).rotation
        assert rotation in (90, 270), turn

"""Where a reflection may have washed out part of a value (pipeline.imaging.quality.washed_spots).

The quality gate refuses a page only when highlights cover much of it; a
smaller soft-edged reflection on a card leaves the page readable but can
erase the end of a value, which the extractors then mark unsure. These
spots must be found on cards with a reflection and nowhere on clean ones.
"""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from fixtures import capture
from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.imaging.enhance import to_grey
from pipeline.imaging.quality import washed_spots
from pipeline.pages import prepare_page
from pipeline.types import Page, PageRef

PEOPLE = generate_profiles(random.Random(11), 6, date(2020, 6, 15))


def _capture(kind: str, person: int, seed: int) -> capture.Capture:
    rendered = renderers()[kind](PEOPLE[person], random.Random(person))
    return capture.phone_capture(rendered.image, random.Random(seed))


def _photo(kind: str, person: int, seed: int) -> np.ndarray:
    return _capture(kind, person, seed).image


@pytest.mark.parametrize("kind", ["ktp", "npwp"])
@pytest.mark.parametrize("person", range(3))
def test_reflection_on_a_card_is_found_where_it_is(kind: str, person: int) -> None:
    clean = _capture(kind, person, 40 + person)
    photo = clean.image
    glared = capture.glare_spot(clean, random.Random(person)).image
    spots = washed_spots(to_grey(glared))
    assert len(spots) == 1
    # The spot lies where the image was brightened most.
    brightened = to_grey(glared).astype(int) - to_grey(photo).astype(int)
    y, x = np.unravel_index(int(np.argmax(brightened)), brightened.shape)
    spot = spots[0]
    assert spot.x <= x <= spot.x + spot.w and spot.y <= y <= spot.y + spot.h


@pytest.mark.parametrize("kind", ["ktp", "npwp", "kartu_peserta"])
@pytest.mark.parametrize("person", range(3))
def test_clean_card_photo_has_no_spot(kind: str, person: int) -> None:
    assert washed_spots(to_grey(_photo(kind, person, 60 + person))) == ()


def test_spots_follow_the_page_into_prepared_pixels() -> None:
    glared = capture.glare_spot(_capture("ktp", 0, 3), random.Random(5)).image
    prepared = prepare_page(Page(ref=PageRef(attachment_index=0), filename="k.jpg", image=glared))
    assert len(prepared.glare) == 1
    height, width = prepared.image.shape[:2]
    spot = prepared.glare[0]
    assert 0 <= spot.x < width and 0 <= spot.y < height
    # Bright where the spot is said to be: the flattened page is paper-white there.
    assert float(np.median(prepared.image[spot.y:spot.y + spot.h, spot.x:spot.x + spot.w])) > 200

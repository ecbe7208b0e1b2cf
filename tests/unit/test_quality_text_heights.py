"""Text heights measured once for preparation and quality, as each would measure them."""

from __future__ import annotations

import random
from datetime import date

import cv2
import numpy as np
import pytest

from fixtures.capture import phone_photo
from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.imaging.enhance import (estimate_char_height, estimate_text_heights,
                                      normalise_illumination, to_grey)
from pipeline.imaging.geometry import components, ink_mask
from pipeline.imaging.quality import letter_height

TODAY = date(2020, 6, 15)


def photographed(kind: str, seed: int) -> np.ndarray:
    person = generate_profiles(random.Random(seed), 1, TODAY)[0]
    image = renderers()[kind](person, random.Random(seed)).image
    return normalise_illumination(to_grey(phone_photo(image, random.Random(seed))))


@pytest.mark.parametrize("kind", ["ktp", "kk", "f5", "kartu_peserta"])
def test_one_labelling_gives_both_heights(kind: str) -> None:
    flat = photographed(kind, 12)
    heights = estimate_text_heights(flat)
    assert heights == (estimate_char_height(flat), letter_height(flat))
    assert heights is not None and heights[0] > 0


def test_a_page_without_marks_has_no_heights() -> None:
    assert estimate_text_heights(np.full((400, 600), 230, np.uint8)) is None


def test_components_are_the_default_labellings() -> None:
    mask = ink_mask(photographed("ktp", 5))
    count, _labels, stats, centres = components(mask)
    want_count, _want, want_stats, want_centres = cv2.connectedComponentsWithStats(mask,
                                                                                   connectivity=8)
    assert count == want_count
    # The numbering may differ; the components may not.
    rows = np.hstack([stats, np.round(centres, 6)])
    want_rows = np.hstack([want_stats, np.round(want_centres, 6)])
    assert sorted(map(tuple, rows.tolist())) == sorted(map(tuple, want_rows.tolist()))

"""The "cut_off" quality reason: a document running off the frame is refused, a whole one is not.

A page cut by the frame would be read partially and look complete; a
whole page called cut costs the participant a needless rescan. Both
directions are checked on generated captures of every document kind.
"""

import random
from datetime import date

import cv2
import numpy as np
import pytest

from fixtures import capture
from fixtures.people import generate_profiles
from fixtures.render import renderers
from fixtures.render.photo import render_holiday_photo
from pipeline.imaging.cut import (MIN_LIGHT_REACH, MIN_REGION_REACH, STRIP_BLUR, STRIP_DEPTH,
                                  STRIP_MARGIN, _count_medians, _hue_distance, _median,
                                  _small_colour, _strips, is_cut_off, light_reach, region_reach)
from pipeline.imaging.split import cut_out, find_documents
from pipeline.pages import prepare_page
from pipeline.types import Page, PageRef, Quality

KINDS = ("ktp", "kk", "f5", "kartu_peserta", "paklaring", "buku_tabungan", "npwp")
A4_KINDS = ("kk", "f5", "paklaring")
CARD_KINDS = ("ktp", "kartu_peserta", "npwp")


def rendered(kind: str, person: int = 0) -> np.ndarray:
    people = generate_profiles(random.Random(31), 3, date(2024, 6, 1))
    return renderers()[kind](people[person], random.Random(100 + person)).image


def photo(kind: str, seed: int) -> capture.Capture:
    return capture.phone_capture(rendered(kind), random.Random(seed))


@pytest.mark.parametrize("kind", KINDS)
def test_cut_photo_is_cut_off_and_whole_photo_is_not(kind: str) -> None:
    whole = photo(kind, 11)
    cut = capture.cut_off(whole, random.Random(12))
    assert cut.visible_share() < 0.9
    assert not is_cut_off(whole.image)
    assert is_cut_off(cut.image), cut.steps


@pytest.mark.parametrize(("kind", "seed"), [("ktp", 21), ("f5", 22), ("buku_tabungan", 23)])
def test_the_cut_side_is_the_one_that_reaches_furthest(kind: str, seed: int) -> None:
    cut = capture.cut_off(photo(kind, seed), random.Random(seed))
    side = cut.steps[-1].removeprefix("cut_off_")
    regions, light = region_reach(cut.image), light_reach(cut.image)
    best = max(regions, key=lambda name: regions[name])
    lit = max(light, key=lambda name: light[name])
    # Whichever view sees the cut names its side.
    assert ((regions[side] >= MIN_REGION_REACH and best == side)
            or (light[side] >= MIN_LIGHT_REACH and lit == side)), (side, regions, light)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spoil", ["glare", "motion_blur", "defocus", "low_resolution", "rot90",
                                   "rot180"])
def test_spoilt_but_whole_photos_are_not_cut_off(kind: str, spoil: str) -> None:
    whole = photo(kind, 41)
    rng = random.Random(42)
    if spoil == "glare":
        spoilt = capture.glare_spot(whole, rng)
    elif spoil == "motion_blur":
        spoilt = capture.motion_blur(whole, rng)
    elif spoil == "defocus":
        spoilt = capture.defocus(whole, rng)
    elif spoil == "low_resolution":
        spoilt = capture.low_resolution(whole, rng)
    else:
        spoilt = capture.rotate_capture(whole, int(spoil.removeprefix("rot")))
    assert not is_cut_off(spoilt.image), spoilt.steps


@pytest.mark.parametrize("kind", KINDS)
def test_flatbed_scans_filling_the_frame_are_not_cut_off(kind: str) -> None:
    scan = capture.flatbed_scan(rendered(kind, 1), random.Random(51))
    assert not is_cut_off(scan)


def test_cards_scanned_together_are_not_cut_off_page_or_pieces() -> None:
    page, _placed = capture.several_on_page([rendered(kind, 2) for kind in CARD_KINDS],
                                            random.Random(61))
    found = find_documents(page)
    assert found.several
    pieces = [cut_out(page, region, found.background) for region in found.regions]
    assert not any(is_cut_off(image) for image in [page, *pieces])


def test_a_holiday_snapshot_is_a_scene_not_a_cut_document() -> None:
    # Sky, sea and sand each fill a side of the frame: no background shows
    # beside them, so nothing runs off it.
    assert not is_cut_off(render_holiday_photo(random.Random(71)))


def test_grey_and_bgra_captures_are_judged_like_colour() -> None:
    whole = photo("kartu_peserta", 81)
    cut = capture.cut_off(whole, random.Random(82))
    for image in (whole.image, cut.image):
        expected = is_cut_off(image)
        assert is_cut_off(cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)) == expected
    assert is_cut_off(cv2.cvtColor(cut.image, cv2.COLOR_BGR2GRAY))
    assert not is_cut_off(cv2.cvtColor(whole.image, cv2.COLOR_BGR2GRAY))


def quality_of(image: np.ndarray) -> Quality:
    page = Page(ref=PageRef(attachment_index=0), filename="ktp.jpg", image=image)
    return prepare_page(page).quality


def test_prepared_page_reports_cut_off_as_unreadable() -> None:
    whole = photo("ktp", 91)
    cut = quality_of(capture.cut_off(whole, random.Random(92)).image)
    assert "cut_off" in cut.reasons and not cut.readable, cut
    assert "cut_off" not in quality_of(whole.image).reasons


def test_a_sliver_of_an_image_has_no_frame_to_judge() -> None:
    # Too few pixels for strips along the sides: "too_small" speaks for it.
    assert not is_cut_off(np.full((30, 400, 3), 90, np.uint8))


# The shortcuts that keep the measure cheap must give the very values of the
# plain computation: the thresholds were measured on those.

def test_level_counts_give_the_median_of_the_values() -> None:
    rng = np.random.default_rng(5)
    for size in (1, 2, 7, 10, 999, 1000):
        values = rng.integers(0, 256, size)
        counts = np.bincount(values, minlength=256)
        assert _count_medians(counts) == np.median(values), size


def test_lean_median_equals_numpy_median() -> None:
    rng = np.random.default_rng(6)
    for size in (1, 2, 5, 6, 1001, 1002):
        values = rng.normal(50, 20, (size, 2)).astype(np.float32)
        assert np.array_equal(_median(values), np.median(values, axis=0)), size
        assert _median(values[:, 0]) == np.median(values[:, 0]), size


def test_strips_read_the_whole_image_blurred() -> None:
    small = _small_colour(capture.cut_off(photo("kk", 7), random.Random(8)).image)
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (0, 0), STRIP_BLUR),
                       cv2.COLOR_BGR2LAB).astype(np.float32)
    near, far = STRIP_MARGIN, STRIP_MARGIN + STRIP_DEPTH
    expected = {"top": np.median(lab[near:far], axis=0),
                "bottom": np.median(lab[-far:-near], axis=0),
                "left": np.median(lab[:, near:far], axis=1),
                "right": np.median(lab[:, -far:-near], axis=1)}
    strips = _strips(small)
    for side, values in expected.items():
        assert np.array_equal(strips[side][0], values), side


@pytest.mark.parametrize("kind", ["ktp", "paklaring"])
def test_the_decision_is_that_of_the_two_views(kind: str) -> None:
    whole = photo(kind, 17)
    for image in (whole.image, capture.cut_off(whole, random.Random(18)).image):
        either = (max(region_reach(image).values()) >= MIN_REGION_REACH
                  or max(light_reach(image).values()) >= MIN_LIGHT_REACH)
        assert is_cut_off(image) == either


def test_hue_distance_equals_numpy_norm() -> None:
    rng = np.random.default_rng(7)
    colour = rng.normal(128, 9, (500, 2)).astype(np.float32)
    hue = np.median(colour, axis=0)
    assert np.array_equal(_hue_distance(colour.T, hue), np.linalg.norm(colour - hue, axis=1))

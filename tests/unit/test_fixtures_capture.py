"""The capture simulator: corners tracked through every effect, several cards on a page,
and poor captures that the pipeline's own quality gate calls unreadable."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from fixtures.capture import (
    Capture,
    cut_off,
    defocus,
    flatbed_capture,
    glare_spot,
    low_resolution,
    motion_blur,
    phone_capture,
    rotate_capture,
    several_on_page,
)
from fixtures.people import generate_profiles
from fixtures.render import Rendered, renderers
from pipeline.pages import prepare_page
from pipeline.types import Page, PageRef

TODAY = date(2020, 6, 15)


@pytest.fixture(scope="module")
def cards() -> dict[str, Rendered]:
    profile = generate_profiles(random.Random(3), 1, TODAY)[0]
    return {kind: renderers()[kind](profile, random.Random(1))
            for kind in ("ktp", "kartu_peserta", "npwp")}


def _mean_inside(capture: Capture) -> float:
    """Mean grey of a small patch around the quad's centre (the document, not the bed)."""
    cx, cy = np.mean(np.float32(capture.quad), axis=0)
    patch = capture.image[int(cy) - 5:int(cy) + 5, int(cx) - 5:int(cx) + 5]
    return float(patch.mean())


def test_quad_follows_the_document_through_rotations(cards: dict[str, Rendered]) -> None:
    ktp = cards["ktp"].image
    base = phone_capture(ktp, random.Random(4))
    h, w = base.image.shape[:2]
    for degrees in (90, 180, 270):
        turned = rotate_capture(base, degrees)
        assert turned.rotation == degrees and turned.steps[-1] == f"rot{degrees}"
        expected_shape = (w, h) if degrees in (90, 270) else (h, w)
        assert turned.image.shape[:2] == expected_shape
        tx, ty = turned.quad[0]
        assert 0 <= tx <= turned.image.shape[1] and 0 <= ty <= turned.image.shape[0]
        assert abs(_mean_inside(turned) - _mean_inside(base)) < 25
    back = rotate_capture(rotate_capture(base, 90), 270)
    assert np.array_equal(back.image, base.image)
    assert np.allclose(np.float32(back.quad), np.float32(base.quad), atol=0.11)
    with pytest.raises(ValueError):
        rotate_capture(base, 45)


def test_flatbed_quad_matches_the_bed_margin(cards: dict[str, Rendered]) -> None:
    doc = cards["kartu_peserta"].image
    cap = flatbed_capture(doc, random.Random(2))
    x, y, w, h = cap.box()
    assert 0 < x and 0 < y and x + w < cap.image.shape[1] and y + h < cap.image.shape[0]
    # Skew under 2 degrees: the box is the card's size within a few percent.
    assert abs(w - doc.shape[1]) < 0.05 * doc.shape[1]
    assert cap.visible_share() == 1.0
    # Outside the quad lies the white bed.
    assert cap.image[2:8, 2:8].mean() > 235


def test_poor_captures_keep_their_truth(cards: dict[str, Rendered]) -> None:
    base = phone_capture(cards["ktp"].image, random.Random(5))
    small = low_resolution(base, random.Random(1), 300)
    assert max(small.image.shape[:2]) <= 300
    assert small.box()[2] < base.box()[2] * 0.4
    for spoil in (motion_blur(base, random.Random(1)), defocus(base, random.Random(1)),
                  glare_spot(base, random.Random(1))):
        assert spoil.quad == base.quad and spoil.image.shape == base.image.shape
    glare = glare_spot(base, random.Random(1), 0.2)
    assert (glare.image >= 250).all(axis=2).sum() > (base.image >= 250).all(axis=2).sum() + 2000
    cut = cut_off(base, random.Random(7), 0.3)
    assert cut.steps[-1].startswith("cut_off_")
    assert 0.55 < cut.visible_share() < 0.9
    assert cut.image.size < base.image.size


def test_several_cards_on_one_page_have_their_own_boxes(cards: dict[str, Rendered]) -> None:
    images = [cards[k].image for k in ("ktp", "kartu_peserta", "npwp")]
    page, placed = several_on_page(images, random.Random(8))
    assert page.shape[:2] == (2339, 1654)  # A4 at 200 dpi
    boxes = []
    for p, image in zip(placed, images, strict=True):
        cap = Capture(page, p.quad)
        x, y, w, h = cap.box()
        assert cap.visible_share() == 1.0
        # 85.6 mm at 200 dpi is about 674 px; a few degrees of turn add a little.
        assert 640 < w < 730 and abs(p.scale - 2 / 3) < 1e-3
        assert image.shape[1] * p.scale == pytest.approx(np.linalg.norm(
            np.float32(p.quad[1]) - np.float32(p.quad[0])), rel=0.01)
        boxes.append((x, y, w, h))
        # Print inside each box; the white lid around the cards has none.
        assert (page[y:y + h, x:x + w].min(axis=2) < 150).mean() > 0.01
    for (_, ay, _, ah), (_, by, _, _) in zip(boxes, boxes[1:]):
        assert ay + ah <= by  # one under another, never overlapping
    assert (page[5:60, 5:60].min(axis=2) < 150).mean() == 0


@pytest.mark.parametrize("spoil", ["motion_blur", "defocus", "low_resolution"])
def test_unreadable_captures_fail_the_pipeline_quality_gate(cards: dict[str, Rendered],
                                                            spoil: str) -> None:
    base = phone_capture(cards["ktp"].image, random.Random(6))
    spoiled = {"motion_blur": lambda: motion_blur(base, random.Random(1), 41),
               "defocus": lambda: defocus(base, random.Random(1), 7.0),
               "low_resolution": lambda: low_resolution(base, random.Random(1), 260)}[spoil]()
    page = Page(ref=PageRef(attachment_index=0), filename="ktp.jpg", image=spoiled.image)
    assert not prepare_page(page).quality.readable
    clear = Page(ref=PageRef(attachment_index=0), filename="ktp.jpg", image=base.image)
    assert prepare_page(clear).quality.readable

"""The document outline found in a phone photo covers the whole document.

Phone captures from the fixtures know where the document lies; an outline
that covers only a part of it (a card's light panel between its coloured
bands, a form's ruled table, the lit half of a page) would cut print off
every later step.
"""

from __future__ import annotations

import random
from datetime import date

import cv2
import numpy as np
import pytest

from fixtures import capture
from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.imaging.enhance import to_grey
from pipeline.imaging.geometry import find_document_quad

KINDS = ("ktp", "kk", "f5", "kartu_peserta", "paklaring", "buku_tabungan", "npwp")


def _photos(seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = random.Random(seed)
    render = renderers()
    out = []
    for person in generate_profiles(rng, 2, date(2020, 6, 15)):
        for kind in KINDS:
            document = render[kind](person, random.Random(rng.getrandbits(32)))
            photo = capture.phone_capture(document.image, random.Random(rng.getrandbits(32)))
            out.append((kind, photo.image, np.array(photo.quad, np.float32)))
    return out


@pytest.mark.parametrize("seed", [7, 8])
def test_outline_covers_the_whole_document(seed: int) -> None:
    found = 0
    for kind, image, truth in _photos(seed):
        quad = find_document_quad(to_grey(image))
        if quad is None:
            continue  # no warp: the page is read with its background, nothing cut
        found += 1
        shared, _ = cv2.intersectConvexConvex(truth, quad.astype(np.float32))
        assert shared / cv2.contourArea(truth) >= 0.9, kind
    assert found >= 0.75 * 2 * len(KINDS)

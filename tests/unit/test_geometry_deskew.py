"""Skew found on generated documents, and counted the short way as the long way.

`deskew_angle` counts the rows ink lands on without testing most pixels
against the image's sides (`TurnedRows`); the counts must be those every
pixel tested gives, including for print that runs to the image's edges.
"""

from __future__ import annotations

import random
from datetime import date

import cv2
import numpy as np
import pytest

from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.imaging.enhance import to_grey
from pipeline.imaging.geometry import (TurnedRows, deskew_angle, ink_mask, reduced,
                                       rotate_small)

TODAY = date(2020, 6, 15)


def rendered_grey(kind: str, seed: int) -> np.ndarray:
    person = generate_profiles(random.Random(seed), 1, TODAY)[0]
    return to_grey(renderers()[kind](person, random.Random(seed)).image)


def rows_testing_every_pixel(mask: np.ndarray, angle: float) -> np.ndarray:
    """Ink pixels per row after the turn, each pixel's landing place tested on all four sides."""
    height, width = mask.shape
    ys, xs = np.nonzero(mask)
    points = np.stack([xs, ys, np.ones_like(xs)]).astype(np.float64)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    turned_x, turned_y = np.rint(matrix @ points).astype(np.int64)
    inside = (turned_x >= 0) & (turned_x < width) & (turned_y >= 0) & (turned_y < height)
    return np.bincount(turned_y[inside], minlength=height)


@pytest.mark.parametrize(("kind", "turn"), [("ktp", 3.2), ("ktp", -6.5), ("f5", 1.4),
                                            ("kk", -2.1)])
def test_a_known_turn_is_found(kind: str, turn: float) -> None:
    grey = rotate_small(rendered_grey(kind, 4), turn)
    assert deskew_angle(grey) == pytest.approx(-turn, abs=0.15)


@pytest.mark.parametrize(("kind", "turn"), [("ktp", 0.0), ("npwp", -8.8), ("f5", 2.6)])
def test_rows_match_testing_every_pixel(kind: str, turn: float) -> None:
    grey = rotate_small(rendered_grey(kind, 9), turn)
    # Cut into the print so that lines run out of every side of the image.
    height, width = grey.shape
    cut = grey[height // 6:height - height // 6, width // 8:width - width // 8]
    for image in (grey, cut, cv2.rotate(cut, cv2.ROTATE_90_CLOCKWISE)):
        mask = ink_mask(reduced(image, 800)[0])
        turned_rows = TurnedRows(mask, 10.6)
        for angle in (-10.6, -7.3, -0.5, 0.0, 0.1, 4.4, 10.6):
            assert np.array_equal(turned_rows(angle), rows_testing_every_pixel(mask, angle))

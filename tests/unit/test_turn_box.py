"""Boxes follow their page through a quarter turn (extractors.read_upright turns pages)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.imaging.geometry import rotate_quarter, turn_box
from pipeline.types import Box


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
@pytest.mark.parametrize("box", [Box(x=3, y=5, w=7, h=2), Box(x=0, y=0, w=1, h=1),
                                 Box(x=10, y=1, w=9, h=11)])
def test_box_lands_where_its_pixels_land(degrees: int, box: Box) -> None:
    height, width = 13, 19
    image = np.zeros((height, width), np.uint8)
    image[box.y:box.y + box.h, box.x:box.x + box.w] = 1
    ys, xs = np.nonzero(rotate_quarter(image, degrees))
    turned = turn_box(box, degrees, width, height)
    assert (turned.x, turned.y, turned.w, turned.h) == (
        xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)

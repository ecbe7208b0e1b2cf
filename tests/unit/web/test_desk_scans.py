"""Scan pages for officers: the boxes land on the ink, the page turned the way it was read."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.web.scans import DIFFERS, FieldBox, draw_boxes, encode_png, upright_for_boxes


def _page() -> np.ndarray:
    page = np.full((400, 300), 250, np.uint8)
    page[40:70, 20:200] = 20  # a dark line of "text" near the top left
    return page


def test_a_page_whose_boxes_fit_it_is_left_as_it_is() -> None:
    page = _page()
    boxes = [FieldBox("nama", (20, 40, 180, 30), None)]
    assert np.array_equal(upright_for_boxes(page, boxes), page)


def test_a_page_read_upside_down_is_turned_to_where_its_boxes_are() -> None:
    page = _page()
    # The reader turned it half-way: the text sits at the bottom right there.
    boxes = [FieldBox("nama", (100, 330, 180, 30), None)]
    turned = upright_for_boxes(page, boxes)
    assert np.array_equal(turned, cv2.rotate(page, cv2.ROTATE_180))


def test_boxes_are_drawn_in_their_colour_and_the_page_is_scaled_down() -> None:
    page = _page()
    drawn = draw_boxes(page, [FieldBox("nik", (20, 40, 180, 30), False)], long_side=200)
    assert drawn.shape == (200, 150, 3)
    colours = {tuple(int(v) for v in px) for px in drawn.reshape(-1, 3)}
    assert DIFFERS in colours
    assert encode_png(drawn).startswith(b"\x89PNG")

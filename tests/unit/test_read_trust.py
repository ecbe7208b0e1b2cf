"""Values the capture may have cut or washed out are not given high confidence."""

from __future__ import annotations

import cv2
import numpy as np

from extractors import AT_EDGE_CONFIDENCE, _distrust_cut
from pipeline.types import Box, ExtractedField


def _page(ink: list[int]) -> np.ndarray:
    """A white page with one line of 'letters' whose darkness runs through `ink`, left to right."""
    page = np.full((200, 1200), 255, np.uint8)
    for index, level in enumerate(ink):
        x = 100 + index * 30
        cv2.rectangle(page, (x, 80), (x + 18, 110), level, thickness=4)
    return page


def _field(box: Box) -> ExtractedField:
    return ExtractedField(name="alamat", value="JL. SYARIF ABDU", confidence=0.95, box=box)


BOX = Box(x=95, y=78, w=30 * 20, h=34)


def test_evenly_printed_value_keeps_its_confidence() -> None:
    (field,) = _distrust_cut((_field(BOX),), _page([20] * 20))
    assert field.confidence == 0.95


def test_value_fading_into_glare_is_marked_unsure() -> None:
    fading = [20] * 10 + [60, 90, 120, 150, 180, 200, 210, 220, 230, 240]
    (field,) = _distrust_cut((_field(BOX),), _page(fading))
    assert field.confidence == AT_EDGE_CONFIDENCE and field.value == "JL. SYARIF ABDU"


def test_value_running_to_the_edge_of_the_capture_is_marked_unsure() -> None:
    page = _page([20] * 20)
    at_edge = Box(x=600, y=78, w=page.shape[1] - 602, h=34)
    (field,) = _distrust_cut((_field(at_edge),), page)
    assert field.confidence == AT_EDGE_CONFIDENCE


def test_value_cut_by_a_highlight_is_marked_unsure() -> None:
    # "SWASTA" read whole and dark, the "KARYAWAN" before it paled by a highlight.
    page = _page([20] * 20)
    for x in range(BOX.x - 2 * BOX.h, BOX.x - 8, 30):
        cv2.rectangle(page, (x, 80), (x + 18, 110), 215, thickness=4)
    spot = Box(x=BOX.x - 3 * BOX.h, y=BOX.y - 40, w=2 * BOX.h + 10, h=BOX.h + 80)
    (field,) = _distrust_cut((_field(BOX),), page, (spot,))
    assert field.confidence == AT_EDGE_CONFIDENCE


def test_value_ending_on_blank_paper_by_a_highlight_keeps_its_confidence() -> None:
    # The highlight is beside the value, but only paper lies between them: it ends there.
    spot = Box(x=BOX.x - 3 * BOX.h, y=BOX.y - 40, w=2 * BOX.h + 10, h=BOX.h + 80)
    (field,) = _distrust_cut((_field(BOX),), _page([20] * 20), (spot,))
    assert field.confidence == 0.95


def test_highlight_elsewhere_on_the_page_leaves_a_value_alone() -> None:
    page = _page([20] * 20)
    far_right = Box(x=BOX.x + BOX.w + 5 * BOX.h, y=BOX.y, w=40, h=BOX.h)
    other_row = Box(x=BOX.x, y=BOX.y + 2 * BOX.h, w=BOX.w, h=BOX.h)
    (field,) = _distrust_cut((_field(BOX),), page, (far_right, other_row))
    assert field.confidence == 0.95


def test_verified_nik_beside_a_highlight_keeps_its_confidence() -> None:
    # Sixteen digits agreed by two readers and checked: a cut-short number fails the checks.
    nik = ExtractedField(name="nik", value="6472056507750005", confidence=0.97, box=BOX)
    spot = Box(x=BOX.x + BOX.w + 10, y=BOX.y, w=50, h=BOX.h)
    (field,) = _distrust_cut((nik,), _page([20] * 20), (spot,))
    assert field.confidence == 0.97

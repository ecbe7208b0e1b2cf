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

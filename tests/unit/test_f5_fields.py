"""The F5's claim reason: the ticked box found by its slanted ink, reasons normalised."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.f5 import CLAIM_REASONS, claim_reason, tick_ink
from pipeline.types import Box, OcrResult, PageRef, Word
from rules.claim import REASON_CONFIDENCE


def _form(ticked: int | None) -> tuple[np.ndarray, OcrResult]:
    """Eight reasons in two columns, a box left of each, one box ticked."""
    image = np.full((400, 1200), 250, dtype=np.uint8)
    words: list[Word] = []
    for i, (label, _code) in enumerate(CLAIM_REASONS):
        column, row = divmod(i, 4)
        x, y = 100 + column * 600, 40 + row * 80
        image[y:y + 30, x:x + 2] = image[y:y + 30, x + 28:x + 30] = 20
        image[y:y + 2, x:x + 30] = image[y + 28:y + 30, x:x + 30] = 20
        if i == ticked:
            for step in range(24):  # a tick: two strokes
                image[y + 10 + step // 2:y + 16 + step // 2, x + 3 + step // 3] = 30
                image[y + 22 - step:y + 28 - step, x + 10 + step] = 30
        left = x + 45
        for k, token in enumerate(label.split()):
            words.append(Word(text=token, confidence=0.95,
                              box=Box(x=left, y=y + 4, w=14 * len(token), h=22), line=i))
            left += 14 * len(token) + 12
    ocr = OcrResult(ref=PageRef(attachment_index=0), engine="test", engine_version="0",
                    width=1200, height=400, words=tuple(words))
    return image, ocr


def test_the_ticked_reason_is_found_for_each_position() -> None:
    for index, (_label, code) in enumerate(CLAIM_REASONS):
        image, ocr = _form(index)
        field = claim_reason(image, ocr)
        assert field.value == code, code
        assert field.confidence > 0.5


def test_no_tick_gives_no_reason() -> None:
    image, ocr = _form(None)
    field = claim_reason(image, ocr)
    assert field.value is None and field.confidence == 0.0


def _shadowed_form(ticked: int) -> tuple[np.ndarray, OcrResult]:
    """A phone capture's troubles: right column's boxes printed heavier, the tick faint and blurred.

    A measure of plain dark pixels picks a heavy empty box over the faint tick.
    """
    image, ocr = _form(None)
    for i in range(4, 8):  # right column: outlines three pixels thicker
        row = i - 4
        x, y = 700, 40 + row * 80
        image[y:y + 30, x:x + 5] = image[y:y + 30, x + 25:x + 30] = 20
        image[y:y + 5, x:x + 30] = image[y + 25:y + 30, x:x + 30] = 20
    column, row = divmod(ticked, 4)
    x, y = 100 + column * 600, 40 + row * 80
    for step in range(24):
        image[y + 10 + step // 2:y + 13 + step // 2, x + 6 + step // 3] = 170
        image[y + 22 - step:y + 25 - step, x + 10 + step] = 170
    return cv2.GaussianBlur(image, (5, 5), 0), ocr


def test_a_faint_tick_beats_heavier_empty_boxes() -> None:
    for index in (1, 5):
        image, ocr = _shadowed_form(index)
        field = claim_reason(image, ocr)
        assert field.value == CLAIM_REASONS[index][1]
        assert field.confidence >= REASON_CONFIDENCE


def test_an_empty_box_has_no_tick_ink() -> None:
    image, ocr = _shadowed_form(1)
    window = Box(x=85, y=25, w=60, h=60)  # the first, empty box with room around it
    assert tick_ink(image, window, line=11) < 0.01
    ticked = Box(x=85, y=105, w=60, h=60)
    assert tick_ink(image, ticked, line=11) > 5 * tick_ink(image, window, line=11)


def _without(ocr: OcrResult, reasons: set[int]) -> OcrResult:
    return ocr.model_copy(update={"words": tuple(w for w in ocr.words if w.line not in reasons)})


def test_an_unread_label_is_placed_from_its_row_and_column() -> None:
    image, ocr = _form(6)
    field = claim_reason(image, _without(ocr, {6}))
    assert field.value == CLAIM_REASONS[6][1]
    assert field.confidence >= REASON_CONFIDENCE


def test_a_reason_with_unseen_boxes_is_never_trusted() -> None:
    # Row 1 unread in both columns: its boxes cannot be placed, and the tick
    # may be there, so whatever is read stays below what the rules act on.
    image, ocr = _form(2)
    field = claim_reason(image, _without(ocr, {1, 5}))
    assert field.value == CLAIM_REASONS[2][1]
    assert field.confidence < REASON_CONFIDENCE
    image, ocr = _form(1)
    field = claim_reason(image, _without(ocr, {1, 5}))
    assert field.value is None or field.confidence < REASON_CONFIDENCE


def test_a_label_that_took_in_the_tick_is_lined_up_with_its_column() -> None:
    image, ocr = _form(1)
    words = list(ocr.words)
    first = next(i for i, w in enumerate(words) if w.line == 1)
    box = words[first].box  # OCR read the tick and the word as one: "✓Mengundurkan"
    words[first] = words[first].model_copy(update={"box": Box(x=box.x - 40, y=box.y,
                                                              w=box.w + 40, h=box.h)})
    field = claim_reason(image, ocr.model_copy(update={"words": tuple(words)}))
    assert field.value == CLAIM_REASONS[1][1]
    assert field.confidence >= REASON_CONFIDENCE

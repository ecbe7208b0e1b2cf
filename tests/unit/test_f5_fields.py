"""The F5's claim reason: the ticked box found by ink, reasons normalised."""

from __future__ import annotations

import numpy as np

from extractors.f5 import CLAIM_REASONS, claim_reason
from pipeline.types import Box, OcrResult, PageRef, Word


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

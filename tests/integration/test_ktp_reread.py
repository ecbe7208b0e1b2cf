"""A value whose first letter the page reading dropped is read again from the value column.

The reduced whole-page reading can lose a value's first letter and be sure
of the rest (": JL. SUDIRMAN" read as "L. SUDIRMAN"). Such a value starts
right of the card's value column, so it is re-read (`_sure`), and the crop
reaches back to the column (`reread_words`).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from extractors.ktp import reread_words
from fixtures.render.canvas import font
from pipeline.adapters.ocr_inprocess import TesserocrEngine
from pipeline.types import Box, PageRef, PreparedPage, Quality, Word

pytestmark = pytest.mark.ocr

COLON_X, VALUE_X, TOP = 120, 150, 40


def row(text: str) -> tuple[np.ndarray, list[tuple[str, Box]]]:
    """A white strip with ': ' + `text` at the value column; each word's box."""
    face = font("sans-bold", 30)
    image = Image.new("L", (900, 120), 255)
    draw = ImageDraw.Draw(image)
    draw.text((COLON_X, TOP), ":", font=face, fill=0)
    boxes = []
    x: int = VALUE_X
    for part in text.split():
        left, top, right, bottom = (round(v) for v in draw.textbbox((x, TOP), part, font=face))
        draw.text((x, TOP), part, font=face, fill=0)
        boxes.append((part, Box(x=left, y=top, w=right - left, h=bottom - top)))
        x = right + round(draw.textlength(" ", font=face))
    return np.asarray(image), boxes


def prepared(image: np.ndarray) -> PreparedPage:
    height, width = image.shape
    return PreparedPage(ref=PageRef(attachment_index=0), filename="ktp.png", image=image,
                        rotation=0, skew=0.0,
                        quality=Quality(width=width, height=height, sharpness=5000.0,
                                        brightness=230.0, glare=0.0, readable=True))


def test_the_crop_reaches_back_to_the_value_column() -> None:
    image, boxes = row("JL. SUDIRMAN NO. 82")
    first = boxes[0][1]
    # What the page reading gave: the first word without its "J".
    dropped = Box(x=first.x + first.w // 2, y=first.y, w=first.w - first.w // 2, h=first.h)
    words = [Word(text="L.", confidence=0.91, box=dropped, line=0)] + \
        [Word(text=text, confidence=0.9, box=box, line=0) for text, box in boxes[1:]]
    engine = TesserocrEngine()
    page = prepared(image)
    assert " ".join(w.text for w in reread_words(page, engine, words, VALUE_X)) == \
        "JL. SUDIRMAN NO. 82"
    # Without the column the crop starts inside the "J" and cannot recover it.
    assert not " ".join(w.text for w in reread_words(page, engine, words)).startswith("JL.")

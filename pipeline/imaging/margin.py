"""A white margin around a page before tesseract lays it out, and word boxes brought back.

Tesseract's page layout analysis looks for picture regions; when one
reaches the edge of the image it asks leptonica for a box that lies partly
outside the image ("boxClipToRectangle: box outside rectangle", then
"pixScanForForeground: invalid box") and drops that region. A few white
pixels around the page keep every such box inside the image; the words are
the same. Their boxes are then moved back to the caller's coordinates and
clipped to the caller's image, so that no box points outside it.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.types import Box, Word

# Page segmentation modes that run layout analysis, and so the picture
# search: 0 (orientation only), 1-3 (automatic), 11-12 (sparse text).
LAYOUT_MODES = frozenset({0, 1, 2, 3, 11, 12})

# Four pixels suffice for the picture search (it works at half scale); eight
# leave room for its rounding.
OCR_MARGIN = 8


def needs_margin(psm: int) -> bool:
    return psm in LAYOUT_MODES


def add_margin(image: np.ndarray, margin: int = OCR_MARGIN) -> np.ndarray:
    """`image` inside a white border `margin` pixels wide (grey or BGR)."""
    if margin <= 0:
        return image
    white = 255 if image.ndim == 2 else (255,) * image.shape[2]
    return cv2.copyMakeBorder(image, margin, margin, margin, margin, cv2.BORDER_CONSTANT,
                              value=white)


def clip_box(box: Box, width: int, height: int) -> Box | None:
    """`box` cut to the image `width` x `height`; None when nothing of it is inside."""
    left, top = max(0, box.x), max(0, box.y)
    right, bottom = min(width, box.x + box.w), min(height, box.y + box.h)
    if right <= left or bottom <= top:
        return None
    return Box(x=left, y=top, w=right - left, h=bottom - top)


def words_without_margin(words: tuple[Word, ...], margin: int, width: int, height: int
                         ) -> tuple[Word, ...]:
    """Words read on the bordered image, in the coordinates of the original one.

    A word found wholly in the margin (noise) is dropped; one that overlaps
    the edge is cut to the image.
    """
    kept: list[Word] = []
    for word in words:
        moved = Box(x=word.box.x - margin, y=word.box.y - margin, w=word.box.w, h=word.box.h)
        box = clip_box(moved, width, height)
        if box is not None:
            kept.append(word if box == word.box else word.model_copy(update={"box": box}))
    return tuple(kept)

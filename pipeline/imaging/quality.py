"""Whether a capture can be read: sharpness, brightness, glare, size.

An unreadable page must be reported ("blurred", "too_dark", "glare",
"too_small") rather than read wrongly, so these measures gate the
extractors. Thresholds were set on synthetic captures (crisp, blurred,
dark, over-exposed) rendered in the tests.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.imaging.enhance import estimate_char_height
from pipeline.imaging.geometry import reduced, ink_mask
from pipeline.types import Quality

# Variance of the Laplacian around text, at TEXT_SCALE px character height.
MIN_SHARPNESS = 1000.0
MIN_BRIGHTNESS = 60.0
MAX_GLARE = 0.08
# Share of dark pixels above which a bright blob still shows print (not glare).
MAX_INK_UNDER_GLARE = 0.015
MIN_SIDE = 300
MIN_CHAR_HEIGHT = 7.0
# Without any text to measure: a sharp photograph scores above 50 at 800 px,
# a document blurred beyond reading below 15.
MIN_SHARPNESS_WITHOUT_TEXT = 20.0
TEXT_SCALE = 24.0


def text_sharpness(grey: np.ndarray, char: float | None = None) -> float:
    """Variance of the Laplacian over the neighbourhood of text strokes.

    The image is first scaled so characters are about TEXT_SCALE px tall, so
    the figure means the same for a thumbnail and a 600 dpi scan; only
    pixels near ink count, so a page with little text is not called blurred
    for its empty margins. `char` is the text height already measured on
    `grey`, if it was.
    """
    char = estimate_char_height(grey) if char is None else char
    if char is not None:
        factor = TEXT_SCALE / char
        if abs(factor - 1.0) > 0.05:
            size = (max(1, int(grey.shape[1] * factor)), max(1, int(grey.shape[0] * factor)))
            grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA if factor < 1
                              else cv2.INTER_CUBIC)
    small, _ = reduced(grey, 3000)
    laplacian = cv2.Laplacian(small, cv2.CV_64F, ksize=3)
    near_ink = cv2.dilate(ink_mask(small), np.ones((5, 5), np.uint8)) > 0
    values = laplacian[near_ink] if near_ink.sum() > 500 else laplacian.ravel()
    return float(values.var())


def overall_sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian over the whole image at a fixed size."""
    small, _ = reduced(grey, 800)
    return float(cv2.Laplacian(small, cv2.CV_64F).var())


def glare_share(grey: np.ndarray) -> float:
    """Share of the page covered by specular spots: saturated blobs on a darker page.

    White paper exposed brightly is saturated almost everywhere and is not
    glare; a highlight is a saturated blob clearly brighter than the page
    around it (a lamp on a laminated card, a window on glossy paper).
    """
    small, _ = reduced(grey, 800)
    saturated = (small >= 250).astype(np.uint8)
    # Specular spots are blobs, not the thin white gaps between letters.
    saturated = cv2.morphologyEx(saturated, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(saturated, connectivity=8)
    total = float(small.shape[0] * small.shape[1])
    ring_size = max(9, min(small.shape[:2]) // 20) | 1
    ring_kernel = np.ones((ring_size, ring_size), np.uint8)
    glare = 0
    for index in range(1, count):
        area = int(stats[index, cv2.CC_STAT_AREA])
        x, y, w, h = (int(stats[index, k]) for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP,
                                                     cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
        touches_frame = x == 0 or y == 0 or x + w >= small.shape[1] or y + h >= small.shape[0]
        # Bright surroundings reaching the frame (a scanner bed) are not on the page.
        if area < 0.002 * total or touches_frame:
            continue
        blob = (labels == index).astype(np.uint8)
        ring = cv2.dilate(blob, ring_kernel) - blob
        if ring.sum() == 0 or float(np.median(small[ring > 0])) >= 240:
            continue
        # Under a highlight the print is washed out; white paper lit brightly
        # still shows its text inside the blob's outline.
        outline = cv2.morphologyEx(blob, cv2.MORPH_CLOSE, ring_kernel) > 0
        if float((small[outline] < 200).mean()) > MAX_INK_UNDER_GLARE:
            continue
        glare += area
    return glare / total


def measure_quality(capture: np.ndarray, prepared: np.ndarray, *,
                    flat: np.ndarray | None = None, char: float | None = None) -> Quality:
    """Quality of a page: brightness and glare of the capture, sharpness of the result.

    `flat` is the capture with even lighting before any enlargement and
    `char` its text height, when the caller has them: sharpness is then
    measured there (enlarging adds no detail, only pixels to go through).
    """
    height, width = prepared.shape[:2]
    brightness = float(capture.mean())
    glare = glare_share(capture)
    if flat is not None and char is not None:
        sharpness = text_sharpness(flat, char)
    else:
        sharpness = text_sharpness(prepared)
        char = estimate_char_height(capture)
    reasons: list[str] = []
    if min(capture.shape[:2]) < MIN_SIDE or (char is not None and char < MIN_CHAR_HEIGHT):
        reasons.append("too_small")
    if brightness < MIN_BRIGHTNESS:
        reasons.append("too_dark")
    if glare > MAX_GLARE:
        reasons.append("glare")
    if char is not None and sharpness < MIN_SHARPNESS:
        reasons.append("blurred")
    elif char is None and overall_sharpness(capture) < MIN_SHARPNESS_WITHOUT_TEXT:
        # So blurred that no character survives: say so, rather than take the
        # page for a photograph and report the document as missing.
        reasons.append("blurred")
    return Quality(width=width, height=height, sharpness=round(sharpness, 1),
                   brightness=round(brightness, 1), glare=round(glare, 4),
                   readable=not reasons, reasons=tuple(reasons))

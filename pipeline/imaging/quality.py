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
MIN_SIDE = 300
MIN_CHAR_HEIGHT = 7.0
TEXT_SCALE = 24.0


def text_sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian over the neighbourhood of text strokes.

    The image is first scaled so characters are about TEXT_SCALE px tall, so
    the figure means the same for a thumbnail and a 600 dpi scan; only
    pixels near ink count, so a page with little text is not called blurred
    for its empty margins.
    """
    char = estimate_char_height(grey)
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


def glare_share(grey: np.ndarray) -> float:
    """Share of the image blown out to white where the document itself is not white.

    A white sheet scanned is saturated everywhere and is not glare; a
    saturated blob on a tinted card or a photographed page is.
    """
    small, _ = reduced(grey, 800)
    background = float(np.median(small))
    if background >= 235:
        return 0.0
    saturated = (small >= 250).astype(np.uint8)
    # Specular spots are blobs, not the thin white gaps between letters.
    saturated = cv2.morphologyEx(saturated, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    return float(saturated.mean())


def measure_quality(capture: np.ndarray, prepared: np.ndarray) -> Quality:
    """Quality of a page: brightness and glare of the capture, sharpness of the result."""
    height, width = prepared.shape[:2]
    brightness = float(capture.mean())
    glare = glare_share(capture)
    sharpness = text_sharpness(prepared)
    char = estimate_char_height(capture)
    reasons: list[str] = []
    if min(capture.shape[:2]) < MIN_SIDE or (char is not None and char < MIN_CHAR_HEIGHT):
        reasons.append("too_small")
    if brightness < MIN_BRIGHTNESS:
        reasons.append("too_dark")
    if glare > MAX_GLARE:
        reasons.append("glare")
    if sharpness < MIN_SHARPNESS and char is not None:
        reasons.append("blurred")
    return Quality(width=width, height=height, sharpness=round(sharpness, 1),
                   brightness=round(brightness, 1), glare=round(glare, 4),
                   readable=not reasons, reasons=tuple(reasons))

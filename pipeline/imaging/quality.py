"""Whether a capture can be read: sharpness, brightness, glare, size.

An unreadable page must be reported ("blurred", "too_dark", "glare",
"too_small") rather than read wrongly, so these measures gate the
extractors. Thresholds were set on synthetic captures (crisp, blurred,
dark, over-exposed) rendered in the tests.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.imaging.enhance import estimate_char_height, estimate_text_heights
from pipeline.imaging.geometry import components, ink_mask, reduced
from pipeline.types import Quality

# Weakest-direction second-derivative variance around text, at TEXT_SCALE px
# letter height. Legible phone photos and scans score above about 1100,
# motion-blurred or defocused text below about 650.
MIN_SHARPNESS = 600.0
MIN_BRIGHTNESS = 60.0
MAX_GLARE = 0.08
# A highlight stands out from the paper around it; paper lit evenly bright
# fades into its surroundings at about 245-250.
MAX_PAPER_BESIDE_GLARE = 240.0
# Grey level below which a pixel beside a bright blob is not paper (a printed
# band, the table the card lies on).
MIN_PAPER = 120
# Share of dark pixels above which a bright blob still shows print (not glare).
MAX_INK_UNDER_GLARE = 0.015
MIN_SIDE = 300
MIN_CHAR_HEIGHT = 7.0
# Without any text to measure: a sharp photograph scores above 50 at 800 px,
# a document blurred beyond reading below 15.
MIN_SHARPNESS_WITHOUT_TEXT = 20.0
TEXT_SCALE = 24.0
# Pixels of text (at TEXT_SCALE) enough to judge sharpness: about eight
# lines across an A4 page, most of an e-KTP. Shake and defocus blur the
# whole capture; on generated captures this band scores legible photos
# above 1100 and blurred ones below 350, as the whole page did.
SHARPNESS_PIXELS = 600_000


def letter_height(grey: np.ndarray) -> float | None:
    """Height in pixels of the letters that carry most of the ink; None without text.

    Weighted by area, so specks (punctuation, noise, the grain of a table
    top at the page's edge) do not pull the figure below the letters' size;
    an unweighted median of such a mixed page can be half the real height.
    """
    heights = estimate_text_heights(grey)
    return None if heights is None else heights[1]


def inkiest_band(grey: np.ndarray, budget: int) -> np.ndarray:
    """The full-width band of rows holding the most ink, at most `budget` pixels.

    Blur from a shaking hand or a lens out of focus spreads over the whole
    capture, so a band of text rows shows it as well as the whole page
    does, at a fraction of the cost on a 300 dpi A4 scan.
    """
    height, width = grey.shape[:2]
    rows = max(1, budget // max(width, 1))
    if rows >= height:
        return grey
    small, scale = reduced(grey, 800)
    ink = (ink_mask(small) > 0).sum(axis=1).astype(np.float64)
    window = max(1, int(rows * scale))
    if window >= ink.size:
        return grey
    totals = np.convolve(ink, np.ones(window), mode="valid")
    top = int(int(np.argmax(totals)) / scale)
    top = min(top, height - rows)
    return grey[top:top + rows]


def text_sharpness(grey: np.ndarray) -> float:
    """Second-derivative variance near text strokes, in the weakest of four directions.

    The image is first scaled so letters are about TEXT_SCALE px tall, so
    the figure means the same for a thumbnail and a 600 dpi scan; only
    pixels near ink count, so a page with little text is not called blurred
    for its empty margins. A shaking hand smears text along one direction
    and leaves edges across it sharp, which keeps the plain Laplacian high;
    letters need edges in every direction, so the weakest one decides.
    """
    return _sharpness(grey, letter_height(grey))


def _sharpness(grey: np.ndarray, char: float | None) -> float:
    """`text_sharpness` of `grey`, whose `letter_height` is `char`."""
    enlarged = 1.0
    if char is not None:
        factor = TEXT_SCALE / char
        enlarged = max(1.0, factor)
        grey = inkiest_band(grey, int(SHARPNESS_PIXELS / factor ** 2))
        if abs(factor - 1.0) > 0.05:
            size = (max(1, int(grey.shape[1] * factor)), max(1, int(grey.shape[0] * factor)))
            grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA if factor < 1
                              else cv2.INTER_CUBIC)
    small, _ = reduced(grey, 3000)
    near_ink = cv2.dilate(ink_mask(small), np.ones((5, 5), np.uint8)) > 0
    if near_ink.sum() <= 500:
        near_ink = np.ones_like(near_ink)
    # Second derivatives of 8-bit pixels with 3x3 kernels are integers within
    # +-2040: 16-bit filtering gives the same values as float filtering at a
    # fraction of the cost, and only the pixels near ink are carried on.
    across, down, mixed = (
        cv2.Sobel(small, cv2.CV_16S, dx, dy, ksize=3)[near_ink].astype(np.float64)
        for dx, dy in ((2, 0), (0, 2), (1, 1)))
    mean = (across + down) / 2
    directions = (across, down, mean + mixed, mean - mixed)  # 0, 90, 45 and 135 degrees
    # Enlarging small letters (an A4 page photographed whole) interpolates
    # between pixels and softens every edge by the factor: the figure is
    # scaled back so a crisp small print is not called blurred.
    return enlarged * min(float(d.var()) for d in directions)


def overall_sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian over the whole image at a fixed size."""
    small, _ = reduced(grey, 800)
    return float(cv2.Laplacian(small, cv2.CV_64F).var())


def glare_share(grey: np.ndarray) -> float:
    """Share of the page covered by specular spots: saturated blobs on darker paper.

    The page's paper level is read with print closed over, and a blob is
    compared only with the paper beside it: a brightly lit white card is
    saturated over a large area next to its dark printed bands and the
    table, but the paper at the blob's edge is nearly as bright as the
    blob; a highlight rises above the paper around it.
    """
    small, _ = reduced(grey, 800)
    close = max(5, min(small.shape[:2]) // 50) | 1
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                             cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close, close)))
    saturated = (paper >= 250).astype(np.uint8)
    saturated = cv2.morphologyEx(saturated, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = components(saturated)
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
        ring = (cv2.dilate(blob, ring_kernel) - blob) > 0
        beside = paper[ring]
        beside = beside[beside >= MIN_PAPER]
        # Mostly dark around it: a white field on a dark band, not a reflection.
        if beside.size == 0 or beside.size < 0.3 * int(ring.sum()):
            continue
        if float(np.median(beside)) > MAX_PAPER_BESIDE_GLARE:
            continue
        # Under a highlight the print is washed out; white paper lit brightly
        # still shows its text inside the blob's outline.
        outline = cv2.morphologyEx(blob, cv2.MORPH_CLOSE, ring_kernel) > 0
        if float((small[outline] < 200).mean()) > MAX_INK_UNDER_GLARE:
            continue
        glare += area
    return glare / total


def measure_quality(capture: np.ndarray, prepared: np.ndarray, *,
                    flat: np.ndarray | None = None, char: float | None = None,
                    letter: float | None = None) -> Quality:
    """Quality of a page: brightness and glare of the capture, sharpness of the result.

    `flat` is the capture with even lighting before any enlargement and
    `char` its text height, when the caller has them: sharpness is then
    measured there (enlarging adds no detail, only pixels to go through).
    `letter` is the `letter_height` of `flat`, when the caller measured it.
    """
    height, width = prepared.shape[:2]
    brightness = float(capture.mean())
    glare = glare_share(capture)
    if flat is not None and char is not None:
        sharpness = _sharpness(flat, letter_height(flat) if letter is None else letter)
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

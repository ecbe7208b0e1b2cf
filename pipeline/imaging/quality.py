"""Whether a capture can be read: sharpness, brightness, glare, size, framing.

An unreadable page must be reported ("blurred", "too_dark", "glare",
"too_small", "cut_off") rather than read wrongly, so these measures gate the
extractors. Thresholds were set on synthetic captures (crisp, blurred,
dark, over-exposed, cut by the frame) rendered in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.imaging.cut import is_cut_off
from pipeline.imaging.enhance import estimate_char_height, estimate_text_heights
from pipeline.imaging.geometry import components, ink_mask, reduced
from pipeline.types import Box, Quality

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
# washed_spots: a spot showing at most this share of ink has lost its print,
# and paper beyond its halo at most this bright lets a highlight stand out.
MAX_INK_UNDER_SPOT = 0.07
MAX_PAPER_BEYOND_SPOT = 240.0
# Smaller saturated patches on generated photos were blank paper, not reflections.
MIN_SPOT_SHARE = 0.04
# Darker than this beyond the spot is the table, not the card: the spot is the page.
MIN_PAPER_BEYOND_SPOT = 180.0
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


@dataclass(frozen=True)
class BrightBlob:
    """A saturated blob on the page, with what tells a highlight from white paper."""

    box: Box  # in the measured image's pixels
    share: float  # of the page's area
    beside: float | None  # median paper level in a ring around it (print closed over)
    beside_share: float  # share of that ring that is paper, not a dark band or the table
    ink_under: float  # share of dark pixels inside its outline
    # Median paper level in a wider ring, beyond a soft highlight's halo.
    further: float | None


def bright_blobs(grey: np.ndarray) -> list[BrightBlob]:
    """Saturated blobs inside the frame (paper with print closed over at 250 or more).

    Bright surroundings reaching the frame (a scanner bed) are not on the page
    and specks under 0.2% of the page are not spots.
    """
    small, scale = reduced(grey, 800)
    close = max(5, min(small.shape[:2]) // 50) | 1
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                             cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close, close)))
    saturated = (paper >= 250).astype(np.uint8)
    saturated = cv2.morphologyEx(saturated, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = components(saturated)
    total = float(small.shape[0] * small.shape[1])
    ring_size = max(9, min(small.shape[:2]) // 20) | 1
    ring_kernel = np.ones((ring_size, ring_size), np.uint8)
    far_kernel = np.ones((4 * ring_size, 4 * ring_size), np.uint8)
    blobs: list[BrightBlob] = []
    for index in range(1, count):
        area = int(stats[index, cv2.CC_STAT_AREA])
        x, y, w, h = (int(stats[index, k]) for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP,
                                                     cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
        touches_frame = x == 0 or y == 0 or x + w >= small.shape[1] or y + h >= small.shape[0]
        if area < 0.002 * total or touches_frame:
            continue
        blob = (labels == index).astype(np.uint8)
        ring = (cv2.dilate(blob, ring_kernel) - blob) > 0
        beside = paper[ring]
        beside = beside[beside >= MIN_PAPER]
        outline = cv2.morphologyEx(blob, cv2.MORPH_CLOSE, ring_kernel) > 0
        further = paper[(cv2.dilate(blob, far_kernel) > 0) & ~ring & (blob == 0)]
        further = further[further >= MIN_PAPER]
        blobs.append(BrightBlob(
            box=Box(x=int(x / scale), y=int(y / scale), w=int(np.ceil(w / scale)),
                    h=int(np.ceil(h / scale))),
            share=area / total, beside=float(np.median(beside)) if beside.size else None,
            beside_share=beside.size / max(1, int(ring.sum())),
            ink_under=float((small[outline] < 200).mean()),
            further=float(np.median(further)) if further.size else None))
    return blobs


def _is_glare(blob: BrightBlob) -> bool:
    """A highlight that washes out the page, as the quality gate counts it.

    A brightly lit white card is saturated over a large area next to its
    dark printed bands and the table, but the paper at the blob's edge is
    nearly as bright as the blob; a highlight rises above the paper around
    it. Under a highlight the print is washed out; white paper lit brightly
    still shows its text inside the blob's outline.
    """
    # Mostly dark around it: a white field on a dark band, not a reflection.
    if blob.beside is None or blob.beside_share < 0.3:
        return False
    return blob.beside <= MAX_PAPER_BESIDE_GLARE and blob.ink_under <= MAX_INK_UNDER_GLARE


def glare_share(grey: np.ndarray, blobs: list[BrightBlob] | None = None) -> float:
    """Share of the page covered by specular spots: saturated blobs on darker paper.

    `blobs` are `grey`'s `bright_blobs`, when the caller found them already.
    """
    blobs = bright_blobs(grey) if blobs is None else blobs
    return sum(blob.share for blob in blobs if _is_glare(blob))


def washed_spots(grey: np.ndarray, blobs: list[BrightBlob] | None = None) -> tuple[Box, ...]:
    """Highlights on a tinted card that may have washed out part of a value, in `grey`'s pixels.

    Looser than `glare_share`, which decides whether the whole page can be
    read: a lamp's soft-edged reflection brightens the paper around it (so
    the paper right beside it is not darker) and leaves letters legible at
    its rim (so some ink shows under it), yet it erases the words at its
    core. On a tinted card (an e-KTP's light blue) such a spot shows little
    ink and rises above the card's paper beyond its halo. Measured on
    generated captures: reflections on e-KTP, NPWP and bank-book photos
    show 0.4-6.4% ink under their outline, cover 7-15% of the image, with
    paper at 207-239 beyond the halo; a white page's blank stretches (under
    3% of the image) and the page itself against the table (paper there
    under 180) are not taken. On white A4 paper reflections could not be
    told from blank paper (further out at 234-246, as bright as margins):
    the extractors heed these spots on cards only. `blobs` are `grey`'s
    `bright_blobs`, when the caller found them already.
    """
    blobs = bright_blobs(grey) if blobs is None else blobs
    return tuple(blob.box for blob in blobs
                 if blob.share >= MIN_SPOT_SHARE and blob.ink_under <= MAX_INK_UNDER_SPOT
                 and blob.further is not None
                 and MIN_PAPER_BEYOND_SPOT <= blob.further <= MAX_PAPER_BEYOND_SPOT)


def measure_quality(capture: np.ndarray, prepared: np.ndarray, *,
                    flat: np.ndarray | None = None, char: float | None = None,
                    letter: float | None = None, original: np.ndarray | None = None,
                    blobs: list[BrightBlob] | None = None) -> Quality:
    """Quality of a page: brightness and glare of the capture, sharpness of the result.

    `flat` is the capture with even lighting before any enlargement and
    `char` its text height, when the caller has them: sharpness is then
    measured there (enlarging adds no detail, only pixels to go through).
    `letter` is the `letter_height` of `flat`, when the caller measured it.
    `original` is the page as it arrived (in colour, before any warp), when
    the caller has it: whether the document runs off the frame is judged
    there, since the warp to a found outline can hide the frame's edge.
    `blobs` are the capture's `bright_blobs`, when the caller found them.
    """
    height, width = prepared.shape[:2]
    brightness = float(capture.mean())
    glare = glare_share(capture, blobs)
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
    if original is not None and is_cut_off(original):
        reasons.append("cut_off")
    return Quality(width=width, height=height, sharpness=round(sharpness, 1),
                   brightness=round(brightness, 1), glare=round(glare, 4),
                   readable=not reasons, reasons=tuple(reasons))

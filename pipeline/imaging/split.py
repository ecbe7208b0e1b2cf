"""Several documents on one page: where each one lies, or the whole page.

Participants lay an e-KTP, a Kartu Peserta and an NPWP card on a flatbed
and scan them together, or copy a card onto a sheet beside another. Read
as one page, such a scan is one document of a muddled kind. `find_documents`
answers where the separate documents are, and answers "the whole page"
unless that is clear: splitting a single form into pieces loses more than
reading several cards as one page.

A page holds several documents when, on a reduced copy:

- the frame's border shows an even background (a scanner lid, a plain
  sheet; not a table's grain or a phone's uneven light), and what differs
  from it falls into separate regions once print and tint inside each
  document are joined: regions separated by a gutter of background;
- every region that is more than a speck is document-shaped: large,
  rectangular, filled, not cut by the frame, and bounded by an outline of
  its own (a tinted card body, a photocopy's grey, coloured bands): in
  full along two opposite sides, in good part along the other two;
- there are at least two of them.

Blocks of print on one sheet of white paper fail the outline test (just
inside their edge lies the same white as outside, between letters), and a
form's title, stamp or signature is a region that is no document: either
keeps the page whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Long side of the copy the decision is made on. Documents on a page are
# hundreds of pixels at scan resolution; a card is still about 170 x 110 px
# here, and an A4 scan reduces in about a millisecond.
ANALYSIS_SIDE = 600

# Light blur before comparing colours: melts scanner noise and JPEG blocks,
# keeps the edge of a card. A 5 px box (about 2.5 mm on an A4 scan) costs a
# fifth of a Gaussian of the same width.
BLUR_SIZE = 5

# Width of the frame's border (reduced pixels) that shows the background.
# Documents laid on a bed leave a margin of it all round.
BORDER = 6

# The background must be even for its colour to tell documents from it: a
# scanner lid or a plain sheet varies by a level or two along the frame
# (90th percentile of the differences from its median, after the blur); a
# table's grain or a phone's uneven light by tens of levels, and then the
# page is taken whole rather than cut along shadows.
MAX_BACKGROUND_SPREAD = 6.0

# A pixel belongs to something on the background when its colour differs
# from the background's by more than this (0-255, largest channel). The
# pale body of a card differs from a white lid by 2-20 levels, varying
# across the card; noise on the lid, after the blur, by 0-1. A background
# that varies more raises the bar to a multiple of its own spread.
MIN_DIFFERENCE = 4
SPREAD_FACTOR = 3.0

# Print and tint within one document are joined across gaps up to this
# share of the long side (2.5%: 15 px here, about 7 mm on an A4 scan). Two
# documents must lie further apart than that to be seen as two: cards laid
# on a bed by hand leave a centimetre or more.
JOIN_SHARE = 0.025

# Regions smaller than this share of the page are specks (dust, a staple's
# shadow) and count for nothing; anything larger must be a document.
SPECK_SHARE = 0.002

# A document region covers at least this share of the page and its short
# side at least this share of the page's short side: an ID card on A4 is
# 7% of the page and a quarter of its width. A form's title, stamp or
# signature block is smaller and keeps the page whole.
MIN_PIECE_SHARE = 0.035
MIN_PIECE_SIDE = 0.12

# Documents are rectangles of modest elongation: ID cards 1.59, A-series
# paper 1.41, a bank book about 1.5. A line of print or a table band is
# longer and thinner.
MAX_ASPECT = 2.0

# Share of its bounding rectangle a region's hull fills: a card's rounded
# corners lose a percent or two; a region in a heap of print loses more.
MIN_FILL = 0.85

# A region touching the frame is cut off, or is the background itself
# (light falling unevenly on a table): no document of its own. Thin strips
# along the frame (a scanner lid's shadow) are neither print nor document
# and are ignored; they are thinner than this share of the short side.
FRAME_TOUCH = 2
EDGE_STRIP_SHARE = 0.03

# An outline: just inside each side of the region (a band 2-6 reduced
# pixels in), the share of pixels that differ from the background. A card
# shows its edge in full along two opposite sides (the Kartu Peserta's green
# bands, the tinted body of a KTP or an NPWP); the other two may fade to the
# lid's white in places (the Kartu Peserta's body leaves 45-60% of them in a
# grey scan). The edge of a block of print on white paper, or of the photo
# on a card's body, crosses letters and the white between them: no two
# opposite sides are covered in full, or one side is mostly white.
OUTLINE_BAND = (2, 6)
MIN_OUTLINE_FULL = 0.95
MIN_OUTLINE_PART = 0.4


# cv2.minAreaRect's answer: centre, size (width, height), angle in degrees.
RotatedRect = tuple[tuple[float, float], tuple[float, float], float]


@dataclass(frozen=True, eq=False)
class Region:
    """One document on the page, in the page's own pixels.

    `quad` is its rotated rectangle grown by a margin of background
    (top-left, top-right, bottom-right, bottom-left, float32 4x2); `box`
    is the quad's axis-aligned box (x, y, w, h), clipped to the page.
    """

    quad: np.ndarray
    box: tuple[int, int, int, int]


@dataclass(frozen=True, eq=False)
class PageSplit:
    """Where the documents on a page lie, and the background they lie on.

    One region covering the whole page unless the page clearly holds
    several documents.
    """

    regions: tuple[Region, ...]
    background: tuple[int, ...]  # BGR, or a single grey level

    @property
    def several(self) -> bool:
        return len(self.regions) > 1


def _whole(height: int, width: int, background: tuple[int, ...]) -> PageSplit:
    quad = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    return PageSplit((Region(quad, (0, 0, width, height)),), background)


def _background(blurred: np.ndarray) -> tuple[np.ndarray, float]:
    """The frame border's median colour and the spread of its differences from it."""
    b = BORDER
    channels = 1 if blurred.ndim == 2 else blurred.shape[2]
    border = np.concatenate([blurred[:b].reshape(-1, channels), blurred[-b:].reshape(-1, channels),
                             blurred[:, :b].reshape(-1, channels),
                             blurred[:, -b:].reshape(-1, channels)])
    level = np.median(border, axis=0)
    spread = np.abs(border.astype(np.float32) - level).max(axis=1)
    return level, float(np.percentile(spread, 90))


def _difference(blurred: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Per pixel, the largest channel difference from the background (uint8)."""
    if blurred.ndim == 2:
        return cv2.absdiff(blurred, float(level[0]))
    diff = cv2.absdiff(blurred, (*(float(v) for v in level), 0.0))
    channels = cv2.split(diff)
    return cv2.max(cv2.max(channels[0], channels[1]), channels[2])


def _outlined(marks: np.ndarray, rect: RotatedRect) -> bool:
    """Whether the rotated rectangle `rect` has an outline of its own just inside its sides."""
    (cx, cy), (w, h), angle = rect
    w, h = int(round(w)), int(round(h))
    if w <= 2 * OUTLINE_BAND[1] or h <= 2 * OUTLINE_BAND[1]:
        return False
    # The region turned upright, so that its sides are rows and columns.
    matrix = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    matrix[0, 2] += w / 2 - cx
    matrix[1, 2] += h / 2 - cy
    upright = cv2.warpAffine(marks, matrix, (w, h), flags=cv2.INTER_NEAREST)
    near, far = OUTLINE_BAND
    bands = (upright[near:far], upright[h - far:h - near],
             upright[:, near:far], upright[:, w - far:w - near])
    top, bottom, left, right = (float(band.mean()) / 255.0 for band in bands)
    pairs = sorted((min(top, bottom), min(left, right)))
    return pairs[1] >= MIN_OUTLINE_FULL and pairs[0] >= MIN_OUTLINE_PART


def _touches_frame(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> bool:
    x, y, w, h = box
    return (x <= FRAME_TOUCH or y <= FRAME_TOUCH or x + w >= shape[1] - FRAME_TOUCH
            or y + h >= shape[0] - FRAME_TOUCH)


def _is_document(contour: np.ndarray, marks: np.ndarray) -> RotatedRect | None:
    """The region's rotated rectangle when it is document-shaped, else None."""
    height, width = marks.shape
    hull = cv2.convexHull(contour)
    rect = cv2.minAreaRect(hull)
    long_side, short_side = max(rect[1]), min(rect[1])
    if short_side <= 0 or _touches_frame(cv2.boundingRect(contour), marks.shape):
        return None
    if (long_side * short_side < MIN_PIECE_SHARE * height * width
            or short_side < MIN_PIECE_SIDE * min(height, width)
            or long_side > MAX_ASPECT * short_side
            or cv2.contourArea(hull) < MIN_FILL * long_side * short_side):
        return None
    return rect if _outlined(marks, rect) else None


def _reading_order(rects: list[RotatedRect]) -> list[RotatedRect]:
    """Top to bottom; regions side by side (centres within half a height) left to right."""
    rows: list[list[RotatedRect]] = []
    for rect in sorted(rects, key=lambda r: r[0][1]):
        row = rows[-1] if rows else None
        if row is not None and abs(rect[0][1] - row[0][0][1]) < min(row[0][1]) / 2:
            row.append(rect)
        else:
            rows.append([rect])
    return [rect for row in rows for rect in sorted(row, key=lambda r: r[0][0])]


def _order_corners(points: np.ndarray) -> np.ndarray:
    sums = points.sum(axis=1)
    diffs = np.diff(points, axis=1).ravel()
    return np.array([points[np.argmin(sums)], points[np.argmin(diffs)],
                     points[np.argmax(sums)], points[np.argmax(diffs)]], dtype=np.float32)


def _reduced(image: np.ndarray) -> tuple[np.ndarray, float]:
    height, width = image.shape[:2]
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    scale = min(1.0, ANALYSIS_SIDE / max(height, width))
    if scale >= 1.0:
        return image, 1.0
    # Linear sampling, not area averaging: twenty times cheaper on an A4
    # scan, and the blur that follows does the averaging that matters here.
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), scale


def _document_rects(marks: np.ndarray) -> list[RotatedRect]:
    """Each region's rectangle when every region on the page is a document; else none."""
    side = _join_side(marks.shape)
    joined = cv2.morphologyEx(marks, cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area = marks.shape[0] * marks.shape[1]
    short = min(marks.shape)
    rects = []
    for contour in contours:
        if cv2.contourArea(contour) < SPECK_SHARE * area:
            continue
        box = cv2.boundingRect(contour)
        if _touches_frame(box, marks.shape) and min(box[2], box[3]) < EDGE_STRIP_SHARE * short:
            continue
        rect = _is_document(contour, marks)
        if rect is None:
            return []  # something on the page is no document: it is one page
        rects.append(rect)
    return rects


def _join_side(shape: tuple[int, ...]) -> int:
    return max(3, round(JOIN_SHARE * max(shape[:2])))


def _region(rect: RotatedRect, grow: float, scale: float, height: int, width: int) -> Region:
    """The rectangle grown by `grow` on every side, in the full page's pixels."""
    (cx, cy), (w, h), angle = rect
    corners = cv2.boxPoints(((cx, cy), (w + 2 * grow, h + 2 * grow), angle)) / scale
    quad = _order_corners(corners.astype(np.float32))
    x0, y0 = (max(0, int(v)) for v in np.floor(quad.min(axis=0)))
    x1, y1 = np.ceil(quad.max(axis=0))
    x1, y1 = min(width, int(x1)), min(height, int(y1))
    return Region(quad, (x0, y0, x1 - x0, y1 - y0))


def find_documents(image: np.ndarray) -> PageSplit:
    """The documents on a page (grey or BGR): several regions, or one for the whole page."""
    height, width = image.shape[:2]
    small, scale = _reduced(image)
    blurred = cv2.blur(small, (BLUR_SIZE, BLUR_SIZE))
    level, spread = _background(blurred)
    background = tuple(int(round(v)) for v in level)
    if min(small.shape[:2]) <= 4 * BORDER or spread > MAX_BACKGROUND_SPREAD:
        return _whole(height, width, background)
    threshold = max(MIN_DIFFERENCE, SPREAD_FACTOR * spread)
    _, marks = cv2.threshold(_difference(blurred, level), threshold, 255, cv2.THRESH_BINARY)
    rects = _document_rects(marks)
    if len(rects) < 2:
        return _whole(height, width, background)
    # Grown by under half the join gap: the margin of background keeps the
    # document's own edge in the piece and never reaches a neighbour.
    grow = _join_side(marks.shape) / 2 - 1
    return PageSplit(tuple(_region(rect, grow, scale, height, width)
                           for rect in _reading_order(rects)), background)


def cut_out(image: np.ndarray, region: Region, background: tuple[int, ...]) -> np.ndarray:
    """The region's box of `image`, with what lies outside its quad painted as background.

    The box of a turned card holds corners of its neighbours' surroundings;
    painted over, the piece shows one document on a clean background, as a
    card scanned alone would.
    """
    x, y, w, h = region.box
    piece = image[y:y + h, x:x + w].copy()
    outside = np.full((h, w), 255, np.uint8)
    cv2.fillConvexPoly(outside, np.round(region.quad - np.float32([x, y])).astype(np.int32), 0)
    if piece.ndim == 2:
        piece[outside > 0] = background[0]
    else:
        # A grey background for a colour page, and full opacity for BGRA.
        fill = (background * 3)[:3] if len(background) == 1 else background[:3]
        piece[outside > 0] = (*fill, 255)[:piece.shape[2]]
    return piece

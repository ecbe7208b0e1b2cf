"""Geometry of a page image: document outline, quarter turns, small skew.

All functions take and return uint8 greyscale arrays (text dark on light).
Analysis runs on a reduced copy (long side about ANALYSIS_SIDE px) because
shapes, not details, decide these questions.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from pipeline.types import Box

ANALYSIS_SIDE = 1200


def reduced(grey: np.ndarray, side: int = ANALYSIS_SIDE) -> tuple[np.ndarray, float]:
    height, width = grey.shape[:2]
    scale = min(1.0, side / max(height, width))
    if scale >= 1.0:
        return grey, 1.0
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA), scale


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Dark marks on their local background (text strokes), as 0/255."""
    block = max(15, (min(grey.shape[:2]) // 30) | 1)
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 block, 15)


def rotate_quarter(grey: np.ndarray, degrees: int) -> np.ndarray:
    """`grey` turned clockwise by 0, 90, 180 or 270 degrees."""
    turns = {0: None, 90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180,
             270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    code = turns[degrees % 360]
    return grey if code is None else cv2.rotate(grey, code)


def turn_box(box: Box, degrees: int, width: int, height: int) -> Box:
    """Where `box` of a `width` x `height` image lies once the image is turned
    clockwise by `degrees` (0, 90, 180 or 270), as `rotate_quarter` turns it."""
    turn = degrees % 360
    if turn == 90:
        return Box(x=height - box.y - box.h, y=box.x, w=box.h, h=box.w)
    if turn == 180:
        return Box(x=width - box.x - box.w, y=height - box.y - box.h, w=box.w, h=box.h)
    if turn == 270:
        return Box(x=box.y, y=width - box.x - box.w, w=box.h, h=box.w)
    return box


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """`cv2.connectedComponentsWithStats(mask, connectivity=8)`, about 2.5 times faster.

    Grana's block-based labelling finds the same components with the same
    statistics as OpenCV's default algorithm; only the numbering of the
    labels may differ, which no caller depends on.
    """
    return cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, cv2.CCL_GRANA)


def _text_blobs(mask: np.ndarray) -> np.ndarray:
    """Connected components of a mask as rows (x, y, w, h, area), background excluded."""
    _count, _labels, stats, _ = components(mask)
    return stats[1:].astype(np.int64)


def _char_sized(blobs: np.ndarray, rows: int) -> np.ndarray:
    """Rows (x, y, w, h, area) of the blobs sized like characters on a mask of `rows` rows."""
    heights, areas = blobs[:, cv2.CC_STAT_HEIGHT], blobs[:, cv2.CC_STAT_AREA]
    return blobs[(heights >= 4) & (heights <= rows // 8) & (areas >= 8)]


def char_height_of_mask(mask: np.ndarray) -> float | None:
    marks = _char_sized(_text_blobs(mask), mask.shape[0])
    if len(marks) < 8:
        return None
    return float(np.median(marks[:, cv2.CC_STAT_HEIGHT]))


def text_heights_of_mask(mask: np.ndarray) -> tuple[float, float] | None:
    """Two heights of the character-sized marks of a mask; None with fewer than eight.

    The median height (`char_height_of_mask`), and the height of the letters
    carrying most of the ink: the median weighted by area, so that specks
    (punctuation, noise, the grain of a table top at the page's edge) do not
    pull it below the letters' size, as they can pull the plain median of a
    mixed page to half the real height. One labelling gives both.
    """
    marks = _char_sized(_text_blobs(mask), mask.shape[0])
    if len(marks) < 8:
        return None
    heights = marks[:, cv2.CC_STAT_HEIGHT]
    areas = marks[:, cv2.CC_STAT_AREA].astype(np.float64)
    order = np.argsort(heights)
    cumulative = np.cumsum(areas[order])
    middle = int(np.searchsorted(cumulative, cumulative[-1] / 2))
    return float(np.median(heights)), float(heights[order][middle])


def _line_shape_score(mask: np.ndarray, char: float) -> float:
    """Positive when smeared characters form horizontal lines, negative when vertical."""
    size = max(3, int(char * 0.8)) | 1
    smeared = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    _x, _y, w, h, area = _text_blobs(smeared).T
    large = area >= char * char * 2
    wide = large & (w >= 2 * h)
    tall = large & ~wide & (h >= 2 * w)
    return float(area[wide].sum()) - float(area[tall].sum())


# A text line smeared sideways is at most this many text heights tall;
# taller strips are a ruled line joined to a stamp, a photo or a logo.
MAX_LINE_HEIGHT = 3.0
# A text line is at least half a text height tall; the core band of its
# letters (x-height or cap height) at least this share of a text height.
# Lower strips are rules, whose ink above and below is whatever touches them.
MIN_CORE_HEIGHT = 0.4
# Below minus this the upright score says upside down. Not zero: a page
# is more often photographed the right way up, and a wrong turn costs a
# second reading in `extractors`, so only a clear score turns it over.
UPSIDE_DOWN_SCORE = 0.2


def _text_lines(mask: np.ndarray, char: float) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of strips shaped like one line of text.

    Characters smeared sideways join into lines. A strip cut by the edge
    of the image has lost a side, and one much taller than a text height is
    a rule joined to a stamp or a logo: neither is a line of text.
    """
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(char * 2)) | 1, 1))
    height, width = mask.shape[:2]
    blobs = _text_blobs(cv2.dilate(mask, kernel))
    x, y, w, h, _area = blobs.T
    keep = ((w >= 4 * h) & (h >= max(4.0, 0.5 * char)) & (h <= MAX_LINE_HEIGHT * char)
            & (x > 0) & (y > 0) & (x + w < width) & (y + h < height))
    return [(int(left), int(top), int(wide), int(high))
            for left, top, wide, high in blobs[keep, :4]]


def _ascender_balance(mask: np.ndarray, lines: list[tuple[int, int, int, int]],
                      char: float) -> float:
    """Ink above minus below the core band of each text line, over both (-1..1).

    Capital letters, digits, ascenders and i-dots rise above the x-height;
    only g, j, p, q, y descend. Upside down the balance flips. Lines set in
    capitals carry no sign, which leaves cards printed in capitals to
    `_alignment_balance`.
    """
    above = below = 0.0
    for x, y, w, h in lines:
        profile = mask[y:y + h, x:x + w].sum(axis=1).astype(np.float64)
        if profile.max() <= 0:
            continue
        core = np.nonzero(profile >= 0.5 * profile.max())[0]
        top, bottom = int(core[0]), int(core[-1])
        if bottom - top + 1 < MIN_CORE_HEIGHT * char:
            continue
        above += float(profile[:top].sum())
        below += float(profile[bottom + 1:].sum())
    total = above + below
    return 0.0 if total <= 0 else (above - below) / total


def _aligned(edges: np.ndarray, tolerance: float) -> int:
    """How many of `edges` have another within `tolerance`."""
    gaps = np.abs(edges[:, None] - edges[None, :])
    np.fill_diagonal(gaps, np.inf)
    return int((gaps.min(axis=1) <= tolerance).sum())


def _alignment_balance(lines: list[tuple[int, int, int, int]], char: float) -> float:
    """Lines that start where another starts minus lines that end where another ends (-1..1).

    Labels, addresses and paragraphs begin at a common left margin and end
    ragged; turned upside down the common margin is on the right. Centred
    headings count on both sides.
    """
    if len(lines) < 3:
        return 0.0
    starts = np.array([x for x, _y, _w, _h in lines], np.float64)
    ends = np.array([x + w for x, _y, w, _h in lines], np.float64)
    left, right = _aligned(starts, char / 2), _aligned(ends, char / 2)
    return 0.0 if left + right == 0 else (left - right) / (left + right)


def _upright_score(mask: np.ndarray, char: float) -> float:
    """Positive when the text lines read upright, negative upside down (-2..2).

    Two independent signs of Latin print: ascenders outnumber descenders,
    and lines share a left margin. Each alone is fooled by some pages (a
    card printed in capitals, a centred form); together they rarely are.
    """
    lines = _text_lines(mask, char)
    return _ascender_balance(mask, lines, char) + _alignment_balance(lines, char)


def estimate_orientation(grey: np.ndarray) -> int:
    """Clockwise quarter turn (0/90/180/270) that makes text upright; 0 if unsure."""
    small, _ = reduced(grey)
    mask = ink_mask(small)
    char = char_height_of_mask(mask)
    if char is None:
        return 0
    shape = _line_shape_score(mask, char)
    turned = 0
    if shape < 0:
        turned = 90
        mask = cv2.rotate(mask, cv2.ROTATE_90_CLOCKWISE)
    if _upright_score(mask, char) < -UPSIDE_DOWN_SCORE:
        turned = (turned + 180) % 360
    return turned


class TurnedRows:
    """Ink pixels of a mask per row once the mask is turned about its centre.

    The row each pixel lands on is the one warpAffine would put it on, but
    no turned image is built: fifty turns cost what two warps did. Most
    pixels stay within the image sideways in every turn up to `limit`
    degrees: their rows are counted without testing where they land
    across, and rows above or below the image are counted in a margin and
    dropped. Only the pixels near the left and right sides are tested one
    by one.
    """

    def __init__(self, mask: np.ndarray, limit: float) -> None:
        self.height, self.width = mask.shape[:2]
        self.centre = (self.width / 2, self.height / 2)
        ys, xs = np.nonzero(mask)
        widest = math.radians(limit)
        off_x, off_y = np.abs(xs - self.centre[0]), np.abs(ys - self.centre[1])
        # How far a pixel can move across and along in a turn up to `limit`,
        # plus rounding.
        across = off_x * (1 - math.cos(widest)) + off_y * math.sin(widest) + 2
        steady = (xs >= across) & (xs + across <= self.width - 1)
        along = off_y * (1 - math.cos(widest)) + off_x * math.sin(widest)
        self.spill = int(math.ceil(float(along.max(initial=0.0)))) + 2
        self.steady, self.edge = (
            np.stack([xs[part], ys[part], np.ones(int(part.sum()), xs.dtype)]).astype(np.float64)
            for part in (steady, ~steady))

    def __call__(self, angle: float) -> np.ndarray:
        """Pixels per row (length: the mask's height) after a turn of `angle` degrees."""
        height, width, spill = self.height, self.width, self.spill
        matrix = cv2.getRotationMatrix2D(self.centre, angle, 1.0)
        landed = np.rint(matrix[1] @ self.steady).astype(np.int64) + spill
        rows = np.bincount(landed, minlength=height + 2 * spill)[spill:spill + height]
        if self.edge.shape[1]:
            turned_x, turned_y = np.rint(matrix @ self.edge).astype(np.int64)
            inside = (turned_x >= 0) & (turned_x < width) & (turned_y >= 0) & (turned_y < height)
            rows = rows + np.bincount(turned_y[inside], minlength=height)
        return rows


def deskew_angle(grey: np.ndarray, limit: float = 10.0) -> float:
    """Counter-clockwise angle in degrees (within +-limit) that levels text lines.

    The angle maximising the sharpness of the row-ink profile wins: level
    lines concentrate ink in few rows.
    """
    small, _ = reduced(grey, 800)
    mask = ink_mask(small)
    if cv2.countNonZero(mask) < 200:
        return 0.0
    # The fine search reaches half a step past `limit`.
    turned_rows = TurnedRows(mask, limit + 0.6)

    def score(angle: float) -> float:
        return float(np.sum(np.diff(turned_rows(angle).astype(np.float64)) ** 2))

    # The peak is about a text height over a line length wide (half a degree
    # for a landscape form): coarser steps can step over it.
    coarse = max(np.arange(-limit, limit + 0.01, 0.5), key=score)
    fine = max(np.arange(coarse - 0.5, coarse + 0.51, 0.1), key=score)
    return float(fine)


def rotate_small(grey: np.ndarray, angle: float) -> np.ndarray:
    """`grey` rotated counter-clockwise by `angle` degrees, canvas grown.

    The corners the turn uncovers repeat the edge pixels: a white fill would
    look like blown-out glare on a tinted card.
    """
    height, width = grey.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    return cv2.warpAffine(grey, matrix, (new_w, new_h), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    sums = points.sum(axis=1)
    diffs = np.diff(points, axis=1).ravel()
    return np.array([points[np.argmin(sums)], points[np.argmin(diffs)],
                     points[np.argmax(sums)], points[np.argmax(diffs)]], dtype=np.float32)


def find_document_quad(grey: np.ndarray) -> np.ndarray | None:
    """Corners (4x2, full-size pixels) of a card or sheet lying on a background.

    What a document lies on (a table, a cloth, a scanner bed) fills the
    frame's border, so the border's level and texture say what background
    looks like; the document is the region brighter than it (paper on a
    table) or darker (a tinted card on a white scanner bed). Its outline
    must reduce to four corners covering 15-95% of the image, and its median
    level must differ from the background's. A scan whose paper fills the
    frame has no such region and is left alone.
    """
    small, scale = reduced(grey, 800)
    # A wide blur melts wood grain and cloth weave, not the edge of a page.
    blurred = cv2.GaussianBlur(small, (0, 0), 5).astype(np.float32)
    border = np.concatenate([blurred[:4].ravel(), blurred[-4:].ravel(),
                             blurred[:, :4].ravel(), blurred[:, -4:].ravel()])
    level = float(np.median(border))
    threshold = max(12.0, 3.0 * float(np.median(np.abs(border - level))))
    size = max(5, min(small.shape[:2]) // 40) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    # The edge first: uneven light can make part of a card as dark as the
    # table, which splits a region found by level but not its outline.
    marks = _print_marks(small)
    edged = _edge_outline(small)
    if edged is not None and _differs(small, edged, kernel, level, threshold):
        covering = _covering_print(edged, marks, small.shape[:2])
        if covering is not None:
            return covering / scale
    found = []
    for mask in (blurred > level + threshold, blurred < level - threshold):
        corners = _outline(mask.astype(np.uint8) * 255, kernel)
        if (corners is not None and _differs(small, corners, kernel, level, threshold)
                and not _cuts_print(small, corners, kernel)):
            corners = _covering_print(corners, marks, small.shape[:2])
            if corners is not None:
                found.append(corners)
    if not found:
        return None
    best = max(found, key=lambda c: cv2.contourArea(c.astype(np.float32)))
    return best / scale


# Share of the page's print marks that may lie outside a document outline
# (specks, a texture's strongest grains); more means the outline is a part
# of the document (its table, its signature block, its lit half).
MAX_PRINT_OUTSIDE = 0.04


# How much brighter than its surroundings light print on a dark band is.
LIGHT_PRINT_CONTRAST = 45


def _print_marks(small: np.ndarray) -> np.ndarray:
    """Centres (Nx2) of character-sized marks, dark on light or light on dark: the print."""
    found = [np.zeros((0, 2), np.float32)]
    # Cards print their issuer in light letters on a dark band. Those stand
    # far above their surroundings; the light grain of a table does not.
    block = max(15, (min(small.shape[:2]) // 30) | 1)
    light = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                  block, -LIGHT_PRINT_CONTRAST)
    for mask in (ink_mask(small), light):
        _count, _labels, stats, centres = components(mask)
        h, area = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
        w = stats[1:, cv2.CC_STAT_WIDTH]
        keep = ((h >= 3) & (h <= small.shape[0] // 10) & (w <= small.shape[1] // 4)
                & (area >= 6))
        found.append(centres[1:][keep].astype(np.float32))
    return np.concatenate(found)


def _leaves_print_outside(corners: np.ndarray, marks: np.ndarray) -> bool:
    """Whether a clear share of the page's print lies outside the outline.

    A document's outline holds all of its print. An outline that leaves
    print outside is a part of the document (a ruled table, a signature
    box, the half of a page in light) and warping to it would cut the page.
    """
    if len(marks) < 20:
        return False
    contour = corners.reshape(-1, 1, 2).astype(np.float32)
    side = float(np.sqrt(cv2.contourArea(contour)))
    margin = 0.02 * side
    outside = sum(cv2.pointPolygonTest(contour, (float(x), float(y)), True) < -margin
                  for x, y in marks)
    return outside > MAX_PRINT_OUTSIDE * len(marks)


def _covering_print(corners: np.ndarray, marks: np.ndarray, shape: tuple[int, ...]
                    ) -> np.ndarray | None:
    """The outline, grown to the print it leaves outside; None if that is not a page.

    An inner panel of a card (the light body between coloured bands), a
    ruled table, or the lit half of a page has a clear outline but is not
    the whole document: the print outside it says so. The outline is then
    the smallest rectangle around it and that print, with a margin; when
    that covers nearly the whole frame there is no outline to correct.
    """
    if not _leaves_print_outside(corners, marks):
        return corners
    # Grow by neighbourhood: print that continues the document lies next to
    # it, a stray mark on the table does not.
    grown = corners.reshape(-1, 2).astype(np.float32)
    reach = 0.15 * min(cv2.minAreaRect(grown)[1])
    # Letters stand in words: a mark with no other mark close by is a grain.
    gaps = np.linalg.norm(marks[:, None, :] - marks[None, :, :], axis=2)
    close = 0.03 * max(cv2.minAreaRect(grown)[1])
    marks = marks[(gaps < close).sum(axis=1) >= 3]
    for _round in range(4):
        contour = grown.reshape(-1, 1, 2)
        near = [m for m in marks
                if -reach <= cv2.pointPolygonTest(contour, (float(m[0]), float(m[1])), True) < 0]
        if not near:
            break
        (cx, cy), (w, h), angle = cv2.minAreaRect(np.concatenate([grown, np.float32(near)]))
        grown = cv2.boxPoints(((cx, cy), (w + 0.02 * max(w, h), h + 0.02 * max(w, h)), angle))
    height, width = shape
    grown[:, 0] = np.clip(grown[:, 0], 0, width - 1)
    grown[:, 1] = np.clip(grown[:, 1], 0, height - 1)
    grown = _order_corners(grown.astype(np.float32))
    if (cv2.contourArea(grown) > 0.9 * width * height
            or _leaves_print_outside(grown, marks)):
        return None
    return grown


def _cuts_print(small: np.ndarray, corners: np.ndarray, kernel: np.ndarray) -> bool:
    """Whether print continues just outside the outline as densely as inside it.

    A region found by its level can be part of a document whose other part
    lies in shadow; warping to it would cut lines of text in half, which
    is worse than not warping at all.
    """
    edges = cv2.Canny(cv2.GaussianBlur(small, (0, 0), 1.5), 40, 120)
    inside = np.zeros(small.shape[:2], np.uint8)
    cv2.fillConvexPoly(inside, corners.astype(np.int32), 255)
    # The ring starts a kernel away: the document's own edge is not print.
    ring = cv2.subtract(cv2.dilate(inside, kernel, iterations=3),
                        cv2.dilate(inside, kernel, iterations=1))
    inner = cv2.erode(inside, kernel)
    if cv2.countNonZero(ring) == 0 or cv2.countNonZero(inner) == 0:
        return False
    outside_density = cv2.countNonZero(cv2.bitwise_and(edges, ring)) / cv2.countNonZero(ring)
    inside_density = cv2.countNonZero(cv2.bitwise_and(edges, inner)) / cv2.countNonZero(inner)
    return outside_density > 0.5 * inside_density


# Canny thresholds for the document's edge, the usual first.
EDGE_THRESHOLDS = ((20, 60), (8, 24))


def _edge_outline(small: np.ndarray) -> np.ndarray | None:
    """Four corners of the largest closed outline of edges covering 15-95% of the image.

    A light blur keeps the document's straight edge while melting print
    and surface grain; the outer contour of the edge map around the
    document is its outline when it reduces to four corners.
    """
    blurred = cv2.GaussianBlur(small, (0, 0), 3.0)
    image_area = float(small.shape[0] * small.shape[1])
    # White paper on a pale table has a faint edge: a second, more sensitive
    # pass when the first finds no outline.
    for low, high in EDGE_THRESHOLDS:
        edges = cv2.dilate(cv2.Canny(blurred, low, high), np.ones((3, 3), np.uint8))
        contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
            hull = cv2.convexHull(contour)
            if not 0.15 * image_area <= cv2.contourArea(hull) <= 0.95 * image_area:
                continue
            approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
            if len(approx) == 4:
                return _order_corners(approx.reshape(4, 2).astype(np.float32))
    return None


def _outline(mask: np.ndarray, kernel: np.ndarray) -> np.ndarray | None:
    """Four corners around the sizeable parts of `mask`, or None."""
    # Close the text and photo holes inside the document, open away specks.
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    image_area = float(mask.shape[0] * mask.shape[1])
    # All sizeable parts together: a pale card on a white bed shows only its
    # coloured bands and print, which lie within the card.
    parts = [c for c in contours if cv2.contourArea(c) >= 0.005 * image_area]
    if not parts:
        return None
    hull = cv2.convexHull(np.concatenate(parts))
    area = cv2.contourArea(hull)
    if not 0.15 * image_area <= area <= 0.95 * image_area:
        return None
    approx = cv2.approxPolyDP(hull, 0.03 * cv2.arcLength(hull, True), True)
    if len(approx) != 4:
        # Rounded card corners or a curled sheet: the tightest rectangle will do.
        approx = cv2.boxPoints(cv2.minAreaRect(hull)).reshape(4, 1, 2)
        if cv2.contourArea(approx.astype(np.float32)) > 1.25 * area:
            return None
    return _order_corners(approx.reshape(4, 2).astype(np.float32))


def _differs(small: np.ndarray, corners: np.ndarray, kernel: np.ndarray, level: float,
             threshold: float) -> bool:
    """The region's median level differs from the background's.

    Unblurred levels: a block of dark text on white paper still has the
    paper as its median, so it is not taken for a document of its own; and
    the region must hold some print, which a glare spot does not.
    """
    inside = np.zeros(small.shape[:2], np.uint8)
    cv2.fillConvexPoly(inside, corners.astype(np.int32), 255)
    inner = cv2.erode(inside, kernel)
    if cv2.countNonZero(inner) == 0:
        return False
    values = small[inner > 0]
    median = float(np.median(values))
    # A document carries print; a blown-out highlight is bright and empty.
    has_print = float((values < median - 40).mean()) >= 0.005
    return has_print and abs(median - level) >= threshold


def warp_quad(grey: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The quadrilateral `corners` mapped to an upright rectangle."""
    tl, tr, br, bl = corners
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                      dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(grey, matrix, (max(width, 1), max(height, 1)),
                               flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)

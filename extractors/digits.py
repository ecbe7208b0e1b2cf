"""A digit-line reader that does not lean on tesseract's language model.

The NIK on an e-KTP is printed in an OCR-A-like monospace face, which
tesseract's stock models read poorly (it is trained on prose). This reader
binarises the crop of one printed number, cuts it into glyphs (connected
components on the text row, a pitch grid when glyphs touch) and classifies
each glyph by correlation with digit templates rendered at runtime from
the installed faces (OCR-A and DejaVu Sans Mono Bold; see STACK.md for the
packages). With no face installed it reads nothing, and callers fall back
on tesseract alone.

Pure functions over numpy arrays; the only outside resource is the font
files, looked up once.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

DIGITS = "0123456789"
# (fontconfig pattern, path relative to the Debian font folder)
FACES: tuple[tuple[str, str, str], ...] = (
    ("ocr-a", "OCR A", "ocr-a/OCRA.ttf"),
    ("dejavu-mono-bold", "DejaVu Sans Mono:bold", "dejavu/DejaVuSansMono-Bold.ttf"),
)
FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/local/share/fonts"))
# Glyphs are compared in a square cell of this side, aspect ratio kept.
CELL = 32
TEMPLATE_SIZE = 96


@dataclass(frozen=True)
class GlyphRead:
    """One glyph's best digit, its correlation with the template and the lead
    over the runner-up digit (both -1..1)."""

    digit: str
    score: float
    margin: float


@dataclass(frozen=True)
class DigitLine:
    """A line of digits as read glyph by glyph with the best-fitting face."""

    text: str
    face: str
    glyphs: tuple[GlyphRead, ...]
    # Column range (left, right) of each glyph in the crop.
    spans: tuple[tuple[int, int], ...] = ()

    @property
    def weakest(self) -> GlyphRead | None:
        return min(self.glyphs, key=lambda g: (g.margin, g.score)) if self.glyphs else None


@dataclass(frozen=True)
class _Face:
    name: str
    templates: np.ndarray  # (10, CELL * CELL), each zero-mean, unit-norm


def _font_path(pattern: str, relative: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / relative).is_file():
            return folder / relative
    if shutil.which("fc-match") is None:
        return None
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                               text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    # fc-match always answers with some font: accept only the face asked for.
    wanted = Path(relative).name.lower()
    return Path(found) if found and Path(found).name.lower() == wanted else None


def normalise_glyph(mask: np.ndarray) -> np.ndarray | None:
    """Ink of one glyph (non-zero = ink) as a zero-mean unit vector of CELL x CELL.

    The glyph is cropped to its ink, scaled to the cell's height (or width,
    if wider) keeping its aspect ratio, centred, and softened so that a
    stroke one pixel off still correlates.
    """
    points = cv2.findNonZero((mask > 0).astype(np.uint8))
    if points is None:
        return None
    x, y, w, h = cv2.boundingRect(points)
    glyph = (mask[y:y + h, x:x + w] > 0).astype(np.float32)
    scale = (CELL - 4) / max(h, w * 1.0)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    glyph = cv2.resize(glyph, (new_w, new_h), interpolation=cv2.INTER_AREA)
    cell = np.zeros((CELL, CELL), np.float32)
    top, left = (CELL - new_h) // 2, (CELL - new_w) // 2
    cell[top:top + new_h, left:left + new_w] = glyph
    cell = cv2.GaussianBlur(cell, (5, 5), 1.0)
    vector = cell.reshape(-1) - cell.mean()
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else None


def _render_templates(path: Path) -> np.ndarray | None:
    font = ImageFont.truetype(str(path), TEMPLATE_SIZE)
    rows = []
    for digit in DIGITS:
        canvas = Image.new("L", (TEMPLATE_SIZE * 2, TEMPLATE_SIZE * 2), 0)
        ImageDraw.Draw(canvas).text((TEMPLATE_SIZE // 2, TEMPLATE_SIZE // 4), digit, fill=255,
                                    font=font)
        vector = normalise_glyph(np.asarray(canvas) > 127)
        if vector is None:
            return None
        rows.append(vector)
    return np.stack(rows)


@lru_cache(maxsize=1)
def digit_faces() -> tuple[_Face, ...]:
    """Templates of every installed face; empty when none is installed."""
    faces = []
    for name, pattern, relative in FACES:
        path = _font_path(pattern, relative)
        if path is None:
            continue
        try:
            templates = _render_templates(path)
        except OSError:
            continue
        if templates is not None:
            faces.append(_Face(name, templates))
    return tuple(faces)


def binarise(grey: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: Otsu's threshold on a lightly smoothed copy."""
    smooth = cv2.GaussianBlur(grey, (3, 3), 0)
    _level, mask = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return mask


def _row_components(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of the marks on the line's text row, merged per column.

    The row is where the tallest marks are; marks cut by the crop's top or
    bottom edge belong to the lines above and below. Fragments of a broken
    stroke join the glyph whose columns they share.
    """
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    height = mask.shape[0]
    boxes = [(int(s[0]), int(s[1]), int(s[2]), int(s[3])) for s in stats[1:count]
             if s[4] >= 4 and s[1] > 0 and s[1] + s[3] < height]
    if not boxes:
        return []
    tall = sorted(b[3] for b in boxes)
    glyph_h = tall[int(0.8 * (len(tall) - 1))]
    main = [b for b in boxes if 0.6 * glyph_h <= b[3] <= 1.4 * glyph_h]
    if not main:
        return []
    mid = float(np.median([b[1] + b[3] / 2 for b in main]))
    # Marks taller than a digit (a photo's frame, a stamp) are not on the row.
    band = [b for b in boxes
            if abs(b[1] + b[3] / 2 - mid) <= 0.6 * glyph_h and b[3] <= 1.4 * glyph_h]
    band.sort(key=lambda b: b[0])
    merged: list[list[int]] = []
    for x, y, w, h in band:
        if merged:
            px, py, pw, ph = merged[-1]
            overlap = min(px + pw, x + w) - max(px, x)
            if overlap >= 0.5 * min(pw, w):
                left, top = min(px, x), min(py, y)
                merged[-1] = [left, top, max(px + pw, x + w) - left, max(py + ph, y + h) - top]
                continue
        merged.append([x, y, w, h])
    # A colon's two dots merge into one mark about 0.6 of a digit's height.
    return [(b[0], b[1], b[2], b[3]) for b in merged if b[3] >= 0.75 * glyph_h]


def _grid_cells(boxes: list[tuple[int, int, int, int]], count: int
                ) -> list[tuple[int, int]] | None:
    """Column ranges of `count` glyphs on a monospace pitch, when marks touch.

    The pitch comes from the first and last mark's centres, which must then
    be single glyphs (their width no more than 1.5 pitch).
    """
    if len(boxes) < 2:
        return None
    first, last = boxes[0], boxes[-1]
    c_first, c_last = first[0] + first[2] / 2, last[0] + last[2] / 2
    pitch = (c_last - c_first) / (count - 1)
    if pitch <= 0 or first[2] > 1.5 * pitch or last[2] > 1.5 * pitch:
        return None
    # Each mark must be a whole number of glyphs on that pitch, adding up to
    # `count`: a shorter number spread over the grid would not.
    singles = [b[2] for b in boxes if b[2] <= pitch]
    if not singles:
        return None
    single = float(np.median(singles))
    glyphs = [max(1, round((b[2] - single) / pitch) + 1) for b in boxes]
    if sum(glyphs) != count:
        return None
    return [(round(c_first + (i - 0.5) * pitch), round(c_first + (i + 0.5) * pitch))
            for i in range(count)]


def segment_glyphs(mask: np.ndarray, count: int
                   ) -> list[tuple[tuple[int, int], np.ndarray]] | None:
    """`count` glyphs left to right as (column range, mask), or None when the
    line does not split so."""
    boxes = _row_components(mask)
    if len(boxes) == count:
        return [((x, x + w), mask[y:y + h, x:x + w]) for x, y, w, h in boxes]
    if len(boxes) > count or len(boxes) < count // 2:
        return None
    cells = _grid_cells(boxes, count)
    if cells is None:
        return None
    top = min(b[1] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return [((max(0, a), max(0, b)), mask[top:bottom, max(0, a):max(0, b)]) for a, b in cells]


def classify_glyphs(glyphs: list[np.ndarray]) -> DigitLine | None:
    """Each glyph's digit with the face that fits the whole line best."""
    faces = digit_faces()
    vectors = [normalise_glyph(g) for g in glyphs]
    if not faces or any(v is None for v in vectors):
        return None
    matrix = np.stack([v for v in vectors if v is not None])
    best: DigitLine | None = None
    best_total = -np.inf
    for face in faces:
        scores = matrix @ face.templates.T  # (glyphs, 10)
        order = np.argsort(-scores, axis=1)
        reads = tuple(GlyphRead(DIGITS[int(row[0])], float(s[row[0]]),
                                float(s[row[0]] - s[row[1]]))
                      for s, row in zip(scores, order))
        total = float(sum(r.score for r in reads))
        if total > best_total:
            best_total = total
            best = DigitLine("".join(r.digit for r in reads), face.name, reads)
    return best


def read_digit_line(grey: np.ndarray, count: int) -> DigitLine | None:
    """The `count` digits printed on the greyscale crop `grey`, or None.

    None when no digit face is installed or the crop does not split into
    exactly `count` glyphs; the caller then relies on other readings.
    """
    if grey.ndim != 2 or grey.size == 0:
        return None
    glyphs = segment_glyphs(binarise(grey), count)
    if glyphs is None:
        return None
    line = classify_glyphs([mask for _span, mask in glyphs])
    return None if line is None else replace(line, spans=tuple(span for span, _m in glyphs))

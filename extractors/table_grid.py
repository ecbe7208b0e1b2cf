"""Ruled tables found on a page image: their row and column lines, and their cells.

A printed table is drawn with long straight rules; letters never make ink
runs that long. Ink (darker than its neighbourhood, so that a photo's
uneven light does not matter) opened with a long thin kernel keeps the
rules only. Each rule is fitted as a straight line (position and a small
slope: the page has been warped and deskewed, not perfectly), pieces of a
rule broken on a photo are joined, and the vertical rules that start and
end together make one table; its horizontal rules are the row lines.

Pure functions of numpy images; no OCR here.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.types import Box

# Rules are looked for on masks pooled to at most this many pixels on the
# longer side: fast, and a pixel of it is still well under a line's width.
POOLED_SIDE = 1800
# Rules are at least this share of the page side long (the opening kernel):
# longer than any letter, shorter than a table row or column.
MIN_RUN_SHARE = 1 / 40
# A rule piece shorter than this share of the page side is not kept.
MIN_PIECE_SHARE = 1 / 20
# Pieces of one rule lie within this share of the page side of each other.
SAME_RULE_SHARE = 0.006
# A column line broken on a photo is joined over at most this share of the page height.
MAX_BREAK_SHARE = 0.015
# A column line found only in part counts when it spans this share of its
# table from the top or bottom line, or this share elsewhere.
PART_AT_EDGE = 0.25
PART_INSIDE = 0.5
# A table has at least this many column lines (borders included).
MIN_COLUMN_LINES = 3
# Vertical rules of one table start and end within this share of the page height.
SAME_TABLE_SHARE = 0.02
# A row line covers at least this share of its table's width.
ROW_COVERAGE = 0.5
# A gap between row lines this close to a multiple of the usual pitch hides a lost line.
PITCH_TOLERANCE = 0.2


@dataclass(frozen=True)
class Rule:
    """A straight ruled line.

    For a horizontal rule, `across(x) = offset + slope * x` is its y; for a
    vertical one, `across(y)` is its x. `pieces` are the stretches along
    the rule where ink was found (start, end), in page pixels.
    """

    offset: float
    slope: float
    pieces: tuple[tuple[int, int], ...]

    def across(self, along: float) -> float:
        return self.offset + self.slope * along

    @property
    def start(self) -> int:
        return min(p[0] for p in self.pieces)

    @property
    def end(self) -> int:
        return max(p[1] for p in self.pieces)

    def covered(self, start: float, end: float) -> float:
        """The length of [start, end] that ink of this rule covers."""
        return float(sum(max(0.0, min(end, b) - max(start, a)) for a, b in self.pieces))


@dataclass(frozen=True)
class Grid:
    """One ruled table: row lines top to bottom, column lines left to right."""

    rows: tuple[Rule, ...]
    columns: tuple[Rule, ...]

    @property
    def box(self) -> Box:
        """The table's box on the page, its outer lines included."""
        corners = [_corner(r, c) for r in (self.rows[0], self.rows[-1])
                   for c in (self.columns[0], self.columns[-1])]
        x0, y0 = (int(min(v)) for v in zip(*corners, strict=True))
        x1, y1 = (int(max(v)) for v in zip(*corners, strict=True))
        return Box(x=x0, y=y0, w=max(1, x1 - x0), h=max(1, y1 - y0))

    def cell(self, row: int, column: int, inset: int = 0) -> Box:
        """The box inside cell (row, column)'s four lines, `inset` pixels further in.

        Rows and columns count the spaces between lines from 0: row 0 lies
        between row lines 0 and 1.
        """
        top, bottom = self.rows[row], self.rows[row + 1]
        left, right = self.columns[column], self.columns[column + 1]
        (x_tl, y_tl), (x_tr, y_tr) = _corner(top, left), _corner(top, right)
        (x_bl, y_bl), (x_br, y_br) = _corner(bottom, left), _corner(bottom, right)
        x0, y0 = int(np.ceil(max(x_tl, x_bl))) + inset, int(np.ceil(max(y_tl, y_tr))) + inset
        x1, y1 = int(np.floor(min(x_tr, x_br))) - inset, int(np.floor(min(y_bl, y_br))) - inset
        return Box(x=x0, y=y0, w=max(0, x1 - x0), h=max(0, y1 - y0))

    def locate(self, x: float, y: float) -> tuple[int, int] | None:
        """The (row, column) of the cell holding point (x, y), if it is inside the table."""
        row = next((r for r in range(len(self.rows) - 1)
                    if self.rows[r].across(x) <= y < self.rows[r + 1].across(x)), None)
        column = next((c for c in range(len(self.columns) - 1)
                       if self.columns[c].across(y) <= x < self.columns[c + 1].across(y)), None)
        return None if row is None or column is None else (row, column)


def _corner(row: Rule, column: Rule) -> tuple[float, float]:
    """Where a row line and a column line cross: (x, y)."""
    y = (row.offset + row.slope * column.offset) / (1.0 - row.slope * column.slope)
    return column.across(y), y


def ink_mask(image: np.ndarray) -> np.ndarray:
    """1 where the page is darker than its surroundings (print), 0 elsewhere.

    A threshold against the local mean, not a fixed level: a photo lit from
    one side has grey paper in one corner darker than print in another.
    """
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    block = max(15, (min(grey.shape[:2]) // 40) | 1)
    return cv2.adaptiveThreshold(grey, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 block, 12)


def rule_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The horizontal and the vertical rules of an ink mask, as masks.

    Ink is first thickened across the rule's direction by a pixel each way,
    so that a rule sloping by a fraction of a degree, which steps by one
    pixel every hundred or so, still makes one unbroken run.
    """
    height, width = ink.shape[:2]
    along_x = max(15, int(width * MIN_RUN_SHARE))
    along_y = max(15, int(height * MIN_RUN_SHARE))
    horizontal = cv2.morphologyEx(cv2.dilate(ink, np.ones((3, 1), np.uint8)), cv2.MORPH_OPEN,
                                  np.ones((1, along_x), np.uint8))
    vertical = cv2.morphologyEx(cv2.dilate(ink, np.ones((1, 3), np.uint8)), cv2.MORPH_OPEN,
                                np.ones((along_y, 1), np.uint8))
    return horizontal, vertical


def _pieces(mask: np.ndarray, min_length: int) -> list[tuple[float, float, int, int, np.ndarray,
                                                             np.ndarray]]:
    """Runs of a horizontal-rule mask: (offset, slope, start, end, xs, ys) of each.

    Each piece is fitted as y = offset + slope * x through the middle of
    its ink in every column.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    found = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        if w < min_length:
            continue
        part = labels[y:y + h, x:x + w] == label
        weight = part.sum(axis=0)
        columns = np.flatnonzero(weight)
        rows = np.arange(h, dtype=np.float64)[:, None]
        middle = (part * rows).sum(axis=0)[columns] / weight[columns] + y
        xs = columns.astype(np.float64) + x
        slope, offset = np.polyfit(xs, middle, 1) if columns.size >= 2 else (0.0, float(y))
        found.append((float(offset), float(slope), x, x + w, xs, middle))
    return found


def find_rules(mask: np.ndarray, min_length: int, tolerance: float,
               max_gap: float | None = None) -> list[Rule]:
    """The horizontal rules of a mask (for vertical ones pass the mask transposed).

    Pieces whose lines lie within `tolerance` pixels of each other where
    they meet, and (with `max_gap`) no further apart along the line than
    that, are one rule (a rule broken by a fold or faint print on a
    photo); the rule is fitted again through all its pieces. Two tables
    one above the other have column lines in line, a row's height apart:
    `max_gap` keeps them apart.
    """
    pieces = sorted(_pieces(mask, min_length), key=lambda p: p[0] + p[1] * (p[2] + p[3]) / 2)
    groups: list[list[tuple[float, float, int, int, np.ndarray, np.ndarray]]] = []
    fits: list[tuple[float, float]] = []
    for piece in pieces:
        offset, slope, start, end, _xs, _ys = piece
        middle = (start + end) / 2
        for index, (g_offset, g_slope) in enumerate(fits):
            if abs(g_offset + g_slope * middle - (offset + slope * middle)) <= tolerance and (
                    max_gap is None or min(max(0, p[2] - end, start - p[3])
                                           for p in groups[index]) <= max_gap):
                groups[index].append(piece)
                xs = np.concatenate([p[4] for p in groups[index]])
                ys = np.concatenate([p[5] for p in groups[index]])
                g_slope, g_offset = np.polyfit(xs, ys, 1)
                fits[index] = (float(g_offset), float(g_slope))
                break
        else:
            groups.append([piece])
            fits.append((offset, slope))
    rules = [Rule(offset=offset, slope=slope, pieces=_merged([(p[2], p[3]) for p in group]))
             for group, (offset, slope) in zip(groups, fits, strict=True)]
    return sorted(rules, key=lambda r: r.across((r.start + r.end) / 2))


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def _table_of(columns: list[Rule], rows: list[Rule], tolerance: float) -> Grid | None:
    """The grid whose column lines are `columns`: the row lines that cross them."""
    top = float(np.median([c.start for c in columns]))
    bottom = float(np.median([c.end for c in columns]))
    left = min(c.across((top + bottom) / 2) for c in columns)
    right = max(c.across((top + bottom) / 2) for c in columns)
    middle = (left + right) / 2
    inside = [r for r in rows
              if top - tolerance <= r.across(middle) <= bottom + tolerance
              and r.covered(left, right) >= ROW_COVERAGE * (right - left)]
    if not inside:
        return None
    slope = float(np.median([r.slope for r in inside]))
    # A border lost on a photo is where the columns start or end.
    if inside[0].across(middle) > top + tolerance:
        inside.insert(0, Rule(offset=top - slope * middle, slope=slope,
                              pieces=((int(left), int(right)),)))
    if inside[-1].across(middle) < bottom - tolerance:
        inside.append(Rule(offset=bottom - slope * middle, slope=slope,
                           pieces=((int(left), int(right)),)))
    lines = _fill_lost_rows(inside, middle)
    if len(lines) < 2:
        return None
    ordered = sorted(columns, key=lambda c: c.across((top + bottom) / 2))
    return Grid(rows=tuple(lines), columns=tuple(ordered))


def _fill_lost_rows(rows: list[Rule], middle: float) -> list[Rule]:
    """Row lines with any lost one put back where the usual row pitch says it was.

    A gap between two lines that is close to twice (or three times) the
    median gap hides a line too faint to be found.
    """
    ys = [r.across(middle) for r in rows]
    gaps = np.diff(ys)
    if gaps.size < 2:
        return rows
    pitch = float(np.median(gaps))
    if pitch <= 0:
        return rows
    out = [rows[0]]
    for upper, lower, gap in zip(rows, rows[1:], gaps, strict=False):
        steps = int(round(gap / pitch))
        if steps >= 2 and abs(gap - steps * pitch) <= PITCH_TOLERANCE * pitch:
            for k in range(1, steps):
                share = k / steps
                out.append(Rule(offset=upper.offset + share * (lower.offset - upper.offset),
                                slope=upper.slope + share * (lower.slope - upper.slope),
                                pieces=upper.pieces))
        out.append(lower)
    return out


def find_grids(horizontal: np.ndarray, vertical: np.ndarray) -> list[Grid]:
    """Every ruled table of the page, top to bottom.

    Column lines of one table start and end together; a page frame or
    another table's lines do not. A column line broken on a photo is one
    rule again (find_rules); one found only in part joins the table whose
    span it lies in.
    """
    pool = -(-max(horizontal.shape[:2]) // POOLED_SIDE)
    horizontal, vertical = _pooled(horizontal, pool), _pooled(vertical, pool)
    height, width = horizontal.shape[:2]
    side = max(height, width)
    rows = find_rules(horizontal, int(width * MIN_PIECE_SHARE), SAME_RULE_SHARE * side)
    columns = find_rules(np.ascontiguousarray(vertical.T), int(height * MIN_PIECE_SHARE),
                         SAME_RULE_SHARE * side, max_gap=MAX_BREAK_SHARE * height)
    rows, columns = [_scaled(r, pool) for r in rows], [_scaled(c, pool) for c in columns]
    height, width = height * pool, width * pool
    tolerance = SAME_TABLE_SHARE * height
    groups: list[list[Rule]] = []
    # Left to right, each line is compared with the last one of each table so
    # far: on a photo taken at an angle the lines' ends drift across the table.
    for column in sorted(columns, key=lambda c: c.across((c.start + c.end) / 2)):
        home = next((g for g in groups if abs(g[-1].start - column.start) <= tolerance
                     and abs(g[-1].end - column.end) <= tolerance), None)
        if home is not None:
            home.append(column)
        else:
            groups.append([column])
    tables = [g for g in groups if len(g) >= MIN_COLUMN_LINES]
    for group in groups:
        if len(group) >= MIN_COLUMN_LINES:
            continue
        for column in group:
            # A part of a column line (broken beyond joining, by glare or a
            # fold) still divides its table: one that reaches the table's top
            # or bottom line, or spans half of it.
            table = next((t for t in tables if _part_of(column, t, tolerance)), None)
            if table is not None:
                table.append(column)
    grids = [grid for group in tables
             if (grid := _table_of(group, rows, tolerance)) is not None]
    return sorted(grids, key=lambda g: g.box.y)


def _pooled(mask: np.ndarray, pool: int) -> np.ndarray:
    """The mask `pool` times smaller, a pixel set where any of its block was."""
    if pool <= 1:
        return mask
    grown = cv2.dilate(mask, np.ones((pool, pool), np.uint8), anchor=(0, 0))
    return np.ascontiguousarray(grown[::pool, ::pool])


def _scaled(rule: Rule, pool: int) -> Rule:
    """A rule found on a pooled mask, in the full image's pixels."""
    if pool <= 1:
        return rule
    # A pooled pixel's centre is `pool` full pixels on, half a block in.
    half = (pool - 1) / 2
    return Rule(offset=rule.offset * pool + half - rule.slope * half, slope=rule.slope,
                pieces=tuple((a * pool, b * pool) for a, b in rule.pieces))


def _part_of(column: Rule, table: list[Rule], tolerance: float) -> bool:
    """Whether a column line found only in part belongs to the table of `table`'s lines."""
    top, bottom = min(c.start for c in table), max(c.end for c in table)
    length = column.end - column.start
    at_edge = column.start <= top + tolerance or column.end >= bottom - tolerance
    return (column.start >= top - tolerance and column.end <= bottom + tolerance
            and length >= (PART_AT_EDGE if at_edge else PART_INSIDE) * (bottom - top)
            and _between(column, table))


def _between(column: Rule, table: list[Rule]) -> bool:
    """Whether a column line lies between a table's outermost ones (at its own middle height)."""
    middle = (column.start + column.end) / 2
    xs = [c.across(middle) for c in table]
    return min(xs) < column.across(middle) < max(xs)


def rule_thickness(ink: np.ndarray, grid: Grid, per_line: int = 8) -> float:
    """The usual thickness of the grid's row lines in the ink mask, in pixels.

    Measured across each row line at a few places: the run of ink that
    crosses the fitted line.
    """
    height, width = ink.shape[:2]
    box = grid.box
    runs: list[int] = []
    for rule in grid.rows:
        for x in np.linspace(box.x + 0.05 * box.w, box.x + 0.95 * box.w, per_line):
            column, centre = int(x), int(round(rule.across(x)))
            if not (0 <= column < width and 0 <= centre < height) or not ink[centre, column]:
                continue
            top = bottom = centre
            while top > 0 and ink[top - 1, column] and centre - top < 20:
                top -= 1
            while bottom < height - 1 and ink[bottom + 1, column] and bottom - centre < 20:
                bottom += 1
            runs.append(bottom - top + 1)
    return float(np.median(runs)) if runs else 2.0


@dataclass(frozen=True)
class Cell:
    """A cell's part of the page with its ruled lines painted out.

    `box` is where the part lies on the page; `image` and `ink` (the page's
    ink mask) are cut to it, both without the lines.
    """

    box: Box
    image: np.ndarray
    ink: np.ndarray


def clear_cell(image: np.ndarray, ink: np.ndarray, grid: Grid, row: int, column: int,
               clear: int, span: int = 1) -> Cell:
    """Cell (row, column), or `span` cells from it along the row, lines painted out.

    The lines round the cells and between them, `clear` pixels either side,
    are painted; the part cut reaches `clear` pixels past the outer lines,
    so a line that wanders by a pixel or two from its fitted position is
    still inside the painted band, not read as a letter.
    """
    height, width = image.shape[:2]
    first = grid.cell(row, column, inset=-clear)
    last = grid.cell(row, column + span - 1, inset=-clear)
    outer = Box(x=first.x, y=min(first.y, last.y), w=last.x + last.w - first.x,
                h=max(first.y + first.h, last.y + last.h) - min(first.y, last.y))
    x0, y0 = max(0, outer.x), max(0, outer.y)
    x1, y1 = min(width, outer.x + outer.w), min(height, outer.y + outer.h)
    part = image[y0:y1, x0:x1].copy()
    part_ink = ink[y0:y1, x0:x1].copy()
    band = np.zeros(part.shape[:2], np.uint8)
    thickness = 2 * clear + 1
    for rule in (grid.rows[row], grid.rows[row + 1]):
        cv2.line(band, (0, int(round(rule.across(x0) - y0))),
                 (x1 - x0, int(round(rule.across(x1) - y0))), 1, thickness)
    for rule in grid.columns[column:column + span + 1]:
        cv2.line(band, (int(round(rule.across(y0) - x0)), 0),
                 (int(round(rule.across(y1) - x0)), y1 - y0), 1, thickness)
    # Painted the colour of the paper, not white: on a photo the paper is
    # grey, and white bands beside it would be the strongest contrast in
    # the cell for the recogniser's own threshold, above the print's.
    paper = part[(band == 0) & (part_ink == 0)]
    part[band > 0] = int(np.median(paper)) if paper.size else 255
    part_ink[band > 0] = 0
    return Cell(box=Box(x=x0, y=y0, w=x1 - x0, h=y1 - y0), image=np.ascontiguousarray(part),
                ink=part_ink)


def text_box(ink: np.ndarray, min_height_share: float = 0.15) -> Box | None:
    """The box round the text of a cell's ink mask (lines painted out), or None if empty.

    Marks shorter than `min_height_share` of the cell (specks, the paper's
    grain on a photo) do not make text; a thin mark as tall as the cell at
    its side, or as wide as it at its top or bottom, is what is left of a
    line. Small marks within the text (dots, commas) are inside the box anyway.
    """
    height, width = ink.shape[:2]
    if height == 0 or width == 0:
        return None
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8),
                                                                connectivity=8)
    kept = []
    for label in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[label])
        if h < min_height_share * height:
            continue
        if (x <= 1 or x + w >= width - 1) and h >= 0.6 * height and w <= max(3, 0.15 * h):
            continue
        if (y <= 1 or y + h >= height - 1) and w >= 0.6 * width and h <= max(3, 0.15 * w):
            continue
        kept.append((x, y, x + w, y + h))
    if not kept:
        return None
    x0, y0 = min(k[0] for k in kept), min(k[1] for k in kept)
    x1, y1 = max(k[2] for k in kept), max(k[3] for k in kept)
    return Box(x=x0, y=y0, w=x1 - x0, h=y1 - y0)

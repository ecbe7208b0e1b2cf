"""The member table of a Kartu Keluarga, read cell by cell along its ruled grid.

The grid (extractors.table_grid) gives every cell; the header row's
headings say which columns hold the row number ("No"), the name ("Nama
Lengkap") and the NIK. Each member row's NIK cell and name cell are then
read alone, one text line each, with the table's lines painted out: a
rule beside the text is otherwise read as "I" or "|" glued to it, and a
row the page reading missed is still read. The NIK is checked by its
structure (extractors.numbers.nik_field); the page reading's words in
the same cell are the second reading that confirms or doubts a value.
A row's number is its place under the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np
from rapidfuzz import fuzz

from extractors.fields import digits_only, normalise_name, normalise_text
from extractors.identity import Reading
from extractors.layout import label_key, mean_confidence, union_box
from extractors.numbers import DIGITS, Strip, nik_field
from extractors.table_grid import (Cell, Grid, clear_cell, find_grids, ink_mask, rule_masks,
                                   rule_thickness, text_box)
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import Box, ExtractedField, OcrResult, PageRef, Word
from rules.regions import Regions

MAX_MEMBERS = 10
NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ .,'-"

# Column headings of the member table, by what their column holds.
HEADINGS = {"no": "No", "nama": "Nama Lengkap", "nik": "NIK"}
# A heading read with a rule glued to it ("INIK") still matches; "Nama Ayah" does not.
HEADING_SCORE = 75
# Cell text is read at about this height of its capitals, in pixels.
READ_HEIGHT = 32.0
HEADING_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz "
# The header is the first or second row (a second may number the columns).
HEADER_ROWS = 2
# A name read the same way by the page reading and the cell reading is surer.
NAME_AGREEMENT_BONUS = 0.1
NAME_DISAGREEMENT_FACTOR = 0.8
# A name's cell read once more with its text this tall when the cell and page
# readings differ only in where the spaces are.
SPACING_HEIGHT = 40.0
# What a ruled line beside a name is read as, and how far outside the
# name's ink (a share of its height) such a mark must begin to be the rule.
RULE_MARKS = "|Il1J!([]{}"
RULE_MARK_MARGIN = 0.25
# Member fields of a row whose printed number is not its place in the table.
MISPLACED_CONFIDENCE = 0.5


@dataclass(frozen=True)
class MemberTable:
    """The member table found on a page: its grid, header row and the columns used.

    `image` is the page in grey, `ink` its ink mask, `clear` how far either
    side of a line is painted out.
    """

    grid: Grid
    header: int
    columns: dict[str, int]
    image: np.ndarray
    ink: np.ndarray
    clear: int

    def cell(self, row: int, role: str) -> Cell:
        return clear_cell(self.image, self.ink, self.grid, row, self.columns[role], self.clear)


def _roles(texts: list[str]) -> dict[str, int]:
    """Column of each heading: the best fuzzy match, each column used once."""
    scores = sorted(((fuzz.ratio(label_key(text), label_key(heading)), role, column)
                     for column, text in enumerate(texts) if label_key(text)
                     for role, heading in HEADINGS.items()), reverse=True)
    roles: dict[str, int] = {}
    for score, role, column in scores:
        if score < HEADING_SCORE:
            break
        if role not in roles and column not in roles.values():
            roles[role] = column
    return roles


def _cell_words(grid: Grid, ocr: OcrResult) -> dict[tuple[int, int], list[Word]]:
    """The page reading's words by the cell their centre lies in, left to right."""
    cells: dict[tuple[int, int], list[Word]] = {}
    for word in sorted(ocr.words, key=lambda w: w.box.x):
        where = grid.locate(word.box.x + word.box.w / 2, word.box.y + word.box.h / 2)
        if where is not None:
            cells.setdefault(where, []).append(word)
    return cells


def _header(grid: Grid, words: dict[tuple[int, int], list[Word]], image: np.ndarray,
            ink: np.ndarray, clear: int, engine: OcrEngine, ref: PageRef
            ) -> tuple[int, dict[str, int]] | None:
    """The header row and the columns of the headings, if this is the member table.

    The page reading's words in the header cells say it; when it missed
    them (the header is printed small), the first row is read again, as
    one line: a short heading ("NIK") read alone is now and then not found.
    Headings found by either reading count.
    """
    columns = len(grid.columns) - 1
    for row in range(min(HEADER_ROWS, len(grid.rows) - 2)):
        roles = _roles([" ".join(w.text for w in words.get((row, c), []))
                        for c in range(columns)])
        if "nama" in roles and "nik" in roles:
            return row, roles
    cell = clear_cell(image, ink, grid, 0, 0, clear, span=columns)
    box = text_box(cell.ink)
    if box is None:
        return None
    texts = [""] * columns
    for word in _read_line(cell, box, engine, ref, HEADING_CHARS):
        where = grid.locate(word.box.x + word.box.w / 2, word.box.y + word.box.h / 2)
        if where is not None:
            texts[where[1]] = f"{texts[where[1]]} {word.text}".strip()
    roles = merged_roles(_roles(texts), _roles([" ".join(w.text for w in words.get((0, c), []))
                                                for c in range(columns)]))
    return (0, roles) if "nama" in roles and "nik" in roles else None


def merged_roles(first: dict[str, int], second: dict[str, int]) -> dict[str, int]:
    """The headings of `first`, with those only `second` found where their column is free.

    Each reading of a header may have a heading the other lost: on a
    photographed table that slopes, the page reading placed "NIK" but not
    "Nama Lengkap" in its cell, and the one-line re-read found "Nama
    Lengkap" and read "NIK" as "MK".
    """
    roles = dict(first)
    for role, column in second.items():
        if role not in roles and column not in roles.values():
            roles[role] = column
    return roles


def member_table(image: np.ndarray, ocr: OcrResult, engine: OcrEngine, ref: PageRef
                 ) -> MemberTable | None:
    """The first ruled table with "Nama Lengkap" and "NIK" columns, or None."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    ink = ink_mask(grey)
    for grid in find_grids(*rule_masks(ink)):
        if len(grid.columns) < 3 or len(grid.rows) < 3:
            continue
        # The painted band: half the line, and room for a line that is not quite straight.
        clear = int(np.ceil(rule_thickness(ink, grid) / 2)) + 2
        found = _header(grid, _cell_words(grid, ocr), grey, ink, clear, engine, ref)
        if found is not None:
            return MemberTable(grid=grid, header=found[0], columns=found[1], image=grey,
                               ink=ink, clear=clear)
    return None


def _read_line(cell: Cell, box: Box, engine: OcrEngine, ref: PageRef, whitelist: str,
               margin_share: float = 0.5, height: float = READ_HEIGHT) -> list[Word]:
    """The words of one line of text in a cell (lines painted out), boxes on the page.

    The text is brought to a fixed height, inside a margin of paper
    (`margin_share` of that height): a one-line reading of a short word
    ("NIK") squeezed between its cell's lines often finds nothing at all.
    """
    pad_x, pad_y = int(0.5 * box.h) + 2, int(0.3 * box.h) + 2
    left, top = max(0, box.x - pad_x), max(0, box.y - pad_y)
    crop = cell.image[top:box.y + box.h + pad_y, left:box.x + box.w + pad_x]
    scale = height / max(box.h, 1)
    if abs(scale - 1.0) > 0.1:
        crop = cv2.resize(crop, None, fx=scale, fy=scale,
                          interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    else:
        scale = 1.0
    margin = int(height * margin_share)
    crop = cv2.copyMakeBorder(crop, margin, margin, margin, margin, cv2.BORDER_CONSTANT,
                              value=int(np.median(crop)))
    words = []
    for word in engine.recognise(crop, ref, psm=7, whitelist=whitelist).words:
        if not word.text.strip():
            continue
        x, y = (word.box.x - margin) / scale, (word.box.y - margin) / scale
        words.append(word.model_copy(update={"box": Box(
            x=int(round(x)) + left + cell.box.x, y=int(round(y)) + top + cell.box.y,
            w=max(1, int(round(word.box.w / scale))), h=max(1, int(round(word.box.h / scale))))}))
    return words


def _on_page(cell: Cell, box: Box) -> Box:
    return Box(x=box.x + cell.box.x, y=box.y + cell.box.y, w=box.w, h=box.h)


def _printed_number(words: list[Word]) -> int | None:
    digits = digits_only(" ".join(w.text for w in words))
    return int(digits) if digits and len(digits) <= 2 else None


def _misplaced(table: MemberTable, row: int, number: int, engine: OcrEngine, ref: PageRef,
               words: list[Word]) -> bool:
    """Whether the row's "No" cell legibly prints another number than its place.

    The page reading's words decide when they agree; they are often the
    rule read with the digit ("I4" for "1"), so a disagreement is checked
    by reading the cell itself.
    """
    printed = _printed_number(words)
    if printed is None or printed == number:
        return False
    cell = table.cell(row, "no")
    box = text_box(cell.ink)
    printed = _printed_number(_read_line(cell, box, engine, ref, DIGITS)) if box else None
    return printed is not None and printed != number


def read_members(table: MemberTable, ocr: OcrResult, engine: OcrEngine, ref: PageRef,
                 regions: Regions, today: date) -> list[ExtractedField]:
    """`anggota_<n>_nik` and `anggota_<n>_nama` of each member row, read cell by cell.

    The row's place under the header is its number; an empty row (no
    text in either cell) gives no fields. When the "No" column's printed
    number is legible and differs, the grid may have lost a line: the
    row's values are kept, below the review line.
    """
    words = _cell_words(table.grid, ocr)
    fields: list[ExtractedField] = []
    for row in range(table.header + 1, len(table.grid.rows) - 1):
        number = row - table.header
        if number > MAX_MEMBERS:
            break
        nik_cell, name_cell = table.cell(row, "nik"), table.cell(row, "nama")
        nik_box, name_box = text_box(nik_cell.ink), text_box(name_cell.ink)
        if nik_box is None and name_box is None:
            continue
        nik = _nik_cell(f"anggota_{number}_nik", nik_cell, nik_box,
                        words.get((row, table.columns["nik"]), []), engine, ref, regions, today)
        name = _name_cell(f"anggota_{number}_nama", name_cell, name_box,
                          words.get((row, table.columns["nama"]), []), engine, ref)
        if "no" in table.columns and _misplaced(table, row, number, engine, ref,
                                                words.get((row, table.columns["no"]), [])):
            nik, name = (f.model_copy(update={"confidence": min(f.confidence,
                                                                MISPLACED_CONFIDENCE)})
                         for f in (nik, name))
        fields += [nik, name]
    return fields


def _nik_cell(name: str, cell: Cell, box: Box | None, words: list[Word], engine: OcrEngine,
              ref: PageRef, regions: Regions, today: date) -> ExtractedField:
    """The NIK of a row: the cell read as digits, then the page reading's words in it."""
    readings: list[Reading] = []
    if box is not None:
        careful = Strip(cell.image, engine, ref).read(box)
        readings.append(Reading(careful.text, careful.confidence, _on_page(cell, box)))
    if words:
        readings.append(Reading("".join(w.text for w in words), mean_confidence(words),
                                union_box(words)))
    if not readings:
        return ExtractedField(name=name, value=None, confidence=0.0, box=None, raw=None)
    return nik_field(name, readings, regions, today)


def _name_cell(name: str, cell: Cell, box: Box | None, words: list[Word], engine: OcrEngine,
               ref: PageRef) -> ExtractedField:
    """A member's name read from its cell; the page reading's words confirm or doubt it."""
    page_text = normalise_name(" ".join(w.text for w in words))
    if box is None:
        return ExtractedField(name=name, value=None, confidence=0.0, box=None,
                              raw=page_text or None)
    read = _read_line(cell, box, engine, ref, NAME_CHARS)
    text = " ".join(w.text for w in read)
    value = normalise_name(text)
    on_page = _on_page(cell, box)
    own = mean_confidence(read)
    confidence = _name_confidence(own, value, words, on_page)
    page = normalise_name(_without_rule_marks(words, on_page)) if words else ""
    if value and _letters(page) == _letters(value) and page.split() != value.split():
        # The same letters split otherwise: a space lost ("SITIARSYAD") or
        # invented. A third reading, at another size, settles which.
        third = normalise_name(" ".join(
            w.text for w in _read_line(cell, box, engine, ref, NAME_CHARS, height=SPACING_HEIGHT)))
        if third.split() == page.split():
            value = page
        confidence = own if third.split() == value.split() else own * NAME_DISAGREEMENT_FACTOR
    return ExtractedField(name=name, value=value or None,
                          confidence=round(confidence, 3) if value else 0.0,
                          box=on_page, raw=text or page_text or None)


def _letters(text: str) -> str:
    return re.sub(r"[^A-Z]", "", normalise_text(text))


def _name_confidence(confidence: float, value: str, words: list[Word], box: Box) -> float:
    """The cell reading's confidence, raised when the page reading says the same.

    The page reading often glues the column's rule to a name ("ISUGIYONO",
    "|YOSEF"); a mark read outside the ink of the cell's text (left or
    right of `box`) is that rule, and the readings still agree. Any other
    difference lowers the confidence.
    """
    if not words or not value:
        return confidence
    if _letters(" ".join(w.text for w in words)) == _letters(value):
        return min(1.0, confidence + NAME_AGREEMENT_BONUS)
    if _letters(_without_rule_marks(words, box)) == _letters(value):
        return confidence
    return confidence * NAME_DISAGREEMENT_FACTOR


def _without_rule_marks(words: list[Word], box: Box) -> str:
    """The page reading's words of a name cell, without the cell's rule read
    beside them: a mark outside the ink of the cell's text (`box`)."""
    page = " ".join(w.text for w in words)
    margin = RULE_MARK_MARGIN * box.h
    if min(w.box.x for w in words) < box.x - margin:
        page = page.lstrip(RULE_MARKS)
    if max(w.box.x + w.box.w for w in words) > box.x + box.w + margin:
        page = page.rstrip(RULE_MARKS)
    return page

"""The Kartu Keluarga: its number and the member rows (name and NIK).

The number is printed under the title ("No. 6472...") and checked like a
NIK's region and date (extractors.numbers.kk_number_problems). Members
are the rows of the first table, named `anggota_<n>_nik` and
`anggota_<n>_nama` by their row number. A ruled table is read cell by
cell along its grid (extractors.kk_table). A card whose table has no
rules to find is read from the page reading's words: each row's NIK,
re-read from the image and checked, anchors the row; the name is the text
left of it, and the number printed in the "No" column names the fields.
Which member is the participant is for the rules to say, by NIK.
"""

from __future__ import annotations

import re
from datetime import date

import cv2
import numpy as np

from extractors.fields import digits_only, normalise_name, repair_digits
from extractors.identity import Reading
from extractors.kk_table import MAX_MEMBERS, NAME_CHARS, member_table, read_members
from extractors.labelled import find_labels, missing
from extractors.layout import mean_confidence, same_row, union_box
from extractors.numbers import Strip, kk_number_problems, nik_field, read_number
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import Box, ExtractedField, OcrResult, PreparedPage, Word
from rules.regions import Regions, load_regions

# Where the member table lies, as shares of the page height (top, bottom).
TABLE_BAND = (0.2, 0.65)


def _digit_words(words: list[Word], minimum: int) -> list[Word]:
    """Words holding at least `minimum` digits once letters misread for digits are repaired."""
    return [w for w in words
            if len(digits_only(repair_digits(w.text))) >= minimum
            and len(digits_only(repair_digits(w.text))) >= 0.8 * len(re.sub(r"\W", "", w.text))]


def _no_kk(ocr: OcrResult, strip: Strip, regions: Regions, today: date, above: int | None
           ) -> ExtractedField:
    """The 16-digit number nearest the top of the page, above the member table."""
    candidates = [w for w in _digit_words(list(ocr.words), 12)
                  if above is None or w.box.y < above]
    for word in sorted(candidates, key=lambda w: w.box.y):
        field = read_number("no_kk", strip, Reading(word.text, word.confidence, word.box),
                            lambda d: not kk_number_problems(d, regions, today))
        if field.value is not None:
            return field
    return missing("no_kk")


def _on_its_row(ocr: OcrResult, word: Word, typical: float) -> Word:
    """`word` with its box cut to its own text row.

    A table's vertical rule read together with a number ("|6203...") gives
    a box as tall as the rule, spanning several rows; the row is where the
    other words of its reading line sit.
    """
    if typical <= 0 or word.box.h <= 1.6 * typical:
        return word
    row = [w for w in ocr.words if w.line == word.line and w is not word
           and w.box.h <= 1.6 * typical]
    if not row:
        return word
    centre = float(np.median([w.box.y + w.box.h / 2 for w in row]))
    height = int(round(typical))
    return word.model_copy(update={"box": Box(x=word.box.x, y=int(centre - height / 2),
                                              w=word.box.w, h=height)})


def _in_row(word: Word, nik: Word) -> bool:
    """Whether `word` is on the table row of `nik`: at its height, or on the same
    line of the reading (which follows a row that slopes across a tilted page)."""
    return same_row(word, nik.box) or (word.line == nik.line
                                       and abs(word.box.y - nik.box.y) <= 2 * nik.box.h)


def _row_number(ocr: OcrResult, nik: Word) -> int | None:
    """The number in the "No" column (first on the NIK's row), if legible."""
    cells = sorted((w for w in ocr.words if w.box.x < nik.box.x and _in_row(w, nik)),
                   key=lambda w: w.box.x)
    for word in cells[:1]:
        digits = digits_only(repair_digits(word.text))
        if digits and len(digits) <= 2 and 1 <= int(digits) <= MAX_MEMBERS:
            return int(digits)
    return None


def _read_cell(strip: Strip, box: Box) -> str:
    """A table cell's text read again, with the table's ruled lines painted out.

    A vertical rule next to the text is otherwise read as "I" or "J"
    glued to the name: columns dark over nearly the whole cell height are
    rules, since letters are not that tall.
    """
    crop = strip.crop(box, pad_x=0.5, pad_y=0.6).copy()
    if crop.size == 0:
        return ""
    dark = crop < 160
    # Letters fill under half of the padded height; a rule crosses all of it.
    rules = dark.mean(axis=0) > 0.8
    rules = np.convolve(rules.astype(np.uint8), np.ones(3, dtype=np.uint8), "same") > 0
    crop[:, rules] = 255
    crop[dark.mean(axis=1) > 0.6, :] = 255
    ocr = strip.engine.recognise(crop, strip.ref, psm=7, whitelist=NAME_CHARS)
    return normalise_name(" ".join(w.text for w in ocr.words))


def _members(ocr: OcrResult, strip: Strip, regions: Regions, today: date
             ) -> list[ExtractedField]:
    headers = find_labels(ocr, "Nama Lengkap")
    nik_headers = [h for h in find_labels(ocr, "NIK") if len(h.words) == 1]
    if not headers:
        return []
    header = headers[0]
    lower = find_labels(ocr, "Status Perkawinan")
    bottom = next((h.box.y for h in lower if h.box.y > header.box.y), None)
    nik_header = next((h for h in nik_headers if same_row(h.words[0], header.box)), None)
    niks = [w for w in _digit_words(list(ocr.words), 12)
            if w.box.y > header.box.y + header.box.h // 2
            and (bottom is None or w.box.y < bottom)
            and (nik_header is None or w.box.x + w.box.w > nik_header.box.x)]
    typical = float(np.median([w.box.h for w in niks])) if niks else 0.0
    niks = [_on_its_row(ocr, w, typical) for w in niks]
    pitch_rows = sorted(niks, key=lambda w: w.box.y)
    fields: list[ExtractedField] = []
    previous = 0
    for word in pitch_rows:
        # Rows run down the table in order: a number printed in the "No"
        # column is taken only when it follows the previous row's (a ruled
        # line read as "1" does not); otherwise the row is the next one.
        printed = _row_number(ocr, word)
        number = printed if printed is not None and printed > previous else previous + 1
        if number > MAX_MEMBERS:
            break
        previous = number
        readings = [strip.read(word.box), Reading(word.text, word.confidence, word.box)]
        fields.append(nik_field(f"anggota_{number}_nik", readings, regions, today))
        name_words = sorted((w for w in ocr.words if _in_row(w, word)
                             and w.box.x + w.box.w <= word.box.x),
                            key=lambda w: w.box.x)
        # The row number in the "No" column is not part of the name.
        while name_words and digits_only(repair_digits(name_words[0].text)) and len(
                re.sub(r"\W", "", name_words[0].text)) <= 2:
            name_words = name_words[1:]
        name = normalise_name(" ".join(w.text for w in name_words))
        if name_words:
            careful = _read_cell(strip, union_box(name_words))
            name = careful or name
        fields.append(ExtractedField(
            name=f"anggota_{number}_nama", value=name or None,
            confidence=round(mean_confidence(name_words), 3) if name else 0.0,
            box=union_box(name_words) if name_words else None, raw=name or None))
    return fields


def extract_kk(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine, *,
               today: date | None = None) -> tuple[ExtractedField, ...]:
    """`no_kk`, then `anggota_<n>_nik` and `anggota_<n>_nama` per member row.

    Member rows are read cell by cell from the first ruled table whose
    header names the "Nama Lengkap" and "NIK" columns; a page without such
    a table (no rules found) is read from the words of the page reading.
    """
    today = today or date.today()
    regions = load_regions()
    strip = Strip(prepared.image, engine, prepared.ref)
    table = member_table(prepared.image, ocr, engine, prepared.ref)
    if table is not None:
        table_top: int | None = table.grid.box.y
    else:
        headers = find_labels(ocr, "Nama Lengkap")
        table_top = headers[0].box.y if headers else None
    no_kk = _no_kk(ocr, strip, regions, today, table_top)
    if table is not None:
        return (no_kk, *read_members(table, ocr, engine, prepared.ref, regions, today))
    members = _members(ocr, strip, regions, today)
    if not members:
        # The table is printed smaller than the rest of the page; a reading
        # at reduced resolution can lose it entirely. Read the upper part of
        # the page again, at full resolution.
        members = _members(_table_reading(prepared, engine), strip, regions, today)
    return (no_kk, *members)


def _without_rules(image: np.ndarray) -> np.ndarray:
    """The image with a table's ruled lines painted white.

    Tesseract's layout analysis may take a ruled table for a picture and
    skip its text; long straight runs of ink are rules, not letters.
    """
    dark = (image < 160).astype(np.uint8)
    height, width = image.shape[:2]
    rules = cv2.bitwise_or(
        cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, max(15, width // 25)), np.uint8)),
        cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((max(15, height // 12), 1), np.uint8)))
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    out = image.copy()
    out[rules > 0] = 255
    return np.ascontiguousarray(out)


def _table_reading(prepared: PreparedPage, engine: OcrEngine) -> OcrResult:
    """The first table's band of the page (under the title, above the second table)."""
    image = prepared.image
    height = image.shape[0]
    top, bottom = int(TABLE_BAND[0] * height), int(TABLE_BAND[1] * height)
    band = _without_rules(image[top:bottom])
    reading = engine.recognise(band, prepared.ref, psm=3)
    words = tuple(w.model_copy(update={"box": w.box.model_copy(update={"y": w.box.y + top})})
                  for w in reading.words)
    return reading.model_copy(update={"words": words, "height": image.shape[0]})

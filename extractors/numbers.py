"""Numbers printed on forms and cards, re-read from the image and checked.

The page OCR finds where a number is; a second, careful reading of just
that strip (one text line, digits only) decides what it is. A reading is
kept only when it has the number's structure: a NIK passes extractors.nik,
a KPJ has 11 digits, a No. KK has 16 with a known region and a valid issue
date, an old NPWP 15, an account number the length its bank uses. A letter
read for a digit is replaced only when the result passes the same check.
Nothing is invented: without a valid reading the value is None and the
text seen is kept as `raw`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np

from extractors.fields import digits_only, repair_digits, strip_separators
from extractors.identity import Reading, choose_nik
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import Box, ExtractedField, PageRef
from rules.regions import Regions

DIGITS = "0123456789"
KPJ_LENGTH = 11
NPWP_LENGTH = 15
# A value read twice the same way (page and crop) is surer than either reading.
AGREEMENT_BONUS = 0.1
# Two careful readings that disagree: keep the preferred one, say we are unsure.
DISAGREEMENT_FACTOR = 0.6
# A letter replaced by a digit, even when the result checks out.
REPAIR_FACTOR = 0.75


# Digit strips are read with the English model at about this text height: the
# Indonesian model confuses 0 and 9 in bold monospace digits and reads a colon as 1.
STRIP_LANG = "eng"
STRIP_HEIGHT = 24.0
# A number's strip is read as one word (psm 8); when that and the page reading
# disagree, it is read again as a line (psm 7) with its text this tall. As a
# line at 24 px the English model reads a bold monospace 0 opening a number as
# 6 ("66525045104" of a KPJ "06525045104"). Of 719 number strips of generated
# F5s, Kartu Peserta, NPWPs and bank books (scans and photos, bench worlds
# 90223 and 90227): line at 24 px then page, 699 right and 16 wrong; word,
# page and this tie-break, 715 right, none wrong, 4 left unread (as before).
NUMBER_PSM = 8
TIEBREAK_HEIGHT = 32.0
# A value two of three readings agree on, after a dissent: kept, but below
# the high-confidence line.
TIE_CONFIDENCE = 0.85


def clean_strip(crop: np.ndarray, text_height: int) -> np.ndarray:
    """A greyscale strip starting just before its text, without the label's colon.

    Ink is what is darker than the strip's Otsu threshold, in the rows of
    the text only (a form's ruled line under the value spans every
    column). Anything fainter left of the first ink (a photographed colon,
    a smudge) is cut, and so is a first run of ink narrower than a third of
    the text height that stands apart (a printed colon): a digits-only
    reading would force either into a digit.
    """
    grey = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    if grey.size == 0:
        return grey
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    middle = grey.shape[0] // 2
    band = grey[max(0, middle - int(0.4 * text_height)):middle + int(0.4 * text_height) + 1]
    ink = np.count_nonzero(band <= threshold, axis=0) >= 2
    columns = np.flatnonzero(ink)
    if columns.size == 0:
        return grey
    start = end = int(columns[0])
    while end + 1 < ink.size and ink[end + 1]:
        end += 1
    gap = end + 1
    while gap < ink.size and not ink[gap]:
        gap += 1
    margin = max(2, text_height // 3)
    if end - start + 1 < text_height / 3 and gap < ink.size and gap - end > 2:
        start = gap
        margin = min(margin, gap - end - 1)
    return np.ascontiguousarray(grey[:, max(0, start - margin):])


@dataclass(frozen=True)
class Strip:
    """Re-reads parts of one page image with field-specific settings.

    Meant for an engine without per-call start-up cost (the in-process
    one); each call reads one text line (page segmentation mode 7).
    """

    image: np.ndarray
    engine: OcrEngine
    ref: PageRef

    def crop(self, box: Box, pad_x: float = 0.6, pad_y: float = 0.35) -> np.ndarray:
        height, width = self.image.shape[:2]
        margin_x, margin_y = int(box.h * pad_x) + 2, int(box.h * pad_y) + 2
        left, top = max(0, box.x - margin_x), max(0, box.y - margin_y)
        right = min(width, box.x + box.w + margin_x)
        bottom = min(height, box.y + box.h + margin_y)
        return np.ascontiguousarray(self.image[top:bottom, left:right])

    def read(self, box: Box, whitelist: str | None = DIGITS, *, after_colon: bool = True,
             height: float = STRIP_HEIGHT, psm: int = 7) -> Reading:
        """The text of the line inside `box` (padded), read as one line (psm 7)
        or one word (psm 8), its text scaled to `height` px.

        With `after_colon`, the strip is cleaned first (see `clean_strip`):
        a whitelist would otherwise force a colon or smudge into a digit.
        """
        crop = clean_strip(self.crop(box), box.h) if after_colon else self.crop(box)
        if crop.size == 0:
            return Reading("", 0.0, box)
        scale = height / max(box.h, 1)
        if abs(scale - 1.0) > 0.1:
            crop = cv2.resize(crop, None, fx=scale, fy=scale,
                              interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
        ocr = self.engine.recognise(crop, self.ref, psm=psm, whitelist=whitelist, lang=STRIP_LANG)
        words = [w for w in ocr.words if w.text.strip()]
        if not words:
            return Reading("", 0.0, box)
        confidence = sum(w.confidence for w in words) / len(words)
        return Reading(" ".join(w.text for w in words), confidence, box)


def number_candidate(text: str) -> tuple[str, bool]:
    """Digits of a reading (separators dropped) and whether letters were replaced."""
    compact = strip_separators(text)
    repaired = repair_digits(compact)
    return digits_only(repaired), repaired != compact and bool(re.search(r"[^\d]", compact))


def _accepted(reading: Reading, valid: Callable[[str], bool],
              repair: Callable[[str], str | None] | None) -> tuple[str, float] | None:
    """A reading's digits and confidence when they pass `valid` (mended by `repair`
    if need be), or None."""
    digits, repaired = number_candidate(reading.text)
    if digits and not valid(digits) and repair is not None:
        mended = repair(digits)
        digits, repaired = (mended, True) if mended is not None else (digits, repaired)
    if digits and valid(digits):
        return digits, reading.confidence * (REPAIR_FACTOR if repaired else 1.0)
    return None


def choose_number(name: str, readings: Sequence[Reading], valid: Callable[[str], bool],
                  repair: Callable[[str], str | None] | None = None,
                  tiebreak: Callable[[], Reading] | None = None) -> ExtractedField:
    """The first reading whose digits pass `valid`; agreement raises confidence.

    Readings come most careful first. A reading that needed letters
    replaced is accepted at a lower confidence; so is one that fails
    `valid` until `repair` mends a digit the field's structure says was
    misread (and then passes). When valid readings disagree, `tiebreak`
    (another careful reading) is asked: a value it agrees with wins, below
    the high-confidence line (TIE_CONFIDENCE); otherwise the first is kept,
    doubted.
    """
    raw = next((r.text for r in readings if r.text.strip()), None)
    box = next((r.box for r in readings if r.box is not None), None)
    accepted = [(found[0], found[1], reading) for reading in readings
                if (found := _accepted(reading, valid, repair)) is not None]
    if not accepted:
        return ExtractedField(name=name, value=None, confidence=0.0, box=box, raw=raw)
    value, confidence, reading = accepted[0]
    others = {v for v, _c, _r in accepted[1:]}
    if value in others:
        confidence = min(1.0, confidence + AGREEMENT_BONUS)
    elif others:
        third = _accepted(tiebreak(), valid, repair) if tiebreak is not None else None
        if third is not None and third[0] in others | {value}:
            value, confidence, reading = next(item for item in accepted if item[0] == third[0])
            confidence = min(confidence, TIE_CONFIDENCE)
        else:
            confidence *= DISAGREEMENT_FACTOR
    return ExtractedField(name=name, value=value, confidence=round(confidence, 3),
                          box=reading.box or box, raw=reading.text)


def strip_reading(strip: Strip, box: Box, whitelist: str = DIGITS) -> Reading:
    """The careful reading of a number's strip: as one word, or as a line when
    the number is printed in groups ("15 1817 33015" is several words)."""
    return strip.read(box, whitelist, psm=7 if " " in whitelist else NUMBER_PSM)


def read_number(name: str, strip: Strip, page: Reading, valid: Callable[[str], bool], *,
                whitelist: str = DIGITS, repair: Callable[[str], str | None] | None = None,
                careful: Reading | None = None) -> ExtractedField:
    """The number the page reading found at `page.box`, read again from its strip.

    The strip's careful reading (`strip_reading`, or `careful` when the
    caller has it) comes first, the page reading second; when both are
    valid and differ, the strip read as a line at TIEBREAK_HEIGHT decides
    (`choose_number`).
    """
    box = page.box
    assert box is not None, "a page reading of a number has its box"
    first = careful if careful is not None else strip_reading(strip, box, whitelist)
    return choose_number(name, [first, page], valid, repair,
                         tiebreak=lambda: strip.read(box, whitelist, height=TIEBREAK_HEIGHT))


def nik_field(name: str, readings: Sequence[Reading], regions: Regions, today: date
              ) -> ExtractedField:
    """A NIK chosen among readings by extractors.identity (structure-checked)."""
    chosen = choose_nik(list(readings), regions, today)
    return ExtractedField(name=name, value=chosen.value, confidence=chosen.confidence,
                          box=chosen.box, raw=chosen.raw)


def is_kpj(digits: str) -> bool:
    return len(digits) == KPJ_LENGTH


def is_npwp(digits: str) -> bool:
    """An old-style NPWP: 15 digits, the first (taxpayer type) not zero."""
    return len(digits) == NPWP_LENGTH and digits[0] != "0"


def kk_number_problems(digits: str, regions: Regions, today: date) -> list[str]:
    """Why a No. KK cannot be real: 16 digits `PPKKCC DDMMYY SSSS`, issue date in the past."""
    if len(digits) != 16 or not digits.isdigit():
        return ["not_16_digits"]
    problems: list[str] = []
    if regions.get(digits[:2]) is None:
        problems.append("unknown_province")
    elif regions.get(digits[:6]) is None:
        problems.append("unknown_district")
    try:
        issued = date(2000 + int(digits[10:12]), int(digits[8:10]), int(digits[6:8]))
        if issued > today:
            issued = date(1900 + issued.year % 100, issued.month, issued.day)
    except ValueError:
        problems.append("invalid_issue_date")
    if int(digits[12:]) == 0:
        problems.append("zero_serial")
    return problems


def grouped_digits(text: str) -> str | None:
    """The longest digit run in `text`, allowing spaces, dots and hyphens inside it."""
    runs = re.findall(r"[0-9OIlSBZG][0-9OIlSBZG .\-]*[0-9OIlSBZG]|[0-9]", text)
    return max(runs, key=lambda r: len(digits_only(repair_digits(r))), default=None)

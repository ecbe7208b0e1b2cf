"""Fields of an e-KTP from the page OCR, with the NIK re-read from its own crop.

Labels are found by fuzzy match and values by position (the word boxes on
the label's row, to its right). Values from closed lists (religion,
marital status, blood group, citizenship, validity, job) and region names
are snapped to their lists (extractors.ktp_values, rules.regions). Other
values are re-read from full-resolution crops unless the page reading is
sure of them and their print is whole (`_sure`).

The NIK line is read by independent readers: a glyph-template reader
(extractors.digits, immune to tesseract's language model) and tesseract
with a digits whitelist, or the whole-page reading when it has the
template's digits; extractors.identity.vote_nik keeps the value the
readers agree on and that passes the NIK's structure, and None otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache

import cv2
import numpy as np
from rapidfuzz import fuzz, process

from extractors.digits import DigitLine, read_digit_line
from extractors.fields import normalise_text, parse_gender, split_place_date
from extractors.identity import AGREED_CONFIDENCE, Reading, nik_candidate, vote_nik
from extractors.ktp_values import (CITIZENSHIP, MARITAL, RELIGIONS, clean_address, clean_value,
                                   parse_blood_group, parse_job, parse_rt_rw, parse_validity,
                                   person_name, snap)
from extractors.layout import (LabelHit, find_label, mean_confidence, stretch_inks, strip_colon,
                               union_box, value_text, words_right_of)
from extractors.nik import split_nik
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import Box, ExtractedField, OcrResult, PageRef, PreparedPage, Word
from rules.regions import Regions, load_regions

DIGITS = "0123456789"
NIK_LENGTH = 16
# Measured on OCR-A-like digit lines: eng as one word first, ind as one line second.
NIK_PASSES = (("eng", 8), ("ind", 7))
CROP_CONFIDENCE = 0.85
# A template reading whose weakest glyph is this sure is a full vote.
GLYPH_SCORE = 0.6
GLYPH_MARGIN = 0.04
# More disputed glyphs than this: the readings are not of the same line.
MAX_DISPUTED = 3
# A glyph the templates leave no doubt about (correlation and lead over the runner-up).
SURE_GLYPH_SCORE = 0.85
SURE_GLYPH_MARGIN = 0.15
# Labels that may share a row with another label's value.
ROW_STOPS = ("Gol. Darah", "Gol Darah", "GOL.", "Darah")
# Birth date taken from the NIK over a one-digit misreading, and a disputed one.
DATE_FROM_NIK = 0.8
DATE_DISPUTED = 0.3
FIELD_ORDER = ("nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "gol_darah",
               "alamat", "rt_rw", "kel_desa", "kecamatan", "agama", "status_perkawinan",
               "pekerjaan", "kewarganegaraan", "berlaku_hingga", "provinsi", "kabupaten_kota")


def _field(name: str, value: str | None, words: list[Word], raw: str | None = None,
           confidence: float | None = None) -> ExtractedField:
    conf = mean_confidence(words) if confidence is None else confidence
    return ExtractedField(name=name, value=value, confidence=round(conf if value else 0.0, 3),
                          box=union_box(words) if words else None,
                          raw=raw if raw is not None else (value_text(words) or None))


def _value_words(ocr: OcrResult, label: LabelHit | None, stops: tuple[str, ...] = ()
                 ) -> list[Word]:
    if label is None:
        return []
    # Marks far taller than the label (the photo, a stamp) are passed over.
    return strip_colon(words_right_of(ocr, label.box, stops))


def _snap_region(text: str, names: tuple[str, ...], cutoff: float = 88) -> str | None:
    """The official name closest to `text` (upper-case), if clearly that one."""
    cleaned = normalise_text(text)
    if len(cleaned) < 3:
        return None
    match = process.extractOne(cleaned, list(names), scorer=fuzz.ratio, score_cutoff=cutoff)
    return str(match[0]) if match else None


@lru_cache(maxsize=8)
def _region_names(regions: Regions, level: str) -> tuple[str, ...]:
    """Upper-case names of a level ("village" for the villages table), read once."""
    if level == "village":
        return tuple(sorted({normalise_text(v.name) for v in regions.villages}))
    return tuple(sorted({normalise_text(n) for n in regions.names(level)}))


def _header_fields(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine, regions: Regions,
                   nik_label: LabelHit | None) -> list[ExtractedField]:
    """PROVINSI <name> and the KABUPATEN/KOTA line under it."""
    fields: list[ExtractedField] = []
    province = find_label(ocr, "PROVINSI", min_score=80, max_words=1)
    words = words_right_of(ocr, province.box) if province else []
    raw = value_text(words) or None
    value = _snap_region(raw or "", _region_names(regions, "provinsi"))
    if value is None and words:
        words = reread_words(prepared, engine, words)
        raw = value_text(words) or None
        value = _snap_region(raw or "", _region_names(regions, "provinsi"))
    fields.append(_field("provinsi", value, words, raw))
    limit = nik_label.box.y if nik_label else ocr.height // 3
    regency_words: list[Word] = []
    for line in ocr.lines():
        first = normalise_text(line[0].text)
        above_nik = line[0].box.y < limit
        below_province = province is None or line[0].box.y > province.box.y + province.box.h // 2
        if above_nik and below_province and (fuzz.ratio(first, "KABUPATEN") >= 80
                                             or fuzz.ratio(first, "KOTA") >= 75):
            regency_words = line
            break
    raw = value_text(regency_words) or None
    value = _snap_region(raw or "", _region_names(regions, "kab_kota"))
    if value is None and regency_words:
        regency_words = reread_words(prepared, engine, regency_words)
        raw = value_text(regency_words) or None
        value = _snap_region(raw or "", _region_names(regions, "kab_kota"))
    fields.append(_field("kabupaten_kota", value, regency_words, raw))
    return fields


def _crop(image: np.ndarray, left: int, top: int, right: int, bottom: int) -> np.ndarray:
    top, bottom = max(0, top), min(image.shape[0], bottom)
    left, right = max(0, left), min(image.shape[1], right)
    # A white border helps tesseract's line finder on tight crops.
    return np.pad(image[top:bottom, left:right], 10, constant_values=255)


def reread_words(prepared: PreparedPage, engine: OcrEngine, words: list[Word],
                 column: int | None = None) -> list[Word]:
    """The value `words` read again from a full-resolution crop of their row, as one line.

    The page is read whole at reduced resolution, which is enough for
    labels but confuses small letters and digits ("JL." as "IL.", "026" as
    "261"). The crop spans the words with a margin; with the card's value
    `column` it starts there, reaching back when the words start right of
    it (the page reading can drop a value's first letter: ": JL." read as
    "L."). The new words carry page coordinates. An empty re-reading keeps
    the page's words.
    """
    if not words:
        return words
    box = union_box(words)
    pad_y = max(3, box.h // 3)
    pad_x = max(4, box.h // 2)
    # From the value column (a little before it, for drift), not further left:
    # the colon before the value would be read as a letter (": JL." as "LJL.").
    left = box.x - pad_x if column is None else min(box.x, column) - max(2, box.h // 5)
    left, top = max(0, left), max(0, box.y - pad_y)
    crop = _crop(prepared.image, left, top, box.x + box.w + pad_x, box.y + box.h + pad_y)
    ref = PageRef(attachment_index=prepared.ref.attachment_index,
                  page_number=prepared.ref.page_number)
    reread = engine.recognise(crop, ref, psm=7)
    # _crop pads 10 px of white on every side.
    shifted = [w.model_copy(update={"box": Box(x=w.box.x + left - 10, y=w.box.y + top - 10,
                                               w=w.box.w, h=w.box.h)})
               for w in reread.words if w.text.strip()]
    return strip_colon(shifted) if shifted else words


def _nik_crop(prepared: PreparedPage, ocr: OcrResult, label: LabelHit, value_words: list[Word]
              ) -> np.ndarray:
    """The NIK row right of its label, with a margin above and below."""
    image = prepared.image
    row = union_box(list(label.words) + value_words)
    margin = max(4, row.h // 2)
    left = label.box.x + label.box.w + 2
    colon = [w for w in words_right_of(ocr, label.box, ROW_STOPS)
             if w.box.x < (value_words[0].box.x if value_words else image.shape[1])
             and not any(ch.isalnum() for ch in w.text)]
    # Start after the colon: tesseract drops a digit glued to it.
    if colon:
        left = max(left, colon[-1].box.x + colon[-1].box.w + 2)
    elif value_words:
        left = max(left, value_words[0].box.x - row.h // 2)
    right = image.shape[1] if not value_words else (
        value_words[-1].box.x + value_words[-1].box.w + 2 * margin)
    return _crop(image, left, row.y - margin, right, row.y + row.h + margin)


def _digit_run_boxes(ocr: OcrResult) -> list[Box]:
    """Boxes of words that look like a printed 16-digit number (label not found)."""
    out = []
    for word in ocr.words:
        compact = "".join(ch for ch in word.text if ch.isalnum())
        if 12 <= len(compact) <= 20 and sum(ch.isdigit() for ch in compact) >= 10:
            out.append(word.box)
    return out


def _template_reading(line: DigitLine | None, box: Box | None) -> Reading | None:
    weakest = line.weakest if line else None
    if line is None or weakest is None:
        return None
    if float(np.median([g.score for g in line.glyphs])) < GLYPH_SCORE:
        # Marks that do not look like digits at all: not the number's line.
        return None
    sure = weakest.score >= GLYPH_SCORE and weakest.margin >= GLYPH_MARGIN
    return Reading(line.text, CROP_CONFIDENCE if sure else 0.5, box)


def _sure_glyphs_vote(line: DigitLine, other: str, box: Box | None) -> Reading | None:
    """A second vote for the template reading where another reading of the same
    length disagrees only at glyphs the templates match closely and distinctly.

    Tesseract's models misread OCR-A glyphs (1 as 3, 0 as 8) that the
    templates leave no doubt about; the result still counts as disputed
    (see vote_nik) and stays below the review line.
    """
    if len(other) != len(line.text):
        return None
    disputed = [g for g, a, b in zip(line.glyphs, line.text, other) if a != b]
    if not disputed or len(disputed) > MAX_DISPUTED:
        return None
    if all(g.score >= SURE_GLYPH_SCORE and g.margin >= SURE_GLYPH_MARGIN for g in disputed):
        return Reading(line.text, CROP_CONFIDENCE, box)
    return None


def _whitelisted_confidence(words: list[Word] | tuple[Word, ...]) -> float:
    """Tesseract 5.3 reports confidence 0 for reads under a whitelist; a
    16-digit read that then passes the NIK checks is trusted at CROP_CONFIDENCE."""
    measured = mean_confidence(words)
    return measured if measured > 0 else CROP_CONFIDENCE


def _crop_readings(crop: np.ndarray, box: Box | None, engine: OcrEngine, ref: PageRef,
                   regions: Regions, today: date, gender: str | None,
                   page: Reading | None = None) -> list[Reading]:
    """Readings of one NIK crop, stopping as soon as two readers agree on a valid NIK.

    `page` is the whole-page reading of the number, if there is one. When
    the template reading is sure and the page reading has the same sixteen
    digits as printed (no letter repaired), two independent readers (glyph
    correlation at full resolution, tesseract's recogniser on the page)
    already agree, and tesseract is not asked again.
    """
    readings: list[Reading] = []
    line = read_digit_line(crop, NIK_LENGTH)
    template = _template_reading(line, box)
    if template is not None:
        readings.append(template)
        if (page is not None and template.confidence >= CROP_CONFIDENCE
                and nik_candidate(page.text) == (template.text, False)):
            readings.append(page)
            if vote_nik(readings, regions, today, gender).confidence >= AGREED_CONFIDENCE:
                return readings
            readings.pop()
    for lang, psm in NIK_PASSES:
        reread = engine.recognise(crop, ref, psm=psm, whitelist=DIGITS, lang=lang)
        text = "".join(w.text for w in reread.words)
        if text:
            readings.append(Reading(text, _whitelisted_confidence(reread.words), box))
        if vote_nik(readings, regions, today, gender).confidence >= CROP_CONFIDENCE + 0.1:
            return readings
    if line is not None and template is not None:
        for other in sorted({r.text for r in readings[1:]} - {line.text}):
            extra = _sure_glyphs_vote(line, other, box)
            if extra is not None:
                readings.append(extra)
                break
    return readings


def _read_nik(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine,
              label: LabelHit | None, gender: str | None, regions: Regions,
              today: date) -> ExtractedField:
    words = _value_words(ocr, label)
    ref = PageRef(attachment_index=prepared.ref.attachment_index,
                  page_number=prepared.ref.page_number)
    readings: list[Reading] = []
    if label is not None:
        crop = _nik_crop(prepared, ocr, label, words)
        page = Reading(value_text(words), mean_confidence(words), union_box(words)) \
            if words else None
        readings = _crop_readings(crop, union_box(words) if words else None, engine, ref,
                                  regions, today, gender, page)
        agreed = vote_nik(readings, regions, today, gender).confidence >= AGREED_CONFIDENCE
        if page is not None and not agreed:
            # The whole-page reading is made at reduced scale: a witness only when the
            # careful crop readers have not already agreed, never a dissent against them.
            readings.append(page)
    if vote_nik(readings, regions, today, gender).value is None:
        # The label was missed or its row misplaced: try digit runs found on the page.
        for box in _digit_run_boxes(ocr)[:2]:
            pad = max(4, box.h // 2)
            crop = _crop(prepared.image, box.x - pad, box.y - pad, box.x + box.w + pad,
                         box.y + box.h + pad)
            readings += _crop_readings(crop, box, engine, ref, regions, today, gender)
    chosen = vote_nik(readings, regions, today, gender)
    return ExtractedField(name="nik", value=chosen.value, confidence=chosen.confidence,
                          box=chosen.box, raw=chosen.raw)


Parser = Callable[[str], str | None]

# Values that are free text (names, addresses, numbers): re-read from their
# crop unless the page reading is sure of every word (SURE_WORD). The others
# snap to closed lists and are re-read only when the page reading does not snap.
FREE_TEXT = frozenset({"nama", "alamat", "rt_rw"})
# A word the page reading gives with this confidence is as right as its
# re-reading from a full-resolution crop: on generated e-KTP scans and
# photos no value whose every word reached it was corrected by the crop.
# Below it, the reduced scale confuses small letters and digits.
SURE_WORD = 0.85
# A value's first word starting this many text heights right of the value
# column may have lost a letter (a lost "J" puts it 0.93 right). On 18
# generated e-KTP scans and photos 86 of 108 value starts lay within 0.1 of
# the column and 2 beyond 0.3 (0.32, 0.43), which are re-read, about 10 ms each.
LOST_LETTER = 0.3
# Print darker than this (5th percentile of each stretch of a value three
# text heights wide) is ink; lighter, it is washed out.
INK_LEVEL = 100
# Paper right of a value (three text heights) is blank when no pixel is
# darker than this; the card's guilloche stays lighter.
BLANK_PAPER = 220
# Rows of village and district, whose values are snapped to official names.
REGION_ROWS = (("kel_desa", "Kel/Desa"), ("kecamatan", "Kecamatan"))
BIRTH_ROW = "Tempat/Tgl Lahir"


def _value_column(rows: dict[str, list[Word]]) -> int | None:
    """Where the card's values start: the median left edge of the rows' first value words."""
    starts = [words[0].box.x for words in rows.values() if words]
    return int(np.median(starts)) if len(starts) >= 3 else None


def _printed_whole(image: np.ndarray, words: list[Word]) -> bool:
    """Whether a value's print is dark from end to end and blank paper follows it.

    A highlight washes out letters until the recogniser no longer sees
    them, and it is then sure of what is left ("NOR" of "NORHAYATI"):
    faint marks after the value, or a pale stretch within it, show that.
    """
    box = union_box(words)
    height = max(box.h, 1)
    region = image[max(0, box.y):box.y + box.h, max(0, box.x):box.x + box.w]
    gap = max(2, height // 4)
    tail = image[max(0, box.y):box.y + box.h,
                 box.x + box.w + gap:box.x + box.w + gap + 3 * height]
    if region.size == 0 or tail.shape[1] < 3 * height:
        return False  # at the image's edge: the value may go on beyond it
    return (all(ink < INK_LEVEL for ink in stretch_inks(region, height))
            and int(tail.min()) >= BLANK_PAPER)


def _sure(image: np.ndarray, words: list[Word], column: int | None) -> bool:
    """Whether the page reading of a value can stand without re-reading its crop.

    Every word must be sure (SURE_WORD), the value must start where the
    card's values start (up to LOST_LETTER text heights to the right: the
    page reading can drop a first letter and be sure of the rest, "L.
    SUDIRMAN" of "JL. SUDIRMAN"), and its print must be whole (`_printed_whole`): a
    highlight can wash out the start or the end of a value and leave the
    recogniser sure of the rest ("INATA NO. 108" of "JL. RE MARTADINATA
    NO. 108"). Such a value is re-read, as any unsure one.
    """
    if not words or column is None:
        return False
    first = words[0].box
    return (-first.h <= first.x - column <= LOST_LETTER * first.h
            and min(w.confidence for w in words) >= SURE_WORD
            and _printed_whole(image, words))


# extractor field -> (label as printed, label match cut-off, parser of the value text)
LABELLED: dict[str, tuple[str, float, Parser]] = {
    "nama": ("Nama", 75, person_name),
    "alamat": ("Alamat", 75, lambda t: clean_address(t) or None),
    "rt_rw": ("RT/RW", 70, parse_rt_rw),
    # 80: "Alamat" cut to five letters scores 75 against "Agama".
    "agama": ("Agama", 80, lambda t: snap(t, RELIGIONS, 70)),
    "status_perkawinan": ("Status Perkawinan", 75, lambda t: snap(t, MARITAL, 75)),
    "pekerjaan": ("Pekerjaan", 75, parse_job),
    "kewarganegaraan": ("Kewarganegaraan", 75, lambda t: snap(t, CITIZENSHIP, 60)),
    "berlaku_hingga": ("Berlaku Hingga", 75, parse_validity),
}


def printed_dash(image: np.ndarray, label: Box) -> Box | None:
    """Where a lone dash is printed right of `label` (after its colon), if one is.

    Tesseract drops a lone "-" (no blood group on the card). The ink right
    of the label is a dash when, besides the colon's dots, it is one mark
    much wider than tall and no mark reaches letter height.
    """
    h = label.h
    left, top = label.x + label.w, max(0, label.y - h // 4)
    region = image[top:label.y + h + h // 4, left:left + 4 * h]
    if region.size == 0:
        return None
    ink = (region < 128).astype(np.uint8)
    count, _labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    marks = [s for s in stats[1:count] if s[4] >= 3]
    if any(s[3] >= 0.5 * h for s in marks):
        return None
    dashes = [s for s in marks if s[2] >= 1.6 * s[3] and s[2] >= 0.25 * h and s[3] <= 0.3 * h]
    if len(dashes) != 1:
        return None
    x, y, w, dash_h = (int(v) for v in dashes[0][:4])
    return Box(x=left + x, y=top + y, w=w, h=dash_h)


def _blood_group(prepared: PreparedPage, ocr: OcrResult) -> ExtractedField:
    label = find_label(ocr, "Gol. Darah", min_score=70, max_words=2)
    words = _value_words(ocr, label)
    text = value_text(words)
    value = parse_blood_group(text) if text else None
    if value is None and label is not None and not any(ch.isalnum() for ch in text):
        dash = printed_dash(prepared.image, label.box)
        if dash is not None:
            return ExtractedField(name="gol_darah", value="-", confidence=CROP_CONFIDENCE,
                                  box=dash, raw=text or None)
    return _field("gol_darah", value, words, text or None)


def _value_rows(ocr: OcrResult) -> dict[str, list[Word]]:
    """The page reading's value words of the birth row, the LABELLED and the REGION_ROWS."""
    rows = {BIRTH_ROW: _value_words(ocr, find_label(ocr, BIRTH_ROW, min_score=75))}
    for name, (label, cutoff, _parse) in LABELLED.items():
        rows[name] = _value_words(ocr, find_label(ocr, label, min_score=cutoff,
                                                  max_words=label.count(" ") + 1))
    for name, label in REGION_ROWS:
        rows[name] = _value_words(ocr, find_label(ocr, label, min_score=75, max_words=2))
    return rows


def _labelled_fields(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine,
                     regions: Regions, rows: dict[str, list[Word]], column: int | None
                     ) -> list[ExtractedField]:
    fields = [_blood_group(prepared, ocr)]
    for name, (_label, _cutoff, parse) in LABELLED.items():
        words = rows[name]
        text = value_text(words)
        sure = name not in FREE_TEXT or _sure(prepared.image, words, column)
        value = parse(text) if text and sure else None
        if value is None and words:
            words = reread_words(prepared, engine, words, column)
            text = value_text(words)
            value = parse(text) if text else None
        fields.append(_field(name, value, words, text or None))
    for name, _label in REGION_ROWS:
        names = _region_names(regions, "village" if name == "kel_desa" else "kecamatan")
        words = rows[name]
        value = _region_value(words, names) if _sure(prepared.image, words, column) else None
        if value is None:
            words = reread_words(prepared, engine, words, column)
            value = _region_value(words, names)
        fields.append(_field(name, value, words, value_text(words) or None))
    return fields


def _region_value(words: list[Word], names: tuple[str, ...]) -> str | None:
    """A village or district name: the official one when clearly that, else as read."""
    text = clean_value(value_text(words))
    # The tables are not complete: an unlisted name is kept.
    return (_snap_region(text, names, 90) or text) if len(text) >= 3 else None


def _nik_birth_date(nik: ExtractedField, today: date) -> date | None:
    """The birth date an agreed NIK encodes; None without one."""
    parts = split_nik(nik.value) if nik.value and nik.confidence >= AGREED_CONFIDENCE else None
    return parts.birth_date(today) if parts else None


def _birth_date(born: date | None, nik: ExtractedField, words: list[Word], raw: str | None,
                today: date) -> ExtractedField:
    """The printed birth date, checked against the one the NIK encodes.

    Both state the same fact. When the NIK was read by agreeing readers and
    the printed date differs from its date in one digit, the printed digit
    was misread: the NIK's date is used, with a confidence below the review
    line. A larger disagreement keeps the printed date but marks it unsure.
    """
    field = _field("tanggal_lahir", born.isoformat() if born else None, words, raw)
    parts = split_nik(nik.value) if nik.value else None
    encoded = parts.birth_date(today) if parts else None
    if born is None or encoded is None or encoded == born:
        return field
    printed, expected = born.strftime("%d%m%Y"), encoded.strftime("%d%m%Y")
    differing = sum(a != b for a, b in zip(printed, expected))
    if differing == 1 and nik.confidence >= AGREED_CONFIDENCE:
        return field.model_copy(update={"value": encoded.isoformat(),
                                        "confidence": min(field.confidence, DATE_FROM_NIK)})
    return field.model_copy(update={"confidence": min(field.confidence, DATE_DISPUTED)})


def extract_ktp(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine,
                *, today: date | None = None) -> tuple[ExtractedField, ...]:
    """Every field of FIELD_ORDER, in that order.

    A field that cannot be read has value None, confidence 0 and the raw
    OCR text (if any). `today` bounds plausible birth dates (default: the
    current date).
    """
    regions = load_regions()
    today = today or date.today()
    nik_label = find_label(ocr, "NIK", min_score=66, max_words=1)
    fields = _header_fields(prepared, ocr, engine, regions, nik_label)

    gender_words = _value_words(ocr, find_label(ocr, "Jenis Kelamin", min_score=75), ROW_STOPS)
    gender = parse_gender(value_text(gender_words))
    fields.append(_field("jenis_kelamin", gender, gender_words))

    nik = _read_nik(prepared, ocr, engine, nik_label, gender, regions, today)
    fields.append(nik)

    rows = _value_rows(ocr)
    column = _value_column(rows)
    birth_words = rows[BIRTH_ROW]
    raw = value_text(birth_words)
    sure = _sure(prepared.image, birth_words, column)
    place, born = split_place_date(raw) if sure else (None, None)
    if place is None or born is None or born != _nik_birth_date(nik, today):
        # Unsure, incomplete, or not the date the NIK encodes: read the crop.
        birth_words = reread_words(prepared, engine, birth_words, column)
        raw = value_text(birth_words)
        place, born = split_place_date(raw) if raw else (None, None)
    fields.append(_field("tempat_lahir", place, birth_words, raw or None))
    fields.append(_birth_date(born, nik, birth_words, raw or None, today))
    fields += _labelled_fields(prepared, ocr, engine, regions, rows, column)
    return tuple(sorted(fields, key=lambda f: FIELD_ORDER.index(f.name)))

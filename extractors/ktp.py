"""Fields of an e-KTP from the page OCR, with the NIK re-read from its own crop.

Labels are found by fuzzy match and values by position (the word boxes on
the label's row, to its right). The NIK line is read again with a digits
whitelist in single-line mode; see extractors.identity for how readings
are chosen and when a repair is allowed.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from rapidfuzz import fuzz, process

from extractors.fields import normalise_name, normalise_text, parse_gender, split_place_date
from extractors.identity import Reading, choose_nik
from extractors.layout import (LabelHit, find_label, mean_confidence, strip_colon, union_box,
                               value_text, words_right_of)
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import ExtractedField, OcrResult, PageRef, PreparedPage, Word
from rules.regions import Regions, load_regions

DIGITS = "0123456789"
NIK_PASSES = (("eng", 8), ("ind", 7))
CROP_CONFIDENCE = 0.85
# Labels that may share a row with another label's value.
ROW_STOPS = ("Gol. Darah", "Gol Darah", "GOL.", "Darah")


def _field(name: str, value: str | None, words: list[Word], raw: str | None = None,
           confidence: float | None = None) -> ExtractedField:
    conf = mean_confidence(words) if confidence is None else confidence
    return ExtractedField(name=name, value=value, confidence=round(conf if value else 0.0, 3),
                          box=union_box(words) if words else None,
                          raw=raw if raw is not None else (value_text(words) or None))


def _value_words(ocr: OcrResult, label: LabelHit | None) -> list[Word]:
    if label is None:
        return []
    return strip_colon(words_right_of(ocr, label.box, ROW_STOPS))


def _snap_region(text: str, regions: Regions, level: str) -> str | None:
    """The official name closest to `text` (upper-case), if clearly that one."""
    cleaned = normalise_text(text)
    if len(cleaned) < 3:
        return None
    names = {normalise_text(n): n for n in regions.names(level)}
    match = process.extractOne(cleaned, list(names), scorer=fuzz.ratio, score_cutoff=88)
    return str(match[0]) if match else None


def _header_fields(ocr: OcrResult, regions: Regions, nik_label: LabelHit | None
                   ) -> list[ExtractedField]:
    """PROVINSI <name> and the KABUPATEN/KOTA line under it."""
    fields: list[ExtractedField] = []
    province = find_label(ocr, "PROVINSI", min_score=80, max_words=1)
    words = words_right_of(ocr, province.box) if province else []
    raw = value_text(words) or None
    fields.append(_field("provinsi", _snap_region(raw or "", regions, "provinsi"), words, raw))
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
    fields.append(_field("kabupaten_kota", _snap_region(raw or "", regions, "kab_kota"),
                         regency_words, raw))
    return fields


def _nik_crop(prepared: PreparedPage, ocr: OcrResult, label: LabelHit, value_words: list[Word]
              ) -> np.ndarray:
    """The NIK row right of its label, with a margin above and below."""
    image = prepared.image
    row = union_box(list(label.words) + value_words)
    margin = max(4, row.h // 2)
    top = max(0, row.y - margin)
    bottom = min(image.shape[0], row.y + row.h + margin)
    left = label.box.x + label.box.w + 2
    colon = [w for w in words_right_of(ocr, label.box, ROW_STOPS)
             if w.box.x < (value_words[0].box.x if value_words else image.shape[1])
             and not any(ch.isalnum() for ch in w.text)]
    # Start after the colon: tesseract drops a digit glued to it.
    if colon:
        left = max(left, colon[-1].box.x + colon[-1].box.w + 2)
    elif value_words:
        left = max(left, value_words[0].box.x - row.h // 2)
    left = max(0, left)
    right = image.shape[1] if not value_words else min(
        image.shape[1], value_words[-1].box.x + value_words[-1].box.w + 3 * margin)
    crop = image[top:bottom, left:right]
    # A white border helps tesseract's line finder on tight crops.
    return np.pad(crop, 10, constant_values=255)


def _whitelisted_confidence(words: list[Word] | tuple[Word, ...]) -> float:
    """Tesseract 5.3 reports confidence 0 for reads under a whitelist; a
    16-digit read that then passes the NIK checks is trusted at CROP_CONFIDENCE."""
    measured = mean_confidence(words)
    return measured if measured > 0 else CROP_CONFIDENCE


def _read_nik(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine,
              label: LabelHit | None, gender: str | None, regions: Regions,
              today: date) -> ExtractedField:
    words = _value_words(ocr, label)
    readings: list[Reading] = []
    if label is not None:
        crop = _nik_crop(prepared, ocr, label, words)
        ref = PageRef(attachment_index=prepared.ref.attachment_index,
                      page_number=prepared.ref.page_number)
        box = union_box(words) if words else None
        # Measured on OCR-A digit lines: eng as one word first, ind as one line second.
        for lang, psm in NIK_PASSES:
            reread = engine.recognise(crop, ref, psm=psm, whitelist=DIGITS, lang=lang)
            text = "".join(w.text for w in reread.words)
            if text:
                readings.append(Reading(text, _whitelisted_confidence(reread.words), box))
            if choose_nik(readings, regions, today, gender).value is not None:
                break
    if words:
        readings.append(Reading(value_text(words), mean_confidence(words), union_box(words)))
    if not readings:
        readings.extend(_loose_nik_readings(ocr))
    chosen = choose_nik(readings, regions, today, gender)
    return ExtractedField(name="nik", value=chosen.value, confidence=chosen.confidence,
                          box=chosen.box, raw=chosen.raw)


def _loose_nik_readings(ocr: OcrResult) -> list[Reading]:
    """Sixteen-character runs anywhere on the page when the NIK label was not found."""
    out: list[Reading] = []
    for word in ocr.words:
        compact = "".join(ch for ch in word.text if ch.isalnum())
        if len(compact) == 16 and sum(ch.isdigit() for ch in compact) >= 12:
            out.append(Reading(word.text, word.confidence * 0.8, word.box))
    return out


def extract_ktp(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine,
                *, today: date | None = None) -> tuple[ExtractedField, ...]:
    """nik, nama, tempat_lahir, tanggal_lahir, jenis_kelamin, provinsi, kabupaten_kota.

    A field that cannot be read has value None, confidence 0 and the raw
    OCR text (if any). `today` bounds plausible birth dates (default: the
    current date).
    """
    regions = load_regions()
    today = today or date.today()
    nik_label = find_label(ocr, "NIK", min_score=66, max_words=1)
    fields = _header_fields(ocr, regions, nik_label)

    gender_words = _value_words(ocr, find_label(ocr, "Jenis Kelamin", min_score=75))
    gender = parse_gender(value_text(gender_words))
    fields.append(_field("jenis_kelamin", gender, gender_words))

    fields.append(_read_nik(prepared, ocr, engine, nik_label, gender, regions, today))

    name_words = _value_words(ocr, find_label(ocr, "Nama", min_score=75, max_words=1))
    fields.append(_field("nama", normalise_name(value_text(name_words)) or None, name_words))

    birth_words = _value_words(ocr, find_label(ocr, "Tempat/Tgl Lahir", min_score=75))
    raw = value_text(birth_words)
    place, born = split_place_date(raw) if raw else (None, None)
    fields.append(_field("tempat_lahir", place, birth_words, raw or None))
    fields.append(_field("tanggal_lahir", born.isoformat() if born else None, birth_words,
                         raw or None))
    order = ("nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "provinsi",
             "kabupaten_kota")
    return tuple(sorted(fields, key=lambda f: order.index(f.name)))


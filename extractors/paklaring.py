"""The paklaring (employer's letter): employer, worker, start and end of work.

The employer's name heads the letter and is repeated in the opening
sentence ("... pimpinan PT X,"); the sentence is preferred because it is
set in body text, and the letterhead confirms it. Dates are written out
("12 Juni 2020") after "sejak tanggal" and "sampai dengan tanggal".
"""

from __future__ import annotations

import re
from datetime import date

from rapidfuzz import fuzz

from extractors.fields import normalise_name, normalise_text, parse_date_id
from extractors.labelled import find_labels, missing, name_field, value_right_of
from extractors.layout import mean_confidence, union_box
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import ExtractedField, OcrResult, PreparedPage, Word

_COMPANY = re.compile(r"^(PT|CV|UD|KOPERASI|YAYASAN|PD|FIRMA)\b")


def _line_texts(ocr: OcrResult) -> list[tuple[str, list[Word]]]:
    return [(normalise_text(" ".join(w.text for w in line)), line) for line in ocr.lines()]


def _employer(ocr: OcrResult) -> ExtractedField:
    lines = _line_texts(ocr)
    sentence: tuple[str, list[Word]] | None = None
    for text, words in lines:
        match = re.search(r"PIMPINAN\s+(.+?)\s*,?\s*$", text)
        if match:
            sentence = (normalise_name(match.group(1)).rstrip(",. "), words)
            break
    heads = [(normalise_name(text), words) for text, words in lines[:6]
             if _COMPANY.match(normalise_name(text))]
    if sentence and sentence[0]:
        agrees = any(fuzz.ratio(sentence[0], head) >= 90 for head, _w in heads)
        confidence = mean_confidence(sentence[1]) * (1.0 if agrees else 0.8)
        return ExtractedField(name="employer", value=sentence[0], confidence=round(confidence, 3),
                              box=union_box(sentence[1]), raw=sentence[0])
    if heads:
        head, words = heads[0]
        return ExtractedField(name="employer", value=head,
                              confidence=round(0.8 * mean_confidence(words), 3),
                              box=union_box(words), raw=head)
    return missing("employer")


def _date_after(ocr: OcrResult, phrase: str, name: str) -> ExtractedField:
    key = re.sub(r"\s+", " ", phrase.upper())
    for text, words in _line_texts(ocr):
        position = text.find(key)
        if position < 0 and fuzz.partial_ratio(key, text) >= 88:
            position = 0
        if position < 0:
            continue
        found = parse_date_id(text[position + len(key):] if position else text)
        if found is None:
            found = parse_date_id(text)
        if found is not None:
            return ExtractedField(name=name, value=found.isoformat(),
                                  confidence=round(mean_confidence(words), 3),
                                  box=union_box(words), raw=text)
        return missing(name, text, union_box(words))
    return missing(name)


def extract_paklaring(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine, *,
                      today: date | None = None) -> tuple[ExtractedField, ...]:
    """`employer`, `nama`, `mulai_kerja` and `berhenti_kerja` (ISO dates)."""
    del prepared, engine, today  # the page reading suffices: no numbers to re-read
    names = [h for h in find_labels(ocr, "Nama") if len(h.words) == 1]
    nama = name_field("nama", value_right_of(ocr, names[0])) if names else missing("nama")
    return (_employer(ocr), nama, _date_after(ocr, "sejak tanggal", "mulai_kerja"),
            _date_after(ocr, "sampai dengan tanggal", "berhenti_kerja"))

"""The BPJS Ketenagakerjaan membership card: KPJ number and holder's name.

The KPJ is printed large and grouped ("17 5000 80636") under the title,
without a label: it is the line whose digits, read again from the image
with a digits-only setting, make 11.
"""

from __future__ import annotations

from datetime import date

from extractors.fields import digits_only, repair_digits
from extractors.identity import Reading
from extractors.labelled import find_labels, missing, name_field, value_right_of
from extractors.layout import mean_confidence, union_box
from extractors.numbers import Strip, is_kpj, read_number
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import ExtractedField, OcrResult, PreparedPage

KPJ_WHITELIST = "0123456789 "


def _kpj_lines(ocr: OcrResult) -> list[Reading]:
    """Lines made of digit groups only whose digits could be a KPJ (9-13 of them)."""
    readings: list[Reading] = []
    for line in ocr.lines():
        text = " ".join(w.text for w in line)
        compact = text.replace(" ", "")
        digits = digits_only(repair_digits(compact))
        if 9 <= len(digits) <= 13 and len(digits) >= 0.8 * len(compact):
            readings.append(Reading(text, mean_confidence(line), union_box(line)))
    return readings


def extract_kartu_peserta(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine, *,
                          today: date | None = None) -> tuple[ExtractedField, ...]:
    """`kpj` (11 digits) and `nama`; an unreadable one has value None."""
    del today  # nothing on the card depends on the date
    strip = Strip(prepared.image, engine, prepared.ref)
    kpj = missing("kpj")
    for page_reading in _kpj_lines(ocr):
        kpj = read_number("kpj", strip, page_reading, is_kpj, whitelist=KPJ_WHITELIST)
        if kpj.value is not None:
            break
    names = find_labels(ocr, "Nama")
    nama = name_field("nama", value_right_of(ocr, names[0])) if names else missing("nama")
    return kpj, nama

"""The NPWP card: tax number, holder's name, and the NIK printed under it.

The number follows the "NPWP" label: old style 15 digits
(`99.999.999.9-999.999`), or since 2024 the holder's NIK. The name has no
label: it is the first line of letters under the number.
"""

from __future__ import annotations

import re
from datetime import date

from extractors.identity import Reading, choose_nik
from extractors.labelled import Value, find_labels, missing, name_field, value_right_of
from extractors.numbers import Strip, is_npwp, nik_field, read_number, strip_reading
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import ExtractedField, OcrResult, PreparedPage
from rules.regions import Regions, load_regions

NPWP_WHITELIST = "0123456789.-"


def _npwp(strip: Strip, value: Value, regions: Regions, today: date) -> ExtractedField:
    if value.box is None:
        return missing("npwp")
    page = Reading(value.text, value.confidence, value.box)
    careful = strip_reading(strip, value.box, NPWP_WHITELIST)
    old = read_number("npwp", strip, page, is_npwp, whitelist=NPWP_WHITELIST, careful=careful)
    if old.value is not None:
        return old
    # The NIK that has stood for an NPWP since 2024.
    chosen = choose_nik([careful, page], regions, today)
    return ExtractedField(name="npwp", value=chosen.value, confidence=chosen.confidence,
                          box=chosen.box, raw=chosen.raw)


def _name_below(ocr: OcrResult, below: int, above: int | None) -> Value | None:
    """The first line of mostly letters between two heights."""
    for line in ocr.lines():
        top = min(w.box.y for w in line)
        if top <= below or (above is not None and top >= above):
            continue
        text = " ".join(w.text for w in line)
        if sum(c.isalpha() for c in text) >= max(2, 0.7 * len(re.sub(r"\s", "", text))):
            return Value(words=tuple(line), label=line[0].box)
    return None


def extract_npwp(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine, *,
                 today: date | None = None) -> tuple[ExtractedField, ...]:
    """`npwp` (15 digits or a NIK), `nama`, and `nik` when printed."""
    today = today or date.today()
    regions = load_regions()
    strip = Strip(prepared.image, engine, prepared.ref)
    # Four letters: one misread letter ("NPMP") still leaves the label recognisable.
    labels = [h for h in find_labels(ocr, "NPWP", min_score=70) if len(h.words) == 1]
    number_hit = next((h for h in labels if value_right_of(ocr, h).words), None)
    nik_hits = find_labels(ocr, "NIK")
    nik_hit = next((h for h in nik_hits if number_hit is None or h.box.y > number_hit.box.y),
                   None)
    fields: list[ExtractedField] = []
    if number_hit is None:
        fields.append(missing("npwp"))
        fields.append(missing("nama"))
    else:
        value = value_right_of(ocr, number_hit)
        fields.append(_npwp(strip, value, regions, today))
        bottom = max(w.box.y + w.box.h for w in (*value.words, *number_hit.words))
        name = _name_below(ocr, bottom - 2, nik_hit.box.y - 2 if nik_hit else None)
        fields.append(name_field("nama", name))
    if nik_hit is not None:
        value = value_right_of(ocr, nik_hit)
        readings = ([strip.read(value.box), Reading(value.text, value.confidence, value.box)]
                    if value.box is not None else [])
        fields.append(nik_field("nik", readings, regions, today))
    return tuple(fields)

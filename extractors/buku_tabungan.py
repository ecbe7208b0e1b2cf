"""The first page of a savings book: bank, account number, holder's name.

The bank is any line of the page that snaps to a known bank name
(extractors.banks), else a short name printed alone ("BRI"), found in the
page reading or else in the masthead read again (`read_masthead`); its
account length then checks the number read right of "No. Rekening".
"""

from __future__ import annotations

from datetime import date

import numpy as np
from rapidfuzz import fuzz

from extractors.banks import BANKS, account_lengths
from extractors.fields import normalise_text
from extractors.identity import Reading
from extractors.labelled import find_labels, label_key, missing, name_field, value_right_of
from extractors.layout import mean_confidence, union_box
from extractors.numbers import Strip, read_number
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import ExtractedField, OcrResult, PreparedPage

ACCOUNT_WHITELIST = "0123456789-"
# The share of the page, from the top, that holds the bank's masthead.
MASTHEAD_SHARE = 0.25


def find_bank(ocr: OcrResult) -> ExtractedField:
    """The bank whose full name best matches a line of the page, or whose short name stands alone."""
    best: tuple[float, str, ExtractedField] | None = None
    for line in ocr.lines():
        text = normalise_text(" ".join(w.text for w in line))
        for name, (shorts, _lengths) in BANKS.items():
            score = fuzz.partial_ratio(name, text) if len(text) >= 0.6 * len(name) else 0.0
            if any(label_key(w.text) == label_key(short) for w in line for short in shorts):
                score = max(score, 90.0)
            if score >= 85 and (best is None or score > best[0]):
                field = ExtractedField(name="bank", value=name,
                                       confidence=round(mean_confidence(line) * score / 100, 3),
                                       box=union_box(line), raw=text)
                best = (score, name, field)
    return best[2] if best else missing("bank")


def read_masthead(prepared: PreparedPage, engine: OcrEngine) -> OcrResult:
    """The top of the page (MASTHEAD_SHARE of it) read at full resolution as sparse text.

    The bank's name is printed in a coloured band at the top, light on
    dark beside a logo, which the flattened lighting leaves as pale letters
    edged in grey; the reduced page reading can miss it. Read as scattered
    words (psm 11) at full size, the band gave the bank of 13 of the 15
    generated books whose page reading had not (scans and photos of bench
    worlds 90223 and 90229, 120 books), and no wrong one, at about 0.06 s.
    The band's boxes are the page's: it starts at the top.
    """
    band = prepared.image[:max(1, int(MASTHEAD_SHARE * prepared.image.shape[0]))]
    return engine.recognise(np.ascontiguousarray(band), prepared.ref, psm=11)


def extract_buku_tabungan(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine, *,
                          today: date | None = None) -> tuple[ExtractedField, ...]:
    """`bank` (printed name), `no_rekening` (digits) and `nama`."""
    del today  # nothing on the book depends on the date
    strip = Strip(prepared.image, engine, prepared.ref)
    bank = find_bank(ocr)
    if bank.value is None:
        bank = find_bank(read_masthead(prepared, engine))
    account = missing("no_rekening")
    hits = find_labels(ocr, "No. Rekening")
    if hits:
        value = value_right_of(ocr, hits[0])
        if value.box is not None:
            lengths = account_lengths(bank.value)
            account = read_number("no_rekening", strip,
                                  Reading(value.text, value.confidence, value.box),
                                  lambda d: len(d) in lengths, whitelist=ACCOUNT_WHITELIST)
    names = [h for h in find_labels(ocr, "Nama") if len(label_key(h.words[0].text)) <= 5]
    nama = name_field("nama", value_right_of(ocr, names[0])) if names else missing("nama")
    return bank, account, nama


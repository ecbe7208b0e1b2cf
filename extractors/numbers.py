"""Identity and account numbers of the other document kinds, read cheaply.

A regular expression over the page OCR plus a structure check: 16-digit
numbers must pass extractors.nik, KPJ numbers have 11 digits, old-style
NPWP 15, account numbers 10-16 next to a "Rekening" label. Deeper,
label-by-label extraction of these kinds is separate work.
"""

from __future__ import annotations

import re
from datetime import date

from extractors.fields import digits_only, normalise_text
from extractors.identity import Reading, choose_nik
from extractors.layout import find_label, mean_confidence, union_box, words_right_of
from pipeline.types import DocumentKind, ExtractedField, OcrResult, Word
from rules.regions import Regions, load_regions

# A digit run possibly grouped by spaces, dots or hyphens.
_GROUPED = re.compile(r"(?<![0-9A-Za-z])[0-9OIlSBZG][0-9OIlSBZG .\-]{8,26}[0-9OIlSBZG]"
                      r"(?![0-9A-Za-z])")
_NPWP_OLD = re.compile(r"(?<!\d)(\d{2})[.\s]?(\d{3})[.\s]?(\d{3})[.\s]?(\d)[-.\s]?(\d{3})[.\s]?"
                       r"(\d{3})(?!\d)")


def _line_runs(ocr: OcrResult) -> list[tuple[str, list[Word]]]:
    """Each digit-like run of a line with the words it spans."""
    runs: list[tuple[str, list[Word]]] = []
    for line in ocr.lines():
        text = " ".join(w.text for w in line)
        starts, position = [], 0
        for word in line:
            starts.append(position)
            position += len(word.text) + 1
        for match in _GROUPED.finditer(text):
            words = [w for w, s in zip(line, starts)
                     if s < match.end() and s + len(w.text) > match.start()]
            runs.append((match.group(0), words))
    return runs


def _field(name: str, value: str | None, confidence: float, words: list[Word],
           raw: str | None) -> ExtractedField:
    return ExtractedField(name=name, value=value, confidence=round(confidence if value else 0, 3),
                          box=union_box(words) if words else None, raw=raw)


def _niks(ocr: OcrResult, regions: Regions, today: date, name: str = "nik"
          ) -> list[ExtractedField]:
    out: list[ExtractedField] = []
    seen: set[str] = set()
    for text, words in _line_runs(ocr):
        chosen = choose_nik([Reading(text, mean_confidence(words), None)], regions, today)
        if chosen.value and chosen.value not in seen:
            seen.add(chosen.value)
            out.append(_field(name, chosen.value, chosen.confidence, words, text))
    return out


def _digits_near(ocr: OcrResult, label: str, lengths: range, name: str) -> ExtractedField | None:
    """Digits right of `label` on its row, when their count is in `lengths`."""
    hit = find_label(ocr, label, min_score=80)
    if hit is None:
        return None
    words = words_right_of(ocr, hit.box)
    text = " ".join(w.text for w in words)
    match = re.search(r"\d[\d .\-]*\d", text)
    raw = match.group(0) if match else (text or None)
    digits = digits_only(match.group(0)) if match else ""
    value = digits if len(digits) in lengths else None
    return _field(name, value, mean_confidence(words), words, raw)


def _plain_runs(ocr: OcrResult, length: int, name: str) -> list[ExtractedField]:
    out: list[ExtractedField] = []
    for text, words in _line_runs(ocr):
        digits = digits_only(text)
        if len(digits) == length and re.fullmatch(r"[\d .\-]+", text):
            out.append(_field(name, digits, mean_confidence(words), words, text))
    return out


def extract_numbers(kind: DocumentKind, ocr: OcrResult, *, today: date | None = None
                    ) -> tuple[ExtractedField, ...]:
    """The numbers worth checking on a KK, F5, membership card, bank book or NPWP.

    kk: no_kk (the number on the title line) then each member `nik`;
    f5: `nik` (first valid) and `kpj`; kartu_peserta: `kpj`;
    buku_tabungan: `no_rekening`; npwp: `npwp` (15 digits, or a NIK).
    """
    regions = load_regions()
    today = today or date.today()
    fields: list[ExtractedField] = []
    if kind is DocumentKind.KK:
        niks = _niks(ocr, regions, today)
        title = [f for f in niks if f.box is not None and _on_title_line(ocr, f)]
        if title:
            fields.append(title[0].model_copy(update={"name": "no_kk"}))
            niks = [f for f in niks if f.value != title[0].value]
        fields.extend(niks)
    elif kind is DocumentKind.F5:
        fields.extend(_niks(ocr, regions, today)[:2])
        kpj = _digits_near(ocr, "KPJ", range(11, 12), "kpj") or next(
            iter(_plain_runs(ocr, 11, "kpj")), None)
        fields.extend([kpj] if kpj else [])
    elif kind is DocumentKind.KARTU_PESERTA:
        fields.extend(_plain_runs(ocr, 11, "kpj")[:1])
    elif kind is DocumentKind.BUKU_TABUNGAN:
        account = _digits_near(ocr, "Rekening", range(10, 17), "no_rekening")
        fields.extend([account] if account else [])
    elif kind is DocumentKind.NPWP:
        fields.extend(_npwp(ocr, regions, today))
    return tuple(fields)


def _on_title_line(ocr: OcrResult, field: ExtractedField) -> bool:
    assert field.box is not None
    for line in ocr.lines():
        text = normalise_text(" ".join(w.text for w in line))
        middle = field.box.y + field.box.h // 2
        if any(w.box.y <= middle <= w.box.y + w.box.h for w in line) and (
                "KELUARGA" in text or text.startswith("NO")):
            return True
    return False


def _npwp(ocr: OcrResult, regions: Regions, today: date) -> list[ExtractedField]:
    for text, words in _line_runs(ocr):
        match = _NPWP_OLD.search(text)
        if match:
            return [_field("npwp", "".join(match.groups()), mean_confidence(words), words, text)]
    return [f.model_copy(update={"name": "npwp"}) for f in _niks(ocr, regions, today)[:1]]

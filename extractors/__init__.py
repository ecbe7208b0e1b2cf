"""PreparedPage + OCR engine -> Document: classify, then the kind's extractor."""

from __future__ import annotations

from datetime import date

import numpy as np

from extractors.classify import classify
from extractors.ktp import extract_ktp
from extractors.numbers import extract_numbers
from pipeline.adapters.ocr import OcrEngine
from pipeline.imaging.geometry import rotate_quarter
from pipeline.types import Document, DocumentKind, ExtractedField, OcrResult, PreparedPage

# Pages whose pixels barely vary hold nothing, not a photograph.
BLANK_STD = 8.0
# Below this share of confident words a reading is checked the other way up.
POOR_READING_SHARE = 0.45
# Ceiling on field confidence when the page quality says it cannot be trusted.
UNREADABLE_CONFIDENCE = 0.2


def _distrust(fields: tuple[ExtractedField, ...]) -> tuple[ExtractedField, ...]:
    """Values of an unreadable page withheld: raw text kept for the officer."""
    return tuple(f.model_copy(update={"value": None, "raw": f.raw or f.value,
                                      "confidence": min(f.confidence, UNREADABLE_CONFIDENCE)})
                 for f in fields)


def text_score(ocr: OcrResult) -> float:
    """How much real text a reading found: confident words of three or more letters.

    Upside-down text still yields words, but short, odd and unsure ones;
    the same page the right way up scores far higher.
    """
    return sum(w.confidence for w in ocr.words
               if len(w.text) >= 3 and sum(c.isalnum() for c in w.text) >= 3
               and w.confidence >= 0.5)


def _read_upright(prepared: PreparedPage, engine: OcrEngine) -> tuple[PreparedPage, OcrResult]:
    """Read the page; when the reading is poor, read it turned half-way too.

    The cheap orientation test in preparation can be fooled by pages set in
    capitals; a second reading, paid only for poor pages, settles it by
    what the recogniser actually finds.
    """
    ocr = engine.recognise(prepared.image, prepared.ref, psm=3)
    words = [w for w in ocr.words if len(w.text) >= 3]
    if not words or text_score(ocr) >= POOR_READING_SHARE * len(words):
        return prepared, ocr
    turned_image = np.ascontiguousarray(rotate_quarter(prepared.image, 180))
    turned = engine.recognise(turned_image, prepared.ref, psm=3)
    if text_score(turned) <= 1.5 * text_score(ocr):
        return prepared, ocr
    rotation = (prepared.rotation + 180) % 360
    return prepared.model_copy(update={"image": turned_image, "rotation": rotation}), turned


def read_page(prepared: PreparedPage, engine: OcrEngine, *, today: date | None = None
              ) -> Document:
    """One OCR pass over the page, its kind, and the fields that kind carries.

    The KTP extractor may re-read small crops (the NIK line). When the
    page's quality is not readable, values are withheld (None, low
    confidence, raw text kept) and the quality is attached, so the reply
    can ask for a better scan instead of acting on a misreading.
    """
    prepared, ocr = _read_upright(prepared, engine)
    kind, confidence = classify(ocr)
    if kind is DocumentKind.PHOTO and float(prepared.image.std()) < BLANK_STD:
        kind, confidence = DocumentKind.UNKNOWN, 0.8
    fields: tuple[ExtractedField, ...] = ()
    if kind is DocumentKind.KTP:
        fields = extract_ktp(prepared, ocr, engine, today=today)
    elif kind in (DocumentKind.KK, DocumentKind.F5, DocumentKind.KARTU_PESERTA,
                  DocumentKind.BUKU_TABUNGAN, DocumentKind.NPWP):
        fields = extract_numbers(kind, ocr, today=today)
    if not prepared.quality.readable:
        fields = _distrust(fields)
    return Document(ref=prepared.ref, filename=prepared.filename, kind=kind,
                    kind_confidence=confidence, fields=fields, quality=prepared.quality)

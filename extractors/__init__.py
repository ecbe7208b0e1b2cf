"""PreparedPage + OCR engine -> Document: classify, then the kind's extractor."""

from __future__ import annotations

from datetime import date

from extractors.classify import classify
from extractors.ktp import extract_ktp
from extractors.numbers import extract_numbers
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import Document, DocumentKind, ExtractedField, PreparedPage

# Pages whose pixels barely vary hold nothing, not a photograph.
BLANK_STD = 8.0
# Ceiling on field confidence when the page quality says it cannot be trusted.
UNREADABLE_CONFIDENCE = 0.2


def _distrust(fields: tuple[ExtractedField, ...]) -> tuple[ExtractedField, ...]:
    """Values of an unreadable page withheld: raw text kept for the officer."""
    return tuple(f.model_copy(update={"value": None, "raw": f.raw or f.value,
                                      "confidence": min(f.confidence, UNREADABLE_CONFIDENCE)})
                 for f in fields)


def read_page(prepared: PreparedPage, engine: OcrEngine, *, today: date | None = None
              ) -> Document:
    """One OCR pass over the page, its kind, and the fields that kind carries.

    The KTP extractor may re-read small crops (the NIK line). When the
    page's quality is not readable, values are withheld (None, low
    confidence, raw text kept) and the quality is attached, so the reply
    can ask for a better scan instead of acting on a misreading.
    """
    ocr = engine.recognise(prepared.image, prepared.ref, psm=3)
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

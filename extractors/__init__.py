"""PreparedPage + OCR engine -> Document: classify, then the kind's extractor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import cv2
import numpy as np

from extractors.buku_tabungan import extract_buku_tabungan
from extractors.classify import classify
from extractors.f5 import extract_f5
from extractors.identity import AGREED_CONFIDENCE
from extractors.kartu_peserta import extract_kartu_peserta
from extractors.kk import extract_kk
from extractors.ktp import extract_ktp
from extractors.layout import stretch_inks
from extractors.npwp import extract_npwp
from extractors.paklaring import extract_paklaring
from pipeline.adapters.ocr import OcrEngine
from pipeline.imaging.enhance import estimate_char_height
from pipeline.imaging.geometry import rotate_quarter
from pipeline.types import (Box, Document, DocumentKind, ExtractedField, OcrResult, PageRef,
                            PreparedPage)

Extractor = Callable[..., tuple[ExtractedField, ...]]
# One extractor per kind, each `(prepared, ocr, engine, *, today) -> fields`.
EXTRACTORS: dict[DocumentKind, Extractor] = {
    DocumentKind.KTP: extract_ktp,
    DocumentKind.KK: extract_kk,
    DocumentKind.F5: extract_f5,
    DocumentKind.KARTU_PESERTA: extract_kartu_peserta,
    DocumentKind.PAKLARING: extract_paklaring,
    DocumentKind.BUKU_TABUNGAN: extract_buku_tabungan,
    DocumentKind.NPWP: extract_npwp,
}

# Pages whose pixels barely vary hold nothing, not a photograph.
BLANK_STD = 8.0
# Below this share of confident words a reading is checked the other way up.
POOR_READING_SHARE = 0.45
# Whole-page readings: capitals about this tall, at most this much smaller.
READ_CHAR_HEIGHT = 16.0
READ_MIN_SCALE = 0.5
# Ceiling on field confidence when the page quality says it cannot be trusted.
UNREADABLE_CONFIDENCE = 0.2
# Fields whose value is checked by its structure and by agreeing readers
# (see _verified), and their ceiling on an unreadable page: the page still
# asks for a rescan, but the participant is known.
VERIFIABLE = frozenset({"nik"})
VERIFIED_ON_POOR_PAGE = 0.85
# Kinds that carry a VERIFIABLE field: their extractor runs even on an
# unreadable page. On any other kind every value of such a page would be
# withheld, so it is not read field by field at all.
IDENTIFYING_KINDS = frozenset({DocumentKind.KTP, DocumentKind.F5, DocumentKind.NPWP})
# Ceiling on the confidence of a value that runs to the edge of the image or
# whose print fades (glare on the page): the capture may have cut it ("SIDO
# MUL" of "SIDO MULYO").
AT_EDGE_CONFIDENCE = 0.5
# The darkest print of a value (5th percentile of a part of its box) against
# its lightest part: washed out when that is lighter than FADED_INK and this
# much lighter than the rest.
FADED_INK = 100
FADE_RANGE = 50


def _verified(item: ExtractedField) -> bool:
    """Whether a value proves itself whatever the page's quality.

    A NIK that two independent readers agree on and that passes every
    structural check (region code, birth date, sex against the card) is
    almost never a misreading, even on a small or soft capture where its
    large print is still legible. Free text has no such check.
    """
    return item.name in VERIFIABLE and item.value is not None \
        and item.confidence >= AGREED_CONFIDENCE


def _distrust(fields: tuple[ExtractedField, ...]) -> tuple[ExtractedField, ...]:
    """Values of an unreadable page withheld (raw text kept for the officer), except
    verified identity numbers, which stay but below the high-confidence line."""
    return tuple(f.model_copy(update={"confidence": min(f.confidence, VERIFIED_ON_POOR_PAGE)})
                 if _verified(f) else
                 f.model_copy(update={"value": None, "raw": f.raw or f.value,
                                      "confidence": min(f.confidence, UNREADABLE_CONFIDENCE)})
                 for f in fields)


def _at_edge(box: Box, width: int, height: int) -> bool:
    """Whether a value's box reaches the border of the image (within half a text height)."""
    margin = max(3, box.h // 2)
    return (box.x <= margin or box.y <= margin or box.x + box.w >= width - margin
            or box.y + box.h >= height - margin)


def _fades(box: Box, image: np.ndarray) -> bool:
    """Whether the print of a value is clear in one part of its box and washed out in another.

    A highlight on a laminated card or glossy paper lightens letters until
    they vanish; the recogniser then reads the visible part only, sure of
    it. The box is cut in parts about three text heights wide.
    """
    region = image[max(0, box.y):box.y + box.h, max(0, box.x):box.x + box.w]
    if region.size == 0 or region.shape[1] < 6 * max(box.h, 1):
        return False
    inks = stretch_inks(region, box.h, least=2)
    return max(inks) >= FADED_INK and max(inks) - min(inks) >= FADE_RANGE


def _distrust_cut(fields: tuple[ExtractedField, ...], image: np.ndarray
                  ) -> tuple[ExtractedField, ...]:
    """Values that may continue beyond the edge of the capture or fade in glare, marked unsure."""
    height, width = image.shape[:2]
    return tuple(f.model_copy(update={"confidence": min(f.confidence, AT_EDGE_CONFIDENCE)})
                 if f.value is not None and f.box is not None
                 and (_at_edge(f.box, width, height) or _fades(f.box, image))
                 else f for f in fields)


def text_score(ocr: OcrResult) -> float:
    """How much real text a reading found: confident words of three or more letters.

    Upside-down text still yields words, but short, odd and unsure ones;
    the same page the right way up scores far higher.
    """
    return sum(w.confidence for w in ocr.words
               if len(w.text) >= 3 and sum(c.isalnum() for c in w.text) >= 3
               and w.confidence >= 0.5)


def _scaled_box(box: Box, factor: float) -> Box:
    return Box(x=int(round(box.x * factor)), y=int(round(box.y * factor)),
               w=max(1, int(round(box.w * factor))), h=max(1, int(round(box.h * factor))))


def reading_scale(image: np.ndarray, char: float | None = None) -> float:
    """The factor at which a page is read whole (1.0: as it is).

    The whole-page reading finds the kind, the labels and where values sit;
    its layout analysis costs in proportion to the pixels, and labels need
    only moderate resolution. Values that must be exact are re-read from
    full-resolution crops by the extractors. `char` is the text height
    measured in preparation, if it was.
    """
    char = estimate_char_height(image) if char is None else char
    if char is None:
        return 1.0
    return max(READ_MIN_SCALE, min(1.0, READ_CHAR_HEIGHT / char))


def recognise_page(image: np.ndarray, ref: PageRef, engine: OcrEngine, scale: float
                   ) -> OcrResult:
    """The whole-page reading at `scale`, its boxes in the full image's pixels."""
    if scale >= 0.95:
        return engine.recognise(image, ref, psm=3)
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ocr = engine.recognise(small, ref, psm=3)
    back = 1.0 / scale
    words = tuple(w.model_copy(update={"box": _scaled_box(w.box, back)}) for w in ocr.words)
    height, width = image.shape[:2]
    return ocr.model_copy(update={"words": words, "width": width, "height": height})


def _poor_reading(ocr: OcrResult, image: np.ndarray) -> bool:
    """Whether a whole-page reading is too poor to trust the page's orientation.

    Few confident words among those read is poor; so is no word at all on a
    page that is not blank: tesseract's layout analysis can find no text
    block in a page that is upside down, which is the worst reading, not a
    page without text.
    """
    words = [w for w in ocr.words if len(w.text) >= 3]
    if not words:
        return float(image.std()) >= BLANK_STD
    return text_score(ocr) < POOR_READING_SHARE * len(words)


def read_upright(prepared: PreparedPage, engine: OcrEngine, scale: float
                 ) -> tuple[PreparedPage, OcrResult]:
    """Read the page; when the reading is poor, try it the other ways up.

    The cheap orientation test in preparation can be fooled (pages set in
    capitals, a quarter turn mistaken for three quarters). A poor reading
    is settled by what the recogniser finds: the page turned half-way and
    the turn tesseract's orientation detection proposes are both read, and
    the one finding the most text replaces the first reading when it finds
    clearly more. Weighing each turn against the best so far by that same
    margin would let a sideways reading, which tesseract partly recovers,
    keep the upright one out. Both are paid only for poor pages; so is a
    page read as no words at all (see `_poor_reading`).
    """
    ocr = recognise_page(prepared.image, prepared.ref, engine, scale)
    if not _poor_reading(ocr, prepared.image):
        return prepared, ocr
    turns = [180]
    proposed = engine.detect_orientation(prepared.image)
    if proposed not in (None, 0, 180):
        turns.insert(0, proposed)
    readings: list[tuple[int, np.ndarray, OcrResult]] = []
    for turn in turns:
        turned_image = np.ascontiguousarray(rotate_quarter(prepared.image, turn))
        readings.append((turn, turned_image,
                         recognise_page(turned_image, prepared.ref, engine, scale)))
    best_turn, best, best_ocr = max(readings, key=lambda reading: text_score(reading[2]))
    if text_score(best_ocr) <= 1.5 * text_score(ocr):
        return prepared, ocr
    rotation = (prepared.rotation + best_turn) % 360
    return prepared.model_copy(update={"image": best, "rotation": rotation}), best_ocr


def read_page(prepared: PreparedPage, engine: OcrEngine, *, today: date | None = None
              ) -> Document:
    """One OCR pass over the page, its kind, and the fields that kind carries.

    The page is read whole once, at reduced resolution (see
    `reading_scale`): that reading gives the kind, the labels and where the
    values are; extractors re-read values from full-resolution crops. When the
    page's quality is not readable, values are withheld (None, low
    confidence, raw text kept) and the quality is attached, so the reply
    can ask for a better scan instead of acting on a misreading.
    """
    scale = reading_scale(prepared.image, prepared.char_height)
    readable = prepared.quality.readable
    if readable:
        prepared, ocr = read_upright(prepared, engine, scale)
    else:
        # A soft or tiny capture reads poorly whichever way up: turned
        # readings find no more, and the page is asked for again anyway.
        ocr = recognise_page(prepared.image, prepared.ref, engine, scale)
    kind, confidence = classify(ocr)
    if kind is DocumentKind.PHOTO and float(prepared.image.std()) < BLANK_STD:
        kind, confidence = DocumentKind.UNKNOWN, 0.8
    extract = EXTRACTORS.get(kind) if readable or kind in IDENTIFYING_KINDS else None
    fields = extract(prepared, ocr, engine, today=today) if extract else ()
    fields = _distrust_cut(fields, prepared.image)
    if not prepared.quality.readable:
        fields = _distrust(fields)
    return Document(ref=prepared.ref, filename=prepared.filename, kind=kind,
                    kind_confidence=confidence, fields=fields, quality=prepared.quality)

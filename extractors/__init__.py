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
from pipeline.imaging.geometry import rotate_quarter, turn_box
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
# A reading at this scale or above is of the page as it is, not reduced.
FULL_SIZE_SCALE = 0.95
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
# Laminated cards, where a lamp's reflection can wash out part of a value.
CARD_KINDS = frozenset({DocumentKind.KTP, DocumentKind.NPWP, DocumentKind.KARTU_PESERTA})
# Ceiling on the confidence of a value that runs to the edge of the image or
# whose print fades (glare on the page): the capture may have cut it ("SIDO
# MUL" of "SIDO MULYO").
AT_EDGE_CONFIDENCE = 0.5
# The darkest print of a value (5th percentile of a part of its box) against
# its lightest part: washed out when that is lighter than FADED_INK and this
# much lighter than the rest.
FADED_INK = 100
FADE_RANGE = 50
# How far from a value's ends, in text heights, a highlight may have washed
# out more of it: a long name or address hides a word or two under it.
GLARE_REACH = 2
# Paper under a highlight is at least this light; faint print is darker. Paled
# letters beyond a cut value measured 204-237 on generated e-KTP photos, paper
# 239 and above, but the card's guilloche reaches the 220s: at 220, 10 of 11
# cut values are caught and fewer whole ones beside a highlight are doubted.
PAPER_UNDER_GLARE = 220


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


def _washed_beyond(image: np.ndarray, box: Box, left_end: bool) -> bool:
    """Whether faint marks follow the value's end: print a highlight paled but did not erase.

    Beyond a value's last letter lies blank paper, or the colon before its
    first; a cut-off value is followed by the paled rest of its letters,
    lighter than ink (under 100) and darker than paper (PAPER_UNDER_GLARE).
    """
    gap, width = max(2, box.h // 4), GLARE_REACH * box.h
    if left_end:
        region = image[box.y:box.y + box.h, max(0, box.x - gap - width):max(0, box.x - gap)]
    else:
        start = box.x + box.w + gap
        region = image[box.y:box.y + box.h, start:start + width]
    if region.size == 0:
        return False
    darkest = float(np.percentile(region, 5))
    return FADED_INK <= darkest < PAPER_UNDER_GLARE


def _cut_by_glare(box: Box, glare: tuple[Box, ...], image: np.ndarray) -> bool:
    """Whether a highlight at one end of a value may have erased more of it.

    Under a highlight the print is washed out beyond what preparation can
    restore; the recogniser reads the part outside it and is sure of that
    ("SWASTA" of "KARYAWAN SWASTA", "LI HARTONO" of "PARJO ZULKIFLI
    HARTONO"), and nothing in the words read shows the part that is missing.
    An end counts when a highlight lies on the row within GLARE_REACH text
    heights of it and faint marks follow it (`_washed_beyond`).
    """
    reach = GLARE_REACH * box.h
    for spot in glare:
        if not (spot.y < box.y + box.h and spot.y + spot.h > box.y):
            continue
        for left_end, (left, right) in ((True, (box.x - reach, box.x + reach)),
                                        (False, (box.x + box.w - reach,
                                                 box.x + box.w + reach))):
            if spot.x < right and spot.x + spot.w > left and \
                    _washed_beyond(image, box, left_end):
                return True
    return False


def _distrust_cut(fields: tuple[ExtractedField, ...], image: np.ndarray,
                  glare: tuple[Box, ...] = ()) -> tuple[ExtractedField, ...]:
    """Values that may continue beyond the edge of the capture, fade in glare or
    run into a highlight, marked unsure. A verified NIK (`_verified`) has a
    fixed length its checks would catch cut short, and keeps its confidence."""
    height, width = image.shape[:2]
    return tuple(f.model_copy(update={"confidence": min(f.confidence, AT_EDGE_CONFIDENCE)})
                 if f.value is not None and f.box is not None
                 and (_at_edge(f.box, width, height) or _fades(f.box, image)
                      or (not _verified(f) and _cut_by_glare(f.box, glare, image)))
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
    if scale >= FULL_SIZE_SCALE:
        return engine.recognise(image, ref, psm=3)
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ocr = engine.recognise(small, ref, psm=3)
    back = 1.0 / scale
    words = tuple(w.model_copy(update={"box": _scaled_box(w.box, back)}) for w in ocr.words)
    height, width = image.shape[:2]
    return ocr.model_copy(update={"words": words, "width": width, "height": height})


def _reads_nothing(ocr: OcrResult, image: np.ndarray) -> bool:
    """Whether a reading found no word of three or more characters on a page that is not blank.

    That is a failure of tesseract's layout analysis, not a page without
    text: it finds no text block in a page that is upside down, and it can
    take a whole card for a picture at one resolution and find every line of
    it at another (see `_read_at`).
    """
    return not any(len(w.text) >= 3 for w in ocr.words) and float(image.std()) >= BLANK_STD


def _poor_reading(ocr: OcrResult, image: np.ndarray) -> bool:
    """Whether a whole-page reading is too poor to trust the page's orientation.

    Few confident words among those read is poor; so is no word at all on a
    page that is not blank (`_reads_nothing`), which is the worst reading.
    """
    words = [w for w in ocr.words if len(w.text) >= 3]
    if not words:
        return _reads_nothing(ocr, image)
    return text_score(ocr) < POOR_READING_SHARE * len(words)


def _read_at(image: np.ndarray, ref: PageRef, engine: OcrEngine, scale: float) -> OcrResult:
    """The whole-page reading at `scale`, read again at full size when it found nothing.

    Tesseract's layout analysis can take a whole page for a picture at one
    resolution only: a Kartu Peserta photo (bench seed 90211) read at 0.533
    of its size gave no word, read at 0.52, 0.54 or full size 23-34 words
    and its kind. Such an empty reading loses to any garble of the page
    turned (no text is less than a little), and the page was read upside
    down; turned half-way, the same card read upright was again nothing at
    0.533 and stayed upside down. Of 575 readable generated pages (the
    bench worlds of seeds 90211-90214, 180 phone photos of cards) this was
    the only one read as nothing, so the second reading is seldom paid.
    """
    ocr = recognise_page(image, ref, engine, scale)
    if scale < FULL_SIZE_SCALE and _reads_nothing(ocr, image):
        return recognise_page(image, ref, engine, 1.0)
    return ocr


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
    page read as no words at all (see `_poor_reading`). A reduced reading
    of nothing, either way up, is read again at full size (`_read_at`).
    """
    ocr = _read_at(prepared.image, prepared.ref, engine, scale)
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
                         _read_at(turned_image, prepared.ref, engine, scale)))
    best_turn, best, best_ocr = max(readings, key=lambda reading: text_score(reading[2]))
    if text_score(best_ocr) <= 1.5 * text_score(ocr):
        return prepared, ocr
    rotation = (prepared.rotation + best_turn) % 360
    height, width = prepared.image.shape[:2]
    glare = tuple(turn_box(spot, best_turn, width, height) for spot in prepared.glare)
    return prepared.model_copy(update={"image": best, "rotation": rotation, "glare": glare}), \
        best_ocr


def read_page(prepared: PreparedPage, engine: OcrEngine, *, today: date | None = None
              ) -> Document:
    """One OCR pass over the page, its kind, and the fields that kind carries.

    The page is read whole once, at reduced resolution (see
    `reading_scale`): that reading gives the kind, the labels and where the
    values are; extractors re-read values from full-resolution crops. When the
    page's quality is not readable, it is read once as it is, only a kind
    that carries a NIK (IDENTIFYING_KINDS) is read field by field, values
    are withheld (None, low confidence, raw text kept) and the quality is
    attached, so the reply can ask for a better scan instead of acting on a
    misreading.
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
    # Reflections are told from blank paper on tinted cards only (see washed_spots).
    glare = prepared.glare if kind in CARD_KINDS else ()
    fields = _distrust_cut(fields, prepared.image, glare)
    if not readable:
        fields = _distrust(fields)
    return Document(ref=prepared.ref, filename=prepared.filename, kind=kind,
                    kind_confidence=confidence, fields=fields, quality=prepared.quality)

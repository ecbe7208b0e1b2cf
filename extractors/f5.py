"""Formulir F5, the JHT claim form: applicant, worker, claim reason, payment.

Labels are found on the page OCR; a label printed twice ("NIK Pemohon" in
section A, "NIK" in section B) is told apart by the word that follows it
and by position. Numbers are re-read from the image and checked (see
extractors.numbers). The claim reason is the box, left of its printed
reason, with clearly the most slanted ink: a hand tick, not the box's outline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import cv2
import numpy as np

from extractors.banks import account_lengths, snap_bank
from extractors.fields import split_place_date
from extractors.identity import Reading
from extractors.labelled import (Value, find_labels, followed_by, missing, name_field,
                                 value_right_of)
from extractors.layout import LabelHit
from extractors.numbers import DIGITS, Strip, is_kpj, nik_field, read_number
from pipeline.adapters.ocr import OcrEngine
from pipeline.types import Box, ExtractedField, OcrResult, PreparedPage
from rules.regions import Regions, load_regions

# Printed reason (start of it, as matched) -> normalised claim reason.
CLAIM_REASONS: tuple[tuple[str, str], ...] = (
    ("Mencapai usia", "usia_pensiun"),
    ("Mengundurkan diri", "mengundurkan_diri"),
    ("Pemutusan hubungan kerja", "phk"),
    ("Berakhirnya perjanjian kerja", "kontrak_berakhir"),
    ("Meninggalkan Indonesia", "meninggalkan_indonesia"),
    ("Cacat total tetap", "cacat_total"),
    ("Meninggal dunia", "meninggal_dunia"),
    ("Pengambilan sebagian", "pengambilan_sebagian"),
)
# A ticked box holds at least this much more ink off straight lines than the
# median box (an empty box has next to none once its outline is taken away).
TICK_RATIO = 2.0
# The window's paper is its bright percentile (a box and tick cover far less).
PAPER_PERCENTILE = 90
# The most a reason read with some boxes unseen may claim: below the rules'
# threshold for acting on a reason (rules.claim.REASON_CONFIDENCE).
UNSURE_REASON = 0.55
# A run this many text heights long is the printed box's side, not a tick's stroke.
LINE_RUN = 0.5
EMAIL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-+"
_EMAIL = re.compile(r"[a-z0-9][a-z0-9._%+\-]*@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}")
_PHONE = re.compile(r"(08\d{8,11}|628\d{8,11})")


def _label(ocr: OcrResult, label: str, *, below: int = -1, above: int | None = None,
           not_followed_by: str | None = None) -> LabelHit | None:
    """The best hit of `label` between two heights, optionally not followed by a word."""
    hits = [h for h in find_labels(ocr, label)
            if h.box.y > below and (above is None or h.box.y < above)
            and (not_followed_by is None or not followed_by(ocr, h, not_followed_by))]
    return max(hits, key=lambda h: h.score, default=None)


def _value(ocr: OcrResult, hit: LabelHit | None) -> Value | None:
    return value_right_of(ocr, hit) if hit is not None else None


def _readings(strip: Strip, value: Value | None, whitelist: str = DIGITS) -> list[Reading]:
    """The careful crop reading first, then the page reading."""
    if value is None or value.box is None:
        return []
    return [strip.read(value.box, whitelist), Reading(value.text, value.confidence, value.box)]


def _email(strip: Strip, value: Value | None) -> ExtractedField:
    if value is None or value.box is None:
        return missing("email")
    for reading in (Reading(value.text, value.confidence, value.box),
                    strip.read(value.box, EMAIL_CHARS)):
        text = re.sub(r"\s+", "", reading.text).lower().lstrip(":;")
        match = _EMAIL.fullmatch(text)
        if match:
            return ExtractedField(name="email", value=text, confidence=round(reading.confidence, 3),
                                  box=value.box, raw=reading.text)
    return missing("email", value.text, value.box)


def _phone_valid(digits: str) -> bool:
    return bool(_PHONE.fullmatch(digits))


def _phone_repair(digits: str) -> str | None:
    """A mobile number whose leading 0 was read as 6 or 8 ("681260812708").

    Indonesian mobile numbers start 08 (or 628): no number starts 68 or 88,
    so such a first digit is the 0 misread, as the structure shows; the
    mended number must pass `_phone_valid` and is accepted below the
    confidence of a clean reading.
    """
    if digits[:1] in ("6", "8") and digits[1:2] == "8":
        mended = "0" + digits[1:]
        return mended if _phone_valid(mended) else None
    return None


def _number(name: str, strip: Strip, value: Value | None, valid: Callable[[str], bool],
            repair: Callable[[str], str | None] | None = None) -> ExtractedField:
    """A number field: its strip reading and page reading (`read_number`)."""
    if value is None or value.box is None:
        return missing(name)
    return read_number(name, strip, Reading(value.text, value.confidence, value.box), valid,
                       repair=repair)


def _phone(strip: Strip, value: Value | None) -> ExtractedField:
    return _number("phone", strip, value, _phone_valid, _phone_repair)


def _place_date(value: Value | None) -> tuple[ExtractedField, ExtractedField]:
    if value is None or not value.words:
        return missing("tempat_lahir"), missing("tanggal_lahir")
    place, born = split_place_date(value.text)
    confidence = round(value.confidence, 3)
    return (ExtractedField(name="tempat_lahir", value=place, confidence=confidence if place else 0,
                           box=value.box, raw=value.text),
            ExtractedField(name="tanggal_lahir", value=born.isoformat() if born else None,
                           confidence=confidence if born else 0, box=value.box, raw=value.text))


def tick_ink(image: np.ndarray, box: Box, line: int) -> float:
    """Darkness in `box` that is not part of a straight line (0..1): a tick, not the box.

    Darkness is measured against the window's paper (its bright percentile)
    rather than a fixed threshold: in a blurred phone capture a thin tick is
    grey, not black, yet blur keeps its total darkness; and a shadow over
    one column lowers the paper as much as the ink there. The printed box's
    outline is horizontal and vertical runs at least `line` pixels long;
    those are taken away, so an empty box scores near nothing and a hand
    tick (slanted strokes) keeps its ink.
    """
    height, width = image.shape[:2]
    left, top = max(0, box.x), max(0, box.y)
    right, bottom = min(width, box.x + box.w), min(height, box.y + box.h)
    if right <= left or bottom <= top:
        return 0.0
    patch = image[top:bottom, left:right].astype(np.float32)
    paper = float(np.percentile(patch, PAPER_PERCENTILE))
    if paper <= 0:
        return 0.0
    dark = np.clip(paper - patch, 0, None) / paper
    line = max(3, line)
    straight = np.maximum(cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, line), np.uint8)),
                          cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((line, 1), np.uint8)))
    return float((dark - straight).mean())


def _tick_box(label: Box, size: int | None = None) -> Box:
    """Where the reason's check box is: left of its text, within the text's row.

    `size` is the text height (the label's box height when not given). The
    window reaches from about two text heights left of the label to just
    before it, and less than a row pitch high, so that neither the label's
    letters nor the boxes of the rows above and below fall in it.
    """
    size = label.h if size is None else size
    centre = label.y + label.h // 2
    return Box(x=label.x - int(2.4 * size), y=centre - int(0.8 * size),
               w=int(2.15 * size), h=int(1.6 * size))


def _text_height(ocr: OcrResult) -> int | None:
    """The usual height of a word's box on the page (words of three letters or more)."""
    heights = [w.box.h for w in ocr.words if sum(c.isalpha() for c in w.text) >= 3]
    return int(np.median(heights)) if heights else None


def reason_labels(ocr: OcrResult, below: int = -1) -> list[Box | None]:
    """The printed reasons' boxes in CLAIM_REASONS order, lined up on the form's grid.

    The form prints the reasons in two columns of four, each column with
    one left edge. A reason OCR did not find is placed at its column's edge
    and its row's height when a label of each was found (otherwise None);
    a found one far off its column's edge took in the tick and is moved back.
    """
    found = [_label(ocr, label, below=below) for label, _code in CLAIM_REASONS]
    boxes: list[Box | None] = [hit.box if hit else None for hit in found]
    heights = [b.h for b in boxes if b is not None]
    if not heights:
        return boxes
    height = int(np.median(heights))
    rows = (len(CLAIM_REASONS) + 1) // 2
    placed: list[Box | None] = []
    for index, box in enumerate(boxes):
        column, row = divmod(index, rows)
        xs = [b.x for i, b in enumerate(boxes) if b is not None and i // rows == column]
        ys = [b.y for i, b in enumerate(boxes) if b is not None and i % rows == row]
        if box is None and xs and ys:
            box = Box(x=int(np.median(xs)), y=int(np.median(ys)), w=1, h=height)
        elif box is not None and len(xs) >= 3 and abs(box.x - np.median(xs)) > height // 2:
            # OCR read the tick and the first word as one ("✓Mengundurkan").
            box = box.model_copy(update={"x": int(np.median(xs))})
        placed.append(box)
    return placed


def claim_reason(image: np.ndarray, ocr: OcrResult, below: int = -1) -> ExtractedField:
    """The ticked reason: the box with clearly more ink than the others."""
    inks: list[tuple[float, str, Box]] = []
    usual = _text_height(ocr)
    for box, (_label_text, code) in zip(reason_labels(ocr, below), CLAIM_REASONS, strict=True):
        if box is not None:
            # A label's box can take in a neighbour's ink and grow; the check
            # box is sized by the page's usual text height then.
            size = box.h if usual is None else min(box.h, int(1.3 * usual))
            inks.append((tick_ink(image, _tick_box(box, size), int(LINE_RUN * size)), code,
                         box))
    if len(inks) < 3:
        return missing("sebab_klaim")
    inks.sort(key=lambda item: -item[0])
    (top, code, box), second = inks[0], inks[1][0]
    median = float(np.median([ink for ink, _c, _b in inks[1:]]))
    if top < TICK_RATIO * max(median, 1e-3):
        return missing("sebab_klaim", box=box)
    # Confidence from how far the ticked box stands out from the runner-up.
    margin = (top - second) / top
    # Trusted only when every reason's box was looked at: the tick may be in
    # an unseen one, so then the reading stays below what the rules act on.
    confidence = (min(0.99, 0.5 + margin) if len(inks) == len(CLAIM_REASONS)
                  else min(UNSURE_REASON, 0.3 + margin))
    return ExtractedField(name="sebab_klaim", value=code, confidence=round(confidence, 3),
                          box=box, raw=None)


def _bank(value: Value | None) -> ExtractedField:
    if value is None or not value.words:
        return missing("bank")
    bank, score = snap_bank(value.text)
    if bank is None:
        return missing("bank", value.text, value.box)
    return ExtractedField(name="bank", value=bank, confidence=round(value.confidence * score, 3),
                          box=value.box, raw=value.text)


def extract_f5(prepared: PreparedPage, ocr: OcrResult, engine: OcrEngine, *,
               today: date | None = None, regions: Regions | None = None
               ) -> tuple[ExtractedField, ...]:
    """Fields of an F5 page.

    Applicant: pemohon_nama, pemohon_nik, phone, email. Worker: nama, nik,
    kpj, tempat_lahir, tanggal_lahir (ISO), nama_ibu. Claim: sebab_klaim
    (one of the CLAIM_REASONS codes). Payment: bank, no_rekening,
    nama_rekening. Every field is present; an unreadable one has value None.
    """
    today = today or date.today()
    regions = regions or load_regions()
    strip = Strip(prepared.image, engine, prepared.ref)
    worker = _label(ocr, "DATA TENAGA KERJA")
    history = _label(ocr, "RIWAYAT KEPESERTAAN")
    reasons = _label(ocr, "SEBAB PENGAJUAN KLAIM")
    payment = _label(ocr, "PEMBAYARAN", below=reasons.box.y if reasons else -1)
    split_b = worker.box.y if worker else -1
    end_b = history.box.y if history else None
    start_e = payment.box.y if payment else -1

    fields: list[ExtractedField] = []
    applicant_name = _value(ocr, _label(ocr, "Nama Pemohon", above=split_b if worker else None))
    fields.append(name_field("pemohon_nama", applicant_name))
    applicant_nik = _value(ocr, _label(ocr, "NIK Pemohon", above=split_b if worker else None))
    fields.append(nik_field("pemohon_nik", _readings(strip, applicant_nik), regions, today))
    fields.append(_phone(strip, _value(ocr, _label(ocr, "No. HP",
                                                   above=split_b if worker else None))))
    fields.append(_email(strip, _value(ocr, _label(ocr, "Email",
                                                   above=split_b if worker else None))))

    fields.append(name_field("nama", _value(ocr, _label(ocr, "Nama Tenaga Kerja"))))
    nik = _value(ocr, _label(ocr, "NIK", below=split_b, above=end_b, not_followed_by="Pemohon"))
    fields.append(nik_field("nik", _readings(strip, nik), regions, today))
    kpj = _value(ocr, _label(ocr, "Nomor KPJ", below=split_b, above=end_b))
    fields.append(_number("kpj", strip, kpj, is_kpj))
    fields.extend(_place_date(_value(ocr, _label(ocr, "Tempat/Tgl. Lahir", below=split_b,
                                                 above=end_b))))
    fields.append(name_field("nama_ibu", _value(ocr, _label(ocr, "Nama Ibu Kandung",
                                                            below=split_b, above=end_b))))

    fields.append(claim_reason(prepared.image, ocr, below=reasons.box.y if reasons else -1))

    bank = _bank(_value(ocr, _label(ocr, "Nama Bank", below=start_e)))
    fields.append(bank)
    account = _value(ocr, _label(ocr, "Nomor Rekening", below=start_e))
    lengths = account_lengths(bank.value)
    fields.append(_number("no_rekening", strip, account, lambda d: len(d) in lengths))
    fields.append(name_field("nama_rekening", _value(ocr, _label(ocr, "Nama Pemilik Rekening",
                                                                 below=start_e))))
    return tuple(fields)


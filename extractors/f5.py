"""Formulir F5, the JHT claim form: applicant, worker, claim reason, payment.

Labels are found on the page OCR; a label printed twice ("NIK Pemohon" in
section A, "NIK" in section B) is told apart by the word that follows it
and by position. Numbers are re-read from the image and checked (see
extractors.numbers). The claim reason is the box, left of its printed
reason, with clearly the most ink: a hand tick, not a printed glyph.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from extractors.banks import account_lengths, snap_bank
from extractors.fields import split_place_date
from extractors.identity import Reading
from extractors.labelled import (Value, find_labels, followed_by, missing, name_field,
                                 value_right_of)
from extractors.layout import LabelHit
from extractors.numbers import DIGITS, Strip, choose_number, is_kpj, nik_field
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
# A ticked box holds at least this much more ink than the median box (an empty box
# has its outline only; a hand tick adds about as much again).
TICK_RATIO = 1.3
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


def _phone(strip: Strip, value: Value | None) -> ExtractedField:
    def valid(digits: str) -> bool:
        return bool(_PHONE.fullmatch(digits))
    return choose_number("phone", _readings(strip, value), valid) if value else missing("phone")


def _place_date(value: Value | None) -> tuple[ExtractedField, ExtractedField]:
    if value is None or not value.words:
        return missing("tempat_lahir"), missing("tanggal_lahir")
    place, born = split_place_date(value.text)
    confidence = round(value.confidence, 3)
    return (ExtractedField(name="tempat_lahir", value=place, confidence=confidence if place else 0,
                           box=value.box, raw=value.text),
            ExtractedField(name="tanggal_lahir", value=born.isoformat() if born else None,
                           confidence=confidence if born else 0, box=value.box, raw=value.text))


def box_ink(image: np.ndarray, box: Box) -> float:
    """Share of dark pixels inside `box` (clipped to the image)."""
    height, width = image.shape[:2]
    left, top = max(0, box.x), max(0, box.y)
    right, bottom = min(width, box.x + box.w), min(height, box.y + box.h)
    if right <= left or bottom <= top:
        return 0.0
    patch = image[top:bottom, left:right]
    return float(np.count_nonzero(patch < 128)) / patch.size


def _tick_box(label: Box, size: int | None = None) -> Box:
    """Where the reason's check box is: left of its text, a little taller than it.

    `size` is the text height (the label's box height when not given); the
    box is centred on the label's row.
    """
    size = label.h if size is None else size
    centre = label.y + label.h // 2
    return Box(x=label.x - int(2.4 * size), y=centre - int(1.2 * size),
               w=int(2.2 * size), h=int(2.4 * size))


def _text_height(ocr: OcrResult) -> int | None:
    """The usual height of a word's box on the page (words of three letters or more)."""
    heights = [w.box.h for w in ocr.words if sum(c.isalpha() for c in w.text) >= 3]
    return int(np.median(heights)) if heights else None


def claim_reason(image: np.ndarray, ocr: OcrResult, below: int = -1) -> ExtractedField:
    """The ticked reason: the box with clearly more ink than the others."""
    inks: list[tuple[float, str, Box]] = []
    usual = _text_height(ocr)
    for label, code in CLAIM_REASONS:
        hit = _label(ocr, label, below=below)
        if hit is not None:
            # A label's box can take in a neighbour's ink and grow; the check
            # box is sized by the page's usual text height then.
            size = hit.box.h if usual is None else min(hit.box.h, int(1.3 * usual))
            inks.append((box_ink(image, _tick_box(hit.box, size)), code, hit.box))
    if len(inks) < 3:
        return missing("sebab_klaim")
    inks.sort(key=lambda item: -item[0])
    (top, code, box), second = inks[0], inks[1][0]
    median = float(np.median([ink for ink, _c, _b in inks[1:]]))
    if top < TICK_RATIO * max(median, 1e-3):
        return missing("sebab_klaim", box=box)
    # Confidence from how far the ticked box stands out from the runner-up.
    margin = (top - second) / top
    # Sure only when every reason's box was seen: the tick may be in a missing one.
    confidence = (min(0.99, 0.5 + margin) if len(inks) == len(CLAIM_REASONS)
                  else min(0.8, 0.4 + margin))
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
    fields.append(choose_number("kpj", _readings(strip, kpj), is_kpj) if kpj
                  else missing("kpj"))
    fields.extend(_place_date(_value(ocr, _label(ocr, "Tempat/Tgl. Lahir", below=split_b,
                                                 above=end_b))))
    fields.append(name_field("nama_ibu", _value(ocr, _label(ocr, "Nama Ibu Kandung",
                                                            below=split_b, above=end_b))))

    fields.append(claim_reason(prepared.image, ocr, below=reasons.box.y if reasons else -1))

    bank = _bank(_value(ocr, _label(ocr, "Nama Bank", below=start_e)))
    fields.append(bank)
    account = _value(ocr, _label(ocr, "Nomor Rekening", below=start_e))
    lengths = account_lengths(bank.value)
    fields.append(choose_number("no_rekening", _readings(strip, account),
                                lambda d: len(d) in lengths) if account
                  else missing("no_rekening"))
    fields.append(name_field("nama_rekening", _value(ocr, _label(ocr, "Nama Pemilik Rekening",
                                                                 below=start_e))))
    return tuple(fields)


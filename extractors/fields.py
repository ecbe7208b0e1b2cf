"""Field text as printed on Indonesian documents: names, dates, numbers.

Pure functions over OCR text, shared by the extractors. None of them
guesses: a repair (letter read where a digit is printed) is offered as a
candidate and kept only when the caller's structural check accepts it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from rapidfuzz import fuzz, process

# Letters tesseract reads where a digit is printed (DOMAIN.md: O/0, I/l/1, B/8, S/5, Z/2, G/6).
DIGIT_CONFUSIONS: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0",
    "I": "1", "l": "1", "L": "1", "i": "1", "|": "1", "!": "1",
    "B": "8",
    "S": "5", "s": "5",
    "Z": "2", "z": "2",
    "G": "6", "b": "6",
}

MONTHS_ID: dict[str, int] = {
    "JANUARI": 1, "FEBRUARI": 2, "MARET": 3, "APRIL": 4, "MEI": 5, "JUNI": 6, "JULI": 7,
    "AGUSTUS": 8, "SEPTEMBER": 9, "OKTOBER": 10, "NOVEMBER": 11, "DESEMBER": 12,
}
_MONTH_ABBREVIATIONS: dict[str, int] = {
    "JAN": 1, "FEB": 2, "PEB": 2, "MAR": 3, "APR": 4, "MEI": 5, "JUN": 6, "JUL": 7,
    "AGU": 8, "AGT": 8, "AGS": 8, "SEP": 9, "OKT": 10, "NOV": 11, "NOP": 11, "DES": 12,
}

GENDERS = ("LAKI-LAKI", "PEREMPUAN")


def normalise_text(text: str) -> str:
    """Upper-case ASCII with single spaces, for matching labels and keywords."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", ascii_text.upper()).strip()


def repair_digits(text: str) -> str:
    """`text` with each letter commonly misread for a digit replaced by that digit.

    Separators (space, dot, hyphen) are kept; call `digits_only` after.
    """
    return "".join(DIGIT_CONFUSIONS.get(char, char) for char in text)


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


def strip_separators(text: str) -> str:
    """Spaces, dots, hyphens and similar removed (numbers are printed grouped)."""
    return re.sub(r"[\s.\-_/,:;'\"`]", "", text)


_LABEL_NOISE = re.compile(r"^[\s:;.,\-=|_~'\"`]+|[\s:;,\-=|_~'\"`]+$")


def normalise_name(text: str) -> str:
    """A person's or place's name as upper-case words without label noise.

    Drops a leading colon or label remnant ("NAMA :", ": "), characters
    that never occur in names, and repeated spaces; keeps the apostrophe,
    dot, comma and hyphen ("MUH. RIZKY", "NUR'AINI", "SITI, S.PD").
    """
    text = normalise_text(text)
    text = re.sub(r"^(NAMA|NAME)\s*[:;]", "", text)
    text = re.sub(r"[^A-Z0-9 .,'\-]", " ", text)
    text = re.sub(r"\s+", " ", text)
    text = _LABEL_NOISE.sub("", text)
    return text.strip()


def _month_from_word(word: str) -> int | None:
    word = re.sub(r"[^A-Z]", "", normalise_text(word))
    if len(word) < 3:
        return None
    if word in _MONTH_ABBREVIATIONS:
        return _MONTH_ABBREVIATIONS[word]
    match = process.extractOne(word, list(MONTHS_ID), scorer=fuzz.ratio, score_cutoff=75)
    return MONTHS_ID[match[0]] if match else None


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date_id(text: str) -> date | None:
    """A date written the Indonesian way: "17-08-1985", "17 AGUSTUS 1985", "17/8/85" is None.

    Years must have four digits (a two-digit year is ambiguous on these
    documents). OCR confusions inside the digit groups are repaired, since
    the result must still be a valid calendar date.
    """
    cleaned = normalise_text(text)
    numeric = re.search(r"(?<![0-9A-Z])([0-9OILSZBG]{1,2})\s*[-./]\s*([0-9OILSZBG]{1,2})\s*[-./]"
                        r"\s*([0-9OILSZBG]{4})(?![0-9])", cleaned)
    if numeric:
        day, month, year = (int(digits_only(repair_digits(g)) or "0") for g in numeric.groups())
        return _make_date(year, month, day)
    worded = re.search(r"(?<![0-9A-Z])([0-9OILSZBG]{1,2})[\s.\-]+([A-Z]{3,})[\s.\-]+"
                       r"([0-9OILSZBG]{4})(?![0-9])", cleaned)
    if worded:
        month = _month_from_word(worded.group(2))
        if month is None:
            return None
        day = int(digits_only(repair_digits(worded.group(1))) or "0")
        year = int(digits_only(repair_digits(worded.group(3))) or "0")
        return _make_date(year, month, day)
    return None


def parse_gender(text: str) -> str | None:
    """LAKI-LAKI or PEREMPUAN from noisy OCR text, None when neither fits."""
    cleaned = re.sub(r"[^A-Z\-]", "", normalise_text(text).split("GOL")[0])
    if len(cleaned) < 3:
        return None
    match = process.extractOne(cleaned, list(GENDERS), scorer=fuzz.ratio, score_cutoff=70)
    if match:
        return str(match[0])
    if cleaned.startswith("LAK"):
        return "LAKI-LAKI"
    if cleaned.startswith("PER"):
        return "PEREMPUAN"
    return None


def split_place_date(text: str) -> tuple[str | None, date | None]:
    """"SAMARINDA, 17-08-1985" -> ("SAMARINDA", date(1985, 8, 17))."""
    born = parse_date_id(text)
    head = re.split(r"[,;]|\s(?=[0-9OIlLSZBG]{1,2}\s*[-./])", text, maxsplit=1)[0]
    if born is not None and head == text:
        head = re.sub(r"[0-9].*$", "", text)
    place = normalise_name(head)
    return (place or None), born

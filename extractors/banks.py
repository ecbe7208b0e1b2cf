"""Banks that pay JHT claims: printed names and account number lengths.

A bank's name read by OCR is snapped to this list; the account number's
length is then a structure check (BRI accounts have 15 digits, BNI 10).
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from extractors.fields import normalise_text

# Printed name -> (short names seen on books and forms, digits in an account number).
BANKS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "BANK RAKYAT INDONESIA": (("BRI",), (15,)),
    "BANK NEGARA INDONESIA": (("BNI",), (10,)),
    "BANK MANDIRI": (("MANDIRI",), (13,)),
    "BANK CENTRAL ASIA": (("BCA",), (10,)),
    "BANK TABUNGAN NEGARA": (("BTN",), (16,)),
    "BANK SYARIAH INDONESIA": (("BSI",), (10,)),
    "BANK PEMBANGUNAN DAERAH KALTIM KALTARA": (("BANKALTIMTARA",), (10,)),
    "BANK PEMBANGUNAN DAERAH KALIMANTAN SELATAN": (("BANK KALSEL",), (10,)),
    "BANK PEMBANGUNAN DAERAH KALIMANTAN BARAT": (("BANK KALBAR",), (12,)),
    "BANK PEMBANGUNAN DAERAH KALIMANTAN TENGAH": (("BANK KALTENG",), (10, 13)),
}
# Lengths accepted when the bank is not known.
ANY_ACCOUNT_LENGTH = range(10, 17)


def snap_bank(text: str, min_score: float = 85.0) -> tuple[str | None, float]:
    """The printed bank name closest to `text`, with the match score 0..1."""
    cleaned = normalise_text(text)
    if not cleaned:
        return None, 0.0
    for name, (shorts, _lengths) in BANKS.items():
        if cleaned in shorts:
            return name, 1.0
    match = process.extractOne(cleaned, list(BANKS), scorer=fuzz.ratio, score_cutoff=min_score)
    if match is None:
        return None, 0.0
    return str(match[0]), float(match[1]) / 100.0


def account_lengths(bank: str | None) -> tuple[int, ...] | range:
    """Digits an account number of `bank` has; any plausible length when unknown."""
    if bank is None or bank not in BANKS:
        return ANY_ACCOUNT_LENGTH
    return BANKS[bank][1]

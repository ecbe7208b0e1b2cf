"""The naive reading the benchmark compares against.

What a first attempt does: the whole image to tesseract (`lang=ind`, no
preparation), a regular expression for each number, a keyword for the kind.
"""

from __future__ import annotations

import re

import numpy as np
import pytesseract

_NUMBER_PATTERNS = {"nik": r"\d{16}", "no_kk": r"\d{16}", "kpj": r"\d{11}",
                    "npwp": r"\d{15,16}", "no_rekening": r"\d{10,15}"}
_TITLES = (("kartu keluarga", "kk"), ("jaminan hari tua", "f5"), ("kartu peserta", "kartu_peserta"),
           ("surat keterangan", "paklaring"), ("tabungan", "buku_tabungan"), ("npwp", "npwp"),
           ("provinsi", "ktp"))


def naive_read(image: np.ndarray, fields: list[str]) -> tuple[str, dict[str, str | None]]:
    text = pytesseract.image_to_string(image, lang="ind")
    lowered = text.lower()
    kind = next((k for title, k in _TITLES if title in lowered), "unknown")
    values: dict[str, str | None] = {}
    for name in fields:
        pattern = _NUMBER_PATTERNS.get(name)
        match = re.search(pattern, text) if pattern else None
        values[name] = match.group(0) if match else None
    return kind, values

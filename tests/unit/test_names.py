"""Name matching that knows Indonesian naming."""

from __future__ import annotations

import pytest

from rules.names import match_names

CASES = [
    ("MUHAMMAD RIZKY", "MUHAMMAD RIZKY", True, "exact"),
    ("MUH. RIZKY PRATAMA", "MUHAMMAD RIZKY PRATAMA", True, "titles_or_abbreviations"),
    ("MOCH. ARIF", "MUHAMMAD ARIF", True, "titles_or_abbreviations"),
    ("H. AHMAD SUPRIADI, S.E.", "AHMAD SUPRIADI", True, "titles_or_abbreviations"),
    ("Dra. Hj. SITI NURHALIZA", "SITI NURHALIZA", True, "titles_or_abbreviations"),
    ("SUPRIADI AHMAD", "AHMAD SUPRIADI", True, "word_order"),
    ("SUPARMAN", "SUPARMAN HADI WIJAYA", True, "single_name"),
    ("AHMAD SUPRLADI", "AHMAD SUPRIADI", True, "ocr_noise"),
    ("SITI AMINAH", "SITI RAHMAWATI", False, "different"),
    ("MUHAMMAD", "MUHAMMAD ALI", False, "different"),
    ("YOHANES PATTINASARANY", "BUDI SANTOSO", False, "different"),
    ("", "BUDI SANTOSO", False, "different"),
]


@pytest.mark.parametrize(("a", "b", "matched", "reason"), CASES, ids=[f"{a}~{b}" for a, b, *_ in CASES])
def test_match_names(a: str, b: str, matched: bool, reason: str) -> None:
    result = match_names(a, b)
    assert (result.matched, result.reason) == (matched, reason)

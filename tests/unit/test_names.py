"""Name matching that knows Indonesian naming."""

from __future__ import annotations

import pytest

from rules.names import match_companies, match_names

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
    ("A. RAHMAN HIDAYAT", "ABDUL RAHMAN HIDAYAT", True, "initials"),
    ("NURHALIZA", "NUR HALIZA", True, "spacing"),
    ("SUPR1ADI", "SUPRIADI", True, "ocr_noise"),
    ("SUPARNAN", "SUPARMAN HADI", True, "single_name"),
    ("M. RIDUAN", "MUHAMMAD RIDUAN", True, "titles_or_abbreviations"),
    ("MUHAMMAD RIDUAN", "MUHAMMAD FAUZAN", False, "different"),
    ("SITI AMINAH", "BUDI SANTOSO", False, "different"),
    ("A. B.", "ANDI BASO", False, "different"),
]


@pytest.mark.parametrize(("a", "b", "matched", "reason"), CASES, ids=[f"{a}~{b}" for a, b, *_ in CASES])
def test_match_names(a: str, b: str, matched: bool, reason: str) -> None:
    result = match_names(a, b)
    assert (result.matched, result.reason) == (matched, reason)


def test_match_names_says_what_it_forgave() -> None:
    result = match_names("H. MOCH. ARIF, S.E.", "MUHAMMAD ARIF")
    assert result.matched
    assert "MOCH read as MUHAMMAD" in result.notes
    assert "title H dropped" in result.notes and "title SE dropped" in result.notes


COMPANIES = [
    ("PT SINAR JAYA ABADI", "PT SINAR JAYA ABADI", True),
    ("PT. SINAR JAYA ABADI", "SINAR JAYA ABADI", True),
    ("PT SlNAR JAYA ABAD1", "PT SINAR JAYA ABADI", True),
    ("CV MAHAKAM LOGISTIK", "PT SINAR JAYA ABADI", False),
    ("PT BORNEO PRIMA", "PT BORNEO ENERGI", False),
]


@pytest.mark.parametrize(("a", "b", "matched"), COMPANIES,
                         ids=[f"{a}~{b}" for a, b, _ in COMPANIES])
def test_match_companies(a: str, b: str, matched: bool) -> None:
    assert match_companies(a, b).matched == matched

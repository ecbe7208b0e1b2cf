"""Bank names snapped to the known list; account lengths by bank."""

from __future__ import annotations

from extractors.banks import ANY_ACCOUNT_LENGTH, account_lengths, snap_bank
from extractors.buku_tabungan import find_bank
from pipeline.types import Box, OcrResult, PageRef, Word


def _ocr(lines: list[str]) -> OcrResult:
    words = [Word(text=token, confidence=0.9, box=Box(x=20 + 90 * k, y=30 + 40 * n, w=80, h=24),
                  line=n)
             for n, line in enumerate(lines) for k, token in enumerate(line.split())]
    return OcrResult(ref=PageRef(attachment_index=0), engine="test", engine_version="0",
                     width=1200, height=800, words=tuple(words))


def test_snap_bank_tolerates_ocr_noise_and_short_names() -> None:
    assert snap_bank("BANK RAKYAT 1NDONESIA")[0] == "BANK RAKYAT INDONESIA"
    assert snap_bank("BRI")[0] == "BANK RAKYAT INDONESIA"
    assert snap_bank("TOKO SERBA ADA") == (None, 0.0)


def test_account_lengths_follow_the_bank() -> None:
    assert account_lengths("BANK RAKYAT INDONESIA") == (15,)
    assert account_lengths(None) == ANY_ACCOUNT_LENGTH


def test_find_bank_on_a_page() -> None:
    field = find_bank(_ocr(["BNI BANK NEGARA INDONESIA", "BUKU TABUNGAN", "Taplus"]))
    assert field.value == "BANK NEGARA INDONESIA"
    assert find_bank(_ocr(["BUKU TABUNGAN", "No. Rekening : 1234567890"])).value is None

"""Which words are a label's value: those on its row, to its right."""

from __future__ import annotations

from extractors.layout import row_band, text_height, words_right_of
from pipeline.types import Box, OcrResult, PageRef, Word


def word(text: str, x: int, y: int, w: int, h: int = 36, line: int = 0) -> Word:
    return Word(text=text, confidence=0.95, box=Box(x=x, y=y, w=w, h=h), line=line)


def reading(*words: Word) -> OcrResult:
    return OcrResult(ref=PageRef(attachment_index=0), engine="test", engine_version="0",
                     width=2000, height=1400, words=words)


# The rows of a turned e-KTP photo as read: the job label's box is stretched
# upwards by a mark of the card's pattern to 86 px, over the row above.
STATUS = word("Perkawinan", 512, 1046, 227, 38, line=1)
KAWIN = word("KAWIN", 973, 1061, 141, 34, line=1)
BELUM = word("BELUM", 810, 1056, 148, 34, line=1)
JOB = word("Pekerjaan", 375, 1074, 189, 86, line=2)
KARYAWAN = word("KARYAWAN", 810, 1112, 240, 38, line=2)
SWASTA = word("SWASTA", 1067, 1121, 182, 36, line=2)
PAGE = reading(STATUS, BELUM, KAWIN, JOB, KARYAWAN, SWASTA)


def test_a_stretched_label_takes_only_its_own_row() -> None:
    assert [w.text for w in words_right_of(PAGE, JOB.box)] == ["KARYAWAN", "SWASTA"]


def test_the_row_above_keeps_its_value() -> None:
    assert [w.text for w in words_right_of(PAGE, STATUS.box)] == ["BELUM", "KAWIN"]


def test_a_label_of_ordinary_height_is_left_as_it_is() -> None:
    assert text_height(PAGE) == 37
    assert row_band(STATUS.box, 37) == STATUS.box
    band = row_band(JOB.box, 37)
    assert band.h == 37
    assert abs((band.y + band.h / 2) - (JOB.box.y + JOB.box.h / 2)) <= 1
    assert row_band(JOB.box, None) == JOB.box


def test_a_mark_far_taller_than_the_row_neither_joins_nor_bridges_the_value() -> None:
    # A small e-KTP photo: the portrait's "NX" (86 px) and its frame's "|" beyond.
    label = word("Lahir", 165, 220, 56, 25, line=2)
    page = reading(label, word("MURUNG", 284, 222, 104, 18, line=17),
                   word("RAYA,", 396, 220, 68, 22, line=17),
                   word("29-11-1997", 471, 220, 120, 18, line=17),
                   word("NX", 847, 164, 102, 86, line=16), word("|", 994, 217, 2, 9, line=17))
    assert [w.text for w in words_right_of(page, label.box)] == ["MURUNG", "RAYA,",
                                                                 "29-11-1997"]


def test_once_started_a_value_follows_its_own_row_not_the_label_height() -> None:
    # A photo whose rows slope down to the right: far from the label the row
    # above ("Gol. Darah : B") comes down to the label's height.
    label = word("Alamat", 40, 470, 120, 30)
    page = reading(label, word("JL.", 428, 476, 51, 30, line=5),
                   word("RE", 493, 478, 47, 32, line=5),
                   word("MARTADINATA", 555, 482, 274, 32, line=5),
                   word("Darah", 836, 455, 129, 30, line=4),
                   word("NO.", 845, 488, 70, 32, line=5), word("45", 925, 490, 40, 32, line=5))
    assert [w.text for w in words_right_of(page, label.box)] == ["JL.", "RE", "MARTADINATA",
                                                                 "NO.", "45"]

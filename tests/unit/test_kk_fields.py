"""KK member rows: read from page words (no ruled grid), and how table cells are judged."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from extractors.kk import extract_kk
from extractors.kk_table import _name_confidence, _roles, merged_roles
from pipeline.types import Box, OcrResult, PageRef, PreparedPage, Quality, Word

NIKS = ("6472031203850003", "6472035708870002")


class NoCrops:
    """An engine whose crop readings find nothing: the page words must suffice."""

    name = "none"

    def version(self) -> str:
        return "0"

    def recognise(self, image: np.ndarray, ref: PageRef, *, psm: int = 3,
                  whitelist: str | None = None, lang: str | None = None) -> OcrResult:
        return OcrResult(ref=ref, engine=self.name, engine_version="0",
                         width=image.shape[1], height=image.shape[0])

    def detect_orientation(self, image: np.ndarray) -> int | None:
        return None


def _word(text: str, x: int, y: int, line: int) -> Word:
    return Word(text=text, confidence=0.9, box=Box(x=x, y=y, w=12 * len(text), h=24), line=line)


def test_rows_are_named_by_their_number() -> None:
    words = [_word("KARTU", 900, 40, 0), _word("KELUARGA", 1000, 40, 0),
             _word("No.", 900, 120, 1), _word("6472031203190007", 960, 120, 1),
             _word("No", 60, 400, 2), _word("Nama", 300, 400, 2), _word("Lengkap", 370, 400, 2),
             _word("NIK", 700, 400, 2),
             _word("1", 60, 450, 3), _word("BUDI", 130, 450, 3), _word("SANTOSO", 200, 450, 3),
             _word(NIKS[0], 640, 450, 3),
             _word("2", 60, 500, 4), _word("SITI", 130, 500, 4), _word(NIKS[1], 640, 500, 4)]
    ocr = OcrResult(ref=PageRef(attachment_index=0), engine="test", engine_version="0",
                    width=2300, height=1600, words=tuple(words))
    quality = Quality(width=2300, height=1600, sharpness=500.0, brightness=240.0, glare=0.0,
                      readable=True)
    page = PreparedPage(ref=PageRef(attachment_index=0), filename="kk.jpg",
                        image=np.full((1600, 2300), 250, dtype=np.uint8), quality=quality)
    fields = {f.name: f.value for f in extract_kk(page, ocr, NoCrops(), today=date(2020, 6, 15))}
    assert fields["no_kk"] == "6472031203190007"
    assert fields["anggota_1_nik"] == NIKS[0] and fields["anggota_2_nik"] == NIKS[1]
    assert fields["anggota_1_nama"] == "BUDI SANTOSO" and fields["anggota_2_nama"] == "SITI"


def test_a_ruled_line_read_as_one_does_not_drop_a_row() -> None:
    """The table's vertical rule before row 3 read as "|" (a "1" once repaired)."""
    third = "6472034101100001"
    words = [_word("No", 60, 400, 2), _word("Nama", 300, 400, 2), _word("Lengkap", 370, 400, 2),
             _word("NIK", 700, 400, 2),
             _word("1", 60, 450, 3), _word("BUDI", 130, 450, 3), _word(NIKS[0], 640, 450, 3),
             _word("2", 60, 500, 4), _word("SITI", 130, 500, 4), _word(NIKS[1], 640, 500, 4),
             _word("|", 60, 550, 5), _word("DWI", 130, 550, 5), _word(third, 640, 550, 5)]
    ocr = OcrResult(ref=PageRef(attachment_index=0), engine="test", engine_version="0",
                    width=2300, height=1600, words=tuple(words))
    quality = Quality(width=2300, height=1600, sharpness=500.0, brightness=240.0, glare=0.0,
                      readable=True)
    page = PreparedPage(ref=PageRef(attachment_index=0), filename="kk.jpg",
                        image=np.full((1600, 2300), 250, dtype=np.uint8), quality=quality)
    fields = {f.name: f.value for f in extract_kk(page, ocr, NoCrops(), today=date(2020, 6, 15))}
    assert fields["anggota_3_nik"] == third and fields["anggota_3_nama"] == "DWI"


def test_headings_name_their_columns_once_each() -> None:
    assert _roles(["No", "Nama Lengkap", "NIK", "Jenis Kelamin"]) == {"no": 0, "nama": 1, "nik": 2}
    # A rule read into a heading still matches; a column is not used twice.
    assert _roles(["", "|Nama Lengkap", "INIK", "Nama Ayah"]) == {"nama": 1, "nik": 2}
    assert "nik" not in _roles(["No", "Nama Lengkap", "", "Jenis Kelamin"])


def test_a_name_is_surer_when_the_page_reading_agrees() -> None:
    """The page reading's word glued to the rule left of the text still agrees with it;
    a leading letter inside the text's own ink is a real difference."""
    text = Box(x=200, y=500, w=300, h=24)
    same = [Word(text="SUGIYONO", confidence=0.9, box=Box(x=200, y=500, w=180, h=24), line=0),
            Word(text="LESTARI", confidence=0.9, box=Box(x=400, y=500, w=100, h=24), line=0)]
    assert _name_confidence(0.9, "SUGIYONO LESTARI", same, text) == pytest.approx(1.0)
    glued = [same[0].model_copy(update={"text": "ISUGIYONO", "box": Box(x=180, y=495, w=200,
                                                                         h=34)}), same[1]]
    assert _name_confidence(0.92, "SUGIYONO LESTARI", glued, text) == pytest.approx(0.92)
    inside = [same[0].model_copy(update={"text": "ISUGIYONO"}), same[1]]
    assert _name_confidence(0.92, "SUGIYONO LESTARI", inside, text) < 0.9
    assert _name_confidence(0.92, "SUGIYONO LESTARI", [], text) == pytest.approx(0.92)


def test_headings_found_by_either_reading_of_the_header_count() -> None:
    # The re-read found "Nama Lengkap" (column 1) and read "NIK" as "MK";
    # the page reading placed only "NIK" (column 2) in its cell.
    read_again = _roles(["No", "Nama Lengkap", "MK", "Zene Katmnia"])
    page = _roles(["", "", "NIK", ""])
    assert "nik" not in read_again and "nama" not in page
    assert merged_roles(read_again, page) == {"no": 0, "nama": 1, "nik": 2}
    # A column already taken keeps its heading.
    assert merged_roles({"nama": 1}, {"nik": 1}) == {"nama": 1}

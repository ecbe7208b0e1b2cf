from datetime import date

import pytest

from extractors.fields import (normalise_name, parse_date_id, parse_gender, repair_digits,
                               split_place_date, strip_separators)
from extractors.identity import Reading, choose_nik
from rules.regions import load_regions

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(("text", "expected"), [
    ("17-08-1985", date(1985, 8, 17)),
    ("17/08/1985", date(1985, 8, 17)),
    ("17.08.1985", date(1985, 8, 17)),
    ("17 AGUSTUS 1985", date(1985, 8, 17)),
    ("5 agustos 2001", date(2001, 8, 5)),
    ("03 DES 1990", date(1990, 12, 3)),
    ("l7-O8-1985", date(1985, 8, 17)),
    ("31-02-1990", None),
    ("17/8/85", None),
    ("SEUMUR HIDUP", None),
])
def test_parse_date_id(text: str, expected: date | None) -> None:
    assert parse_date_id(text) == expected


def test_normalise_name_strips_label_noise() -> None:
    assert normalise_name(": budi   santoso|") == "BUDI SANTOSO"
    assert normalise_name("Nama : SITI NUR'AINI") == "SITI NUR'AINI"
    assert normalise_name("  MUH. RIZKY  ") == "MUH. RIZKY"


def test_repair_digits_maps_only_confusable_letters() -> None:
    assert repair_digits("64O2l5S7B9ZG") == "640215578926"
    assert repair_digits("AX") == "AX"
    assert strip_separators("6472 0357.0885-0003") == "6472035708850003"


@pytest.mark.parametrize(("text", "expected"), [
    ("LAKI-LAKI", "LAKI-LAKI"), ("LAKI-LAKl Gol. Darah : O", "LAKI-LAKI"),
    ("PEREMPUAM", "PEREMPUAN"), ("xx", None), ("", None)])
def test_parse_gender(text: str, expected: str | None) -> None:
    assert parse_gender(text) == expected


def test_split_place_date() -> None:
    assert split_place_date("SAMARINDA, 17-08-1985") == ("SAMARINDA", date(1985, 8, 17))
    assert split_place_date("BALIKPAPAN 03-11-1990") == ("BALIKPAPAN", date(1990, 11, 3))


def test_choose_nik_clean_reading() -> None:
    chosen = choose_nik([Reading("6472035708850003", 0.9)], load_regions(), TODAY)
    assert chosen.value == "6472035708850003" and not chosen.repaired


def test_choose_nik_repairs_only_when_structure_passes() -> None:
    regions = load_regions()
    repaired = choose_nik([Reading("64720357O885OOO3", 0.9)], regions, TODAY, "PEREMPUAN")
    assert repaired.value == "6472035708850003" and repaired.repaired
    assert repaired.confidence < 0.9
    # Repaired to a female day (57) but the card says LAKI-LAKI: not trusted.
    refused = choose_nik([Reading("64720357O885OOO3", 0.9)], regions, TODAY, "LAKI-LAKI")
    assert refused.value is None and refused.raw == "64720357O885OOO3"
    # Unknown province 99: never accepted, raw kept.
    bad = choose_nik([Reading("9972035708850003", 0.9)], regions, TODAY)
    assert bad.value is None and bad.raw == "9972035708850003"
    # Month 13 is no birth date.
    assert choose_nik([Reading("6472031713850003", 0.9)], regions, TODAY).value is None


def test_choose_nik_prefers_first_valid_and_lowers_confidence_on_disagreement() -> None:
    regions = load_regions()
    agree = choose_nik([Reading("6472035708850003", 0.8), Reading("6472035708850003", 0.7)],
                       regions, TODAY)
    differ = choose_nik([Reading("6472035708850003", 0.8), Reading("6472035708860003", 0.7)],
                        regions, TODAY)
    assert agree.value == differ.value == "6472035708850003"
    assert agree.confidence > 0.8 > differ.confidence

"""Numbers of the non-KTP kinds: structure checks and the choice among readings."""

from __future__ import annotations

from datetime import date

import numpy as np

from extractors.f5 import _phone_repair, _phone_valid
from extractors.identity import Reading
from extractors.numbers import (DISAGREEMENT_FACTOR, TIE_CONFIDENCE, choose_number, clean_strip,
                                is_kpj, is_npwp, kk_number_problems)
from rules.regions import load_regions

TODAY = date(2020, 6, 15)


def test_kk_number_checks_region_issue_date_and_serial() -> None:
    regions = load_regions()
    assert kk_number_problems("6472031203190007", regions, TODAY) == []
    assert "invalid_issue_date" in kk_number_problems("6472033203190007", regions, TODAY)
    assert "unknown_province" in kk_number_problems("9972031203190007", regions, TODAY)
    assert "zero_serial" in kk_number_problems("6472031203190000", regions, TODAY)
    assert kk_number_problems("647203120319000", regions, TODAY) == ["not_16_digits"]


def test_kpj_and_npwp_lengths() -> None:
    assert is_kpj("17500080636") and not is_kpj("1750008063")
    assert is_npwp("123456789012000") and not is_npwp("023456789012000")


def test_careful_reading_wins_and_agreement_raises_confidence() -> None:
    agreed = choose_number("kpj", [Reading("17 5000 80636", 0.8), Reading("17500080636", 0.7)],
                           is_kpj)
    assert (agreed.value, agreed.confidence) == ("17500080636", 0.9)
    differ = choose_number("kpj", [Reading("17500080636", 0.8), Reading("17500088636", 0.9)],
                           is_kpj)
    assert differ.value == "17500080636" and differ.confidence < 0.5


def test_invalid_readings_give_no_value_but_keep_raw() -> None:
    field = choose_number("kpj", [Reading("1750008063", 0.9), Reading("", 0.0)], is_kpj)
    assert field.value is None and field.confidence == 0.0 and field.raw == "1750008063"


def test_letter_repair_is_accepted_only_at_lower_confidence() -> None:
    field = choose_number("kpj", [Reading("175OOO80636", 0.8)], is_kpj)
    assert field.value == "17500080636" and field.confidence < 0.8


def test_clean_strip_cuts_a_colon_standing_apart() -> None:
    strip = np.full((40, 200), 250, dtype=np.uint8)
    strip[12:16, 5:9] = 20  # the colon's dots
    strip[24:28, 5:9] = 20
    strip[8:32, 40:52] = 20  # first digit stroke
    strip[8:32, 70:82] = 20
    cleaned = clean_strip(strip, 24)
    assert cleaned.shape[1] < 200 - 9
    assert (cleaned[:, :10] < 128).sum() == 0 or cleaned.shape[1] <= 200 - 30


def test_clean_strip_keeps_digits_when_there_is_no_colon() -> None:
    strip = np.full((40, 200), 250, dtype=np.uint8)
    strip[8:32, 20:32] = 20
    cleaned = clean_strip(strip, 24)
    assert (cleaned < 128).sum() == (strip < 128).sum()


def test_phone_whose_leading_zero_was_misread_is_mended_below_a_clean_reading() -> None:
    mended = choose_number("phone", [Reading("681260812708", 0.9)], _phone_valid, _phone_repair)
    assert mended.value == "081260812708" and mended.confidence < 0.9
    clean = choose_number("phone", [Reading("081260812708", 0.9)], _phone_valid, _phone_repair)
    assert clean.value == "081260812708" and clean.confidence == 0.9
    # An international form is valid as read; a number the structure cannot
    # mend (no 8 after the misread digit, or too short) stays unread.
    assert choose_number("phone", [Reading("6281260812708", 0.9)], _phone_valid,
                         _phone_repair).value == "6281260812708"
    assert choose_number("phone", [Reading("671260812708", 0.9)], _phone_valid,
                         _phone_repair).value is None
    assert choose_number("phone", [Reading("6812", 0.9)], _phone_valid,
                         _phone_repair).value is None


def test_a_third_reading_settles_a_dissent_below_the_high_confidence_line() -> None:
    # The strip read a KPJ's leading 0 as 6; the page reading had it right.
    strip, page = Reading("66525045104", 0.9), Reading("06525045104", 0.92)
    asked: list[int] = []

    def tiebreak(text: str) -> Reading:
        asked.append(1)
        return Reading(text, 0.91)

    field = choose_number("kpj", [strip, page], is_kpj, tiebreak=lambda: tiebreak("06525045104"))
    assert (field.value, field.raw) == ("06525045104", "06525045104")
    assert field.confidence == TIE_CONFIDENCE
    # A third reading that agrees with neither leaves the careful one, doubted.
    field = choose_number("kpj", [strip, page], is_kpj, tiebreak=lambda: tiebreak("06525045184"))
    assert field.value == "66525045104"
    assert field.confidence == round(0.9 * DISAGREEMENT_FACTOR, 3)
    # Readings that agree need no third.
    asked.clear()
    choose_number("kpj", [page, page], is_kpj, tiebreak=lambda: tiebreak("0"))
    assert not asked

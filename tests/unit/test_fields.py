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


# --------------------------------------------------------------------------
# e-KTP: voting among NIK readers, the digit-template reader, closed lists
# --------------------------------------------------------------------------

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from extractors.digits import digit_faces, read_digit_line  # noqa: E402
from extractors.identity import AGREED_CONFIDENCE, vote_nik  # noqa: E402
from extractors.ktp import printed_dash  # noqa: E402
from extractors.ktp_values import (parse_blood_group, parse_job, parse_rt_rw,  # noqa: E402
                                   parse_validity, snap, RELIGIONS)
from pipeline.types import Box  # noqa: E402

NIK = "6472035708850003"


def test_vote_nik_two_agreeing_readers_are_trusted() -> None:
    chosen = vote_nik([Reading(NIK, 0.85), Reading("6472 0357 0885 0003", 0.6)],
                      load_regions(), TODAY, "PEREMPUAN")
    assert chosen.value == NIK and chosen.confidence == AGREED_CONFIDENCE


def test_vote_nik_disagreeing_valid_readings_without_majority_give_none() -> None:
    other = "6472035708850005"
    chosen = vote_nik([Reading(NIK, 0.85), Reading(other, 0.85)], load_regions(), TODAY)
    assert chosen.value is None and chosen.raw == NIK


def test_vote_nik_majority_with_dissent_stays_below_review_line() -> None:
    other = "6472035708850005"
    chosen = vote_nik([Reading(NIK, 0.85), Reading(other, 0.85), Reading(NIK, 0.85)],
                      load_regions(), TODAY)
    assert chosen.value == NIK and chosen.confidence < 0.9


def test_vote_nik_lone_reading_is_not_high_confidence() -> None:
    regions = load_regions()
    alone = vote_nik([Reading(NIK, 0.95), Reading("12", 0.9)], regions, TODAY)
    assert alone.value == NIK and alone.confidence <= 0.85
    # A second 16-digit reading that fails the checks casts doubt on the first.
    doubted = vote_nik([Reading(NIK, 0.95), Reading("9972035708850003", 0.9)], regions, TODAY)
    assert doubted.value == NIK and doubted.confidence <= 0.6


def test_vote_nik_refuses_number_contradicting_sex_on_card() -> None:
    # Day 57 is a woman's birth day; the card says LAKI-LAKI.
    chosen = vote_nik([Reading(NIK, 0.85), Reading(NIK, 0.85)], load_regions(), TODAY,
                      "LAKI-LAKI")
    assert chosen.value is None


def _digit_line(text: str, face: str, size: int) -> np.ndarray:
    font = ImageFont.truetype(face, size)
    width = int(font.getlength(text)) + 40
    canvas = Image.new("L", (width, size * 2), 235)
    ImageDraw.Draw(canvas).text((20, size // 3), text, fill=25,
                                font=font)
    return np.asarray(canvas)


FACES = ("/usr/share/fonts/truetype/ocr-a/OCRA.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")


@pytest.mark.parametrize("face", FACES, ids=["ocr-a", "dejavu-mono-bold"])
def test_digit_reader_reads_rendered_nik_lines(face: str) -> None:
    if not digit_faces():
        pytest.skip("no digit face installed (fonts-ocr-a, fonts-dejavu-core)")
    for number in (NIK, "6303104303860007", "1234567890123456"):
        clean = _digit_line(number, face, 40)
        assert read_digit_line(clean, 16).text == number  # type: ignore[union-attr]
        # Softened, noisy, smaller and slightly rotated, as in a phone photo.
        rng = np.random.default_rng(7)
        small = cv2.resize(clean, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
        matrix = cv2.getRotationMatrix2D((small.shape[1] / 2, small.shape[0] / 2), 0.8, 1.0)
        rotated = cv2.warpAffine(small, matrix, (small.shape[1], small.shape[0]),
                                 borderValue=235)
        noisy = np.clip(cv2.GaussianBlur(rotated, (3, 3), 0.8)
                        + rng.normal(0, 8, rotated.shape), 0, 255).astype(np.uint8)
        assert read_digit_line(noisy, 16).text == number  # type: ignore[union-attr]


def test_digit_reader_refuses_a_line_of_the_wrong_length() -> None:
    if not digit_faces():
        pytest.skip("no digit face installed")
    assert read_digit_line(_digit_line("647203570885", FACES[0], 40), 16) is None
    assert read_digit_line(np.full((60, 400), 240, np.uint8), 16) is None


def test_printed_dash_after_label() -> None:
    image = np.full((60, 300), 240, np.uint8)
    cv2.rectangle(image, (10, 20), (100, 50), 20, -1)  # the label's ink
    cv2.circle(image, (110, 28), 2, 20, -1)  # colon
    cv2.circle(image, (110, 44), 2, 20, -1)
    label = Box(x=10, y=20, w=91, h=31)
    assert printed_dash(image, label) is None
    cv2.rectangle(image, (125, 34), (136, 38), 20, -1)
    assert printed_dash(image, label) is not None
    cv2.rectangle(image, (150, 22), (160, 50), 20, -1)  # a letter after it: not a lone dash
    assert printed_dash(image, label) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("O", "O"), ("0", "O"), ("AB", "AB"), ("A8", "AB"), ("B8", "B"), (": B", "B"),
    ("-", "-"), ("x", None), ("", None),
])
def test_parse_blood_group(text: str, expected: str | None) -> None:
    assert parse_blood_group(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("001/004", "001/004"), ("OO1 / 0O4", "001/004"), ("0011004", "001/004"),
    ("10221005", "022/005"), ("1024/1008", "024/008"), ("12", None), ("ABC", None),
])
def test_parse_rt_rw(text: str, expected: str | None) -> None:
    assert parse_rt_rw(text) == expected


def test_closed_lists_snap_only_clear_readings() -> None:
    assert snap("1SLAM", RELIGIONS, 70) == "ISLAM"
    assert snap("KATHOLlK", RELIGIONS, 70) == "KATHOLIK"
    assert snap("XQZ", RELIGIONS, 70) is None
    assert parse_validity("SEUMUR HlDUP") == "SEUMUR HIDUP"
    assert parse_validity("17-08-2030") == "2030-08-17"
    assert parse_validity("BERLAKU") is None
    assert parse_job("KARYAWAN SWASTA.") == "KARYAWAN SWASTA"
    assert parse_job("OPERATOR ALAT BERAT") == "OPERATOR ALAT BERAT"  # unlisted, kept as read

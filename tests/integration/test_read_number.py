"""Numbers re-read from their strip: one word, or a line when printed in groups."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from extractors.identity import Reading
from extractors.numbers import DIGITS, Strip, is_kpj, read_number
from fixtures.render.canvas import font
from pipeline.adapters.ocr_inprocess import TesserocrEngine
from pipeline.types import Box, PageRef

pytestmark = pytest.mark.ocr

ENGINE = TesserocrEngine()


def strip_of(text: str, face: str) -> tuple[Strip, Box]:
    """`text` printed on a white strip after a label's colon; the text's box."""
    image = Image.new("L", (900, 100), 255)
    draw = ImageDraw.Draw(image)
    typeface = font(face, 30)
    draw.text((40, 30), ":", font=typeface, fill=0)
    left, top, right, bottom = (round(v) for v in draw.textbbox((80, 30), text, font=typeface))
    draw.text((80, 30), text, font=typeface, fill=0)
    return (Strip(np.asarray(image), ENGINE, PageRef(attachment_index=0)),
            Box(x=left, y=top, w=right - left, h=bottom - top))


@pytest.mark.parametrize("number", ["06525045104", "05362226819", "08850430904"])
def test_a_number_opening_with_0_is_read_whole(number: str) -> None:
    strip, box = strip_of(number, "mono-bold")
    # The page reading took the colon for a 1: twelve digits, not a KPJ.
    field = read_number("kpj", strip, Reading("1" + number, 0.9, box), is_kpj)
    assert field.value == number


def test_a_number_printed_in_groups_is_read_as_a_line() -> None:
    strip, box = strip_of("15 1817 33015", "sans-bold")
    field = read_number("kpj", strip, Reading("| 15 1817 33015 |", 0.9, box), is_kpj,
                        whitelist=DIGITS + " ")
    assert field.value == "15181733015"

"""A member's name whose cell and page readings differ only in their spaces.

The letters agree, so the two readings look alike, but one lost a space
("SITIARSYAD") or found one: a third reading of the cell settles which,
and the name is not given the agreement's extra confidence.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from extractors.kk_table import NAME_AGREEMENT_BONUS, _name_cell
from extractors.table_grid import Cell, text_box
from fixtures.render.canvas import font
from pipeline.adapters.ocr_inprocess import TesserocrEngine
from pipeline.types import Box, PageRef, Word

pytestmark = pytest.mark.ocr

ENGINE = TesserocrEngine()
REF = PageRef(attachment_index=0)


def cell_of(name: str) -> Cell:
    image = Image.new("L", (520, 60), 255)
    ImageDraw.Draw(image).text((20, 14), name, font=font("sans", 24), fill=0)
    grey = np.asarray(image)
    return Cell(box=Box(x=300, y=700, w=520, h=60), image=grey,
                ink=(grey < 128).astype(np.uint8) * 255)


def page_words(cell: Cell, *texts: str) -> list[Word]:
    box = text_box(cell.ink)
    assert box is not None
    width = box.w // len(texts)
    return [Word(text=text, confidence=0.9, line=0,
                 box=Box(x=cell.box.x + box.x + i * width, y=cell.box.y + box.y, w=width,
                         h=box.h)) for i, text in enumerate(texts)]


def test_a_page_reading_that_lost_a_space_does_not_raise_the_name() -> None:
    cell = cell_of("SITI ARSYAD")
    box = text_box(cell.ink)
    agreed = _name_cell("anggota_1_nama", cell, box, page_words(cell, "SITI", "ARSYAD"),
                        ENGINE, REF)
    merged = _name_cell("anggota_1_nama", cell, box, page_words(cell, "SITIARSYAD"),
                        ENGINE, REF)
    assert agreed.value == merged.value == "SITI ARSYAD"
    # The cell reading's own confidence, without the agreement's bonus.
    assert agreed.confidence - NAME_AGREEMENT_BONUS - 0.002 <= merged.confidence \
        < agreed.confidence

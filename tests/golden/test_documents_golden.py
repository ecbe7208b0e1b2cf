"""Golden pages of the non-KTP kinds: each page's kind and field values pinned.

Pages and expected values are made by tests/golden/make_goldens.py from
the fixtures renderers; the comparison is of whole dicts so that a
failure shows every differing field.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import cv2
import pytest

from extractors import read_page
from pipeline.adapters.ocr_inprocess import TesserocrEngine
from pipeline.bench.samples import normalise
from pipeline.pages import prepare_page
from pipeline.types import Page, PageRef

HERE = Path(__file__).parent
KINDS = ("kk", "f5", "kartu_peserta", "paklaring", "buku_tabungan", "npwp")
PAGES = sorted(p for kind in KINDS for p in (HERE / kind).glob("*.jpg"))


@pytest.fixture(scope="module")
def engine() -> TesserocrEngine:
    return TesserocrEngine()


@pytest.mark.ocr
@pytest.mark.parametrize("page_path", PAGES, ids=[p.stem for p in PAGES])
def test_golden_page(page_path: Path, engine: TesserocrEngine) -> None:
    expected = json.loads(page_path.with_suffix(".json").read_text())
    image = cv2.imread(str(page_path))
    page = Page(ref=PageRef(attachment_index=0), filename=page_path.name, image=image)
    document = read_page(prepare_page(page), engine, today=date(2020, 6, 15))
    got = {name: normalise(expected["kind"], name, document.value(name))
           for name in expected["fields"]}
    assert {"kind": document.kind.value, "fields": got} == expected


def test_every_kind_has_a_golden_page() -> None:
    assert {p.parent.name for p in PAGES} == set(KINDS)

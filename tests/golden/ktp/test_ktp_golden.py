"""e-KTP goldens: each stored capture read end to end equals its `<stem>.json`.

The captures are synthetic (fixtures renderers and capture simulator, see
generate.py); a change in preparation, OCR use or extraction shows up as
a diff of the field values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.ktp.generate import expected_output, read_jpeg

HERE = Path(__file__).parent
CAPTURES = sorted(HERE.glob("*.jpg"))

pytestmark = pytest.mark.ocr


def test_goldens_present_and_small() -> None:
    assert len(CAPTURES) >= 4
    assert {p.stem.split("_")[1] for p in CAPTURES} == {"scan", "photo"}
    for path in CAPTURES:
        assert path.stat().st_size < 150_000, path.name
        assert path.with_suffix(".json").is_file(), path.name


@pytest.mark.parametrize("capture", CAPTURES, ids=[p.stem for p in CAPTURES])
def test_ktp_golden(capture: Path) -> None:
    expected = json.loads(capture.with_suffix(".json").read_text())
    assert expected_output(read_jpeg(capture)) == expected

"""The KTP renderer stays OCR-legible: tesseract finds the NIK on scanned cards."""

from __future__ import annotations

import random
from datetime import date

import pytest

from fixtures.capture import flatbed_scan
from fixtures.people import generate_profiles
from fixtures.render.ktp import render_ktp


@pytest.mark.ocr
def test_scanned_ktp_nik_is_legible() -> None:
    pytesseract = pytest.importorskip("pytesseract")
    found = 0
    for i, profile in enumerate(generate_profiles(random.Random(21), 3, date(2020, 6, 15))):
        scan = flatbed_scan(render_ktp(profile, random.Random(i)).image, random.Random(100 + i))
        text = pytesseract.image_to_string(scan[:, :, ::-1], lang="ind")
        found += profile.nik in text.replace(" ", "")
    assert found >= 2

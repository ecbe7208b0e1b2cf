"""KTP pages end to end: prepare, OCR with real tesseract, classify, extract."""

import random
import time
from datetime import date

import cv2
import numpy as np
import pytest

from extractors import read_page
from pipeline.adapters.ocr import PytesseractEngine
from pipeline.pages import prepare_page
from pipeline.types import Document, DocumentKind, Page, PageRef
from tests.integration.ktp_drawing import KtpText, draw_ktp

pytestmark = pytest.mark.ocr

TODAY = date(2025, 6, 1)
ENGINE = PytesseractEngine()

SITI = KtpText(nik="6472035708850003", nama="SITI NUR AINI", tempat_lahir="SAMARINDA",
               tanggal_lahir=date(1985, 8, 17), jenis_kelamin="PEREMPUAN")
BUDI = KtpText(nik="6371021103920011", nama="BUDI SANTOSO", tempat_lahir="BANJARMASIN",
               tanggal_lahir=date(1992, 3, 11), jenis_kelamin="LAKI-LAKI",
               provinsi="KALIMANTAN SELATAN", kabupaten_kota="KOTA BANJARMASIN")


def read(image: np.ndarray) -> Document:
    prepared = prepare_page(Page(ref=PageRef(attachment_index=0), filename="ktp.png",
                                 image=image))
    return read_page(prepared, ENGINE, today=TODAY)


@pytest.mark.parametrize("person", [SITI, BUDI], ids=["siti", "budi"])
def test_drawn_ktp_fields(person: KtpText) -> None:
    document = read(draw_ktp(person))
    assert document.kind is DocumentKind.KTP
    assert {f.name: f.value for f in document.fields} == {
        "nik": person.nik, "nama": person.nama, "tempat_lahir": person.tempat_lahir,
        "tanggal_lahir": person.tanggal_lahir.isoformat(),
        "jenis_kelamin": person.jenis_kelamin, "provinsi": person.provinsi,
        "kabupaten_kota": person.kabupaten_kota}
    assert document.field("nik").confidence >= 0.5  # type: ignore[union-attr]


def test_upside_down_ktp_is_turned_and_read() -> None:
    document = read(cv2.rotate(draw_ktp(BUDI), cv2.ROTATE_90_COUNTERCLOCKWISE))
    assert document.value("nik") == BUDI.nik


def test_blurred_ktp_is_reported_not_read() -> None:
    document = read(cv2.GaussianBlur(draw_ktp(SITI), (0, 0), 4))
    assert document.quality is not None and not document.quality.readable
    assert "blurred" in document.quality.reasons
    assert all(f.value is None and f.confidence <= 0.2 for f in document.fields)


def test_blank_page_is_not_a_photo() -> None:
    assert read(np.full((600, 900, 3), 250, np.uint8)).kind is DocumentKind.UNKNOWN


def test_fixture_ktps_nik_and_name_exact() -> None:
    """Flatbed-style renders from fixtures/render/ktp.py: NIK and name must be exact."""
    render = pytest.importorskip("fixtures.render.ktp")
    people = pytest.importorskip("fixtures.people")
    rng = random.Random(11)
    profiles = people.generate_profiles(rng, 4, TODAY)
    exact_nik = exact_name = 0
    started = time.perf_counter()
    for profile in profiles:
        rendered = render.render_ktp(profile, rng)
        document = read(rendered.image)
        exact_nik += document.value("nik") == rendered.truth["nik"].value
        exact_name += document.value("nama") == rendered.truth["nama"].value
    seconds = (time.perf_counter() - started) / len(profiles)
    print(f"fixture KTPs: nik exact {exact_nik}/{len(profiles)}, "
          f"nama exact {exact_name}/{len(profiles)}, {seconds:.2f} s/page")
    assert exact_nik == len(profiles) and exact_name == len(profiles)

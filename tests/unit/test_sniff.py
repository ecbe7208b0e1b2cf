"""sniff_type: the type of a file from its bytes."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from pipeline.sniff import DOCX, sniff_type

TNEF_DIR = Path(__file__).parents[1] / "data" / "corpus" / "eml" / "tnef"


def _image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def _zip_bytes(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("JPEG", "image/jpeg"),
        ("PNG", "image/png"),
        ("TIFF", "image/tiff"),
        ("GIF", "image/gif"),
        ("BMP", "image/bmp"),
        ("WEBP", "image/webp"),
    ],
)
def test_real_images_are_recognised(fmt: str, expected: str) -> None:
    assert sniff_type(_image_bytes(fmt)) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
        (b"\r\n\r\n%PDF-1.4\n", "application/pdf"),  # junk before the header
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00", "image/heic"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "application/msword"),
        (b"Halo, ini surat keterangan kerja.\r\nTerima kasih.\n", "text/plain"),
        ("Nama: Siti Rahayu — NIK terlampir\n".encode(), "text/plain"),
        (b"", "application/octet-stream"),
        (b"\x00\x01\x02\x03\xff\xfe", "application/octet-stream"),
        (b"BMxx not really a bitmap header", "text/plain"),
    ],
    ids=["pdf", "pdf-junk", "heic", "heif-mif1", "ole", "ascii", "utf8", "empty", "binary", "bm-text"],
)
def test_magic_bytes(data: bytes, expected: str) -> None:
    assert sniff_type(data) == expected


def test_docx_is_a_zip_with_a_word_document() -> None:
    docx = _zip_bytes(["[Content_Types].xml", "word/document.xml"])
    assert sniff_type(docx) == DOCX
    assert sniff_type(_zip_bytes(["scan1.jpg", "scan2.jpg"])) == "application/zip"


def test_truncated_docx_is_still_named_by_its_local_headers() -> None:
    docx = _zip_bytes(["[Content_Types].xml", "word/document.xml", "word/styles.xml"])
    assert sniff_type(docx[: len(docx) // 2]) in (DOCX, "application/zip")
    assert sniff_type(docx[:200]) == DOCX


@pytest.mark.parametrize("path", sorted(TNEF_DIR.glob("*.tnef")), ids=lambda p: p.stem)
def test_tnef_streams_from_the_corpus(path: Path) -> None:
    assert sniff_type(path.read_bytes()) == "application/vnd.ms-tnef"


def test_random_bytes_are_octet_stream() -> None:
    data = random.Random(7).randbytes(20_000)
    assert sniff_type(data) == "application/octet-stream"


def test_legacy_8bit_text_is_text() -> None:
    text = ("Saya mengirim dokumen pencairan JHT. " * 20).encode("cp1252") + b"\xe9\xe8"
    assert sniff_type(text) == "text/plain"

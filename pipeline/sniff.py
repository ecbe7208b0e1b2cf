"""The real type of a file, read from its bytes rather than from its label.

Participants rename files, phones send HEIC as "image/jpeg", and mailers label
everything "application/octet-stream"; the stages after intake must decide by
content. `sniff_type` is pure, never raises, and looks only at a bounded
prefix of the data (plus the zip directory for Office files).
"""

from __future__ import annotations

import io
import zipfile

OCTET_STREAM = "application/octet-stream"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# ISO base media "ftyp" brands that mean HEIF/HEIC still images.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})

# Control bytes that ordinary text does carry: tab, LF, FF, CR, ESC (ISO-2022-JP), BS.
_TEXT_CONTROLS = frozenset({8, 9, 10, 12, 13, 27})
_TEXT_SAMPLE = 8192

# File extensions for the types this module names, for generated file names.
EXTENSIONS: dict[str, str] = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "image/bmp": ".bmp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    DOCX: ".docx",
    "application/msword": ".doc",
    "application/vnd.ms-tnef": ".dat",
    "text/plain": ".txt",
}


def sniff_type(data: bytes) -> str:
    """MIME type of `data` judged from magic bytes; `application/octet-stream` if unknown.

    Empty data is `application/octet-stream`. Plain text is recognised by a
    heuristic (no NUL, few control bytes) over the first 8 KiB.
    """
    head = bytes(data[:1024])
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"BM") and len(head) >= 26 and head[6:10] == b"\x00\x00\x00\x00":
        return "image/bmp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    # Readers accept a PDF header anywhere in the first kilobyte.
    if b"%PDF-" in head:
        return "application/pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return DOCX if _zip_is_docx(data) else "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    if head.startswith(b"\x78\x9f\x3e\x22"):
        return "application/vnd.ms-tnef"
    if _looks_like_text(bytes(data[:_TEXT_SAMPLE])):
        return "text/plain"
    return OCTET_STREAM


def _zip_is_docx(data: bytes) -> bool:
    """Whether a zip archive holds a Word document part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        # A truncated archive still names its members in the local headers.
        return b"word/document.xml" in data


def _looks_like_text(sample: bytes) -> bool:
    if not sample or b"\x00" in sample:
        return False
    controls = sum(1 for byte in sample if (byte < 32 and byte not in _TEXT_CONTROLS) or byte == 127)
    if controls * 100 > len(sample):
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as err:
        # A multi-byte character cut by the sample end is still text.
        if err.start >= len(sample) - 3 and err.reason == "unexpected end of data":
            return True
    # Legacy 8-bit text (cp1252, koi8-r, ...): mostly printable ASCII.
    ascii_printable = sum(1 for byte in sample if 32 <= byte < 127 or byte in _TEXT_CONTROLS)
    return ascii_printable * 10 >= len(sample) * 7

"""Attachment file names: found, decoded, and made safe to show and store.

Where a name comes from, in order: Content-Disposition `filename`, then
Content-Type `name` (both already RFC 2231-decoded by `parse_params`), then
the uuencode begin line. RFC 2047 encoded words are decoded even where the
standard forbids them (inside quoted strings, as bare values), because
that is what mailers send.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata

from pipeline.mailparse.headers import decode_words
from pipeline.sniff import EXTENSIONS, OCTET_STREAM

MAX_NAME_LENGTH = 120
# Bidirectional overrides can disguise "gpj.exe" as "exe.jpg".
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def declared_filename(
    disposition_params: dict[str, str],
    type_params: dict[str, str],
    defects: list[str],
    where: str,
) -> str | None:
    """The name the sender gave the file, decoded, or None."""
    for value in (disposition_params.get("filename"), type_params.get("name")):
        if value and value.strip():
            return decode_words(value.strip(), defects, where)
    return None


def clean_filename(name: str) -> str:
    """A safe base name: NFC, no directories, no control characters, <= 120 chars.

    Returns "" when nothing usable is left.
    """
    text = unicodedata.normalize("NFC", name)
    # Keep only the last path component (Windows or Unix separators).
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc")
    text = _BIDI_CONTROLS.sub("", text)
    text = " ".join(text.split())
    text = text.strip().lstrip(".").strip()
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            text = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip() + "." + ext
        else:
            text = text[:MAX_NAME_LENGTH].rstrip()
    return text


def generated_filename(number: int, sniffed_type: str, declared_type: str) -> str:
    """A name for a file that came without one: "attachment-N.ext" (N from 1)."""
    ext = EXTENSIONS.get(sniffed_type)
    if ext is None and sniffed_type == OCTET_STREAM:
        ext = EXTENSIONS.get(declared_type) or mimetypes.guess_extension(declared_type, strict=False)
    return f"attachment-{number}{ext or '.bin'}"

"""Content-Transfer-Encoding: decoding, size estimates, and a cheap peek.

Decoders return None when the data cannot be decoded (rather than guessing),
so the caller can record DECODE_ERROR. Base64 is read leniently about line
breaks and missing padding, strictly about foreign characters.
"""

from __future__ import annotations

import binascii
import re

IDENTITY = frozenset({"7bit", "8bit", "binary"})
KNOWN = IDENTITY | {"base64", "quoted-printable", "x-uuencode"}

_WHITESPACE = b" \t\r\n\f\v"
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Some mailers concatenate separately padded base64 chunks.
_B64_CHUNK = re.compile(rb"(?<==)(?=[A-Za-z0-9+/])")
_UU_BEGIN = re.compile(rb"^begin(?:-base64)?\s+[0-7]{3,4}\s+(.*)$")


def estimate_size(raw: bytes, start: int, end: int, encoding: str) -> int:
    """Decoded size of raw[start:end], exact for identity, close for base64/uuencode.

    Counts line breaks in place (no copy), so it is cheap on huge parts.
    QP is estimated as its encoded length (an upper bound).
    """
    length = end - start
    if encoding in ("base64", "x-uuencode"):
        breaks = raw.count(b"\n", start, end) + raw.count(b"\r", start, end)
        return max(0, (length - breaks) * 3 // 4)
    return length


def lower_bound_size(raw: bytes, start: int, end: int, encoding: str) -> int:
    """A size the decoded data surely reaches: decides TOO_LARGE without decoding."""
    if encoding == "quoted-printable":
        return (end - start) // 3
    if encoding in ("base64", "x-uuencode"):
        return estimate_size(raw, start, end, encoding) * 9 // 10
    return end - start


def decode_transfer(data: bytes, encoding: str) -> bytes | None:
    """Decode a part body; None when the encoding is unknown or the data is broken."""
    if encoding in IDENTITY:
        return data
    if encoding == "base64":
        return decode_base64(data)
    if encoding == "quoted-printable":
        try:
            return binascii.a2b_qp(data)
        except (binascii.Error, ValueError):
            return None
    if encoding == "x-uuencode":
        decoded = decode_uu(data)
        return None if decoded is None else decoded[0]
    return None


def decode_base64(data: bytes) -> bytes | None:
    """Base64 with line breaks and missing padding tolerated; None on foreign bytes."""
    cleaned = data.translate(None, _WHITESPACE)
    if cleaned.translate(None, _B64_ALPHABET + b"="):
        return None
    out: list[bytes] = []
    for chunk in _B64_CHUNK.split(cleaned):
        body = chunk.rstrip(b"=")
        if b"=" in body or len(body) % 4 == 1:
            return None
        try:
            out.append(binascii.a2b_base64(body + b"=" * (-len(body) % 4)))
        except (binascii.Error, ValueError):
            return None
    return b"".join(out)


def decode_uu(data: bytes) -> tuple[bytes, str | None] | None:
    """Uudecode a body: (data, file name from the begin line); None if malformed.

    A body with no content at all decodes to b"" (an empty attachment).
    """
    lines = data.splitlines()
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index == len(lines):
        return b"", None
    match = _UU_BEGIN.match(lines[index].strip())
    if not match:
        return None
    name = match.group(1).decode("utf-8", "replace").strip() or None
    out: list[bytes] = []
    for line in lines[index + 1:]:
        stripped = line.rstrip(b"\r\n")
        if stripped.strip() == b"end":
            return b"".join(out), name
        if not stripped.strip():
            continue
        out.append(_uu_line(stripped))
    return b"".join(out), name


def _uu_line(line: bytes) -> bytes:
    try:
        return binascii.a2b_uu(line)
    except binascii.Error:
        # Some encoders pad lines with garbage: decode only the declared length.
        count = ((line[0] - 32) & 63) * 4 + 5
        try:
            return binascii.a2b_uu(line[: count // 3])
        except binascii.Error:
            return b""


def peek_base64(raw: bytes, start: int, end: int, want: int = 4096) -> bytes:
    """The first `want` decoded bytes of a base64 body, for sniffing a part not decoded."""
    window = raw[start:min(end, start + want * 2)].translate(None, _WHITESPACE)
    window = window[: len(window) - len(window) % 4]
    try:
        return binascii.a2b_base64(window)
    except (binascii.Error, ValueError):
        return b""

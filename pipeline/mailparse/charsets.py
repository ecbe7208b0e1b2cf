"""Charset names as mailers write them, mapped to Python codecs.

Mail labels text with names Python does not know (`ks_c_5601-1987` works,
`x-unknown` does not) or with names whose strict meaning loses text
(`us-ascii` bodies that carry 8-bit bytes). Decoding here never raises.
"""

from __future__ import annotations

import codecs

# Labels whose common use is wider than their name (as browsers treat them).
_ALIASES: dict[str, str] = {
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
}


def lookup_codec(charset: str | None) -> str | None:
    """The Python text codec for a mail charset label, or None if unknown."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # Codecs such as "hex" or "rot13" are not text encodings.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_text(data: bytes, charset: str | None) -> tuple[str, bool]:
    """Decode `data` in `charset`; returns (text, charset_known).

    A known charset decodes with replacement characters for bad bytes. With
    no label, or `us-ascii`, the bytes are read as UTF-8 if valid, else as
    Windows-1252 (the usual truth behind such labels). An unknown label reads
    as UTF-8 with replacement characters.
    """
    label = (charset or "").strip().strip("\"'").lower()
    codec = lookup_codec(label)
    if label in ("", "us-ascii", "ascii"):
        try:
            return data.decode("utf-8"), True
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace"), True
    if codec is None:
        return data.decode("utf-8", "replace"), False
    try:
        return data.decode(codec, "replace"), True
    except (LookupError, ValueError, TypeError):
        return data.decode("utf-8", "replace"), False

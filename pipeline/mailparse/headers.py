"""Header blocks, encoded words, parameters, addresses and message ids.

Everything here takes bytes or text straight from the wire and returns text
plus a list of short defect strings; nothing raises on malformed input.
The `email` package is used where it is robust (`email.utils.getaddresses`);
parameter and encoded-word decoding are done here because the standard
library mis-decodes names real mailers send (see tests/data/corpus/README.md).
"""

from __future__ import annotations

import binascii
import email.utils
import re
import urllib.parse
from dataclasses import dataclass

from pipeline.mailparse.charsets import decode_text

# A header field name: printable ASCII except colon, then optional blanks.
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_LOOSE_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
MAX_HEADER_BYTES = 1 << 20
MAX_REFERENCES = 100


@dataclass(frozen=True)
class Headers:
    """Header fields in order: lower-case name and unfolded value as text."""

    fields: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        for key, value in self.fields:
            if key == name:
                return value
        return None

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self.fields if key == name]


@dataclass(frozen=True)
class HeaderScan:
    """Result of reading a header block: the fields and where the body starts."""

    headers: Headers
    body_start: int
    defects: tuple[str, ...]


def _next_line(raw: bytes, pos: int, end: int) -> tuple[bytes, int]:
    """The line at `pos` without its line break, and the position after it."""
    newline = raw.find(b"\n", pos, end)
    stop = end if newline < 0 else newline + 1
    line = raw[pos:stop].rstrip(b"\r\n")
    return line, stop


def scan_headers(raw: bytes, start: int, end: int, where: str) -> HeaderScan:
    """Read the header block of the entity at raw[start:end].

    The body starts after the first blank line; a line that is neither a
    field nor a continuation also ends the headers (recorded as a defect), as
    does a header block longer than MAX_HEADER_BYTES.
    """
    defects: list[str] = []
    lines: list[bytes] = []
    pos = start
    limit = min(end, start + MAX_HEADER_BYTES)
    # An mbox "From " separator line before the headers is not a header.
    if raw.startswith(b"From ", start):
        _, pos = _next_line(raw, pos, end)
    body_start = end
    while pos < end:
        if pos >= limit:
            defects.append(f"{where}: header block too long")
            body_start = pos
            break
        line, after = _next_line(raw, pos, end)
        if not line.strip(b" \t"):
            # A blank-looking line followed by an indented one is folding.
            if line and lines and raw[after:after + 1] in (b" ", b"\t"):
                pos = after
                continue
            body_start = after
            break
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += b" " + line.strip(b" \t")
        elif _FIELD.match(line):
            lines.append(line)
        else:
            defects.append(f"{where}: headers end without a blank line")
            body_start = pos
            break
        pos = after
    fields: list[tuple[str, str]] = []
    for line in lines:
        name, _, value = line.partition(b":")
        key = name.strip().decode("ascii", "replace").lower()
        text, eight_bit = _header_bytes_to_text(value.strip())
        if eight_bit:
            defects.append(f"{where}: header {key}: raw 8-bit bytes")
        fields.append((key, text))
    return HeaderScan(Headers(tuple(fields)), body_start, tuple(defects))


def _header_bytes_to_text(value: bytes) -> tuple[str, bool]:
    """Header bytes as text: UTF-8 (RFC 6532) if valid, else Windows-1252."""
    if value.isascii():
        return value.decode("ascii"), False
    try:
        return value.decode("utf-8"), False
    except UnicodeDecodeError:
        return value.decode("cp1252", "replace"), True


def decode_words(text: str, defects: list[str], where: str) -> str:
    """Decode RFC 2047 encoded words in `text`.

    Adjacent encoded words in the same charset are joined before decoding,
    because mailers split multi-byte characters across words. Unknown
    charsets and bad encodings give replacement characters and a defect.
    """
    if "=?" not in text:
        return text
    pieces: list[str] = []
    pending = b""
    pending_charset = ""
    last_end = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[last_end:match.start()]
        charset = match.group(1).split("*", 1)[0].lower()
        data = _decode_word_payload(match.group(2).lower(), match.group(3))
        if data is None:
            defects.append(f"{where}: bad encoded word")
            data = match.group(0).encode("ascii", "replace")
            charset = "us-ascii"
        joinable = pending and not between.strip() and charset == pending_charset
        if not joinable:
            if pending:
                pieces.append(_decode_charset(pending, pending_charset, defects, where))
                pending = b""
            # Blanks between two encoded words are folding, not content.
            if not (last_end and not between.strip()):
                pieces.append(between)
        pending += data
        pending_charset = charset
        last_end = match.end()
    if pending:
        pieces.append(_decode_charset(pending, pending_charset, defects, where))
    pieces.append(text[last_end:])
    return "".join(pieces)


def _decode_word_payload(kind: str, payload: str) -> bytes | None:
    data = payload.encode("ascii", "replace")
    try:
        if kind == "q":
            return binascii.a2b_qp(data, header=True)
        data = data.rstrip(b"=")
        if len(data) % 4 == 1:
            data = data[:-1]
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return None


def _decode_charset(data: bytes, charset: str, defects: list[str], where: str) -> str:
    text, known = decode_text(data, charset)
    if not known:
        defects.append(f"{where}: unknown charset {charset}")
    return text


def parse_params(value: str, defects: list[str], where: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type/Disposition value into its first token and parameters.

    Parameter names are lower-case. RFC 2231 extended and continued values
    (`name*=utf-8''...`, `name*0*=...`) are decoded; quoted strings keep a
    backslash that does not escape a quote or backslash (Windows paths);
    an unquoted value runs to the next semicolon, spaces included.
    """
    head, _, rest = value.partition(";")
    simple: dict[str, str] = {}
    extended: dict[str, list[tuple[int, bool, str]]] = {}
    pos = 0
    while pos < len(rest):
        while pos < len(rest) and rest[pos] in " \t;":
            pos += 1
        eq = rest.find("=", pos)
        semi = rest.find(";", pos)
        if eq < 0 or (0 <= semi < eq):
            pos = len(rest) if semi < 0 else semi + 1
            continue
        key = rest[pos:eq].strip().lower()
        pos = eq + 1
        while pos < len(rest) and rest[pos] in " \t":
            pos += 1
        if pos < len(rest) and rest[pos] == '"':
            param, pos = _read_quoted(rest, pos + 1)
        else:
            semi = rest.find(";", pos)
            stop = len(rest) if semi < 0 else semi
            param, pos = rest[pos:stop].strip(), stop
        _store_param(key, param, simple, extended)
    for name, segments in extended.items():
        simple[name] = _join_rfc2231(sorted(segments), defects, where)
    return head.strip(), simple


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    out: list[str] = []
    while pos < len(text):
        char = text[pos]
        if char == "\\" and pos + 1 < len(text) and text[pos + 1] in '"\\':
            out.append(text[pos + 1])
            pos += 2
            continue
        if char == '"':
            return "".join(out), pos + 1
        out.append(char)
        pos += 1
    return "".join(out), pos


def _store_param(
    key: str, param: str, simple: dict[str, str], extended: dict[str, list[tuple[int, bool, str]]]
) -> None:
    match = re.fullmatch(r"([^*]+)\*(?:(\d{1,3})(\*)?)?", key)
    if not match:
        simple.setdefault(key, param)
        return
    name, number, star = match.groups()
    if number is None:
        extended.setdefault(name, []).append((0, True, param))
    else:
        extended.setdefault(name, []).append((int(number), star is not None, param))


def _join_rfc2231(segments: list[tuple[int, bool, str]], defects: list[str], where: str) -> str:
    charset = "utf-8"
    data = b""
    for index, (_, encoded, value) in enumerate(segments):
        if encoded and index == 0 and value.count("'") >= 2:
            charset, _, value = value.split("'", 2)
            charset = charset or "utf-8"
        if encoded:
            data += urllib.parse.unquote_to_bytes(value)
        else:
            data += value.encode("utf-8", "replace")
    return _decode_charset(data, charset.lower(), defects, where)


def parse_address(value: str, defects: list[str], where: str) -> tuple[str | None, str | None]:
    """First mailbox in an address header: (lower-case address, display name)."""
    try:
        pairs = email.utils.getaddresses([value])
    except Exception:  # noqa: BLE001 - the stdlib parser has raised on odd input before
        pairs = []
    for name, address in pairs:
        if "@" in address:
            return address.strip().lower(), decode_words(name, defects, where).strip() or None
    loose = _LOOSE_ADDRESS.search(value)
    if loose:
        defects.append(f"{where}: unparseable address, used the bare address")
        return loose.group(0).lower(), None
    defects.append(f"{where}: no address")
    return None, None


def parse_message_ids(value: str | None) -> tuple[str, ...]:
    """Message ids in `value`, each kept in angle brackets, in order, without repeats."""
    if not value:
        return ()
    found = [f"<{item}>" for item in _MSG_ID.findall(value)]
    if not found and value.strip() and " " not in value.strip():
        found = [f"<{value.strip().strip('<>')}>"]
    return tuple(dict.fromkeys(found))[:MAX_REFERENCES]

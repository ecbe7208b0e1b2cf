"""The MIME tree of a message, as offsets into the raw bytes.

Bodies are never copied here: each entity records where its body lies in
the raw message, so a 200 MB attachment costs nothing until someone decides
to decode it (and the size limit decides that it should not be). Boundaries
are matched whole (a boundary that is a prefix of another does not match),
a missing close delimiter ends the last part at the end of its parent, and
a multipart whose boundary never appears becomes a plain leaf: each case is
recorded as a defect, none raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.mailparse.headers import Headers, parse_params, scan_headers

MAX_DEPTH = 24
_GLUED_TYPE = re.compile(r"^(application|image|audio|video|text)[-_.]([a-z0-9][a-z0-9.+_-]*)$")
MAX_ENTITIES = 1000


@dataclass(frozen=True)
class Entity:
    """One MIME entity: its headers, parsed type, and body range in the raw bytes."""

    path: str
    headers: Headers
    content_type: str
    type_params: dict[str, str]
    disposition: str
    disposition_params: dict[str, str]
    transfer_encoding: str
    body_start: int
    body_end: int
    # True inside a forwarded message/rfc822, whose body is not the sender's text.
    nested: bool
    children: tuple[Entity, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass
class _Walk:
    raw: bytes
    defects: list[str] = field(default_factory=list)
    count: int = 0


def parse_structure(raw: bytes, start: int, end: int, defects: list[str]) -> Entity:
    """The entity tree of the message at raw[start:end]; defects are appended."""
    walk = _Walk(raw)
    entity = _parse_entity(walk, start, end, "", True, "text/plain", False, 0)
    defects.extend(walk.defects)
    return entity


def _join(prefix: str, index: int) -> str:
    return f"{prefix}.{index}" if prefix else str(index)


def _parse_entity(
    walk: _Walk,
    start: int,
    end: int,
    prefix: str,
    is_message: bool,
    default_type: str,
    nested: bool,
    depth: int,
) -> Entity:
    walk.count += 1
    where = f"part {prefix or '1'}"
    scan = scan_headers(walk.raw, start, end, where)
    walk.defects.extend(scan.defects)
    headers = scan.headers
    content_type, params = _content_type(headers, default_type, walk.defects, where)
    disposition_value = headers.get("content-disposition") or ""
    disposition, disp_params = parse_params(disposition_value, walk.defects, where)
    cte = _transfer_encoding(headers.get("content-transfer-encoding"))
    is_multipart = content_type.startswith("multipart/")
    path = prefix if is_multipart or not is_message else _join(prefix, 1)
    where = f"part {path or '1'}"
    disposition = disposition.lower()

    def build(kind: str, children: tuple[Entity, ...] = ()) -> Entity:
        return Entity(
            path=path or "1",
            headers=headers,
            content_type=kind,
            type_params=params,
            disposition=disposition,
            disposition_params=disp_params,
            transfer_encoding=cte,
            body_start=scan.body_start,
            body_end=end,
            nested=nested,
            children=children,
        )

    too_deep = depth >= MAX_DEPTH or walk.count >= MAX_ENTITIES
    if (is_multipart or content_type == "message/rfc822") and too_deep:
        walk.defects.append(f"{where}: nesting too deep, not opened")
        return build(content_type)
    if content_type == "message/rfc822" and cte in ("7bit", "8bit", "binary"):
        inner = _parse_entity(
            walk, scan.body_start, end, path, True, "text/plain", True, depth + 1
        )
        return build(content_type, (inner,))
    if not is_multipart:
        return build(content_type)
    boundary = params.get("boundary", "")
    if not boundary:
        walk.defects.append(f"{where}: multipart without boundary, read as text")
        return build("text/plain")
    ranges = _split_parts(walk, scan.body_start, end, boundary.encode("utf-8", "replace"), where)
    if ranges is None:
        walk.defects.append(f"{where}: boundary never found, read as text")
        return build("text/plain")
    child_default = "message/rfc822" if content_type == "multipart/digest" else "text/plain"
    children = tuple(
        _parse_entity(walk, s, e, _join(path, i), False, child_default, nested, depth + 1)
        for i, (s, e) in enumerate(ranges, start=1)
    )
    if not children:
        walk.defects.append(f"{where}: multipart with no parts")
    return build(content_type, children)


def _content_type(
    headers: Headers, default_type: str, defects: list[str], where: str
) -> tuple[str, dict[str, str]]:
    values = headers.get_all("content-type")
    if len(values) > 1:
        defects.append(f"{where}: {len(values)} Content-Type headers, used the first")
    if not values:
        return default_type, {}
    head, params = parse_params(values[0], defects, where)
    head = head.lower()
    glued = _GLUED_TYPE.match(head)
    if "/" not in head and glued:
        # "application-x-gzip": a separator typed instead of the slash.
        defects.append(f"{where}: content type {head[:40]!r} has no slash")
        return f"{glued.group(1)}/{glued.group(2)}", params
    if "/" not in head:
        if head:
            defects.append(f"{where}: content type {head[:40]!r} has no subtype")
        if head in ("application", "image", "audio", "video"):
            return f"{head}/octet-stream", params
        return default_type, params
    major, _, minor = head.partition("/")
    if not major.strip() or not minor.strip():
        defects.append(f"{where}: malformed content type")
        return default_type, params
    return f"{major.strip()}/{minor.strip()}", params


def _transfer_encoding(value: str | None) -> str:
    """Normalised transfer encoding; tolerates "quoted printable" and "base64;"."""
    if value is None:
        return "7bit"
    token = value.strip().strip(";").strip().strip('"').lower().replace(" ", "-").replace("_", "-")
    if not token:
        return "7bit"
    if token in ("uuencode", "x-uue", "uue"):
        return "x-uuencode"
    return token


def _split_parts(
    walk: _Walk, start: int, end: int, boundary: bytes, where: str
) -> list[tuple[int, int]] | None:
    """Body ranges of the parts between delimiters; None if no delimiter appears."""
    raw = walk.raw
    marker = b"--" + boundary
    delimiters: list[tuple[int, int, bool]] = []  # (line start, after line, is close)
    pos = start
    while True:
        hit = raw.find(marker, pos, end)
        if hit < 0:
            break
        pos = hit + len(marker)
        if hit != start and raw[hit - 1:hit] != b"\n":
            continue
        after = pos
        closing = raw.startswith(b"--", after)
        if closing:
            after += 2
        while after < end and raw[after:after + 1] in (b" ", b"\t"):
            after += 1
        if after < end and raw[after:after + 1] == b"\r":
            after += 1
        if after < end and raw[after:after + 1] != b"\n":
            continue  # a longer boundary that merely starts like ours
        delimiters.append((hit, min(after + 1, end), closing))
        if closing:
            break
    if not delimiters:
        return None
    if not delimiters[-1][2]:
        walk.defects.append(f"{where}: close boundary missing")
    ranges: list[tuple[int, int]] = []
    for (_, body_from, closing), nxt in zip(delimiters, delimiters[1:] + [None]):
        if closing:
            break
        stop = end if nxt is None else _before_line_break(raw, nxt[0], body_from)
        ranges.append((body_from, stop))
    return ranges


def _before_line_break(raw: bytes, line_start: int, floor: int) -> int:
    """The line break before a delimiter belongs to the delimiter, not the part."""
    stop = line_start
    if stop > floor and raw[stop - 1:stop] == b"\n":
        stop -= 1
        if stop > floor and raw[stop - 1:stop] == b"\r":
            stop -= 1
    return stop


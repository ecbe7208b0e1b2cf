"""RawMessage bytes -> Submission: headers, body text, attachments, booking code.

Contract: `build_submission` never raises on any input bytes. What cannot be
understood becomes a recorded result: `Submission.defects` lists every
problem met ("part 2: unknown charset x-foo"), an unreadable attachment
carries an `AttachmentProblem`, and a message that cannot be read at all
has `unreadable_reason` ("empty", "too_large", "not_mime") with whatever
headers could be read, so a reply can still be addressed.

The MIME tree is found as offsets into the raw bytes (pipeline.mailparse),
so the cost of a huge attachment is paid only if the limits allow decoding
it; a message over `max_message_bytes` has only its first 64 KiB read.

Message ids are kept with their angle brackets ("<id@host>"), as they
appear in In-Reply-To and References.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from pipeline.mailparse.charsets import decode_text
from pipeline.mailparse.filenames import clean_filename, declared_filename, generated_filename
from pipeline.mailparse.headers import (
    Headers,
    decode_words,
    parse_address,
    parse_message_ids,
    scan_headers,
)
from pipeline.mailparse.structure import Entity, parse_structure
from pipeline.mailparse.text import html_to_text, tidy_text
from pipeline.mailparse.transfer import (
    KNOWN,
    decode_transfer,
    decode_uu,
    estimate_size,
    lower_bound_size,
    peek_base64,
)
from pipeline.settings import LimitSettings
from pipeline.sniff import sniff_type
from pipeline.types import Attachment, AttachmentProblem, Submission

HEADER_PEEK_BYTES = 64 * 1024
# Encoded bytes of a text body that are read; the kept text is 20k chars.
MAX_TEXT_PART_BYTES = 4 * 1024 * 1024
MAX_SUBJECT_CHARS = 500
MAX_DEFECTS = 200
_SNIFF_BYTES = 4096

# A message with none of these is not mail at all.
_MAIL_HEADERS = (
    "from", "to", "subject", "date", "message-id", "content-type", "mime-version",
    "received", "return-path", "sender", "reply-to",
)
_BOOKING = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{3})-(\d{2})(\d{2})(\d{2})-(\d{4})(?![0-9])")


def find_booking_code(text: str) -> str | None:
    """The first booking code in `text` ("PNK-200612-0042"), upper-cased, or None.

    A code is a 3-letter branch code, a YYMMDD date and a 4-digit number; a
    candidate whose month or day cannot exist is skipped.
    """
    for match in _BOOKING.finditer(text):
        branch, year, month, day, number = match.groups()
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            return f"{branch.upper()}-{year}{month}{day}-{number}"
    return None


@dataclass(frozen=True)
class _Envelope:
    """The header facts of a Submission."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    sender: str | None
    sender_name: str | None
    subject: str


def build_submission(
    branch_id: str, raw: bytes, received_at: datetime, limits: LimitSettings
) -> Submission:
    """Parse one raw message into a Submission; never raises on any input bytes."""
    defects: list[str] = []
    digest = hashlib.sha256(raw).hexdigest()
    try:
        return _build(branch_id, raw, digest, received_at, limits, defects)
    except Exception as err:  # noqa: BLE001 - last line of defence: bad mail is a result
        defects.append(f"message: parser failure {type(err).__name__}")
        return _submission(branch_id, digest, received_at, None, defects, "parse_error")


def _build(
    branch_id: str,
    raw: bytes,
    digest: str,
    received_at: datetime,
    limits: LimitSettings,
    defects: list[str],
) -> Submission:
    if not raw[:HEADER_PEEK_BYTES].strip() and not raw.strip():
        return _submission(branch_id, digest, received_at, None, defects, "empty")
    if len(raw) > limits.max_message_bytes:
        defects.append(
            f"message: {len(raw)} bytes over the limit of {limits.max_message_bytes}, not parsed"
        )
        scan = scan_headers(raw, 0, min(len(raw), HEADER_PEEK_BYTES), "message")
        defects.extend(scan.defects)
        envelope = _envelope(scan.headers, defects)
        return _submission(branch_id, digest, received_at, envelope, defects, "too_large")
    root = parse_structure(raw, 0, len(raw), defects)
    if not any(root.headers.get(name) for name in _MAIL_HEADERS):
        return _submission(branch_id, digest, received_at, None, defects, "not_mime")
    envelope = _envelope(root.headers, defects)
    leaves = list(_leaves(root))
    body = _choose_body(raw, leaves)
    body_text = _body_text(raw, body, defects) if body is not None else ""
    attachments: list[Attachment] = []
    for leaf in leaves:
        if leaf is not body and _carries_file(leaf):
            attachments.append(_attachment(raw, leaf, len(attachments), limits, defects))
    return _submission(
        branch_id, digest, received_at, envelope, defects, None, body_text, tuple(attachments)
    )


def _submission(
    branch_id: str,
    digest: str,
    received_at: datetime,
    envelope: _Envelope | None,
    defects: list[str],
    unreadable: str | None,
    body_text: str = "",
    attachments: tuple[Attachment, ...] = (),
) -> Submission:
    env = envelope or _Envelope(None, None, (), None, None, "")
    booking = find_booking_code(env.subject) or find_booking_code(body_text)
    kept = tuple(dict.fromkeys(defect[:200] for defect in defects))[:MAX_DEFECTS]
    return Submission(
        branch_id=branch_id,
        message_sha256=digest,
        message_id=env.message_id,
        sender=env.sender,
        sender_name=env.sender_name,
        subject=env.subject,
        received_at=received_at,
        in_reply_to=env.in_reply_to,
        references=env.references,
        body_text=body_text,
        booking_code=booking,
        attachments=attachments,
        defects=kept,
        unreadable_reason=unreadable,
    )


def _envelope(headers: Headers, defects: list[str]) -> _Envelope:
    sender: str | None = None
    sender_name: str | None = None
    for name in ("from", "reply-to", "sender"):
        value = headers.get(name)
        if value:
            sender, sender_name = parse_address(value, defects, f"header {name}")
            if sender:
                break
    subject_raw = headers.get("subject") or ""
    subject = decode_words(subject_raw, defects, "header subject")
    subject = " ".join(subject.replace("\x00", "").split())[:MAX_SUBJECT_CHARS]
    ids = parse_message_ids(headers.get("message-id"))
    replied = parse_message_ids(headers.get("in-reply-to"))
    return _Envelope(
        message_id=ids[0] if ids else None,
        in_reply_to=replied[0] if replied else None,
        references=parse_message_ids(headers.get("references")),
        sender=sender,
        sender_name=sender_name,
        subject=subject,
    )


def _leaves(entity: Entity) -> list[Entity]:
    if entity.is_leaf:
        return [entity]
    found: list[Entity] = []
    for child in entity.children:
        found.extend(_leaves(child))
    return found


def _is_text_body(leaf: Entity) -> bool:
    # Name defects are recorded once, by the attachment pass.
    return (
        leaf.content_type in ("text/plain", "text/html")
        and leaf.disposition != "attachment"
        and leaf.transfer_encoding != "x-uuencode"
        and _declared_name(leaf, []) is None
    )


def _choose_body(raw: bytes, leaves: list[Entity]) -> Entity | None:
    """The sender's own text: plain before HTML, outer message before forwarded ones.

    Blank parts are passed over (an empty alternative must not hide the real text).
    """
    candidates = [leaf for leaf in leaves if _is_text_body(leaf) and _has_content(raw, leaf)]
    for nested in (False, True):
        for kind in ("text/plain", "text/html"):
            for leaf in candidates:
                if leaf.nested == nested and leaf.content_type == kind:
                    return leaf
    return None


def _has_content(raw: bytes, leaf: Entity) -> bool:
    return bool(raw[leaf.body_start:min(leaf.body_end, leaf.body_start + 65536)].strip())


def _declared_name(leaf: Entity, defects: list[str]) -> str | None:
    return declared_filename(
        leaf.disposition_params, leaf.type_params, defects, f"part {leaf.path}"
    )


def _carries_file(leaf: Entity) -> bool:
    """Whether a non-body leaf is a file rather than an alternative or a report."""
    major = leaf.content_type.split("/", 1)[0]
    return (
        leaf.disposition == "attachment"
        or leaf.transfer_encoding == "x-uuencode"
        or leaf.content_type == "message/rfc822"
        or major not in ("text", "message", "multipart")
        or _declared_name(leaf, []) is not None
    )


def _body_text(raw: bytes, leaf: Entity, defects: list[str]) -> str:
    where = f"part {leaf.path}"
    end = min(leaf.body_end, leaf.body_start + MAX_TEXT_PART_BYTES)
    if end < leaf.body_end:
        defects.append(f"{where}: body text longer than {MAX_TEXT_PART_BYTES} bytes, cut")
    encoded = raw[leaf.body_start:end]
    data = decode_transfer(encoded, leaf.transfer_encoding)
    if data is None:
        defects.append(f"{where}: cannot undo transfer encoding {leaf.transfer_encoding[:40]}")
        data = encoded
    charset = leaf.type_params.get("charset")
    text, known = decode_text(data, charset)
    if not known:
        defects.append(f"{where}: unknown charset {(charset or '')[:40]}")
    return html_to_text(text) if leaf.content_type == "text/html" else tidy_text(text)


def _attachment(
    raw: bytes, leaf: Entity, index: int, limits: LimitSettings, defects: list[str]
) -> Attachment:
    """One file part, decoded only if its size allows; problems are recorded, not raised."""
    where = f"part {leaf.path}"
    name = _declared_name(leaf, defects)
    start, end, cte = leaf.body_start, leaf.body_end, leaf.transfer_encoding
    problem: AttachmentProblem | None = None
    data = b""
    head = b""
    if cte not in KNOWN:
        defects.append(f"{where}: unknown transfer encoding {cte[:40]}")
        problem, size = AttachmentProblem.DECODE_ERROR, end - start
        digest = hashlib.sha256(memoryview(raw)[start:end]).hexdigest()
    elif lower_bound_size(raw, start, end, cte) > limits.max_attachment_bytes:
        problem, size = AttachmentProblem.TOO_LARGE, estimate_size(raw, start, end, cte)
        # Hash the encoded body in place: decoding it is what the limit forbids.
        digest = hashlib.sha256(memoryview(raw)[start:end]).hexdigest()
        head = peek_base64(raw, start, end) if cte == "base64" else raw[start:start + _SNIFF_BYTES]
    else:
        decoded, uu_name = _decode_file(raw[start:end], cte)
        name = name or uu_name
        if decoded is None:
            defects.append(f"{where}: cannot undo transfer encoding {cte}")
            problem, size = AttachmentProblem.DECODE_ERROR, end - start
            digest = hashlib.sha256(memoryview(raw)[start:end]).hexdigest()
        else:
            size, digest = len(decoded), hashlib.sha256(decoded).hexdigest()
            if size > limits.max_attachment_bytes:
                problem, head = AttachmentProblem.TOO_LARGE, decoded[:_SNIFF_BYTES]
            elif size == 0:
                problem = AttachmentProblem.EMPTY
            else:
                data = decoded
    sniffed = sniff_type(data or head)
    filename = clean_filename(name) if name else ""
    if not filename:
        filename = generated_filename(index + 1, sniffed, leaf.content_type)
    return Attachment(
        index=index,
        filename=filename,
        declared_type=leaf.content_type,
        sniffed_type=sniffed,
        size=size,
        sha256=digest,
        data=data,
        problem=problem,
        part_path=leaf.path,
    )


def _decode_file(encoded: bytes, cte: str) -> tuple[bytes | None, str | None]:
    """Decoded bytes (None if broken) and, for uuencode, the name on the begin line."""
    if cte == "x-uuencode":
        result = decode_uu(encoded)
        return (None, None) if result is None else result
    return decode_transfer(encoded, cte), None

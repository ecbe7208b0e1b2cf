"""build_submission and find_booking_code on messages built here."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import time
import tracemalloc
import zipfile
from datetime import datetime, timezone
from email.message import EmailMessage

import pytest
from PIL import Image

from pipeline.intake import build_submission, find_booking_code
from pipeline.settings import LimitSettings
from pipeline.sniff import DOCX
from pipeline.types import AttachmentProblem, Submission

RECEIVED = datetime(2024, 6, 12, 9, 30, tzinfo=timezone.utc)
LIMITS = LimitSettings()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _message(subject: str = "Klaim JHT") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Budi Santoso <Budi.Santoso@Example.co.id>"
    msg["To"] = "jht.pnk@bpjs.example"
    msg["Subject"] = subject
    msg["Message-ID"] = "<m1@example.co.id>"
    return msg


def _parse(raw: bytes | EmailMessage, limits: LimitSettings = LIMITS) -> Submission:
    data = raw.as_bytes() if isinstance(raw, EmailMessage) else raw
    return build_submission("pnk", data, RECEIVED, limits)


# ---------------------------------------------------------------- booking codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Klaim JHT kode PNK-200612-0042", "PNK-200612-0042"),
        ("kode booking: pnk-240101-0007.", "PNK-240101-0007"),
        ("(SMG-231231-9999)", "SMG-231231-9999"),
        ("XPNK-200612-0042", None),  # four letters: not a branch code
        ("PNK-201312-0042 lalu PNK-200612-0042", "PNK-200612-0042"),  # month 13 skipped
        ("PNK-200612-00421", None),
        ("tidak ada kode", None),
        ("", None),
    ],
)
def test_find_booking_code(text: str, expected: str | None) -> None:
    assert find_booking_code(text) == expected


def test_booking_code_from_subject_before_body() -> None:
    msg = _message("Re: PNK-240612-0001")
    msg.set_content("Kode saya PNK-240612-0002")
    assert _parse(msg).booking_code == "PNK-240612-0001"
    msg = _message("Pengajuan klaim")
    msg.set_content("Kode saya pnk-240612-0002, terima kasih")
    assert _parse(msg).booking_code == "PNK-240612-0002"


# ---------------------------------------------------------------- unreadable input


def test_empty_bytes() -> None:
    submission = _parse(b"")
    assert submission.unreadable_reason == "empty"
    assert submission.message_sha256 == hashlib.sha256(b"").hexdigest()
    assert _parse(b"\r\n \r\n").unreadable_reason == "empty"


@pytest.mark.parametrize("seed", range(12))
def test_random_bytes_never_raise(seed: int) -> None:
    data = random.Random(seed).randbytes(5000 + seed * 997)
    submission = _parse(data)
    assert submission.unreadable_reason == "not_mime"
    assert submission.attachments == ()


def test_mutilated_messages_never_raise() -> None:
    msg = _message()
    msg.set_content("Terlampir.")
    msg.add_attachment(_jpeg(), maintype="image", subtype="jpeg", filename="ktp.jpg")
    raw = msg.as_bytes()
    rng = random.Random(3)
    for _ in range(200):
        cut = bytearray(raw[: rng.randrange(len(raw))])
        for _ in range(rng.randrange(8)):
            if cut:
                cut[rng.randrange(len(cut))] = rng.randrange(256)
        assert isinstance(_parse(bytes(cut)), Submission)


def test_header_only_message() -> None:
    raw = b"From: siti@example.id\r\nSubject: Klaim PNK-240612-0003\r\n"
    submission = _parse(raw)
    assert submission.unreadable_reason is None
    assert submission.sender == "siti@example.id"
    assert submission.booking_code == "PNK-240612-0003"
    assert submission.body_text == "" and submission.attachments == ()


def test_message_over_the_limit_is_not_parsed_but_addressable() -> None:
    msg = _message("Klaim PNK-240612-0004")
    msg.set_content("x" * 5000)
    small = LimitSettings(max_message_bytes=2000)
    submission = _parse(msg, small)
    assert submission.unreadable_reason == "too_large"
    assert submission.sender == "budi.santoso@example.co.id"
    assert submission.subject == "Klaim PNK-240612-0004"
    assert submission.booking_code == "PNK-240612-0004"
    assert submission.body_text == "" and submission.attachments == ()


# ---------------------------------------------------------------- headers


def test_sender_subject_and_threading_headers() -> None:
    msg = EmailMessage()
    msg["From"] = "=?utf-8?q?R=C3=A9ni_Wulandari?= <RENI@Example.ID>"
    msg["Subject"] = "=?utf-8?b?S2xhaW0gSkhUIOKAlCBkb2t1bWVu?="
    msg["In-Reply-To"] = "<reply-1@bpjs.example>"
    msg["References"] = "<a@x> <b@y> <a@x> <reply-1@bpjs.example>"
    msg.set_content("isi")
    submission = _parse(msg)
    assert submission.sender == "reni@example.id"
    assert submission.sender_name == "Réni Wulandari"
    assert submission.subject == "Klaim JHT — dokumen"
    assert submission.in_reply_to == "<reply-1@bpjs.example>"
    assert submission.references == ("<a@x>", "<b@y>", "<reply-1@bpjs.example>")


def test_sender_falls_back_to_reply_to() -> None:
    raw = (
        b"From: undisclosed-recipients:;\r\nReply-To: Ani <ani@example.id>\r\n"
        b"To: unlisted-recipients:; (no To-header on input)\r\nSubject: x\r\n\r\nhalo\r\n"
    )
    submission = _parse(raw)
    assert submission.sender == "ani@example.id" and submission.sender_name == "Ani"
    assert any("header from" in defect for defect in submission.defects)


def test_unknown_charset_in_subject_and_body() -> None:
    raw = (
        b"From: a@example.id\r\nSubject: =?x-foo?B?SGFsbw==?=\r\n"
        b"Content-Type: text/plain; charset=x-foo\r\n\r\nhalo \xe9\r\n"
    )
    submission = _parse(raw)
    assert submission.subject == "Halo"
    assert submission.body_text == "halo \ufffd"
    assert "part 1: unknown charset x-foo" in submission.defects


# ---------------------------------------------------------------- bodies


def test_missing_boundary_reads_the_body_as_text() -> None:
    raw = (
        b"From: a@example.id\r\nSubject: s\r\nContent-Type: multipart/mixed\r\n\r\n"
        b"Dokumen menyusul.\r\n"
    )
    submission = _parse(raw)
    assert submission.body_text == "Dokumen menyusul."
    assert any("without boundary" in defect for defect in submission.defects)


def test_html_only_body_becomes_text() -> None:
    msg = _message()
    msg.set_content(
        "<html><head><style>p {color: red}</style></head><body><p>Kode&nbsp;booking:"
        " PNK-240612-0005</p><script>alert(1)</script><p>Salam &amp; terima kasih</p></body></html>",
        subtype="html",
    )
    submission = _parse(msg)
    assert submission.body_text == "Kode booking: PNK-240612-0005\n\nSalam & terima kasih"
    assert submission.booking_code == "PNK-240612-0005"
    assert submission.attachments == ()


def test_gmail_like_message_with_jpeg_and_pdf() -> None:
    jpeg = _jpeg()
    msg = _message()
    text = "Selamat pagi, berikut dokumen klaim JHT saya (kode PNK-240612-0006). " * 3 + "Biaya=0 é"
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(f"<p>{text}</p>", subtype="html")
    msg.add_attachment(jpeg, maintype="image", subtype="jpeg", filename="KTP Budi—asli.jpg")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="Paklaring ü.pdf")
    raw = msg.as_bytes()
    assert b"filename*=utf-8''" in raw  # RFC 2231 on the wire
    submission = _parse(raw)
    assert submission.body_text == text
    assert submission.booking_code == "PNK-240612-0006"
    ktp, letter = submission.attachments
    assert (ktp.index, ktp.filename, ktp.part_path) == (0, "KTP Budi—asli.jpg", "2")
    assert (ktp.declared_type, ktp.sniffed_type) == ("image/jpeg", "image/jpeg")
    assert ktp.data == jpeg and ktp.size == len(jpeg)
    assert ktp.sha256 == hashlib.sha256(jpeg).hexdigest() and ktp.problem is None
    assert (letter.filename, letter.sniffed_type, letter.part_path) == ("Paklaring ü.pdf", "application/pdf", "3")


def test_outlook_like_inline_image_in_related() -> None:
    jpeg = _jpeg()
    msg = _message()
    msg.set_content('<p>Foto KTP:</p><img src="cid:img001@outlook">', subtype="html")
    msg.add_related(jpeg, maintype="image", subtype="jpeg", cid="<img001@outlook>")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="f5.pdf")
    submission = _parse(msg)
    assert submission.body_text == "Foto KTP:"
    inline, form = submission.attachments
    assert (inline.filename, inline.part_path, inline.sniffed_type) == ("attachment-1.jpg", "1.2", "image/jpeg")
    assert inline.data == jpeg
    assert (form.filename, form.part_path) == ("f5.pdf", "2")


def test_forwarded_message_carrying_attachments() -> None:
    inner = _message("Dokumen klaim PNK-240612-0007")
    inner.set_content("Dokumen terlampir.")
    inner.add_attachment(PDF, maintype="application", subtype="pdf", filename="kk.pdf")
    inner.add_attachment(_jpeg(), maintype="image", subtype="jpeg", filename="ktp.jpg")
    outer = _message("Fwd: Dokumen klaim")
    outer.set_content("Mohon diproses, dokumen di pesan terusan.")
    outer.add_attachment(inner)
    submission = _parse(outer)
    assert submission.body_text == "Mohon diproses, dokumen di pesan terusan."
    assert [(a.part_path, a.filename, a.sniffed_type) for a in submission.attachments] == [
        ("2.2", "kk.pdf", "application/pdf"),
        ("2.3", "ktp.jpg", "image/jpeg"),
    ]
    assert submission.booking_code is None  # a forwarded subject is not the sender's


def test_docx_and_mislabelled_pdf() -> None:
    msg = _message()
    msg.set_content("Surat keterangan dan scan.")
    msg.add_attachment(
        _docx(), maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="surat.docx",
    )
    msg.add_attachment(PDF, maintype="image", subtype="jpeg", filename="scan.jpg")
    docx, fake = _parse(msg).attachments
    assert docx.sniffed_type == DOCX
    assert (fake.declared_type, fake.sniffed_type) == ("image/jpeg", "application/pdf")


# ---------------------------------------------------------------- file names


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        ('attachment; filename="C:\\TEMP\\nsmailEG.png"', "nsmailEG.png"),
        ("attachment; filename==?utf-8?B?S1RQIMOcLmpwZw==?=", "KTP Ü.jpg"),
        ("attachment; filename=Kartu keluarga baru.jpg", "Kartu keluarga baru.jpg"),
        ("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", "passwd"),
        ("attachment; filename*0*=UTF-8''Sura%CC%88t; filename*1=.jpg", "Surät.jpg"),
        ('attachment; filename="a\x01b\x7f.jpg"', "ab.jpg"),
        ('attachment; filename="' + "n" * 300 + '.jpeg"', "n" * 115 + ".jpeg"),
        ("attachment", "attachment-1.jpg"),
        ('attachment; filename="..."', "attachment-1.jpg"),
    ],
)
def test_file_names(disposition: str, expected: str) -> None:
    body = base64.b64encode(_jpeg()).decode()
    raw = (
        "From: a@example.id\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n"
        "--BB\r\nContent-Type: text/plain\r\n\r\nhalo\r\n"
        f"--BB\r\nContent-Type: image/jpeg\r\nContent-Disposition: {disposition}\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{body}\r\n--BB--\r\n"
    ).encode("utf-8")
    (attachment,) = _parse(raw).attachments
    assert attachment.filename == expected
    assert len(attachment.filename) <= 120


# ---------------------------------------------------------------- problems


def _single_part(cte: str, body: bytes, name: str = "ktp.jpg") -> bytes:
    return (
        b"From: a@example.id\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n"
        b"--BB\r\nContent-Type: text/plain\r\n\r\nhalo\r\n"
        b"--BB\r\nContent-Type: image/jpeg; name=" + name.encode() + b"\r\n"
        b"Content-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n" + body + b"\r\n--BB--\r\n"
    )


def test_attachment_over_the_limit_keeps_metadata_only() -> None:
    jpeg = _jpeg() + bytes(5000)
    raw = _single_part("base64", base64.encodebytes(jpeg))
    submission = _parse(raw, LimitSettings(max_attachment_bytes=1000))
    (attachment,) = submission.attachments
    assert attachment.problem is AttachmentProblem.TOO_LARGE
    assert attachment.data == b"" and attachment.sniffed_type == "image/jpeg"
    assert abs(attachment.size - len(jpeg)) <= 3


def test_undecodable_base64_is_a_decode_error() -> None:
    (attachment,) = _parse(_single_part("base64", b"/9j/4AAQ!!not*base64%%")).attachments
    assert attachment.problem is AttachmentProblem.DECODE_ERROR and attachment.data == b""


def test_unknown_transfer_encoding_is_a_decode_error() -> None:
    submission = _parse(_single_part("x-gzip64", b"H4sIAAAA"))
    assert submission.attachments[0].problem is AttachmentProblem.DECODE_ERROR
    assert "part 2: unknown transfer encoding x-gzip64" in submission.defects


def test_empty_attachment() -> None:
    (attachment,) = _parse(_single_part("base64", b"")).attachments
    assert attachment.problem is AttachmentProblem.EMPTY and attachment.size == 0


def test_uuencoded_attachment_takes_its_name_from_the_begin_line() -> None:
    import binascii

    data = _jpeg()
    lines = [binascii.b2a_uu(data[i:i + 45]) for i in range(0, len(data), 45)]
    body = b"begin 644 foto-ktp.jpg\n" + b"".join(lines) + b"`\nend\n"
    raw = (
        b"From: a@example.id\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n"
        b"--BB\r\nContent-Type: text/plain\r\n\r\nhalo\r\n"
        b"--BB\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
        + body + b"--BB--\r\n"
    )
    (attachment,) = _parse(raw).attachments
    assert (attachment.filename, attachment.sniffed_type, attachment.data) == (
        "foto-ktp.jpg", "image/jpeg", data,
    )


# ---------------------------------------------------------------- size and speed

_B64_LINE = base64.b64encode(bytes(range(57)) * 1)  # 76 characters


def _huge_message(total: int) -> bytes:
    head = (
        b"From: Budi <budi@example.id>\r\nSubject: Scan besar PNK-240612-0008\r\n"
        b"Content-Type: multipart/mixed; boundary=BB\r\n\r\n"
        b"--BB\r\nContent-Type: text/plain\r\n\r\nscan terlampir\r\n"
        b"--BB\r\nContent-Type: image/jpeg; name=besar.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    first = base64.b64encode(_jpeg()[:57].ljust(57, b"\x00")) + b"\r\n"
    lines = (total - len(head)) // (len(_B64_LINE) + 2)
    return head + first + (_B64_LINE + b"\r\n") * lines + b"--BB--\r\n"


def test_200_mb_message_over_the_message_limit() -> None:
    raw = _huge_message(200_000_000)
    tracemalloc.start()
    started = time.perf_counter()
    submission = _parse(raw)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert submission.unreadable_reason == "too_large"
    assert submission.sender == "budi@example.id"
    assert submission.booking_code == "PNK-240612-0008"
    assert elapsed < 5 and peak < 5_000_000


def test_200_mb_attachment_within_the_message_limit() -> None:
    raw = _huge_message(200_000_000)
    limits = LimitSettings(max_message_bytes=250_000_000)
    tracemalloc.start()
    started = time.perf_counter()
    submission = _parse(raw, limits)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert submission.unreadable_reason is None
    assert submission.body_text == "scan terlampir"
    (attachment,) = submission.attachments
    assert attachment.problem is AttachmentProblem.TOO_LARGE
    assert attachment.sniffed_type == "image/jpeg" and attachment.data == b""
    assert 140_000_000 < attachment.size < 150_000_000
    # No copy of the 200 MB body is made: extra memory stays small.
    assert elapsed < 10 and peak < 10_000_000

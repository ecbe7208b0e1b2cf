"""build_submission over real messages from other mail libraries' test suites.

Every file must parse without raising; where INDEX.csv names a difficulty,
the outcome is pinned: (part path, file name, declared type, sniffed type,
problem) per attachment, and the header or body fact at stake.
"""

from __future__ import annotations

import csv
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.intake import build_submission
from pipeline.settings import LimitSettings
from pipeline.types import Submission

CORPUS = Path(__file__).parents[1] / "data" / "corpus" / "eml"
FILES = sorted(CORPUS.glob("*.eml"))
RECEIVED = datetime(2024, 6, 12, 9, 30, tzinfo=timezone.utc)

AttachmentRow = tuple[str, str, str, str, str | None]

ATTACHMENTS: dict[str, list[AttachmentRow]] = {
    "mikel__attachment_content_location": [
        ("2", "attachment-1.jpg", "image/jpeg", "application/octet-stream", None),
    ],
    "mikel__attachment_message_rfc822": [
        ("2.2", "broken.pdf", "application/pdf", "application/pdf", None),
    ],
    "mikel__attachment_message_rfc822_inline_image": [
        ("1.2", "img.png", "image/png", "image/png", None),
    ],
    "mikel__attachment_nonascii_filename": [
        ("2", "ciële.txt", "text/plain", "text/plain", None),
    ],
    "mikel__attachment_only_email": [
        ("1", "blah.gz", "application/x-gzip", "application/octet-stream", None),
    ],
    "mikel__attachment_pdf": [
        ("2", "broken.pdf", "application/pdf", "application/pdf", None),
    ],
    "mikel__attachment_with_base64_encoded_name": [
        ("2", "This is a test.pdf", "application/pdf", "application/octet-stream", None),
    ],
    "mikel__attachment_with_encoded_name": [
        # %8A is no ISO-2022-JP byte: it becomes U+FFFD, the rest of the name survives.
        ("2", "01 Quien Te Dij\ufffdat. Pitbull.mp3", "application/octet-stream",
         "application/octet-stream", None),
    ],
    "mikel__attachment_with_quoted_filename": [
        ("1", "Eelanalüüsi päring.jpg", "image/jpeg", "image/jpeg", None),
    ],
    "mikel__attachment_with_unquoted_name": [
        ("2", "This is a test.txt", "text/plain", "text/plain", None),
    ],
    "mikel__content_transfer_encoding_x_uuencode": [
        ("2", "PGP_Cmts_on_12-14-01_Pkg.doc", "application/msword", "application/octet-stream", "empty"),
    ],
    "mikel__email_with_similar_boundaries": [
        ("2", "LOGO.png", "application/octetstream", "application/octet-stream", None),
    ],
    "mikel__japanese_attachment": [
        ("2", "てすと.txt", "text/plain", "text/plain", None),
    ],
    "mikel__japanese_attachment_long_name": [
        ("1", "かきくけこ" * 5 + ".txt", "text/plain", "text/plain", None),
    ],
    "mikel__missing_content_disposition": [
        ("1", "attachment-1.txt", "image/jpg", "text/plain", None),
    ],
    "mikel__raw_email_with_binary_encoded": [
        ("1", "2013-08-13_19-08-28-1.jpg", "image/jpeg", "text/plain", None),
    ],
    "mikel__raw_email_with_nested_attachment": [
        ("1.2", "truncated.png", "image/png", "image/png", None),
        ("2", "smime.p7s", "application/pkcs7-signature", "application/octet-stream", None),
    ],
    "mimekit__missing-subtype": [
        ("1", "document.xml.gz", "application/x-gzip", "text/plain", None),
    ],
    "mimekit__rfc2060": [
        ("2", "attachment-1.txt", "application/octet-stream", "text/plain", None),
        ("3.2", "attachment-2.txt", "application/octet-stream", "text/plain", None),
        ("4.1", "attachment-3.txt", "image/gif", "text/plain", None),
    ],
    "mimekit__rich-text": [
        ("2", "winmail.dat", "application/ms-tnef", "application/vnd.ms-tnef", None),
    ],
    "mimekit__ukr": [
        ("2", "winmail.dat", "application/ms-tnef", "application/vnd.ms-tnef", None),
    ],
    "nodemailer__base64encodedroot": [
        ("1", "screenshot.png", "image/png", "image/png", None),
    ],
    "nodemailer__nodemailer": [
        ("1.3.2", "image.png", "image/png", "image/png", None),
        ("1.3.3", "nyan cat ✔.gif", "image/gif", "image/gif", None),
        ("2", "notes.txt", "text/plain", "text/plain", None),
    ],
}

# (field, expected) facts per file; "body^" means body_text starts with.
FACTS: dict[str, list[tuple[str, str]]] = {
    "mikel__attachment_with_quoted_filename": [("subject", "Eelanalüüsi päring")],
    "mikel__ks_c_5601-1987": [("body^", "스티해")],
    "mikel__japanese_shift_jis": [("body^", "あいうえお")],
    "mikel__japanese_attachment_long_name": [("subject", "まみむめも" * 10)],
    "mikel__utf8_headers": [("sender", "jdöe@mächine.example"), ("subject", "Säying Hello")],
    "mikel__invalid_subject_characters": [("subject^", "Formação FrenetikPolis")],
    "mikel__new_line_in_to_header": [("subject", "[Online Lead] Online Lead #1111111")],
    "mikel__multiple_content_types": [("body^", "foo")],
    "mikel__email_with_similar_boundaries": [("body^", "Test")],
    "mimekit__empty-multipart": [("body^", "This part should be on the same level")],
    "mimekit__delivery-status": [("sender", "postmaster@mm1.sprynet.com")],
    "mimekit__stack-overflow": [("subject", "Message Subject"), ("body^", "Message Body")],
    "mimekit__ukr": [("body^", "шостий")],
    "mimekit__rfc2060": [("body^", "This part specifier should be: 1")],
    "mikel__raw_email_bad_time": [("sender_name", "Атиковa")],
    "nodemailer__nodemailer": [("body^", "Hello to myself!")],
}

# Substrings that must appear among the recorded defects.
DEFECTS: dict[str, str] = {
    "mikel__raw_email10": "unknown charset",
    "mikel__content_transfer_encoding_spam": "transfer encoding",
    "mikel__multiple_content_types": "Content-Type headers",
    "mikel__missing_body": "boundary never found",
    "mikel__attachment_message_rfc822_inline_image": "boundary never found",
    "mimekit__missing-subtype": "no slash",
    "mimekit__rfc2060": "close boundary missing",
}


def _parse(path: Path) -> Submission:
    return build_submission("pnk", path.read_bytes(), RECEIVED, LimitSettings())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_message_becomes_a_submission(path: Path) -> None:
    started = time.perf_counter()
    submission = _parse(path)
    elapsed = time.perf_counter() - started
    assert isinstance(submission, Submission)
    assert submission.unreadable_reason is None
    assert not any("parser failure" in defect for defect in submission.defects)
    assert elapsed < 2.0
    assert len(submission.body_text) <= 20_000
    rows = [
        (a.part_path, a.filename, a.declared_type, a.sniffed_type, a.problem.value if a.problem else None)
        for a in submission.attachments
    ]
    assert rows == ATTACHMENTS.get(path.stem, [])
    for attachment in submission.attachments:
        assert attachment.index == submission.attachments.index(attachment)
        if attachment.problem is None:
            assert attachment.size == len(attachment.data) > 0


@pytest.mark.parametrize("stem", sorted(FACTS), ids=str)
def test_facts_named_in_the_index(stem: str) -> None:
    submission = _parse(CORPUS / f"{stem}.eml")
    for field, expected in FACTS[stem]:
        if field.endswith("^"):
            value = submission.body_text if field == "body^" else submission.subject
            assert value.startswith(expected), (field, value[:80])
        else:
            assert getattr(submission, field) == expected


@pytest.mark.parametrize("stem", sorted(DEFECTS), ids=str)
def test_defects_are_recorded(stem: str) -> None:
    submission = _parse(CORPUS / f"{stem}.eml")
    assert any(DEFECTS[stem] in defect for defect in submission.defects), submission.defects


def test_encoded_name_with_a_byte_its_charset_lacks_keeps_the_rest() -> None:
    submission = _parse(CORPUS / "mikel__attachment_with_encoded_name.eml")
    (attachment,) = submission.attachments
    assert attachment.filename.startswith("01 Quien Te Dij")
    assert attachment.filename.endswith("at. Pitbull.mp3")


def test_quoted_printable_with_odd_transfer_encoding_labels_is_decoded() -> None:
    for stem in ("mikel__content_transfer_encoding_qp_with_space",
                 "mikel__content_transfer_encoding_with_semi_colon"):
        body = _parse(CORPUS / f"{stem}.eml").body_text
        assert body and "=\n" not in body and "=3D" not in body


def test_index_lists_every_message_with_a_licence() -> None:
    with (CORPUS / "INDEX.csv").open(encoding="utf-8") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {path.name for path in FILES}
    assert all(row["license"].startswith("MIT") for row in rows.values())

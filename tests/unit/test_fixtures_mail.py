"""The email composer: every client style parses cleanly, with the stdlib and with the
pipeline's own parser, and carries its files where real clients put them."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta, timezone

import pytest

from fixtures.docx import DOCX_MIME, make_docx
from fixtures.mail import STYLES, compose_email
from pipeline.intake import build_submission
from pipeline.settings import LimitSettings

WITA = timezone(timedelta(hours=8))
SENT = datetime(2020, 6, 12, 9, 41, 5, tzinfo=WITA)
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"
NAMES = ("KTP Ratna Dewi.jpg", "Formulir F5 \u2013 Ratna.jpg")  # an en dash: encoded names


def _compose(style: str, **options: object) -> bytes:
    return compose_email(sender_name="Ratna Dewi Lestari", sender="ratna.dewi@gmail.com",
                         to="lapakasik.balikpapan@bpjs-demo.test",
                         subject="Berkas klaim JHT (BPN-200615-0042)",
                         body_text="Selamat pagi,\n\nBerkas terlampir. Kode booking BPN-200615-0042."
                                   "\n\nTerima kasih\n",
                         attachments=[(n, "image/jpeg", JPEG) for n in NAMES], date=SENT,
                         message_id="<abc123@mail.test>", style=style,
                         **options)  # type: ignore[arg-type]


def _submission(raw: bytes):  # type: ignore[no-untyped-def]
    return build_submission("balikpapan", raw, datetime(2020, 6, 12, tzinfo=UTC),
                            LimitSettings())


@pytest.mark.parametrize("style", STYLES)
def test_each_style_parses_with_its_files_and_body(style: str) -> None:
    raw = _compose(style)
    assert raw == _compose(style)  # the same arguments give the same bytes
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert not msg.defects
    files = {p.get_filename(): p.get_content() for p in msg.walk()
             if p.get_filename() and not p.is_multipart()}
    assert set(files) == set(NAMES) and all(data == JPEG for data in files.values())
    sub = _submission(raw)
    assert sub.unreadable_reason is None and not sub.defects, sub.defects
    assert [a.filename for a in sub.attachments] == list(NAMES)
    assert all(a.sniffed_type == "image/jpeg" for a in sub.attachments)
    assert "BPN-200615-0042" in sub.body_text and sub.booking_code == "BPN-200615-0042"


def test_outlook_encodes_names_and_apple_marks_images_inline() -> None:
    outlook = _compose("outlook")
    assert b"filename*=utf-8''Formulir%20F5%20%E2%80%93%20Ratna.jpg" in outlook
    assert b'name="=?utf-8?B?' in outlook
    apple = _compose("apple")
    assert b"Apple-Mail-" in apple and b"X-Mailer: iPhone Mail" in apple
    assert apple.count(b"Content-Disposition: inline;") == 2
    msg = email.message_from_bytes(apple, policy=email.policy.default)
    kinds = [p.get_content_type() for p in msg.walk()]
    # Text, image, text, image, text: how iPhone Mail interleaves a body with photos.
    assert kinds == ["multipart/mixed", "text/plain", "image/jpeg", "text/plain", "image/jpeg",
                     "text/plain"]


def test_inline_images_travel_in_multipart_related() -> None:
    raw = compose_email(sender_name="Ratna", sender="ratna@outlook.co.id", to="branch@test",
                        subject="klaim", body_text="Terlampir.\n", attachments=[], date=SENT,
                        message_id="<x1@outlook.test>", style="outlook",
                        inline_images=[("image001.jpg", "image/jpeg", JPEG),
                                       ("image002.jpg", "image/jpeg", JPEG)])
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/related"
    html = msg.get_body(("html",)).get_content()
    cids = [str(p["Content-ID"]).strip("<>") for p in msg.walk()
            if p.get_content_type() == "image/jpeg"]
    assert len(cids) == 2 and all(f"cid:{cid}" in html for cid in cids)
    assert len(_submission(raw).attachments) == 2
    with pytest.raises(ValueError):
        compose_email(sender_name="A", sender="a@b.test", to="c@d.test", subject="s",
                      body_text="t", attachments=[], date=SENT, message_id="<m@x>",
                      style="phone", inline_images=[("i.jpg", "image/jpeg", JPEG)])


def test_html_only_forwarded_and_reply_headers() -> None:
    html_only = _compose("gmail", html_only=True)
    msg = email.message_from_bytes(html_only, policy=email.policy.default)
    assert [p.get_content_type() for p in msg.walk() if p.get_content_maintype() == "text"] == \
        ["text/html"]
    sub = _submission(html_only)
    assert "BPN-200615-0042" in sub.body_text and "<div" not in sub.body_text

    inner = _compose("gmail")
    outer = compose_email(sender_name="Ratna", sender="ratna.dewi@gmail.com", to="branch@test",
                          subject="Fwd: berkas", body_text="Mohon diproses.\n", attachments=[],
                          date=SENT, message_id="<fwd@mail.test>", style="outlook",
                          forwarded=inner, in_reply_to="<first@mail.test>",
                          references=("<first@mail.test>",))
    msg = email.message_from_bytes(outer, policy=email.policy.default)
    assert str(msg["In-Reply-To"]) == "<first@mail.test>"
    (part,) = [p for p in msg.walk() if p.get_content_type() == "message/rfc822"]
    assert part.get_payload()[0]["Message-ID"] == "<abc123@mail.test>"
    sub = _submission(outer)
    nested = [a for a in sub.attachments if a.sniffed_type == "image/jpeg"]
    assert [a.filename for a in nested] == list(NAMES)
    assert all("." in a.part_path for a in nested)  # inside the forwarded message
    assert sub.in_reply_to == "<first@mail.test>"


def test_docx_is_a_deterministic_word_package() -> None:
    data = make_docx(["FORMULIR F5", "nama: RATNA DEWI"])
    assert data == make_docx(["FORMULIR F5", "nama: RATNA DEWI"])
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert "RATNA DEWI" in archive.read("word/document.xml").decode()
        assert "[Content_Types].xml" in archive.namelist()
    assert DOCX_MIME.endswith("wordprocessingml.document")

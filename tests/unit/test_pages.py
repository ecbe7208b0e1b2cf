import hashlib
import io
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.pages import prepare_page, render_pages
from pipeline.settings import LimitSettings
from pipeline.types import (Attachment, AttachmentProblem, Page, PageProblem, PageRef,
                            Submission)

SCANS = Path(__file__).resolve().parents[1] / "data" / "scans"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LIMITS = LimitSettings()


def attachment(index: int, data: bytes, name: str = "scan",
               problem: AttachmentProblem | None = None) -> Attachment:
    return Attachment(index=index, filename=name, declared_type="application/octet-stream",
                      sniffed_type="application/octet-stream", size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), data=data, problem=problem)


def submission(*attachments: Attachment) -> Submission:
    return Submission(branch_id="smd", message_sha256="0" * 64, message_id=None,
                      sender="peserta@example.test", sender_name=None, subject="klaim JHT",
                      received_at=datetime(2025, 6, 1, tzinfo=timezone.utc),
                      attachments=attachments)


def text_image(size: tuple[int, int] = (900, 600), font_size: int = 28) -> Image.Image:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(FONT, font_size)
    for row in range(int(size[1] / (font_size * 1.6)) - 1):
        draw.text((30, 20 + row * font_size * 1.6), "Jaminan Hari Tua klaim berkas lengkap",
                  fill="black", font=face)
    return image


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def minimal_pdf(extra_trailer: bytes = b"", extra_objects: tuple[bytes, ...] = ()) -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>", *extra_objects]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + extra_trailer
            + b">>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out


def encrypted_pdf() -> bytes:
    """A PDF under the standard security handler whose user password is not empty."""
    encrypt = (b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
               + b"> /P -4 >>")
    return minimal_pdf(b"/Encrypt 4 0 R /ID [<" + b"33" * 16 + b"> <" + b"33" * 16 + b">] ",
                       (encrypt,))


def test_images_and_pdf_become_pages() -> None:
    page = text_image()
    tiff = encoded(page, "TIFF", save_all=True, append_images=[page.rotate(180)])
    pdf = encoded(page, "PDF", resolution=100.0)
    pages, unreadable = render_pages(submission(
        attachment(0, encoded(page, "PNG")), attachment(1, encoded(page, "JPEG")),
        attachment(2, tiff), attachment(3, pdf), attachment(4, encoded(page, "WEBP")),
        attachment(5, encoded(page.convert("P"), "GIF")), attachment(6, encoded(page, "BMP"))),
        LIMITS)
    assert unreadable == []
    assert [(p.ref.attachment_index, p.ref.page_number) for p in pages] == [
        (0, 1), (1, 1), (2, 1), (2, 2), (3, 1), (4, 1), (5, 1), (6, 1)]
    assert pages[0].image.shape == (600, 900, 3)
    # 900 px at 100 dpi is 9 inches: rendered at 200 dpi.
    assert pages[4].dpi == 200 and abs(pages[4].image.shape[1] - 1800) <= 2


def test_bad_attachments_become_reasons() -> None:
    png = encoded(text_image(), "PNG")
    pages, unreadable = render_pages(submission(
        attachment(0, encrypted_pdf(), "locked.pdf"),
        attachment(1, b"%PDF-1.4 this is not a pdf", "broken.pdf"),
        attachment(2, png[:200], "cut.png"),
        attachment(3, b"PK\x03\x04" + b"\x00" * 40 + b"word/document.xml", "claim.docx"),
        attachment(4, "Terlampir berkas saya".encode(), "note.txt"),
        attachment(5, b"", "big.jpg", problem=AttachmentProblem.TOO_LARGE),
        attachment(6, b"", "empty.jpg")), LIMITS)
    assert pages == []
    assert [(u.ref.attachment_index, u.problem) for u in unreadable] == [
        (0, PageProblem.PDF_ENCRYPTED), (1, PageProblem.PDF_CORRUPT),
        (2, PageProblem.IMAGE_CORRUPT), (3, PageProblem.UNSUPPORTED_TYPE),
        (4, PageProblem.UNSUPPORTED_TYPE), (5, AttachmentProblem.TOO_LARGE),
        (6, AttachmentProblem.EMPTY)]


def test_page_limits_are_reported() -> None:
    page = text_image((300, 200), 12)
    pdf = encoded(page, "PDF", save_all=True, append_images=[page] * 4)  # 5 pages
    limits = LimitSettings(max_pdf_pages=3, max_pages_per_submission=4)
    pages, unreadable = render_pages(submission(
        attachment(0, pdf), attachment(1, encoded(page, "PNG")),
        attachment(2, encoded(page, "PNG"))), limits)
    assert [(p.ref.attachment_index, p.ref.page_number) for p in pages] == [
        (0, 1), (0, 2), (0, 3), (1, 1)]
    assert [(u.ref.attachment_index, u.ref.page_number, u.problem) for u in unreadable] == [
        (0, 4, PageProblem.TOO_MANY_PAGES), (2, 1, PageProblem.TOO_MANY_PAGES)]


def test_oversized_image_is_refused_before_decoding() -> None:
    _pages, unreadable = render_pages(submission(attachment(0, encoded(text_image(), "PNG"))),
                                      LimitSettings(max_image_pixels=100_000))
    assert unreadable[0].problem is PageProblem.TOO_LARGE


def page_of(image: np.ndarray) -> Page:
    return Page(ref=PageRef(attachment_index=0), filename="p.png", image=image)


@pytest.mark.parametrize(("name", "rotation"), [
    ("phototest.tif", 0), ("phototest-rotated-L.png", 90), ("phototest-rotated-R.png", 270),
    ("phototest-rotated-180.png", 180)])
def test_prepare_turns_pages_upright(name: str, rotation: int) -> None:
    upright = cv2.imread(str(SCANS / "phototest.tif"), cv2.IMREAD_GRAYSCALE)
    prepared = prepare_page(page_of(cv2.imread(str(SCANS / name))))
    assert prepared.rotation == rotation
    assert prepared.quality.readable
    # The turned page equals the upright original (same pixels, up to interpolation).
    assert prepared.image.shape == upright.shape
    ink_upright = upright < 128
    ink_prepared = prepared.image < 128
    assert (ink_upright & ink_prepared).sum() > 0.8 * ink_upright.sum()


def test_prepare_levels_small_skew() -> None:
    grey = cv2.cvtColor(np.asarray(text_image()), cv2.COLOR_RGB2GRAY)
    matrix = cv2.getRotationMatrix2D((450, 300), 4.0, 1.0)
    tilted = cv2.warpAffine(grey, matrix, (900, 600), borderValue=255)
    prepared = prepare_page(page_of(tilted))
    assert prepared.skew == pytest.approx(-4.0, abs=0.5)


def test_prepare_warps_a_photographed_card() -> None:
    card = np.asarray(text_image((856, 540), 26).convert("L"))
    table = np.full((1000, 1300), 60, np.uint8)
    source = np.float32([[0, 0], [855, 0], [855, 539], [0, 539]])
    target = np.float32([[200, 150], [1100, 220], [1050, 850], [160, 780]])
    matrix = cv2.getPerspectiveTransform(source, target)
    photo = cv2.warpPerspective(card, matrix, (1300, 1000), dst=table.copy(),
                                borderMode=cv2.BORDER_TRANSPARENT)
    prepared = prepare_page(page_of(photo))
    height, width = prepared.image.shape
    assert 1.4 < width / height < 1.75  # card proportions, background gone
    assert prepared.quality.readable


def test_quality_reports_unreadable_captures() -> None:
    crisp = cv2.cvtColor(np.asarray(text_image()), cv2.COLOR_RGB2GRAY)
    assert prepare_page(page_of(crisp)).quality.reasons == ()
    blurred = prepare_page(page_of(cv2.GaussianBlur(crisp, (0, 0), 5)))
    assert "blurred" in blurred.quality.reasons and not blurred.quality.readable
    dark = prepare_page(page_of((crisp * 0.15).astype(np.uint8)))
    assert "too_dark" in dark.quality.reasons
    tiny = prepare_page(page_of(cv2.resize(crisp, (180, 120), interpolation=cv2.INTER_AREA)))
    assert "too_small" in tiny.quality.reasons
    tinted = cv2.addWeighted(crisp, 0.6, np.full_like(crisp, 200), 0.4, 0)
    tinted[100:400, 200:600] = 255
    assert "glare" in prepare_page(page_of(tinted)).quality.reasons

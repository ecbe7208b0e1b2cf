"""Bad input ends as a clear, recorded outcome with a reply that says what to do.

Each case runs through `intake process-eml` (the same pipeline as the
poller) on real tesseract and a real SMTP server.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import cv2
import pytest

from fixtures.capture import encode_jpeg, flatbed_scan
from fixtures.mail import compose_email
from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.devservers.smtp_sink import SmtpSink
from pipeline.settings import load_settings
from tests.integration.harness import load_records, stored

pytestmark = [pytest.mark.smtp, pytest.mark.ocr]

SENT = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)
PROFILE = generate_profiles(random.Random(3), 1, date(2026, 11, 20))[0]


def settings_file(root: Path, sink: SmtpSink) -> Path:
    path = root / "intake.toml"
    path.write_text(f"""
[storage]
database_url = "sqlite:///intake.db"
archive_dir = "archive"
[smtp]
host = "{sink.host}"
port = {sink.port}
[[branches]]
id = "balikpapan"
name = "Kantor Cabang Balikpapan"
province = "Kalimantan Timur"
reply_from = "kc.balikpapan@example.org"
[branches.imap]
host = "127.0.0.1"
port = 993
user = "kc.balikpapan"
password_env = "UNUSED_IMAP_PASSWORD"
""", encoding="utf-8")
    return path


def intake(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UNUSED_IMAP_PASSWORD": "x"}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "--config", str(config), *args],
                          env=env, capture_output=True, text=True, timeout=600)


def mail(path: Path, attachments: list[tuple[str, str, bytes]], sender: str = PROFILE.email,
         message_id: str = "<bad-input@example.org>") -> Path:
    raw = compose_email(sender_name=PROFILE.nama.title(), sender=sender,
                        to="kc.balikpapan@example.org", subject="Pengajuan klaim JHT",
                        body_text="Dengan hormat, terlampir dokumen saya.",
                        attachments=attachments, date=SENT, message_id=message_id)
    path.write_bytes(raw)
    return path


def document(kind: str, seed: int = 1) -> bytes:
    rendered = renderers()[kind](PROFILE, random.Random(seed))
    return encode_jpeg(flatbed_scan(rendered.image, random.Random(seed)), 90)


@pytest.fixture
def config(tmp_path: Path, smtp_sink: SmtpSink) -> Path:
    path = settings_file(tmp_path, smtp_sink)
    load_records(load_settings(path), [PROFILE.to_participant()])
    return path


def test_unreadable_attachments_are_named_in_the_reply(config: Path, tmp_path: Path,
                                                        smtp_sink: SmtpSink) -> None:
    blurred = cv2.GaussianBlur(cv2.imdecode(
        __import__("numpy").frombuffer(document("ktp"), "uint8"), cv2.IMREAD_COLOR), (0, 0), 9)
    eml = mail(tmp_path / "bad.eml", [
        ("ktp.jpg", "image/jpeg", encode_jpeg(blurred, 85)),
        ("formulir.pdf", "application/pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\ngarbage"),
        ("surat.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml" + b"\x00" * 64),
    ])
    result = intake(config, "process-eml", str(eml), "--branch", "balikpapan")
    assert result.returncode == 0, result.stderr
    [record] = stored(config)
    assert record.status == "incomplete"
    assert {"QUAL-001", "FILE-001"} <= set(record.findings)
    [reply] = smtp_sink.messages()
    body = reply.get_content()
    assert "ktp.jpg" in body and "tidak terbaca jelas" in body
    assert "formulir.pdf" in body and "surat.docx" in body


def test_replayed_file_is_a_duplicate_and_report_counts_once(config: Path, tmp_path: Path,
                                                             smtp_sink: SmtpSink) -> None:
    eml = mail(tmp_path / "none.eml", [])
    first = intake(config, "process-eml", str(eml), "--branch", "balikpapan")
    second = intake(config, "process-eml", str(eml), "--branch", "balikpapan")
    assert f"{eml}: processed" in first.stdout and f"{eml}: duplicate" in second.stdout
    report = json.loads(intake(config, "report", "--json").stdout)
    [branch] = report["branches"]
    assert (branch["received"], branch["rejected"], branch["replies_sent"]) == (1, 1, 1)
    assert len(smtp_sink.messages()) == 1


def test_stranger_sending_a_photo_is_rejected(config: Path, tmp_path: Path,
                                              smtp_sink: SmtpSink) -> None:
    import numpy as np

    # A holiday snapshot: sky, sea, sun; sharp, and without any text.
    photo = np.zeros((600, 800, 3), np.uint8)
    photo[:300] = (235, 200, 140)
    photo[300:] = (160, 110, 30)
    cv2.circle(photo, (600, 140), 60, (80, 220, 250), -1)
    cv2.fillPoly(photo, [np.array([[100, 300], [250, 180], [400, 300]])], (60, 90, 60))
    eml = mail(tmp_path / "stranger.eml", [("liburan.jpg", "image/jpeg", encode_jpeg(photo, 80))],
               sender="promo@example.com", message_id="<stranger@example.com>")
    assert intake(config, "process-eml", str(eml), "--branch", "balikpapan").returncode == 0
    [record] = stored(config)
    assert (record.status, record.findings) == ("rejected", ("REC-003",))
    assert "tidak terdaftar" in smtp_sink.messages()[0].get_content()


@pytest.mark.slow
def test_200_mb_attachment_is_a_recorded_rejection(config: Path, tmp_path: Path,
                                                    smtp_sink: SmtpSink) -> None:
    big = tmp_path / "big.eml"
    header = (f"From: {PROFILE.nama.title()} <{PROFILE.email}>\r\nTo: kc.balikpapan@example.org\r\n"
              "Subject: Klaim JHT\r\nMessage-ID: <big@example.org>\r\nMIME-Version: 1.0\r\n"
              'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
              "Content-Type: text/plain\r\n\r\nTerlampir.\r\n--b\r\n"
              'Content-Type: image/jpeg; name="scan.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n')
    line = b"/9j/4AAQSkZJRgABAQEASABIAAD" + b"A" * 49 + b"\r\n"
    with big.open("wb") as handle:
        handle.write(header.encode())
        for _ in range(200 * 1024 * 1024 // len(line)):
            handle.write(line)
        handle.write(b"--b--\r\n")
    assert big.stat().st_size > 200 * 1024 * 1024
    result = intake(config, "process-eml", str(big), "--branch", "balikpapan")
    assert result.returncode == 0, result.stderr
    [record] = stored(config)
    assert (record.status, record.findings) == ("rejected", ("MAIL-002",))
    assert "melebihi batas" in smtp_sink.messages()[0].get_content()

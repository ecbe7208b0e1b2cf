"""A small desk world without OCR: three branches, stored submissions, users.

Submissions go through the real parser and the real store (save_outcome);
their documents and findings are written as a reader and the rules would
have left them, so the permission tests need no tesseract.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import cv2
import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.adapters.archive import Archive
from pipeline.intake import build_submission
from pipeline.settings import LimitSettings, Settings, parse_settings
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.ledger import record_archived
from pipeline.store.records import upsert_bookings, upsert_participants
from pipeline.store.results import save_outcome
from pipeline.types import (Action, Booking, Box, Decision, DecisionStatus, Document,
                            DocumentKind, ExtractedField, Finding, Outcome, PageRef, Participant,
                            Severity)
from pipeline.store.models import DocumentRow
from pipeline.web.app import create_app
from pipeline.web.users import add_user

NOW = datetime(2020, 6, 15, 2, 0, tzinfo=UTC)
PASSWORD = "kata-sandi-uji-123"
BRANCHES = (("alpha", "Kalimantan Timur"), ("beta", "Kalimantan Barat"),
            ("gamma", "Kalimantan Timur"))


def desk_settings(root: Path) -> Settings:
    branches = [{
        "id": bid, "name": f"Kantor Cabang {bid.title()}", "province": province,
        "reply_from": f"{bid}@kc.example.org",
        "imap": {"host": "127.0.0.1", "port": 993, "user": bid, "password_env": "UNUSED"},
    } for bid, province in BRANCHES]
    return parse_settings({
        "storage": {"database_url": "sqlite:///desk.db", "archive_dir": "archive"},
        "web": {"regions": {"Kalimantan": ["Kalimantan Timur", "Kalimantan Barat"]},
                "login_max_failures_user": 3, "login_max_failures_client": 6},
        "branches": branches,
    }, root / "intake.toml")


def _scan_png() -> bytes:
    image = np.full((300, 480, 3), 255, np.uint8)
    cv2.putText(image, "NIK : 6471010101900001", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                (0, 0, 0), 2)
    cv2.putText(image, "Nama : BUDI SANTOSO", (20, 140), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                (0, 0, 0), 2)
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def _nik(number: int) -> str:
    return f"647101010190{number:04d}"


@dataclass(frozen=True)
class DeskWorld:
    settings: Settings
    factory: sessionmaker[Session]
    submissions: dict[str, int]  # branch id -> its submission id
    documents: dict[str, int]  # branch id -> the KTP document id
    niks: dict[str, str]


def build_world(root: Path) -> DeskWorld:
    settings = desk_settings(root)
    engine = make_engine(settings.storage.database_url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    archive = Archive(settings.storage.archive_dir)
    submissions: dict[str, int] = {}
    documents: dict[str, int] = {}
    niks: dict[str, str] = {}
    participants, bookings = [], []
    for number, (branch_id, _province) in enumerate(BRANCHES, start=1):
        nik = _nik(number)
        niks[branch_id] = nik
        participants.append(Participant(nik=nik, kpj=f"1100000000{number}", nama="BUDI SANTOSO",
                                        tanggal_lahir=date(1990, 1, 1), jenis_kelamin="LAKI-LAKI",
                                        email=f"peserta{number}@contoh.test"))
        bookings.append(Booking(code=f"BK{number:04d}", branch_id=branch_id, nik=nik,
                                appointment_at=NOW + timedelta(days=number)))
        message = EmailMessage()
        message["From"] = f"Peserta {number} <peserta{number}@contoh.test>"
        message["To"] = f"{branch_id}@kc.example.org"
        message["Subject"] = f"Pengajuan klaim JHT BK{number:04d}"
        message["Message-ID"] = f"<desk-{number}-{secrets.token_hex(4)}@contoh.test>"
        message["Date"] = "Mon, 15 Jun 2020 08:00:00 +0700"
        message.set_content(f"Dengan hormat, terlampir dokumen saya. NIK {nik}. Kode BK{number:04d}")
        message.add_attachment(_scan_png(), maintype="image", subtype="png", filename="ktp.png")
        raw = message.as_bytes()
        digest = archive.put(raw)
        submission = build_submission(branch_id, raw, NOW, LimitSettings())
        ktp = Document(ref=PageRef(attachment_index=0, page_number=1), filename="ktp.png",
                       kind=DocumentKind.KTP, kind_confidence=0.9, fields=(
                           ExtractedField(name="nik", value=nik, confidence=0.9,
                                          box=Box(x=20, y=55, w=330, h=30)),
                           ExtractedField(name="nama", value="BUDI SANTOS0", confidence=0.6,
                                          box=Box(x=20, y=115, w=280, h=30))))
        finding = Finding(rule_id="REC-002", severity=Severity.WARNING, action=Action.REVIEW,
                          message_id="Nama pada KTP (BUDI SANTOS0) berbeda dengan nama pada "
                                     "data kepesertaan.",
                          message_en="KTP name differs", evidence={
                              "ktp_nama": "BUDI SANTOS0", "record_nama": "BUDI SANTOSO"})
        outcome = Outcome(submission=submission, documents=(ktp,), nik=nik,
                          participant_nik=nik, booking_code=f"BK{number:04d}",
                          decision=Decision(status=DecisionStatus.NEEDS_REVIEW,
                                            findings=(finding,)))
        with transaction(factory) as session:
            entry = record_archived(session, branch_id=branch_id, folder="(file)",
                                    uidvalidity=0, uid=None, sha256=digest, size=len(raw),
                                    internal_date=NOW, now=NOW)
            submissions[branch_id] = save_outcome(session, entry.id, outcome, NOW)
        with factory() as session:
            documents[branch_id] = session.scalars(select(DocumentRow.id).where(
                DocumentRow.submission_id == submissions[branch_id])).one()
    with transaction(factory) as session:
        upsert_participants(session, participants)
        upsert_bookings(session, bookings)
        for branch_id, _province in BRANCHES:
            add_user(session, settings, f"petugas.{branch_id}", PASSWORD, "officer", branch_id,
                     None, f"Petugas {branch_id.title()}", "test", NOW)
        add_user(session, settings, "spv.kaltim", PASSWORD, "supervisor", None,
                 "Kalimantan Timur", "Supervisor Kaltim", "test", NOW)
        add_user(session, settings, "spv.kalimantan", PASSWORD, "supervisor", None, "Kalimantan",
                 "Supervisor Kalimantan", "test", NOW)
        add_user(session, settings, "admin", PASSWORD, "admin", None, None, "Admin", "test", NOW)
    return DeskWorld(settings=settings, factory=factory, submissions=submissions,
                     documents=documents, niks=niks)


SECRET = "unit-test-signing-key-0123456789"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def client_for(world: DeskWorld, username: str | None = None) -> TestClient:
    """A client of the real app (in-process ASGI), signed in as `username` when given."""
    client = TestClient(create_app(world.settings, SECRET, factory=world.factory,
                                   now=lambda: NOW + timedelta(hours=1)),
                        follow_redirects=False)
    if username is not None:
        token = csrf_of(client.get("/masuk").text)
        answer = client.post("/masuk", data={"csrf": token, "username": username,
                                             "password": PASSWORD})
        assert answer.status_code == 303, answer.text
    return client


def page_token(client: TestClient) -> str:
    return csrf_of(client.get("/antrean").text)

"""A correction on the desk re-runs the rules from what processing stored.

A generated claim email (a KTP whose name is another person's) carries one
more file, a PDF that cannot be opened; the real pipeline decides it on real
tesseract and stores the documents and the unreadable attachments. An
officer corrects the KTP name through the desk over HTTP: the rules run
again without any attachment being rendered. The same correction on the
same submission stored as before migration 0006 (no list) renders the
attachments, as the desk always did, and reaches the same decision.
"""

from __future__ import annotations

import email
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import pipeline.web.desk as desk_module
from fixtures.world import DEMO_BRANCHES, generate_world
from pipeline.intake import build_submission
from pipeline.pages import render_pages
from pipeline.poll import process_local
from pipeline.runtime import Runtime, open_runtime
from pipeline.settings import LimitSettings, Settings, parse_settings
from pipeline.store.db import transaction
from pipeline.store.models import DocumentRow, FindingRow, ReviewRow, SubmissionRow
from pipeline.store.records import upsert_bookings, upsert_participants
from pipeline.store.results import load_unreadable
from pipeline.types import Page, PageProblem, Submission, UnreadableAttachment
from pipeline.web.app import create_app
from pipeline.web.users import add_user
from tests.unit.web.deskdata import csrf_of

pytestmark = [pytest.mark.ocr, pytest.mark.slow]

TODAY = date(2020, 6, 15)
NOW = datetime.combine(TODAY, time(16, 0), UTC)  # 23.00 WIB: after the message
HOME = DEMO_BRANCHES[0]
PASSWORD = "meja-koreksi-rahasia-1"
SECRET = "correction-test-signing-key-0123456789"
OFFICER = "petugas.bpn"
BROKEN_NAME = "Surat keterangan kerja.pdf"
# A PDF's header with no document behind it: the renderer refuses it (PDF_CORRUPT).
BROKEN_PDF = b"%PDF-1.4\n% the scanner stopped here\n"


@dataclass
class Processed:
    settings: Settings
    runtime: Runtime
    submission_id: int
    sha256: str
    record_name: str  # the participant record's name, which the KTP does not show

    @property
    def factory(self) -> sessionmaker[Session]:
        return self.runtime.factory

    def parsed(self) -> Submission:
        with self.factory() as session:
            sub = session.get_one(SubmissionRow, self.submission_id)
            raw = self.runtime.archive.get(sub.message_sha256)
            return build_submission(sub.branch_id, raw, sub.received_at, self.settings.limits)


def _settings(root: Path) -> Settings:
    return parse_settings({
        "timezone": "Asia/Jakarta",
        "storage": {"database_url": "sqlite:///intake.db", "archive_dir": "archive"},
        "ocr": {"workers": 2},
        "branches": [{"id": HOME.id, "name": HOME.name, "province": HOME.province,
                      "reply_from": HOME.address, "timezone": HOME.zone,
                      "imap": {"host": "127.0.0.1", "port": 993, "user": HOME.id,
                               "password_env": "INTAKE_DESK_TEST_IMAP"}}],
    }, root / "intake.toml")


def _with_broken_pdf(eml: bytes) -> bytes:
    message = email.message_from_bytes(eml, policy=default_policy)
    assert isinstance(message, EmailMessage) and message.is_multipart()
    message.add_attachment(BROKEN_PDF, maintype="application", subtype="pdf",
                           filename=BROKEN_NAME)
    return message.as_bytes()


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processed]:
    os.environ.setdefault("INTAKE_DESK_TEST_IMAP", "unused")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    root = tmp_path_factory.mktemp("desk-correction")
    settings = _settings(root)
    runtime = open_runtime(settings, now=lambda: NOW)
    world = generate_world(seed=61, count=1, today=TODAY, scenarios=("name_mismatch",),
                           branches=[HOME])
    (message,) = world.messages
    with transaction(runtime.factory) as session:
        upsert_participants(session, [p.to_participant() for p in world.profiles])
        upsert_bookings(session, world.bookings)
        add_user(session, settings, OFFICER, PASSWORD, "officer", HOME.id, None,
                 "Rina Petugas", "setup", NOW)
    eml = _with_broken_pdf(message.eml)
    parsed = email.message_from_bytes(eml, policy=default_policy)
    received = parsedate_to_datetime(str(parsed["Date"])).astimezone(UTC)
    what = process_local(settings.branch(HOME.id), eml, received, runtime.factory,
                         runtime.archive, runtime.process, runtime.now)
    assert what == "processed"
    with runtime.factory() as session:
        sub = session.scalars(select(SubmissionRow).where(
            SubmissionRow.branch_id == HOME.id)).one()
    record = next(p for p in world.profiles if p.nik == message.profile_nik)
    yield Processed(settings, runtime, sub.id, sub.message_sha256, record.nama)
    runtime.close()


@pytest.fixture
def render_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The desk's calls of the real render_pages, by message SHA-256."""
    calls: list[str] = []
    real: Callable[[Submission, LimitSettings],
                   tuple[list[Page], list[UnreadableAttachment]]] = desk_module.render_pages

    def counted(submission: Submission, limits: LimitSettings
                ) -> tuple[list[Page], list[UnreadableAttachment]]:
        calls.append(submission.message_sha256)
        return real(submission, limits)

    monkeypatch.setattr(desk_module, "render_pages", counted)
    return calls


def _signed_in(processed: Processed) -> TestClient:
    client = TestClient(create_app(processed.settings, SECRET, factory=processed.factory,
                                   now=lambda: NOW), follow_redirects=False)
    token = csrf_of(client.get("/masuk").text)
    answer = client.post("/masuk", data={"csrf": token, "username": OFFICER,
                                         "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return client


def _correct_ktp_name(client: TestClient, processed: Processed
                      ) -> tuple[str, list[dict[str, object]]]:
    """Open the submission, correct the KTP name to the record's; the shown decision."""
    sid = processed.submission_id
    with processed.factory() as session:
        ktp = session.scalars(select(DocumentRow.id).where(
            DocumentRow.submission_id == sid, DocumentRow.kind == "ktp")).first()
    assert ktp is not None, "the KTP should have been read"
    token = csrf_of(client.get(f"/pengajuan/{sid}").text)
    answer = client.post(f"/pengajuan/{sid}/koreksi", data={
        "csrf": token, "document_id": str(ktp), "field": "nama", "value": processed.record_name})
    assert answer.status_code == 303, answer.text
    with processed.factory() as session:
        review = session.scalars(select(ReviewRow).where(ReviewRow.submission_id == sid)).one()
        assert review.status is not None and review.findings is not None
        return review.status, list(review.findings)


def test_processing_stores_what_rendering_finds(processed: Processed) -> None:
    with processed.factory() as session:
        sub = session.get_one(SubmissionRow, processed.submission_id)
        stored = sub.unreadable_attachments
        machine = {f.rule_id: f.evidence for f in session.scalars(select(FindingRow).where(
            FindingRow.submission_id == sub.id))}
    assert stored is not None
    _pages, rendered = render_pages(processed.parsed(), processed.settings.limits)
    assert load_unreadable(stored) == rendered
    assert [(u.filename, u.problem) for u in rendered] == [(BROKEN_NAME, PageProblem.PDF_CORRUPT)]
    # The machine asked for the file again and flagged the KTP name.
    assert machine["FILE-001"]["filename"] == BROKEN_NAME
    assert "REC-002" in machine


def test_correction_reruns_the_rules_without_rendering_and_decides_as_rendering_did(
        processed: Processed, render_calls: list[str]) -> None:
    client = _signed_in(processed)
    status, findings = _correct_ktp_name(client, processed)
    assert render_calls == []  # nothing decoded or rendered
    rules = [f["rule_id"] for f in findings]
    assert "REC-002" not in rules  # the corrected name agrees with the record
    assert "FILE-001" in rules  # the broken PDF still has to be sent again
    assert status == "incomplete"

    # The same submission as stored before migration 0006: the desk renders
    # the attachments to learn which failed, and the rules decide the same.
    with transaction(processed.factory) as session:
        sub = session.get_one(SubmissionRow, processed.submission_id)
        kept, sub.unreadable_attachments = sub.unreadable_attachments, None
    try:
        again_status, again_findings = _correct_ktp_name(client, processed)
    finally:
        with transaction(processed.factory) as session:
            session.get_one(SubmissionRow, processed.submission_id).unreadable_attachments = kept
    assert render_calls == [processed.sha256]
    assert (again_status, again_findings) == (status, findings)

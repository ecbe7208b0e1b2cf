"""A review desk over submissions the real pipeline decided.

Generated claim emails (fixtures.world) go through the same steps as
`intake process-eml` (archive, ledger, OCR, rules, store) on real
tesseract; the machine's replies are sent to an SMTP sink, so the outbox
is empty when an officer starts working. A handful of messages keeps the
OCR time small. Used by the browser tests and the screenshot tool.
"""

from __future__ import annotations

import email
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from sqlalchemy import select

from fixtures.world import DEMO_BRANCHES, BranchSpec, GeneratedMessage, World, generate_world
from pipeline.devservers.ports import free_port
from pipeline.devservers.smtp_sink import SmtpSink
from pipeline.poll import process_local
from pipeline.runtime import Runtime, open_runtime, send_outbox
from pipeline.settings import load_settings
from pipeline.store.db import transaction
from pipeline.store.models import DecisionRow, SubmissionRow
from pipeline.store.records import upsert_bookings, upsert_participants
from pipeline.web.app import create_app
from pipeline.web.server import BackgroundServer
from pipeline.web.users import add_user

TODAY = date(2020, 6, 15)
NOW = datetime.combine(TODAY, time(16, 0), UTC)  # 23.00 WIB: after every message
PASSWORD = "meja-uji-rahasia-1"
SECRET = "browser-test-signing-key-0123456789"
HOME, OTHER = DEMO_BRANCHES[0], DEMO_BRANCHES[1]
# The home branch's messages, in order, then one for the other branch.
HOME_SCENARIOS = ("complete", "name_mismatch", "missing_kk")
OTHER_SCENARIOS = ("complete",)


@dataclass
class Processed:
    scenario: str
    branch_id: str
    submission_id: int
    status: str
    message: GeneratedMessage
    nama: str  # the participant record's name


@dataclass
class DeskWorld:
    root: Path
    runtime: Runtime
    sink: SmtpSink
    server: BackgroundServer
    processed: list[Processed] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def of(self, scenario: str, branch_id: str = HOME.id) -> list[Processed]:
        return [p for p in self.processed if p.scenario == scenario and p.branch_id == branch_id]

    def send_outbox(self) -> int:
        """The outbox sender, as the flow's send-replies step runs it."""
        return send_outbox(self.runtime).sent

    def close(self) -> None:
        self.server.stop()
        self.runtime.close()
        self.sink.stop()


def _settings_text(sink: SmtpSink, branches: Sequence[BranchSpec]) -> str:
    provinces = ", ".join(f'"{p}"' for p in sorted({b.province for b in branches}))
    lines = ['timezone = "Asia/Jakarta"', "[storage]", 'database_url = "sqlite:///intake.db"',
             'archive_dir = "archive"', "[smtp]", f'host = "{sink.host}"', f"port = {sink.port}",
             "[ocr]", "workers = 2",
             "[web]", 'secret_key_env = "INTAKE_DESK_TEST_SECRET"',
             f"regions = {{ Kalimantan = [{provinces}] }}", ""]
    for spec in branches:
        lines += ["[[branches]]", f'id = "{spec.id}"', f'name = "{spec.name}"',
                  f'province = "{spec.province}"', f'reply_from = "{spec.address}"',
                  f'timezone = "{spec.zone}"',
                  "[branches.imap]", 'host = "127.0.0.1"', "port = 993", f'user = "{spec.id}"',
                  'password_env = "INTAKE_DESK_TEST_IMAP"', ""]
    return "\n".join(lines)


def _world(seed: int, scenarios: tuple[str, ...], branch: object) -> World:
    return generate_world(seed=seed, count=len(scenarios), today=TODAY, scenarios=scenarios,
                          branches=[branch])  # type: ignore[list-item]


def build_desk(root: Path, seed: int = 61, more_branches: Sequence[BranchSpec] = ()
               ) -> DeskWorld:
    """Generate, process and serve; the caller closes the returned world.

    `more_branches` are configured too (the supervisor's region spans their
    provinces) but receive no mail here.
    """
    os.environ.setdefault("INTAKE_DESK_TEST_IMAP", "unused")
    os.environ.setdefault("INTAKE_DESK_TEST_SECRET", SECRET)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    sink = SmtpSink(root / "smtp-sink")
    sink.start()
    config = root / "intake.toml"
    config.write_text(_settings_text(sink, (HOME, OTHER, *more_branches)), encoding="utf-8")
    settings = load_settings(config)
    runtime = open_runtime(settings, now=lambda: NOW)
    home = _world(seed, HOME_SCENARIOS, HOME)
    other = _world(seed + 1, OTHER_SCENARIOS, OTHER)
    names = {p.nik: p.nama for w in (home, other) for p in w.profiles}
    with transaction(runtime.factory) as session:
        for world in (home, other):
            upsert_participants(session, [p.to_participant() for p in world.profiles])
            upsert_bookings(session, world.bookings)
        add_user(session, settings, "petugas.bpn", PASSWORD, "officer", HOME.id, None,
                 "Rina Petugas", "setup", NOW)
        add_user(session, settings, "petugas.pnk", PASSWORD, "officer", OTHER.id, None,
                 "Andi Petugas", "setup", NOW)
        add_user(session, settings, "supervisor.kalimantan", PASSWORD, "supervisor", None,
                 "Kalimantan", "Sari Supervisor", "setup", NOW)
        add_user(session, settings, "admin", PASSWORD, "admin", None, None, "Admin Meja",
                 "setup", NOW)
    processed: list[Processed] = []
    for world in (home, other):
        for message in world.messages:
            branch = settings.branch(message.branch_id)
            parsed = email.message_from_bytes(message.eml, policy=default_policy)
            # Received when it was sent, as a mailbox would stamp it.
            received = parsedate_to_datetime(str(parsed["Date"])).astimezone(UTC)
            what = process_local(branch, message.eml, received, runtime.factory,
                                 runtime.archive, runtime.process, runtime.now)
            assert what == "processed", (message.scenario, what)
            msg_id = str(parsed["Message-ID"]).strip()
            with runtime.factory() as session:
                sub = session.scalars(select(SubmissionRow).where(
                    SubmissionRow.branch_id == branch.id,
                    SubmissionRow.message_id == msg_id)).one()
                status = session.scalars(select(DecisionRow.status).where(
                    DecisionRow.submission_id == sub.id)).one()
            processed.append(Processed(message.scenario, branch.id, sub.id, status, message,
                                       names.get(message.profile_nik, "")))
    send_outbox(runtime)  # the machine's own replies go out first
    app = create_app(settings, SECRET, factory=runtime.factory, now=lambda: NOW)
    server = BackgroundServer(app, "127.0.0.1", free_port()).start()
    return DeskWorld(root=root, runtime=runtime, sink=sink, server=server, processed=processed)

"""Assembling the real components from Settings, once, at the edge.

Everything the pipeline touches in the outside world is built here and
handed down: the database, the archive, the OCR engine, the mailboxes and
the SMTP sender. The flow, the CLI and the tests all start from here.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pipeline.adapters.archive import Archive
from pipeline.adapters.imap import MailboxError, open_mailbox
from pipeline.adapters.ocr import OcrEngine
from pipeline.adapters.ocr_inprocess import make_ocr_engine
from pipeline.adapters.smtp import SmtpSender
from pipeline.outbox import OutboxReport, send_pending
from pipeline.poll import PollReport, poll_mailbox
from pipeline.process import Services, process_message
from pipeline.settings import Branch, Settings, check_secrets, read_secret
from pipeline.resubmission import EarlierQuery, EarlierSubmission
from pipeline.store import records, resubmissions
from pipeline.store.db import make_engine, make_sessionmaker, upgrade
from pipeline.types import Booking, Outcome, Participant
from rules.regions import load_regions

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    db: Engine
    factory: sessionmaker[Session]
    archive: Archive
    ocr: OcrEngine
    now: Callable[[], datetime] = field(default=utc_now)
    ocr_pool: ThreadPoolExecutor | None = None

    def find_participant(self, nik: str | None, kpj: str | None,
                         email: str | None) -> Participant | None:
        with self.factory() as session:
            return records.find_participant(session, nik, kpj, email)

    def find_booking(self, code: str | None, nik: str | None, branch_id: str) -> Booking | None:
        with self.factory() as session:
            return records.find_booking(session, code, nik, branch_id)

    def earlier_submissions(self, query: EarlierQuery) -> tuple[EarlierSubmission, ...]:
        with self.factory() as session:
            return resubmissions.earlier_submissions(session, query)

    def services(self) -> Services:
        return Services(engine=self.ocr, regions=load_regions(), limits=self.settings.limits,
                        find_participant=self.find_participant, find_booking=self.find_booking,
                        timezone=self.settings.timezone, ocr_pool=self.ocr_pool,
                        earlier_submissions=self.earlier_submissions)

    def process(self, branch: Branch, raw: bytes, received: datetime) -> Outcome:
        return process_message(branch, raw, received, self.services(), self.now())

    def close(self) -> None:
        if self.ocr_pool is not None:
            self.ocr_pool.shutdown()
        self.db.dispose()


def open_runtime(settings: Settings, now: Callable[[], datetime] = utc_now,
                 migrate: bool = True) -> Runtime:
    """Check secrets, open the database (migrating it) and build the engines."""
    check_secrets(settings)
    db = make_engine(settings.storage.database_url)
    if migrate:
        upgrade(db)
    settings.storage.archive_dir.mkdir(parents=True, exist_ok=True)
    ocr = make_ocr_engine(settings.ocr.engine, settings.ocr.lang, settings.ocr.tessdata_dir,
                          settings.ocr.timeout_seconds)
    workers = settings.ocr.workers or (os.cpu_count() or 1)
    return Runtime(settings=settings, db=db, factory=make_sessionmaker(db),
                   archive=Archive(settings.storage.archive_dir), ocr=ocr, now=now,
                   ocr_pool=ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr"))


def poll_branch(runtime: Runtime, branch: Branch) -> PollReport:
    """Poll one branch; a mailbox failure is reported, never raised to the others."""
    settings = runtime.settings
    index = settings.branches.index(branch)
    password = read_secret(branch.imap.password_env, f"branches[{index}].imap.password_env",
                           settings)
    assert password is not None
    try:
        with open_mailbox(branch.imap, password.get_secret_value()) as mailbox:
            return poll_mailbox(branch, mailbox, runtime.factory, runtime.archive,
                                partial(Runtime.process, runtime), settings.polling, runtime.now)
    except MailboxError as err:
        log.error("branch %s: mailbox unavailable (%s): %s", branch.id, err.reason, err)
        return PollReport(branch_id=branch.id, error=f"{err.reason}: {err}")


def send_outbox(runtime: Runtime, branch_id: str | None = None) -> OutboxReport:
    smtp = runtime.settings.smtp
    password = read_secret(smtp.password_env, "smtp.password_env", runtime.settings)
    sender = SmtpSender(smtp, password.get_secret_value() if password else None)
    return send_pending(runtime.factory, sender, runtime.now, branch_id=branch_id)


def poll_all(runtime: Runtime) -> tuple[list[PollReport], OutboxReport]:
    """Every branch in turn, then the outbox: the flow's work without Prefect."""
    reports = [poll_branch(runtime, branch) for branch in runtime.settings.branches]
    return reports, send_outbox(runtime)

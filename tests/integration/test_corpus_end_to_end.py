"""Real-world mail written elsewhere: each message ends decided or rejected, none lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.adapters.imap import open_mailbox
from pipeline.devservers.dovecot import DovecotServer, password_env_name
from pipeline.devservers.smtp_sink import SmtpSink
from pipeline.runtime import open_runtime, poll_all
from pipeline.settings import load_settings
from tests.integration.harness import ledger_states, stored, write_settings

pytestmark = [pytest.mark.imap, pytest.mark.smtp, pytest.mark.ocr]

CORPUS = sorted((Path(__file__).resolve().parents[1] / "data" / "corpus" / "eml").glob("*.eml"))


def test_every_corpus_message_through_the_inbox(dovecot: DovecotServer, smtp_sink: SmtpSink,
                                                 traversable_dir: Path) -> None:
    assert len(CORPUS) >= 40
    login = "branch-a"
    config = write_settings(traversable_dir, dovecot, smtp_sink, [login])
    imap = load_settings(config).branch(login).imap
    with open_mailbox(imap, os.environ[password_env_name(login)]) as mailbox:
        for path in CORPUS:
            mailbox.append("INBOX", path.read_bytes())
        in_mailbox = len(mailbox.list_uids())
    runtime = open_runtime(load_settings(config))
    try:
        reports, outbox = poll_all(runtime)
    finally:
        runtime.close()
    [report] = reports
    assert report.error is None and report.failed == 0
    # Identical files in the corpus are one submission and a recorded duplicate.
    assert report.processed + report.duplicates == in_mailbox == len(CORPUS)
    assert set(ledger_states(config)) == {"done"}
    results = stored(config)
    assert len(results) == report.processed
    assert all(r.status in {"complete", "incomplete", "needs_review", "rejected"} for r in results)
    # None of these is a claim packet from a participant.
    assert not any(r.status == "complete" for r in results)
    assert outbox.failed == 0

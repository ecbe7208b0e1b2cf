"""A packet without the KK, then only the KK in the same thread: the claim completes.

Real Dovecot, a real SMTP server and tesseract. The second message carries
one document; the documents of the first one count with it, so the
participant gets an incomplete reply and then a complete one, each message
decided once and each reply sent once, also when the process dies midway.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from fixtures.world import DEMO_BRANCHES, World, generate_world
from pipeline.runtime import poll_all
from pipeline.store.models import FindingRow, SubmissionRow
from tests.integration.harness import (
    MailRig,
    ledger_states,
    message_id_of,
    outbox_statuses,
    run_once,
    store_session,
    stored,
)

pytestmark = [pytest.mark.imap, pytest.mark.smtp, pytest.mark.ocr]

LOGIN = "branch-a"
TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def world() -> World:
    """One resubmission: the packet without the KK, then the KK alone in the same thread."""
    generated = generate_world(seed=5, count=1, today=TODAY, scenarios=("resubmission_completes",),
                               branches=DEMO_BRANCHES[:1])
    # The messages arrive now (IMAP APPEND), so the appointment is moved to a few
    # days from now: the packet is on time whatever day the test runs. The
    # booking is for the test login's branch, where the mail is delivered.
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    generated.bookings[:] = [b.model_copy(update={"appointment_at": soon, "branch_id": LOGIN})
                             for b in generated.bookings]
    return generated


def prepared(rig: MailRig, world: World) -> Path:
    return rig.configure([LOGIN], [p.to_participant() for p in world.profiles], world.bookings)


def merged_from(config: Path) -> list[str | None]:
    """Per submission, the earlier submissions its decision counted (the RESUB-001 note)."""
    with store_session(config) as session:
        result = []
        for sub in session.scalars(select(SubmissionRow).order_by(SubmissionRow.id)):
            note = session.scalars(select(FindingRow).where(
                FindingRow.submission_id == sub.id, FindingRow.rule_id == "RESUB-001")).first()
            result.append(str(note.evidence["submissions"]) if note else None)
        return result


def test_only_the_missing_kk_is_sent_and_the_claim_completes(
        world: World, mail_rig: MailRig) -> None:
    first, follow = world.messages
    assert follow.follows == first.filename and first.expected_decision == "incomplete"
    config = prepared(mail_rig, world)
    with mail_rig.runtime(config) as runtime:
        mail_rig.deliver(LOGIN, [first.eml])
        reports, outbox = poll_all(runtime)
        assert (reports[0].processed, outbox.sent) == (1, 1)
        [incomplete] = mail_rig.sink.wait_for(1, timeout=10)
        text = incomplete.get_content()
        assert "1. Kartu Keluarga (KK) belum dilampirkan" in text and "\n2. " not in text
        assert "Kartu Keluarga is missing" in text
        assert "tidak perlu dikirim ulang" in text

        mail_rig.deliver(LOGIN, [follow.eml])
        reports, outbox = poll_all(runtime)
        assert (reports[0].processed, outbox.sent) == (1, 1)
        replies = mail_rig.sink.wait_for(2, timeout=10)
        complete = replies[1]
        assert str(complete["In-Reply-To"]).strip() == message_id_of(follow.eml)
        text = complete.get_content()
        assert "sudah lengkap" in text and "Jadwal antrean Anda:" in text
        # The reply names what was counted from the first email.
        assert "Dokumen dari email Anda sebelumnya ikut kami hitung" in text
        assert "e-KTP (fotokopi KTP)" in text and "Formulir F5" in text
        assert "Documents from your earlier email were counted" in text

        again, outbox_again = poll_all(runtime)
        assert (again[0].processed, outbox_again.sent) == (0, 0)
    results = stored(config)
    assert [r.status for r in results] == ["incomplete", "complete"]
    assert [r.replies for r in results] == [1, 1]
    assert "DOC-002" in results[0].findings and "DOC-002" not in results[1].findings
    assert merged_from(config)[1] is not None and merged_from(config)[0] is None
    assert len(mail_rig.sink.messages()) == 2


@pytest.mark.parametrize("crash_at", ["after_archive", "after_decision"])
def test_a_crash_while_deciding_the_resubmission_converges(
        crash_at: str, world: World, mail_rig: MailRig) -> None:
    """The process dies on the second message; the rerun decides it the same, once."""
    first, follow = world.messages
    config = prepared(mail_rig, world)
    mail_rig.deliver(LOGIN, [first.eml])
    done = run_once(config)
    assert done.returncode == 0, done.stderr

    mail_rig.deliver(LOGIN, [follow.eml])
    crashed = run_once(config, crash_at)
    assert crashed.returncode == 86, crashed.stderr
    finished = run_once(config)
    assert finished.returncode == 0, finished.stderr
    again = run_once(config)
    assert again.returncode == 0, again.stderr
    assert "0 processed" in again.stdout and "replies: 0 sent" in again.stdout

    results = stored(config)
    assert [r.status for r in results] == ["incomplete", "complete"]
    assert [r.replies for r in results] == [1, 1]
    assert merged_from(config)[1] is not None
    assert outbox_statuses(config) == ["sent", "sent"]
    assert set(ledger_states(config)) == {"done"}
    ids = [str(m["Message-ID"]) for m in mail_rig.sink.messages()]
    assert len(ids) == 2 and len(set(ids)) == 2

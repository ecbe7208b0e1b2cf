"""Inbox to decision to reply, on real Dovecot, a real SMTP server and tesseract."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from fixtures.world import DEMO_BRANCHES, World, generate_world
from pipeline.runtime import poll_all
from pipeline.types import Booking
from tests.integration.harness import (
    MailRig,
    ledger_states,
    message_id_of,
    outbox_statuses,
    run_once,
    stored,
)

pytestmark = [pytest.mark.imap, pytest.mark.smtp, pytest.mark.ocr]

LOGINS = ("branch-a", "branch-b", "branch-c")
SCENARIOS = ("complete", "missing_kk", "name_mismatch", "not_participant", "no_attachments",
             "encrypted_pdf")
TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def world() -> World:
    """One packet per outcome, rendered once for the module (OCR is the cost)."""
    return generate_world(seed=4, count=len(SCENARIOS), today=TODAY, scenarios=SCENARIOS,
                          branches=DEMO_BRANCHES[:3])


def on_logins(world: World, logins: tuple[str, ...]) -> list[Booking]:
    """The world's bookings, each for the test login standing in for its branch."""
    branch_ids = [b.id for b in DEMO_BRANCHES[:len(logins)]]
    return [b.model_copy(update={"branch_id": logins[branch_ids.index(b.branch_id)]})
            for b in world.bookings]


def spread(world: World) -> dict[str, list[bytes]]:
    """The world's messages, branch by branch, onto the three test logins."""
    by_branch: dict[str, list[bytes]] = {login: [] for login in LOGINS}
    branch_ids = [b.id for b in DEMO_BRANCHES[:3]]
    for message in world.messages:
        by_branch[LOGINS[branch_ids.index(message.branch_id)]].append(message.eml)
    return by_branch


def prepared(rig: MailRig, world: World) -> Path:
    config = rig.configure(LOGINS, [p.to_participant() for p in world.profiles],
                           on_logins(world, LOGINS))
    for login, messages in spread(world).items():
        rig.deliver(login, messages)
    return config


def test_every_outcome_once_and_second_poll_does_nothing(world: World, mail_rig: MailRig) -> None:
    config = prepared(mail_rig, world)
    with mail_rig.runtime(config) as runtime:
        reports, outbox = poll_all(runtime)
        assert [r.error for r in reports] == [None, None, None]
        assert sum(r.processed for r in reports) == len(world.messages)

        expected = {message_id_of(m.eml): m for m in world.messages}
        results = {s.message_id: s for s in stored(config)}
        assert set(results) == set(expected)
        for msg_id, message in expected.items():
            got = results[msg_id]
            assert (message.scenario, got.status) == (message.scenario, message.expected_decision)
            assert set(message.expected_findings) <= set(got.findings), message.scenario

        # One reply per message, threaded to it, in Indonesian.
        replies = mail_rig.sink.wait_for(len(world.messages), timeout=10)
        assert outbox.sent == len(world.messages) == len(replies)
        answered = {str(r["In-Reply-To"]).strip() for r in replies}
        assert answered == set(expected)
        for reply in replies:
            assert str(reply["Subject"]).startswith("Re: ")
            assert "Yth." in reply.get_content()

        # Every message carries the keyword; a second poll finds nothing to do.
        again, outbox_again = poll_all(runtime)
        assert sum(r.processed for r in again) == 0
        assert outbox_again.sent == 0
        assert len(mail_rig.sink.messages()) == len(world.messages)
        assert set(ledger_states(config)) == {"done"}
    for login in LOGINS:
        with mail_rig.mailbox(config, login) as mailbox:
            assert mailbox.uids_with_keyword("$Intake-Done") == set(mailbox.list_uids())


@pytest.mark.parametrize("crash_at", ["after_archive", "after_decision", "after_post_action",
                                      "after_send"])
def test_crash_then_rerun_converges(crash_at: str, mail_rig: MailRig) -> None:
    """A process killed at each point, then rerun: one decision and one reply per message.

    After `after_send` the reply left before it could be marked sent: the
    rerun sends the identical message again (same Message-ID), the one
    window no outbox closes; every other point yields exactly one reply.
    """
    small = generate_world(seed=99, count=2, today=TODAY, scenarios=("no_attachments", "missing_kk"),
                           branches=DEMO_BRANCHES[:1])
    config = mail_rig.configure(LOGINS[:1], [p.to_participant() for p in small.profiles],
                                on_logins(small, LOGINS[:1]))
    mail_rig.deliver(LOGINS[0], [m.eml for m in small.messages])

    crashed = run_once(config, crash_at)
    assert crashed.returncode == 86, crashed.stderr
    finished = run_once(config)
    assert finished.returncode == 0, finished.stderr
    again = run_once(config)
    assert again.returncode == 0, again.stderr

    results = stored(config)
    assert len(results) == 2 and all(r.status for r in results)
    assert all(r.replies == 1 for r in results)  # one queued reply per decision
    assert outbox_statuses(config) == ["sent", "sent"]
    assert set(ledger_states(config)) == {"done"}
    ids = [str(m["Message-ID"]) for m in mail_rig.sink.messages()]
    if crash_at == "after_send":
        assert len(ids) == 3 and len(set(ids)) == 2
    else:
        assert len(ids) == 2 and len(set(ids)) == 2
    assert "0 processed" in again.stdout and "replies: 0 sent" in again.stdout


def test_uidvalidity_change_neither_loses_nor_repeats(mail_rig: MailRig) -> None:
    small = generate_world(seed=7, count=2, today=TODAY, scenarios=("no_attachments",),
                           branches=DEMO_BRANCHES[:1])
    config = mail_rig.configure(LOGINS[:1], [p.to_participant() for p in small.profiles],
                                small.bookings)
    mail_rig.deliver(LOGINS[0], [small.messages[0].eml])
    with mail_rig.runtime(config) as runtime:
        first, _ = poll_all(runtime)
        assert first[0].processed == 1
        # The server renumbers the mailbox, and a new message arrives meanwhile.
        mail_rig.dovecot.reset_uidvalidity(LOGINS[0])
        mail_rig.deliver(LOGINS[0], [small.messages[1].eml])
        second, outbox = poll_all(runtime)
        assert (second[0].processed, second[0].duplicates) == (1, 1)
        assert outbox.sent == 1
        third, _ = poll_all(runtime)
        assert third[0].processed == 0 and third[0].duplicates == 0
    assert len(stored(config)) == 2
    assert len(mail_rig.sink.messages()) == 2


def test_failing_branch_does_not_stop_the_others(mail_rig: MailRig,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    small = generate_world(seed=8, count=1, today=TODAY, scenarios=("no_attachments",),
                           branches=DEMO_BRANCHES[:1])
    monkeypatch.setenv("WRONG_PASSWORD", "not-the-password")
    config = mail_rig.configure(LOGINS[:2], password_envs={"branch-a": "WRONG_PASSWORD"})
    mail_rig.deliver(LOGINS[1], [small.messages[0].eml])
    with mail_rig.runtime(config) as runtime:
        reports, outbox = poll_all(runtime)
    assert reports[0].error is not None and reports[0].error.startswith("auth")
    assert reports[1].error is None and reports[1].processed == 1
    assert outbox.sent == 1


def test_oversized_message_is_a_recorded_rejection(mail_rig: MailRig) -> None:
    from fixtures.mail import compose_email

    big = compose_email(
        sender_name="Budi", sender="budi@example.org", to="branch-a@kc.example.org",
        subject="Klaim JHT", body_text="Terlampir dokumen.",
        attachments=[("scan.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + os.urandom(3_000_000))],
        date=datetime(2026, 11, 18, 9, tzinfo=UTC), message_id="<big@example.org>")
    config = mail_rig.configure(LOGINS[:1], extra="[limits]\nmax_message_bytes = 1000000")
    mail_rig.deliver(LOGINS[0], [big])
    with mail_rig.runtime(config) as runtime:
        reports, outbox = poll_all(runtime)
    assert reports[0].processed == 1
    [result] = stored(config)
    assert (result.status, result.findings) == ("rejected", ("MAIL-002",))
    assert outbox.sent == 1
    [reply] = mail_rig.sink.messages()
    assert "melebihi batas" in reply.get_content()


def test_move_post_action_empties_the_inbox_once(mail_rig: MailRig) -> None:
    small = generate_world(seed=12, count=2, today=TODAY, scenarios=("no_attachments",),
                           branches=DEMO_BRANCHES[:1])
    config = mail_rig.configure(
        LOGINS[:1], extra='[polling]\npost_action = "keyword_and_move"\nmove_to = "Diproses"')
    mail_rig.deliver(LOGINS[0], [m.eml for m in small.messages])
    with mail_rig.runtime(config) as runtime:
        first, _ = poll_all(runtime)
        second, outbox = poll_all(runtime)
    assert first[0].processed == 2 and second[0].in_mailbox == 0 and outbox.sent == 0
    with mail_rig.mailbox(config, LOGINS[0], folder="Diproses") as mailbox:
        assert len(mailbox.list_uids()) == 2
        assert mailbox.uids_with_keyword("$Intake-Done") == set(mailbox.list_uids())

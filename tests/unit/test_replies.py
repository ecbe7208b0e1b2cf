"""Replies: Indonesian text naming each problem, threaded, deterministic."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email.policy import default as default_policy

from pipeline.decide import decide
from pipeline.replies.compose import compose_reply, reply_subject
from pipeline.replies.mime import render_reply
from pipeline.settings import Branch, ImapSettings
from pipeline.types import Submission
from rules.registry import evaluate_rules
from tests.unit.test_rules import ALL_KINDS, PERSON, check, packet, submission

BRANCH = Branch(id="balikpapan", name="Kantor Cabang Balikpapan", province="Kalimantan Timur",
                reply_from="kc.balikpapan@example.org",
                imap=ImapSettings(host="127.0.0.1", port=993, user="u", password_env="X"))
NOW = datetime(2020, 6, 10, 9, 30, tzinfo=UTC)


def reply_for(kinds: tuple = ALL_KINDS[2:], sub: Submission | None = None):  # type: ignore[type-arg]
    sub = sub or submission().model_copy(update={"references": ("<older@example.org>",)})
    decision = decide(evaluate_rules(check(packet(*kinds), sub=sub)))
    return compose_reply(sub, decision, BRANCH, PERSON, "BPN-200612-0042", NOW, "Asia/Jakarta")


def test_incomplete_reply_lists_every_missing_document() -> None:
    reply = reply_for()
    assert reply is not None
    assert "1. Foto atau pindaian KTP elektronik (e-KTP) belum dilampirkan." in reply.body_text
    assert "2. Kartu Keluarga (KK) belum dilampirkan." in reply.body_text
    assert "Yth. Siti Aminah" in reply.body_text
    assert "BPN-200612-0042" in reply.body_text
    assert "10 Juni 2020 pukul 15.00" in reply.body_text  # received 08:00 UTC, shown in WIB


def test_reply_is_threaded_and_deterministic() -> None:
    first, second = reply_for(), reply_for()
    assert first == second
    raw = render_reply(first)
    assert raw == render_reply(second)
    msg = email.message_from_bytes(raw, policy=default_policy)
    assert msg["In-Reply-To"] == "<m1@example.org>"
    assert msg["References"] == "<older@example.org> <m1@example.org>"
    assert msg["Subject"] == "Re: Klaim JHT"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Message-ID"].endswith("@example.org>")
    assert "belum dilampirkan" in msg.get_content()


def test_subject_prefix_not_doubled() -> None:
    assert reply_subject("RE: Klaim  JHT") == "RE: Klaim JHT"
    assert reply_subject("") == "Re: Pengajuan klaim JHT"


def test_complete_reply_confirms() -> None:
    reply = reply_for(ALL_KINDS)
    assert reply is not None and "sudah lengkap" in reply.body_text


def test_no_reply_to_robots_or_unknown_senders() -> None:
    robot = submission().model_copy(update={"sender": "MAILER-DAEMON@example.org"})
    assert reply_for(sub=robot) is None
    nobody = submission().model_copy(update={"sender": None})
    assert reply_for(sub=nobody) is None


def test_sender_is_named_and_documents_may_be_in_unopened_files() -> None:
    from pipeline.types import PageProblem, PageRef, UnreadableAttachment

    sub = submission()
    locked = UnreadableAttachment(ref=PageRef(attachment_index=0), filename="berkas.pdf",
                                  problem=PageProblem.PDF_ENCRYPTED)
    decision = decide(evaluate_rules(check((), sub=sub, unreadable=(locked,))))
    reply = compose_reply(sub, decision, BRANCH, PERSON, None, NOW, "Asia/Jakarta")
    assert reply is not None
    assert "berada di lampiran yang tidak dapat dibuka" in reply.body_text
    msg = email.message_from_bytes(render_reply(reply), policy=default_policy)
    assert msg["From"].addresses[0].display_name == "BPJS Ketenagakerjaan Kantor Cabang Balikpapan"

"""Replies: Indonesian then English, each problem with what to send, threaded, deterministic."""

from __future__ import annotations

import email
from collections.abc import Sequence
from datetime import UTC, date, datetime
from email.policy import default as default_policy

import pytest

from pipeline.decide import decide
from pipeline.replies.compose import compose_reply, reply_subject
from pipeline.replies.mime import render_reply
from pipeline.replies.wording import DOCUMENTS, FILE_FIXES, GENERAL_TIP, RETAKE_TIPS
from pipeline.resubmission import CountedDocument
from pipeline.settings import Branch, ImapSettings
from pipeline.types import (
    Action,
    Booking,
    Decision,
    DecisionStatus,
    DocumentKind,
    Finding,
    PageProblem,
    PageRef,
    Reply,
    Severity,
    Submission,
    UnreadableAttachment,
)
from rules.base import CheckInput, Rule
from rules.registry import RULES, evaluate_rules
from tests.unit.test_rules import ALL_KINDS, BLURRED, PERSON, check, doc, packet, submission

BRANCH = Branch(id="balikpapan", name="Kantor Cabang Balikpapan", province="Kalimantan Timur",
                reply_from="kc.balikpapan@example.org",
                imap=ImapSettings(host="127.0.0.1", port=993, user="u", password_env="X"))
NOW = datetime(2020, 6, 10, 9, 30, tzinfo=UTC)
# 15 June 2020, 09:00 in Jakarta.
BOOKING = Booking(code="BPN-200612-0042", branch_id="balikpapan", nik=PERSON.nik,
                  appointment_at=datetime(2020, 6, 15, 2, tzinfo=UTC))
ENGLISH = "\nEnglish\n"


def reply_of(data: CheckInput, booking: Booking | None = BOOKING, branch: Branch = BRANCH,
             counted: Sequence[CountedDocument] = ()) -> Reply:
    decision = decide(evaluate_rules(data))
    reply = compose_reply(data.submission, decision, branch, data.participant, booking,
                          booking.code if booking else None, NOW, "Asia/Jakarta", data.documents,
                          counted)
    assert reply is not None
    return reply


def reply_for(kinds: tuple[DocumentKind, ...] = ALL_KINDS[2:],
              sub: Submission | None = None) -> Reply:
    sub = sub or submission().model_copy(update={"references": ("<older@example.org>",)})
    return reply_of(check(packet(*kinds), sub=sub))


def halves(body: str) -> tuple[str, str]:
    """The Indonesian part and the English part of a reply body."""
    assert body.count(ENGLISH) == 1, "exactly one English section"
    indonesian, english = body.split(ENGLISH)
    return indonesian, english


def test_incomplete_reply_lists_every_missing_document() -> None:
    reply = reply_for()
    assert "1. Foto atau pindaian KTP elektronik (e-KTP) belum dilampirkan." in reply.body_text
    assert "2. Kartu Keluarga (KK) belum dilampirkan." in reply.body_text
    assert "Yth. Siti Aminah" in reply.body_text
    assert "BPN-200612-0042" in reply.body_text
    assert "10 Juni 2020 pukul 15.00 WIB" in reply.body_text  # received 08:00 UTC, shown in WIB


def test_incomplete_reply_says_what_to_send_and_by_when_in_both_languages() -> None:
    indonesian, english = halves(reply_for().body_text)
    for kind in (DocumentKind.KTP, DocumentKind.KK):
        assert f"Yang perlu dikirim: {DOCUMENTS[kind].send.id}." in indonesian
        assert f"What to send: {DOCUMENTS[kind].send.en}." in english
    assert "1. e-KTP is missing." in english and "2. Kartu Keluarga is missing." in english
    assert "paling lambat Minggu, 14 Juni 2020 pukul 09.00 WIB" in indonesian
    assert "by Sunday 14 June 2020 at 09:00 WIB" in english
    assert "Dear Siti Aminah" in english
    # The participant sends only what is missing: earlier documents are kept.
    assert "tidak perlu dikirim ulang" in indonesian and "need not be sent again" in english


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


def test_complete_reply_confirms_receipt_and_appointment() -> None:
    branch = BRANCH.model_copy(update={"office_address": "Jl. Contoh No. 1, Balikpapan"})
    reply = reply_of(check(packet(*ALL_KINDS)), branch=branch)
    indonesian, english = halves(reply.body_text)
    assert "sudah lengkap dan kami terima" in indonesian
    assert ("Jadwal antrean Anda: Senin, 15 Juni 2020 pukul 09.00 WIB, Kantor Cabang Balikpapan, "
            "Jl. Contoh No. 1, Balikpapan.") in indonesian
    assert "complete and received" in english
    assert ("Your appointment: Monday 15 June 2020 at 09:00 WIB, Kantor Cabang Balikpapan, "
            "Jl. Contoh No. 1, Balikpapan.") in english
    assert "belum" not in indonesian


def test_appointment_in_the_configured_zone() -> None:
    decision = Decision(status=DecisionStatus.COMPLETE)
    reply = compose_reply(submission(), decision, BRANCH, PERSON, BOOKING, BOOKING.code, NOW,
                          "Asia/Makassar")
    assert reply is not None
    assert "Senin, 15 Juni 2020 pukul 10.00 WITA" in reply.body_text


def test_complete_without_booking_still_confirms() -> None:
    reply = reply_of(check(packet(*ALL_KINDS)), booking=None)
    indonesian, english = halves(reply.body_text)
    assert "sudah lengkap" in indonesian and "Jadwal antrean Anda:" not in indonesian
    assert "Kode booking" not in reply.body_text


def test_needs_review_reply_says_an_officer_checks() -> None:
    reply = reply_of(check(packet(*ALL_KINDS, ktp_name="BUDI SANTOSO")))
    indonesian, english = halves(reply.body_text)
    assert "sedang diperiksa oleh petugas kami" in indonesian
    assert "an officer is checking them" in english
    # The mismatch itself is the officer's to judge, not argued in the mail.
    assert "BUDI" not in reply.body_text


def test_rejected_reply_says_why_and_what_to_do() -> None:
    reply = reply_of(check((), sub=submission(attachments=0)))
    indonesian, english = halves(reply.body_text)
    rule = next(r for r in RULES if r.id == "MAIL-001")
    assert rule.message_id in indonesian and rule.message_en in english
    assert "Yang dapat Anda lakukan" in indonesian and "What you can do" in english
    for kind in (DocumentKind.KTP, DocumentKind.KK, DocumentKind.F5):
        assert DOCUMENTS[kind].name.id in indonesian and DOCUMENTS[kind].name.en in english


def test_not_a_participant_reply_names_the_masked_nik_only() -> None:
    reply = reply_of(check(packet(*ALL_KINDS), participant=None))
    assert "6472********0012" in reply.body_text
    assert PERSON.nik not in reply.body_text


def test_no_reply_to_robots_or_unknown_senders() -> None:
    decision = Decision(status=DecisionStatus.COMPLETE)
    robot = submission().model_copy(update={"sender": "MAILER-DAEMON@example.org"})
    assert compose_reply(robot, decision, BRANCH, PERSON, None, None, NOW, "Asia/Jakarta") is None
    nobody = submission().model_copy(update={"sender": None})
    assert compose_reply(nobody, decision, BRANCH, PERSON, None, None, NOW, "Asia/Jakarta") is None


def test_sender_is_named_and_documents_may_be_in_unopened_files() -> None:
    sub = submission()
    locked = UnreadableAttachment(ref=PageRef(attachment_index=0), filename="berkas.pdf",
                                  problem=PageProblem.PDF_ENCRYPTED)
    reply = reply_of(check((), sub=sub, unreadable=(locked,)), booking=None)
    indonesian, english = halves(reply.body_text)
    assert "berada di lampiran yang tidak dapat dibuka" in indonesian
    fix = FILE_FIXES["pdf_encrypted"]
    assert f'isi lampiran "berkas.pdf" {fix.id}' in indonesian
    assert f'the contents of the attachment "berkas.pdf" {fix.en}' in english
    msg = email.message_from_bytes(render_reply(reply), policy=default_policy)
    assert msg["From"].addresses[0].display_name == "BPJS Ketenagakerjaan Kantor Cabang Balikpapan"


def test_missing_document_may_be_the_page_that_could_not_be_told() -> None:
    # A KTP photo so blurred that its reading could not tell what it shows.
    blurred = doc(DocumentKind.PHOTO, 5, quality=BLURRED)
    reply = reply_of(check((*packet(*ALL_KINDS[1:]), blurred)), booking=None)
    indonesian, english = halves(reply.body_text)
    assert "(e-KTP) belum dilampirkan (atau berada di halaman yang tidak terbaca di atas)." \
        in indonesian
    assert "e-KTP is missing (or it is the unreadable page above)." in english
    # "Above": the unreadable page is listed before the missing documents.
    assert indonesian.index("tidak terbaca jelas") < indonesian.index("belum dilampirkan")


def test_missing_document_is_plainly_missing_when_every_page_was_told() -> None:
    # A blurred page known to be the KK says nothing about where the KTP is.
    blurred_kk = doc(DocumentKind.KK, 5, quality=BLURRED)
    reply = reply_of(check((*packet(*ALL_KINDS[2:]), blurred_kk)), booking=None)
    indonesian, english = halves(reply.body_text)
    assert "(e-KTP) belum dilampirkan." in indonesian and "e-KTP is missing." in english


@pytest.mark.parametrize("reasons", [("blurred",), ("glare", "cut_off"), ("too_dark", "too_small")])
def test_unreadable_page_names_the_reasons_and_how_to_retake(reasons: tuple[str, ...]) -> None:
    poor = BLURRED.model_copy(update={"reasons": reasons})
    docs = (doc(DocumentKind.KTP, 0, quality=poor, nik=None, nama=None),
            *(doc(k, i + 1) for i, k in enumerate(ALL_KINDS[1:])))
    reply = reply_of(check(docs))
    indonesian, english = halves(reply.body_text)
    assert 'Lampiran "ktp.jpg" halaman 1 tidak terbaca jelas' in indonesian
    assert 'foto ulang e-KTP (fotokopi KTP) (lampiran "ktp.jpg" halaman 1)' in indonesian
    assert 'a new, clear and complete photo of your ID card (e-KTP)' in english
    for reason in reasons:
        assert RETAKE_TIPS[reason].id in indonesian and RETAKE_TIPS[reason].en in english
    assert GENERAL_TIP.id in indonesian
    assert "Cara memotret ulang dokumen" in indonesian and "How to take the photo again" in english


def test_unreadable_nik_asks_for_a_clear_ktp_photo() -> None:
    reply = reply_of(check(packet(*ALL_KINDS, ktp_nik=None)))
    assert "NIK pada KTP" in reply.body_text
    assert RETAKE_TIPS["glare"].id in reply.body_text


@pytest.mark.parametrize("missing", list(ALL_KINDS))
def test_every_missing_required_document_is_named_with_what_to_send(missing: DocumentKind) -> None:
    reply = reply_of(check(packet(*(k for k in ALL_KINDS if k != missing))))
    indonesian, english = halves(reply.body_text)
    assert DOCUMENTS[missing].send.id in indonesian
    assert DOCUMENTS[missing].send.en in english


def test_npwp_for_a_high_balance_is_named() -> None:
    rich = PERSON.model_copy(update={"saldo_jht": 60_000_000})
    reply = reply_of(check(packet(*ALL_KINDS), participant=rich))
    assert "NPWP (wajib karena saldo JHT Anda di atas Rp50.000.000)" in reply.body_text
    assert DOCUMENTS[DocumentKind.NPWP].send.en in reply.body_text


class _Placeholders(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return f"<{key}>"


def _finding_of(rule_id: str, action: Action, message_id: str, message_en: str) -> Finding:
    return Finding(rule_id=rule_id, severity=Severity.ERROR, action=action,
                   message_id=message_id.format_map(_Placeholders()),
                   message_en=message_en.format_map(_Placeholders()))


@pytest.mark.parametrize("rule", [r for r in RULES if r.action in (Action.ASK, Action.REJECT)],
                         ids=lambda r: r.id)
def test_every_rule_that_asks_or_rejects_is_in_the_reply_in_both_languages(rule: Rule) -> None:
    """Whatever rule asks for something, its message (which names the document) is shown."""
    finding = _finding_of(rule.id, rule.action, rule.message_id, rule.message_en)
    decision = decide([finding])
    reply = compose_reply(submission(), decision, BRANCH, PERSON, BOOKING, BOOKING.code, NOW,
                          "Asia/Jakarta")
    assert reply is not None
    indonesian, english = halves(reply.body_text)
    assert f"1. {finding.message_id}" in indonesian
    assert f"1. {finding.message_en}" in english


def test_every_document_kind_has_participant_words() -> None:
    named = set(DOCUMENTS)
    assert named == set(DocumentKind) - {DocumentKind.UNKNOWN}
    for words in DOCUMENTS.values():
        assert words.name.id and words.name.en and words.send.id and words.send.en


def test_counted_documents_of_an_earlier_email_are_named() -> None:
    earlier = datetime(2020, 6, 9, 1, 15, tzinfo=UTC)
    counted = [CountedDocument(submission_id=3, received_at=earlier, kind=kind,
                               filename=f"{kind.value}.jpg") for kind in ALL_KINDS if
               kind != DocumentKind.KK]
    reply = reply_of(check(packet(*ALL_KINDS)), counted=counted)
    indonesian, english = halves(reply.body_text)
    assert "email 9 Juni 2020 pukul 08.15 WIB: e-KTP (fotokopi KTP), Formulir F5" in indonesian
    assert "email of 9 June 2020 at 08:15 WIB: ID card (e-KTP), claim form F5" in english
    assert "Kartu Keluarga" not in indonesian.split("ikut kami hitung:")[1].split("\n\n")[0]


def test_counted_documents_shown_with_what_is_still_missing() -> None:
    earlier = datetime(2020, 6, 9, 1, 15, tzinfo=UTC)
    counted = [CountedDocument(submission_id=3, received_at=earlier, kind=DocumentKind.KTP,
                               filename="ktp.jpg")]
    reply = reply_of(check(packet(*ALL_KINDS[:2])), counted=counted)
    indonesian, english = halves(reply.body_text)
    assert "tidak perlu dikirim lagi:\n- email 9 Juni 2020 pukul 08.15 WIB: e-KTP" in indonesian
    assert "Formulir F5" in indonesian and "claim form F5" in english


def test_unknown_kind_in_evidence_falls_back_to_the_rule_message() -> None:
    finding = Finding(rule_id="DOC-099", severity=Severity.ERROR, action=Action.ASK,
                      message_id="Paspor belum dilampirkan.", message_en="Passport is missing.",
                      evidence={"kind": "passport"})
    reply = compose_reply(submission(), decide([finding]), BRANCH, PERSON, None, None, NOW,
                          "Asia/Jakarta")
    assert reply is not None and "1. Paspor belum dilampirkan.\n" in reply.body_text


def _partial_withdrawal(record_update: dict[str, object],
                        kinds: tuple[DocumentKind, ...] = ALL_KINDS) -> CheckInput:
    """A partial-withdrawal claim (reason ticked, no paklaring) against an updated record."""
    documents = tuple(doc(DocumentKind.F5, i, sebab_klaim="pengambilan_sebagian")
                      if d.kind == DocumentKind.F5 else d
                      for i, d in enumerate(packet(*(k for k in kinds
                                                     if k != DocumentKind.PAKLARING))))
    return check(documents, participant=PERSON.model_copy(update=record_update))


@pytest.mark.parametrize(("record_update", "rule_id", "said_id", "said_en"), [
    ({"peserta_sejak": date(2016, 8, 1)}, "ELIG-004", "tercapai pada 01-08-2026",
     "reached on 01-08-2026"),
    ({"berhenti_kerja": date(2020, 3, 31)}, "ELIG-005", "berhenti bekerja pada 31-03-2020",
     "ended on 31-03-2020"),
], ids=["ELIG-004", "ELIG-005"])
def test_partial_withdrawal_the_records_rule_out_is_told_while_an_officer_checks(
        record_update: dict[str, object], rule_id: str, said_id: str, said_en: str) -> None:
    data = _partial_withdrawal(record_update)
    decision = decide(evaluate_rules(data))
    assert decision.status == DecisionStatus.NEEDS_REVIEW
    finding = next(f for f in decision.findings if f.rule_id == rule_id)
    indonesian, english = halves(reply_of(data).body_text)
    assert "sedang diperiksa oleh petugas kami" in indonesian
    assert f"Yang perlu Anda ketahui:\n- {finding.message_id}\n" in indonesian
    assert f"Please note:\n- {finding.message_en}\n" in english
    assert said_id in indonesian and said_en in english
    # ELIG-003 (the employer's statement) stays the officer's, not argued in the mail.
    supporting = next(f for f in decision.findings if f.rule_id == "ELIG-003")
    assert supporting.message_id not in indonesian


def test_partial_withdrawal_too_early_is_told_beside_what_is_missing() -> None:
    kinds = tuple(k for k in ALL_KINDS if k != DocumentKind.KK)
    data = _partial_withdrawal({"peserta_sejak": date(2016, 8, 1)}, kinds)
    indonesian, english = halves(reply_of(data).body_text)
    assert "1. Kartu Keluarga (KK) belum dilampirkan." in indonesian
    assert "Yang perlu Anda ketahui juga:\n- Pengambilan sebagian JHT" in indonesian
    assert "tercapai pada 01-08-2026" in indonesian
    assert "Please also note:\n- Partial withdrawal needs 10 years" in english

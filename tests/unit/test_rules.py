"""Each rule against a table of cases built from plain values (no OCR, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pipeline.decide import decide
from pipeline.types import (
    Attachment,
    AttachmentProblem,
    Booking,
    DecisionStatus,
    Document,
    DocumentKind,
    ExtractedField,
    PageProblem,
    PageRef,
    Participant,
    Quality,
    Submission,
    UnreadableAttachment,
)
from rules.base import CheckInput
from rules.registry import RULES, evaluate_rules, rule_by_id

TODAY = date(2020, 6, 10)
NIK = "6472034703850012"  # woman born 7 March 1985, Samarinda Ulu
PERSON = Participant(nik=NIK, kpj="12345678901", nama="SITI AMINAH", tanggal_lahir=date(1985, 3, 7),
                     jenis_kelamin="PEREMPUAN", email="siti@example.org", saldo_jht=12_000_000)
BOOKING = Booking(code="BPN-200615-0042", branch_id="balikpapan", nik=NIK,
                  appointment_at=datetime(2020, 6, 15, 9, tzinfo=UTC))
GOOD = Quality(width=1000, height=630, sharpness=300.0, brightness=180.0, glare=0.0, readable=True)
BLURRED = GOOD.model_copy(update={"readable": False, "reasons": ("blurred",), "sharpness": 4.0})
ALL_KINDS = (DocumentKind.KTP, DocumentKind.KK, DocumentKind.F5, DocumentKind.KARTU_PESERTA,
             DocumentKind.PAKLARING, DocumentKind.BUKU_TABUNGAN)


def doc(kind: DocumentKind, index: int = 0, quality: Quality = GOOD, **fields: str | None) -> Document:
    return Document(
        ref=PageRef(attachment_index=index), filename=f"{kind.value}.jpg", kind=kind,
        kind_confidence=0.95, quality=quality,
        fields=tuple(ExtractedField(name=k, value=v, confidence=0.9 if v else 0.1, raw=v)
                     for k, v in fields.items()))


def packet(*kinds: DocumentKind, ktp_name: str = "SITI AMINAH", ktp_nik: str | None = NIK
           ) -> tuple[Document, ...]:
    docs = []
    for index, kind in enumerate(kinds):
        if kind == DocumentKind.KTP:
            docs.append(doc(kind, index, nik=ktp_nik, nama=ktp_name))
        else:
            docs.append(doc(kind, index))
    return tuple(docs)


def submission(attachments: int = 6, unreadable_reason: str | None = None) -> Submission:
    return Submission(
        branch_id="balikpapan", message_sha256="ab" * 32, message_id="<m1@example.org>",
        sender="siti@example.org", sender_name="Siti", subject="Klaim JHT",
        received_at=datetime(2020, 6, 10, 8, tzinfo=UTC), unreadable_reason=unreadable_reason,
        attachments=tuple(Attachment(index=i, filename=f"f{i}.jpg", declared_type="image/jpeg",
                                     sniffed_type="image/jpeg", size=10, sha256="00")
                          for i in range(attachments)))


def check(documents: tuple[Document, ...] = packet(*ALL_KINDS), participant: Participant | None = PERSON,
          nik: str | None = NIK, sub: Submission | None = None,
          unreadable: tuple[UnreadableAttachment, ...] = (), booking: Booking | None = BOOKING
          ) -> CheckInput:
    return CheckInput(submission=sub or submission(), documents=documents, unreadable=unreadable,
                      participant=participant, nik=nik, booking=booking, today=TODAY)


def rule_ids(data: CheckInput) -> list[str]:
    return [f.rule_id for f in evaluate_rules(data)]


def test_rule_ids_unique_and_messages_present() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.message_id and rule.message_en and rule.title


def test_complete_packet_has_no_findings() -> None:
    data = check()
    assert rule_ids(data) == []
    assert decide(evaluate_rules(data)).status == DecisionStatus.COMPLETE


@pytest.mark.parametrize("missing", range(len(ALL_KINDS)), ids=[k.value for k in ALL_KINDS])
def test_each_missing_document(missing: int) -> None:
    kinds = tuple(k for i, k in enumerate(ALL_KINDS) if i != missing)
    ids = rule_ids(check(packet(*kinds)))
    assert ids == [f"DOC-{missing + 1:03d}"]


def test_npwp_required_only_above_threshold() -> None:
    rich = PERSON.model_copy(update={"saldo_jht": 50_000_001})
    assert rule_ids(check(participant=rich)) == ["DOC-007"]
    exact = PERSON.model_copy(update={"saldo_jht": 50_000_000})
    assert rule_ids(check(participant=exact)) == []
    with_npwp = packet(*ALL_KINDS, DocumentKind.NPWP)
    assert rule_ids(check(with_npwp, participant=rich)) == []


def test_no_attachments_rejected() -> None:
    data = check(documents=(), sub=submission(attachments=0))
    assert rule_ids(data) == ["MAIL-001"]
    assert decide(evaluate_rules(data)).status == DecisionStatus.REJECTED


def test_unreadable_message_rejected_without_other_findings() -> None:
    data = check(documents=(), sub=submission(attachments=0, unreadable_reason="empty"),
                 participant=None, nik=None)
    assert rule_ids(data) == ["MAIL-002"]


def test_not_a_participant_rejected_and_not_asked_for_documents() -> None:
    data = check(packet(DocumentKind.KTP), participant=None)
    assert rule_ids(data) == ["REC-001"]
    finding = evaluate_rules(data)[0]
    assert NIK not in finding.message_id and "6472********0012" in finding.message_id


def test_name_mismatch_needs_review_and_evidence() -> None:
    data = check(packet(*ALL_KINDS, ktp_name="SITI RAHMAWATI"))
    findings = evaluate_rules(data)
    assert [f.rule_id for f in findings] == ["REC-002"]
    assert findings[0].evidence["record_nama"] == "SITI AMINAH"
    assert decide(findings).status == DecisionStatus.NEEDS_REVIEW


def test_name_variant_is_not_a_mismatch() -> None:
    person = PERSON.model_copy(update={"nama": "HJ. SITI AMINAH, S.PD"})
    assert rule_ids(check(participant=person)) == []


def test_unreadable_ktp_nik_asks_for_rescan() -> None:
    data = check(packet(*ALL_KINDS, ktp_nik=None), participant=PERSON, nik=None)
    assert rule_ids(data) == ["NIK-001"]
    invalid = check(packet(*ALL_KINDS, ktp_nik="6472039903850012"), nik=None)
    assert rule_ids(invalid) == ["NIK-001"]


def test_blurred_page_asks_for_rescan_once() -> None:
    documents = (doc(DocumentKind.KTP, 0, quality=BLURRED, nik=None, nama=None),
                 *packet(*ALL_KINDS[1:]))
    data = check(documents, nik=None)
    assert rule_ids(data) == ["QUAL-001"]
    assert "buram" in evaluate_rules(data)[0].message_id


@pytest.mark.parametrize(("problem", "rule_id", "text"), [
    (PageProblem.PDF_ENCRYPTED, "FILE-001", "kata sandi"),
    (PageProblem.PDF_CORRUPT, "FILE-001", "rusak"),
    (PageProblem.UNSUPPORTED_TYPE, "FILE-001", "JPG"),
    (AttachmentProblem.TOO_LARGE, "FILE-002", "terlalu besar"),
])
def test_unreadable_attachments(problem: PageProblem | AttachmentProblem, rule_id: str, text: str) -> None:
    bad = UnreadableAttachment(ref=PageRef(attachment_index=9), filename="berkas.pdf", problem=problem)
    findings = evaluate_rules(check(unreadable=(bad,)))
    assert [f.rule_id for f in findings] == [rule_id]
    assert text in findings[0].message_id and "berkas.pdf" in findings[0].message_id
    assert decide(findings).status == DecisionStatus.INCOMPLETE


def test_decision_precedence() -> None:
    reject = rule_by_id("REC-001").evaluate(check(packet(DocumentKind.KTP), participant=None))
    ask = rule_by_id("DOC-002").evaluate(check(packet(DocumentKind.KTP)))
    review = rule_by_id("REC-002").evaluate(check(packet(DocumentKind.KTP, ktp_name="BUDI")))
    assert decide([*review, *ask, *reject]).status == DecisionStatus.REJECTED
    assert decide([*review, *ask]).status == DecisionStatus.INCOMPLETE
    assert decide(review).status == DecisionStatus.NEEDS_REVIEW
    assert decide([]).status == DecisionStatus.COMPLETE


def test_nik_close_to_the_record_goes_to_review() -> None:
    misread = NIK[:3] + "3" + NIK[4:]  # one digit off, still a valid region
    findings = evaluate_rules(check(nik=misread))
    assert [f.rule_id for f in findings] == ["NIK-002"]
    assert decide(findings).status == DecisionStatus.NEEDS_REVIEW


def test_find_record_accepts_a_near_nik_only() -> None:
    from pipeline.process import find_record

    def find(nik: str | None, kpj: str | None, email: str | None) -> Participant | None:
        if nik is not None:
            return PERSON if nik == PERSON.nik else None
        return PERSON if email == PERSON.email else None

    assert find_record(find, PERSON.nik, None, None) == PERSON
    assert find_record(find, NIK[:15] + "9", None, PERSON.email) == PERSON
    assert find_record(find, "6371021103920011", None, PERSON.email) is None
    assert find_record(find, None, None, PERSON.email) == PERSON


def test_unknown_sender_without_claim_documents_is_rejected_once() -> None:
    stranger = submission(attachments=1).model_copy(update={"sender": "promo@example.com"})
    cat = (doc(DocumentKind.PHOTO, 0),)
    findings = evaluate_rules(check(cat, participant=None, nik=None, sub=stranger))
    assert [f.rule_id for f in findings] == ["REC-003"]
    assert decide(findings).status == DecisionStatus.REJECTED
    # A participant's own photo-only mail is incomplete, not rejected.
    own = evaluate_rules(check(cat, participant=PERSON, nik=None))
    assert "REC-003" not in [f.rule_id for f in own]
    assert decide(own).status == DecisionStatus.INCOMPLETE


def test_unreadable_ktp_nik_settled_by_the_form_and_the_record() -> None:
    # The KTP's reading failed its check (month 13), one digit from the F5's NIK,
    # which the record holds: the NIK is known, no rescan is asked for.
    misread = NIK[:8] + "13" + NIK[10:]
    ktp = doc(DocumentKind.KTP, 0, nik=None, nama="SITI AMINAH")
    ktp = ktp.model_copy(update={"fields": tuple(
        f.model_copy(update={"raw": misread}) if f.name == "nik" else f for f in ktp.fields)})
    documents = (ktp, *packet(*ALL_KINDS[1:]))
    assert rule_ids(check(documents, nik=NIK)) == []
    # Without the form's NIK it is still unreadable.
    assert rule_ids(check(documents, nik=None)) == ["NIK-001"]

"""A resubmission counts the documents of earlier incomplete mail of the same claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipeline.decide import decide
from pipeline.resubmission import (
    MERGE_NOTE_ID,
    EarlierSubmission,
    merge_documents,
    merge_note,
    thread_ids,
)
from pipeline.types import Action, DecisionStatus, Document, DocumentKind
from rules.registry import evaluate_rules
from tests.unit.test_rules import ALL_KINDS, BLURRED, check, doc, packet

FIRST = datetime(2020, 6, 9, 1, tzinfo=UTC)


def earlier(sub_id: int, *docs: Document, hours: int = 0) -> EarlierSubmission:
    return EarlierSubmission(submission_id=sub_id, received_at=FIRST + timedelta(hours=hours),
                             message_id=f"<s{sub_id}@example.org>", documents=tuple(docs))


WITHOUT_KK = tuple(k for k in ALL_KINDS if k != DocumentKind.KK)


def test_only_the_missing_document_is_sent_and_the_claim_is_complete() -> None:
    first = earlier(3, *packet(*WITHOUT_KK))
    merge = merge_documents((doc(DocumentKind.KK),), [first])
    assert [d.kind for d in merge.documents] == [DocumentKind.KK, *WITHOUT_KK]
    assert [c.kind for c in merge.counted] == list(WITHOUT_KK)
    assert merge.submissions == (3,)
    findings = evaluate_rules(check(merge.documents))
    assert decide(findings).status == DecisionStatus.COMPLETE


def test_without_the_earlier_documents_the_same_message_is_incomplete() -> None:
    merge = merge_documents((doc(DocumentKind.KK),), [])
    assert merge.counted == () and merge.submissions == ()
    assert decide(evaluate_rules(check(merge.documents))).status == DecisionStatus.INCOMPLETE


def test_a_kind_sent_again_replaces_every_earlier_page_of_it() -> None:
    blurred_ktp = doc(DocumentKind.KTP, 0, quality=BLURRED)
    first = earlier(3, blurred_ktp, *packet(*ALL_KINDS[1:]))
    new_ktp = doc(DocumentKind.KTP, 0, nik="6472034703850012", nama="SITI AMINAH")
    merge = merge_documents((new_ktp,), [first])
    assert [d for d in merge.documents if d.kind == DocumentKind.KTP] == [new_ktp]
    assert decide(evaluate_rules(check(merge.documents))).status == DecisionStatus.COMPLETE


def test_unreadable_photo_and_unknown_earlier_pages_do_not_count() -> None:
    first = earlier(3, doc(DocumentKind.KTP, 0, quality=BLURRED), doc(DocumentKind.PHOTO, 1),
                    doc(DocumentKind.UNKNOWN, 2), doc(DocumentKind.F5, 3))
    merge = merge_documents((doc(DocumentKind.KK),), [first])
    assert [c.kind for c in merge.counted] == [DocumentKind.F5]
    # The KTP is still missing: the participant is asked for it, not for the old page.
    rule_ids = {f.rule_id for f in evaluate_rules(check(merge.documents))}
    assert "DOC-001" in rule_ids and "QUAL-001" not in rule_ids


def test_of_several_earlier_mails_the_latest_of_each_kind_counts() -> None:
    old = earlier(3, doc(DocumentKind.KTP, 0), doc(DocumentKind.F5, 1))
    # The second mail resent the F5 as two pages, and added the paklaring.
    newer = earlier(5, doc(DocumentKind.F5, 0), doc(DocumentKind.F5, 1),
                    doc(DocumentKind.PAKLARING, 2), hours=5)
    merge = merge_documents((doc(DocumentKind.KK),), [newer, old])
    counted = [(c.submission_id, c.kind) for c in merge.counted]
    assert counted == [(3, DocumentKind.KTP), (5, DocumentKind.F5), (5, DocumentKind.F5),
                       (5, DocumentKind.PAKLARING)]
    assert merge.submissions == (3, 5)


def test_merge_is_independent_of_the_order_of_the_earlier_list() -> None:
    old = earlier(3, *packet(*ALL_KINDS[:3]))
    newer = earlier(5, *packet(*ALL_KINDS[2:5]), hours=2)
    new = (doc(DocumentKind.BUKU_TABUNGAN),)
    assert merge_documents(new, [old, newer]) == merge_documents(new, [newer, old])


def test_the_note_records_which_submissions_were_merged() -> None:
    merge = merge_documents((doc(DocumentKind.KK),), [earlier(3, *packet(*WITHOUT_KK))])
    note = merge_note(merge)
    assert note is not None
    assert (note.rule_id, note.action) == (MERGE_NOTE_ID, Action.NOTE)
    assert note.evidence["submissions"] == "3"
    assert note.evidence["documents"].startswith("ktp@3:ktp.jpg#1,f5@3:f5.jpg#1")
    # A note never changes the decision.
    findings = evaluate_rules(check(merge.documents))
    assert decide((*findings, note)).status == decide(findings).status
    assert merge_note(merge_documents((doc(DocumentKind.KK),), [])) is None


def test_thread_ids_keep_order_without_repeats() -> None:
    assert thread_ids("<b@x>", ("<a@x>", "<b@x>")) == ("<a@x>", "<b@x>")
    assert thread_ids(None, ()) == ()

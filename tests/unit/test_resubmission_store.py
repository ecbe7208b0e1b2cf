"""Finding the earlier submissions of a claim in a real (SQLite) store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pipeline.resubmission import EarlierQuery
from pipeline.store import ledger
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.resubmissions import earlier_submissions
from pipeline.store.results import save_outcome
from pipeline.types import Decision, DecisionStatus, DocumentKind, Outcome, Reply, Submission
from tests.unit.test_rules import ALL_KINDS, BLURRED, NIK, doc, packet

T0 = datetime(2020, 6, 9, 1, tzinfo=UTC)
CODE = "BPN-200612-0042"


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def store(factory: sessionmaker[Session], n: int, status: str, *, hours: float = 0,
          code: str | None = CODE, nik: str | None = NIK,
          kinds: tuple[DocumentKind, ...] = ALL_KINDS,
          branch: str = "balikpapan", reply_id: str | None = None) -> Submission:
    """Store message `n` as decided, the way the poller does: ledger row, then outcome."""
    received = T0 + timedelta(hours=hours)
    sub = Submission(branch_id=branch, message_sha256=f"{n:064x}", message_id=f"<m{n}@example.org>",
                     sender="siti@example.org", sender_name="Siti", subject="Klaim JHT",
                     received_at=received, booking_code=code)
    reply = None if reply_id is None else Reply(
        message_id=reply_id, to="siti@example.org", from_addr="kc@example.org", subject="Re",
        in_reply_to=sub.message_id, references=(), date=received, body_text="-")
    with transaction(factory) as session:
        entry = ledger.record_archived(session, branch_id=branch, folder="INBOX", uidvalidity=1,
                                       uid=n, sha256=sub.message_sha256, size=1,
                                       internal_date=received, now=received)
        save_outcome(session, entry.id, Outcome(
            submission=sub, documents=packet(*kinds), nik=nik, booking_code=code,
            decision=Decision(status=DecisionStatus(status)), reply=reply), received)
    return sub


def query(n: int, hours: float, code: str | None = CODE, nik: str | None = NIK,
          thread: tuple[str, ...] = ()) -> EarlierQuery:
    return EarlierQuery(branch_id="balikpapan", booking_code=code, nik=nik, thread=thread,
                        received_at=T0 + timedelta(hours=hours), message_sha256=f"{n:064x}")


def found(factory: sessionmaker[Session], q: EarlierQuery) -> list[int]:
    with factory() as session:
        return [e.submission_id for e in earlier_submissions(session, q)]


def test_earlier_incomplete_submission_with_its_documents(factory: sessionmaker[Session]) -> None:
    store(factory, 1, "incomplete", kinds=(DocumentKind.KTP, DocumentKind.F5))
    with factory() as session:
        [first] = earlier_submissions(session, query(2, 3))
    assert [d.kind for d in first.documents] == [DocumentKind.KTP, DocumentKind.F5]
    assert first.documents[0].value("nik") == NIK
    assert first.received_at == T0 and first.message_id == "<m1@example.org>"


def test_by_booking_code_or_nik_or_thread(factory: sessionmaker[Session]) -> None:
    store(factory, 1, "incomplete", code=None, nik=None, reply_id="<reply-1@kc.example.org>")
    store(factory, 2, "incomplete", code=CODE, nik=None, hours=1)
    store(factory, 3, "incomplete", code=None, nik=NIK, hours=2)
    assert found(factory, query(9, 5)) == [2, 3]
    assert found(factory, query(9, 5, code=None)) == [3]
    assert found(factory, query(9, 5, nik=None)) == [2]
    # A reply in the thread: to the participant's mail, or to the reply sent to it.
    assert found(factory, query(9, 5, None, None, ("<reply-1@kc.example.org>",))) == [1]
    assert found(factory, query(9, 5, None, None, ("<m1@example.org>",))) == [1]
    assert found(factory, query(9, 5, None, None)) == []


def test_only_earlier_mail_counts_never_itself_or_later(factory: sessionmaker[Session]) -> None:
    store(factory, 1, "incomplete")
    store(factory, 2, "incomplete", hours=2)
    store(factory, 3, "incomplete", hours=4)
    # Message 2 decided again (a rerun): the same earlier one, not itself, not message 3.
    assert found(factory, query(2, 2)) == [1]
    assert found(factory, query(1, 0)) == []


def test_equal_times_are_ordered_by_the_ledger(factory: sessionmaker[Session]) -> None:
    store(factory, 1, "incomplete", hours=1)
    store(factory, 2, "incomplete", hours=1)
    assert found(factory, query(2, 1)) == [1]
    assert found(factory, query(1, 1)) == []


def test_a_complete_or_reviewed_submission_closes_what_came_before(
        factory: sessionmaker[Session]) -> None:
    store(factory, 1, "incomplete")
    store(factory, 2, "complete", hours=1)
    assert found(factory, query(9, 2)) == []
    store(factory, 3, "incomplete", hours=3)
    store(factory, 4, "rejected", hours=4)  # a question without files closes nothing
    assert found(factory, query(9, 5)) == [3]
    store(factory, 5, "needs_review", hours=6)
    assert found(factory, query(9, 7)) == []


def test_other_branches_do_not_count(factory: sessionmaker[Session]) -> None:
    store(factory, 1, "incomplete", branch="pontianak")
    assert found(factory, query(9, 1)) == []


def test_unreadable_pages_come_back_with_their_quality(factory: sessionmaker[Session]) -> None:
    received = T0
    sub = Submission(branch_id="balikpapan", message_sha256=f"{1:064x}", message_id="<m1@x>",
                     sender="s@example.org", sender_name=None, subject="x", received_at=received,
                     booking_code=CODE)
    with transaction(factory) as session:
        entry = ledger.record_archived(session, branch_id="balikpapan", folder="INBOX",
                                       uidvalidity=1, uid=1, sha256=sub.message_sha256, size=1,
                                       internal_date=received, now=received)
        save_outcome(session, entry.id, Outcome(
            submission=sub, documents=(doc(DocumentKind.KTP, quality=BLURRED),), booking_code=CODE,
            decision=Decision(status=DecisionStatus.INCOMPLETE)), received)
    with factory() as session:
        [first] = earlier_submissions(session, query(9, 1))
    assert first.documents[0].quality == BLURRED

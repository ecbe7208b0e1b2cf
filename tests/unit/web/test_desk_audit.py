"""The audit log: each action leaves who, when, what, before and after; nobody edits it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from pipeline.store.models import AuditRow, OutboxRow, ReviewRow
from tests.unit.web.deskdata import DeskWorld, build_world, client_for, page_token


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> DeskWorld:
    return build_world(tmp_path_factory.mktemp("desk-audit"))


def test_actions_are_audited_with_before_and_after(world: DeskWorld) -> None:
    sub = world.submissions["alpha"]
    client = client_for(world, "petugas.alpha")
    token = page_token(client)
    assert client.post(f"/pengajuan/{sub}/minta-dokumen",
                       data={"csrf": token, "body": "Mohon kirim KK Anda."}).status_code == 303
    assert client.post(f"/pengajuan/{sub}/tolak",
                       data={"csrf": token, "reason": "Bukan peserta"}).status_code == 303
    with world.factory() as session:
        entries = session.scalars(select(AuditRow).where(AuditRow.submission_id == sub)
                                  .order_by(AuditRow.id)).all()
        review = session.scalars(select(ReviewRow).where(ReviewRow.submission_id == sub)).one()
        outbox = session.scalars(select(OutboxRow).where(OutboxRow.submission_id == sub)).all()
    assert [(e.actor, e.action) for e in entries] == [
        ("petugas.alpha", "request_documents"), ("petugas.alpha", "reject")]
    assert entries[0].before == {"status": "needs_review"}
    assert entries[0].after is not None and entries[0].after["status"] == "incomplete"
    assert entries[1].before == {"status": "incomplete"}
    assert entries[1].after == {"status": "rejected", "reason": "Bukan peserta"}
    assert review.status == "rejected" and review.decided_by == "petugas.alpha"
    # The request went to the outbox, pending, for the outbox sender.
    assert [(o.status, o.to_addr) for o in outbox] == [("pending", "peserta1@contoh.test")]
    assert b"Mohon kirim KK Anda." in outbox[0].raw


def test_an_empty_reject_reason_is_refused_and_not_audited(world: DeskWorld) -> None:
    sub = world.submissions["gamma"]
    client = client_for(world, "petugas.gamma")
    answer = client.post(f"/pengajuan/{sub}/tolak", data={"csrf": page_token(client),
                                                          "reason": "  "})
    assert answer.status_code == 409 and "alasan" in answer.text
    with world.factory() as session:
        assert not session.scalars(select(AuditRow).where(AuditRow.submission_id == sub)).all()


def test_the_lock_keeps_a_second_officer_from_acting(world: DeskWorld) -> None:
    sub = world.submissions["beta"]
    first = client_for(world, "petugas.beta")
    assert first.get(f"/pengajuan/{sub}").status_code == 200
    with client_for(world, "spv.kalimantan") as other:
        page = other.get(f"/pengajuan/{sub}")
        assert "Sedang dikerjakan oleh <b>petugas.beta</b>" in page.text
        refused = other.post(f"/pengajuan/{sub}/setujui", data={"csrf": page_token(other)})
        assert refused.status_code == 409
        with client_for(world, "spv.kalimantan") as queue:
            assert "petugas.beta" in queue.get("/antrean").text  # the lock shows in the queue


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'someone else'",
    "DELETE FROM audit_log",
])
def test_the_database_refuses_changes_to_the_audit_log(world: DeskWorld, statement: str) -> None:
    with world.factory() as session:
        before = session.scalars(select(AuditRow)).all()
    assert before, "the audit log should hold entries here"
    with pytest.raises(DatabaseError, match="append-only"):
        with world.factory() as session, session.begin():
            session.execute(text(statement))
    with world.factory() as session:
        after = session.scalars(select(AuditRow)).all()
    assert [(a.id, a.actor) for a in after] == [(b.id, b.actor) for b in before]

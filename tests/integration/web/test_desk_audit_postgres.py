"""The audit log is append-only on PostgreSQL too: the migration's triggers refuse
UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DatabaseError

from pipeline.store.db import make_sessionmaker, transaction
from pipeline.store.models import AuditRow
from pipeline.web.desk import append_audit


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'someone else'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
])
def test_postgres_refuses_changes_to_the_audit_log(postgres_engine: Engine,
                                                   statement: str) -> None:
    factory = make_sessionmaker(postgres_engine)
    with transaction(factory) as session:
        append_audit(session, datetime(2020, 6, 15, tzinfo=UTC), "petugas.alpha", "approve", 1,
                     None, {"status": "needs_review"}, {"status": "complete"})
    with factory() as session:
        before = [(a.id, a.actor, a.after) for a in session.scalars(select(AuditRow))]
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction(factory) as session:
            session.execute(text(statement))
    with factory() as session:
        after = [(a.id, a.actor, a.after) for a in session.scalars(select(AuditRow))]
    assert after == before

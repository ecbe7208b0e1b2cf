"""Migration 0006 and the stored unreadable attachments on a real PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine

from pipeline.store.db import schema_is_current
from tests.unit.test_store_unreadable import unreadable_round_trip


def test_unreadable_list_migrates_and_round_trips(postgres_engine: Engine) -> None:
    unreadable_round_trip(postgres_engine)
    assert schema_is_current(postgres_engine)

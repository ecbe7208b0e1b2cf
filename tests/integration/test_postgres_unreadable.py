"""Migration 0006 and the stored unreadable attachments on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from pipeline.store.db import make_engine, schema_is_current, upgrade
from tests.integration.harness import PostgresDatabase
from tests.unit.test_store_unreadable import unreadable_round_trip


@pytest.fixture(scope="module")
def engine(postgres_database: PostgresDatabase) -> Iterator[Engine]:
    engine = make_engine(postgres_database.url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def test_unreadable_list_migrates_and_round_trips(engine: Engine) -> None:
    unreadable_round_trip(engine)
    assert schema_is_current(engine)

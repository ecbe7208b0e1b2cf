"""Fixtures for the integration suite: the mail rig, and PostgreSQL.

`mail_rig` bundles the Dovecot and SMTP sink of tests/conftest.py with a
scratch folder; tests taking it are marked `imap` and `smtp`.

PostgreSQL runs once per test run and gives each module that asks for
`postgres_database` an empty database of its own (`postgres_engine`: with
the schema migrated), dropped when the module ends, so modules never see
each other's rows whatever order they run in. Measured on the 2-core test
machine: starting a cluster (initdb, then the server) takes 1.6-1.7 s,
creating and dropping a database on a running one 0.16-0.22 s.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from pipeline.devservers.dovecot import DovecotServer
from pipeline.devservers.postgres import PostgresServer
from pipeline.devservers.scratch import make_traversable_dir
from pipeline.devservers.smtp_sink import SmtpSink
from pipeline.store.db import make_engine, upgrade
from tests.integration.harness import MailRig, PostgresDatabase, fresh_database


@pytest.fixture
def mail_rig(dovecot: DovecotServer, smtp_sink: SmtpSink, traversable_dir: Path) -> MailRig:
    """A fresh Dovecot and SMTP sink, and a folder for the settings, archive and store."""
    return MailRig(dovecot, smtp_sink, traversable_dir)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The run's PostgreSQL server. Its own database `intake` stays empty; tests that
    write take `postgres_database` (or `fresh_database` for one of their own)."""
    root = make_traversable_dir(prefix="pytest-pg-")
    server = PostgresServer(root / "pg")
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres_database(postgres: PostgresServer,
                      request: pytest.FixtureRequest) -> Iterator[PostgresDatabase]:
    """An empty database on the run's server, for this module only."""
    with fresh_database(postgres, request.module.__name__.rsplit(".", 1)[-1]) as database:
        yield database


@pytest.fixture(scope="module")
def postgres_engine(postgres_database: PostgresDatabase) -> Iterator[Engine]:
    """An engine on this module's database, its schema at the head revision."""
    engine = make_engine(postgres_database.url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()

"""Fixtures shared by the whole suite: a real Dovecot and a real SMTP sink.

Tests that use `dovecot` must be marked `imap`; tests that use `smtp_sink`,
`smtp`.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.devservers.dovecot import DovecotServer, password_env_name
from pipeline.devservers.scratch import make_traversable_dir
from pipeline.devservers.smtp_sink import SmtpSink

BRANCH_LOGINS = ("branch-a", "branch-b", "branch-c")


@pytest.fixture
def traversable_dir() -> Iterator[Path]:
    """A fresh empty folder that other users can enter (unlike `tmp_path`); removed afterwards."""
    path = make_traversable_dir(prefix="pytest-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def dovecot(traversable_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DovecotServer]:
    """A started Dovecot with users branch-a, branch-b and branch-c.

    Each password is random and also set in the environment variable
    `password_env_name(login)` (e.g. IMAP_PASSWORD_BRANCH_A), so
    `dovecot.imap_settings(login, password_env_name(login))` gives settings
    whose secret the settings module can read.
    """
    passwords = {login: f"pw-{login}-{secrets.token_hex(6)}" for login in BRANCH_LOGINS}
    for login, password in passwords.items():
        monkeypatch.setenv(password_env_name(login), password)
    server = DovecotServer(traversable_dir / "dovecot", passwords)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_sink(tmp_path: Path) -> Iterator[SmtpSink]:
    """A started SMTP sink on a free loopback port, keeping mail under tmp_path/smtp-sink."""
    sink = SmtpSink(tmp_path / "smtp-sink")
    sink.start()
    yield sink
    sink.stop()

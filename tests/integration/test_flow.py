"""The real Prefect flow, as `intake run --once` runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from fixtures.world import DEMO_BRANCHES, generate_world
from pipeline.adapters.imap import open_mailbox
from pipeline.devservers.dovecot import DovecotServer, password_env_name
from pipeline.devservers.smtp_sink import SmtpSink
from pipeline.settings import load_settings
from tests.integration.harness import load_records, stored, write_settings

pytestmark = [pytest.mark.prefect, pytest.mark.imap, pytest.mark.smtp, pytest.mark.ocr,
              pytest.mark.slow]


def test_intake_run_once_is_a_prefect_flow_run(dovecot: DovecotServer, smtp_sink: SmtpSink,
                                               traversable_dir: Path) -> None:
    world = generate_world(seed=31, count=2, today=date(2026, 11, 20),
                           scenarios=("no_attachments", "not_participant"), branches=DEMO_BRANCHES[:2])
    logins = ("branch-a", "branch-b")
    config = write_settings(traversable_dir, dovecot, smtp_sink, logins)
    settings = load_settings(config)
    load_records(settings, [p.to_participant() for p in world.profiles], world.bookings)
    for login, branch in zip(logins, DEMO_BRANCHES[:2], strict=True):
        with open_mailbox(settings.branch(login).imap, os.environ[password_env_name(login)]) as box:
            for message in world.messages:
                if message.branch_id == branch.id:
                    box.append("INBOX", message.eml)

    env = {**os.environ, "PREFECT_HOME": str(traversable_dir / "prefect")}
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-m", "pipeline.cli", "--config", str(config), "run", "--once",
               "--json"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    result = json.loads(first.stdout[first.stdout.index("{"):])
    assert sum(b["processed"] for b in result["branches"]) == 2
    assert result["outbox"]["sent"] == 2
    assert "intake-poll" in first.stderr  # Prefect logged the flow run
    assert sorted(s.status for s in stored(config)) == ["rejected", "rejected"]

    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    again = json.loads(second.stdout[second.stdout.index("{"):])
    assert sum(b["processed"] for b in again["branches"]) == 0
    assert again["outbox"]["sent"] == 0
    assert len(smtp_sink.messages()) == 2


def test_intake_serve_polls_on_its_interval(dovecot: DovecotServer, smtp_sink: SmtpSink,
                                            traversable_dir: Path) -> None:
    world = generate_world(seed=32, count=1, today=date(2026, 11, 20),
                           scenarios=("no_attachments",), branches=DEMO_BRANCHES[:1])
    config = write_settings(traversable_dir, dovecot, smtp_sink, ["branch-a"],
                            extra="[polling]\ninterval_seconds = 5")
    settings = load_settings(config)
    env = {**os.environ, "PREFECT_HOME": str(traversable_dir / "prefect")}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "--config", str(config),
                               "serve"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        # Mail arriving while the service runs is answered by a later poll.
        with open_mailbox(settings.branch("branch-a").imap,
                          os.environ[password_env_name("branch-a")]) as box:
            box.append("INBOX", world.messages[0].eml)
        replies = smtp_sink.wait_for(1, timeout=240)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=60)
    assert len(replies) == 1, output[-3000:]
    assert "polling 1 branch(es) every 5 s" in output
    assert server.returncode == 128 + 15

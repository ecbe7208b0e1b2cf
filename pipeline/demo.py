"""The local demo: real servers, generated mail, the real flow.

Starts a throwaway Dovecot (one inbox per branch, TLS with a self-signed
certificate) and an SMTP server that keeps what it receives, generates a
synthetic world of participants and claim emails, loads the records,
appends the emails to the inboxes, runs the Prefect flow twice (the second
run must find nothing to do), prints the report, and stops what it started.
"""

from __future__ import annotations

import email
import os
import shutil
import time
from email.policy import default as default_policy
from pathlib import Path

from sqlalchemy import select

from fixtures.world import DEMO_BRANCHES, World, generate_world
from pipeline.adapters.imap import open_mailbox
from pipeline.devservers.dovecot import DovecotServer
from pipeline.devservers.scratch import make_traversable_dir
from pipeline.devservers.smtp_sink import SmtpSink
from pipeline.settings import load_settings
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.models import DecisionRow, FindingRow, SubmissionRow
from pipeline.store.records import upsert_bookings, upsert_participants
from pipeline.store.reports import branch_counts, format_table

DEMO_BRANCH_COUNT = 3


def _settings_toml(out: Path, dovecot: DovecotServer, sink: SmtpSink, branch_ids: list[str]) -> str:
    lines = [
        "# Written by `intake demo`: throwaway servers on loopback.",
        'timezone = "Asia/Jakarta"',
        "",
        "[storage]",
        'database_url = "sqlite:///intake.db"',
        'archive_dir = "archive"',
        "",
        "[smtp]",
        f'host = "{sink.host}"',
        f"port = {sink.port}",
        'tls = "none"',
        "",
        "[polling]",
        "interval_seconds = 60",
        'post_action = "keyword"',
        "",
    ]
    specs = {b.id: b for b in DEMO_BRANCHES}
    for branch_id in branch_ids:
        spec = specs[branch_id]
        lines += [
            "[[branches]]",
            f'id = "{spec.id}"',
            f'name = "{spec.name}"',
            f'province = "{spec.province}"',
            f'reply_from = "{spec.address}"',
            "[branches.imap]",
            f'host = "{dovecot.host}"',
            f"port = {dovecot.port}",
            'tls = "ssl"',
            f'cafile = "{dovecot.cafile}"',
            f'user = "{spec.id}"',
            f'password_env = "INTAKE_DEMO_IMAP_{spec.id.upper()}"',
            "",
        ]
    return "\n".join(lines)


def _expected_table(world: World, config: Path) -> tuple[str, int]:
    """Each generated message: what the scenario expects and what was decided."""
    settings = load_settings(config)
    engine = make_engine(settings.storage.database_url)
    factory = make_sessionmaker(engine)
    rows = [("branch", "scenario", "expected", "decided", "findings")]
    mismatches = 0
    with factory() as session:
        for message in world.messages:
            msg_id = email.message_from_bytes(message.eml, policy=default_policy)["Message-ID"]
            sub = session.scalars(select(SubmissionRow).where(
                SubmissionRow.branch_id == message.branch_id,
                SubmissionRow.message_id == str(msg_id).strip())).first()
            if sub is None:
                rows.append((message.branch_id, message.scenario, message.expected_decision,
                             "(not found)", ""))
                mismatches += 1
                continue
            decision = session.scalars(select(DecisionRow).where(
                DecisionRow.submission_id == sub.id)).first()
            findings = sorted({f.rule_id for f in session.scalars(select(FindingRow).where(
                FindingRow.submission_id == sub.id))})
            status = decision.status if decision else "(none)"
            mismatches += status != message.expected_decision
            rows.append((message.branch_id, message.scenario, message.expected_decision, status,
                         ",".join(findings) or "-"))
    engine.dispose()
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    text = "\n".join("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)) for r in rows)
    return text, mismatches


def run_demo(out: Path, count: int = 8, seed: int = 1) -> int:
    started = time.monotonic()
    out = out.resolve()
    if out.exists():
        shutil.rmtree(out)  # each demo starts from nothing: same input, same result
    out.mkdir(parents=True)
    branch_ids = [b.id for b in DEMO_BRANCHES[:DEMO_BRANCH_COUNT]]
    print(f"[demo] generating {count} claim emails for branches {', '.join(branch_ids)} ...")
    world = generate_world(seed=seed, count=count, branches=DEMO_BRANCHES[:DEMO_BRANCH_COUNT])
    print(f"[demo]   {len(world.profiles)} participants, {len(world.bookings)} bookings, "
          f"{len(world.messages)} emails ({time.monotonic() - started:.1f} s)")

    # Dovecot drops privileges, so its folder must be reachable by everyone;
    # the output folder may sit under a private home directory.
    server_root = make_traversable_dir(prefix="demo-")
    passwords = {b: f"demo-{b}-secret" for b in branch_ids}
    dovecot = DovecotServer(server_root / "dovecot", users=passwords, tls=True)
    sink = SmtpSink(out / "replies")
    try:
        dovecot.start()
        sink.start()
        print(f"[demo] Dovecot on {dovecot.host}:{dovecot.port} (TLS), "
              f"SMTP sink on {sink.host}:{sink.port}")
        for branch_id, password in passwords.items():
            os.environ[f"INTAKE_DEMO_IMAP_{branch_id.upper()}"] = password
        config = out / "intake.toml"
        config.write_text(_settings_toml(out, dovecot, sink, branch_ids), encoding="utf-8")
        settings = load_settings(config)

        engine = make_engine(settings.storage.database_url)
        upgrade(engine)
        with transaction(make_sessionmaker(engine)) as session:
            upsert_participants(session, [p.to_participant() for p in world.profiles])
            upsert_bookings(session, world.bookings)
        engine.dispose()

        for branch in settings.branches:
            mine = [m for m in world.messages if m.branch_id == branch.id]
            with open_mailbox(branch.imap, passwords[branch.id]) as mailbox:
                for message in mine:
                    mailbox.append(branch.imap.folder, message.eml)
            print(f"[demo]   {len(mine)} emails appended to {branch.id}/INBOX")

        from pipeline.prefect_env import prepare_prefect_environment

        # The demo prints its own summary; Prefect's per-task lines would bury it.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        prepare_prefect_environment()
        from pipeline.flow import poll_all_branches

        print("[demo] first poll (Prefect flow run; OCR on every page) ...")
        first_started = time.monotonic()
        first = poll_all_branches(str(config))
        print(f"[demo]   done in {time.monotonic() - first_started:.1f} s")
        print("[demo] second poll of the same inboxes ...")
        second = poll_all_branches(str(config))
        processed_again = sum(b["processed"] for b in second["branches"])
        sent_again = second["outbox"]["sent"]

        engine = make_engine(settings.storage.database_url)
        with make_sessionmaker(engine)() as session:
            report = format_table(branch_counts(session, branch_ids))
        engine.dispose()
        expected, mismatches = _expected_table(world, config)
        print()
        print("Per-branch report (`intake report`):")
        print(report)
        print()
        print("Each email, expected by its scenario and as decided:")
        print(expected)
        print()
        print(f"First poll: {sum(b['processed'] for b in first['branches'])} processed, "
              f"{first['outbox']['sent']} replies sent. "
              f"Second poll: {processed_again} processed, {sent_again} replies sent.")
        print(f"Replies as received by the SMTP server: {out / 'replies'}")
        print(f"Database: {out / 'intake.db'}; settings: {config}")
        print(f"  e.g. .venv/bin/intake --config {config} report")
        print(f"Demo finished in {time.monotonic() - started:.1f} s "
              f"({mismatches} decisions differ from the scenario's expectation).")
        return 0 if processed_again == 0 and sent_again == 0 else 1
    finally:
        sink.stop()
        dovecot.stop()
        shutil.rmtree(server_root, ignore_errors=True)

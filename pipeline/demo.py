"""The local demo: real servers, generated mail, the real flow.

Starts a throwaway Dovecot (one inbox per branch, TLS with a self-signed
certificate) and an SMTP server that keeps what it receives, generates a
synthetic world of participants and claim emails, loads the records,
appends the emails to the inboxes, starts the officers' review desk on
loopback (with an officer, a supervisor and an admin whose passwords are
printed), runs the Prefect flow twice (the second run must find nothing to
do), prints the report, and stops what it started.
"""

from __future__ import annotations

import email
import os
import secrets
import shutil
import sys
import time
from datetime import UTC, datetime
from email.policy import default as default_policy
from pathlib import Path

from sqlalchemy import select

from fixtures.loader import message_date
from fixtures.world import DEMO_BRANCHES, World, generate_world
from pipeline.adapters.imap import open_mailbox
from pipeline.devservers.dovecot import DovecotServer
from pipeline.devservers.ports import free_port
from pipeline.devservers.scratch import make_traversable_dir
from pipeline.devservers.smtp_sink import SmtpSink
from pipeline.settings import Settings, load_settings
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.models import DecisionRow, FindingRow, SubmissionRow
from pipeline.store.records import upsert_bookings, upsert_participants
from pipeline.store.reports import branch_counts, format_table
from pipeline.web.server import BackgroundServer

DEMO_BRANCH_COUNT = 3


def _settings_toml(out: Path, dovecot: DovecotServer, sink: SmtpSink, branch_ids: list[str],
                   web_port: int) -> str:
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
        "[web]",
        'host = "127.0.0.1"',
        f"port = {web_port}",
        'secret_key_env = "INTAKE_DEMO_WEB_SECRET"',
        "regions = { Kalimantan = [" + ", ".join(
            f'"{p}"' for p in sorted({b.province for b in DEMO_BRANCHES})) + "] }",
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
            f'timezone = "{spec.zone}"',
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


DEMO_PASSWORD_BYTES = 9


def _start_desk(settings: Settings, branch_ids: list[str]
                ) -> tuple[BackgroundServer, list[tuple[str, str, str]]]:
    """The review desk beside the flow, on loopback, with an officer, a supervisor
    and an admin whose passwords are made now and printed once."""
    from pipeline.web.app import create_app
    from pipeline.web.server import secret_key
    from pipeline.web.users import add_user

    os.environ["INTAKE_DEMO_WEB_SECRET"] = secrets.token_urlsafe(32)
    first = settings.branch(branch_ids[0])
    accounts = [
        (f"petugas.{first.id}", "officer", f"petugas cabang {first.name}"),
        ("supervisor.kalimantan", "supervisor", "supervisor wilayah Kalimantan"),
        ("admin", "admin", "admin (pengguna dan pengaturan)"),
    ]
    engine = make_engine(settings.storage.database_url)
    printed = []
    now = datetime.now(UTC)
    with transaction(make_sessionmaker(engine)) as session:
        for username, role, what in accounts:
            password = secrets.token_urlsafe(DEMO_PASSWORD_BYTES)
            add_user(session, settings, username, password, role,
                     first.id if role == "officer" else None,
                     "Kalimantan" if role == "supervisor" else None, what.title(), "demo", now)
            printed.append((username, password, what))
    app = create_app(settings, secret_key(settings), factory=make_sessionmaker(engine))
    server = BackgroundServer(app, settings.web.host, settings.web.port).start()
    print(f"[demo] review desk on {server.url}/ (sign in as {printed[0][0]} / {printed[0][1]})")
    return server, printed


def _print_desk(desk: BackgroundServer, accounts: list[tuple[str, str, str]]) -> None:
    print()
    print(f"Review desk (`intake web`): {desk.url}/")
    for username, password, what in accounts:
        print(f"  {username:<24} password {password:<16} {what}")


def _keep_serving(desk: BackgroundServer, settings: Settings, web_wait: float | None) -> None:
    """Leave the desk up for a look; replies officers queue are sent meanwhile."""
    if web_wait is None:
        web_wait = float("inf") if sys.stdin.isatty() else 0.0
    if web_wait <= 0:
        return
    from pipeline.runtime import open_runtime, send_outbox

    print("The review desk keeps running; press Ctrl-C to stop the demo.", flush=True)
    runtime = open_runtime(settings)
    deadline = time.monotonic() + web_wait
    try:
        while time.monotonic() < deadline:
            time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))
            send_outbox(runtime)
    except KeyboardInterrupt:
        print()
    finally:
        runtime.close()


def run_demo(out: Path, count: int = 8, seed: int = 1, web_wait: float | None = None) -> int:
    """The demo; the review desk keeps serving `web_wait` seconds after the report
    (None: until Ctrl-C when run from a terminal, else not at all)."""
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
    desk: BackgroundServer | None = None
    try:
        dovecot.start()
        sink.start()
        print(f"[demo] Dovecot on {dovecot.host}:{dovecot.port} (TLS), "
              f"SMTP sink on {sink.host}:{sink.port}")
        for branch_id, password in passwords.items():
            os.environ[f"INTAKE_DEMO_IMAP_{branch_id.upper()}"] = password
        config = out / "intake.toml"
        web_port = free_port()
        config.write_text(_settings_toml(out, dovecot, sink, branch_ids, web_port),
                          encoding="utf-8")
        settings = load_settings(config)

        engine = make_engine(settings.storage.database_url)
        upgrade(engine)
        with transaction(make_sessionmaker(engine)) as session:
            upsert_participants(session, [p.to_participant() for p in world.profiles])
            upsert_bookings(session, world.bookings)
        engine.dispose()
        desk, accounts = _start_desk(settings, branch_ids)

        for branch in settings.branches:
            mine = [m for m in world.messages if m.branch_id == branch.id]
            with open_mailbox(branch.imap, passwords[branch.id]) as mailbox:
                for message in mine:
                    # Each email arrives when it was sent, as in a real inbox: the
                    # timing rules compare that moment with the appointment.
                    mailbox.append(branch.imap.folder, message.eml,
                                   internal_date=message_date(message.eml))
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
        _print_desk(desk, accounts)
        _keep_serving(desk, settings, web_wait)
        return 0 if processed_again == 0 and sent_again == 0 else 1
    finally:
        if desk is not None:
            desk.stop()
        sink.stop()
        dovecot.stop()
        shutil.rmtree(server_root, ignore_errors=True)

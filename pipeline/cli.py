"""The `intake` command.

Quick commands (report, process-eml, db, records) never import Prefect:
it costs seconds to import, and they do not need it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from pipeline.logs import configure_logging
from pipeline.settings import Settings, SettingsError, load_settings

log = logging.getLogger("intake")


def _config_path(args: argparse.Namespace) -> Path:
    return Path(args.config or os.environ.get("INTAKE_CONFIG") or "intake.toml")


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(_config_path(args))


def cmd_run(args: argparse.Namespace) -> int:
    if not args.once:
        print("intake run: use --once (or `intake serve` to poll on a schedule)", file=sys.stderr)
        return 2
    settings = _settings(args)
    if args.without_prefect:
        from pipeline.runtime import open_runtime, poll_all

        runtime = open_runtime(settings)
        try:
            reports, outbox = poll_all(runtime)
        finally:
            runtime.close()
        result = {"branches": [r.__dict__ for r in reports], "outbox": outbox.__dict__}
    else:
        from pipeline.prefect_env import prepare_prefect_environment

        prepare_prefect_environment()
        from pipeline.flow import poll_all_branches

        result = poll_all_branches(str(_config_path(args).resolve()))
    _print_poll_result(result, args.json)
    failed = [b for b in result["branches"] if b.get("error")]
    return 1 if failed and len(failed) == len(result["branches"]) else 0


def _print_poll_result(result: dict[str, object], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=2, default=str))
        return
    for branch in result["branches"]:  # type: ignore[attr-defined]
        status = f"ERROR {branch['error']}" if branch.get("error") else "ok"
        print(f"{branch['branch_id']}: {branch['in_mailbox']} in mailbox, "
              f"{branch['processed']} processed, {branch['duplicates']} duplicates, "
              f"{branch['resumed']} resumed, {branch['failed']} failed [{status}]")
    outbox = result["outbox"]
    print(f"replies: {outbox['sent']} sent, {outbox['retry_later']} to retry, "  # type: ignore[index]
          f"{outbox['failed']} failed")  # type: ignore[index]


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from pipeline.prefect_env import prepare_prefect_environment

    prepare_prefect_environment()
    from pipeline.flow import poll_all_branches

    config = str(_config_path(args).resolve())
    interval = settings.polling.interval_seconds
    if os.environ.get("PREFECT_API_URL"):
        # A Prefect server schedules the runs; one deployment, never overlapping.
        poll_all_branches.serve(name="intake-poll", interval=interval,
                                parameters={"config_path": config})
        return 0
    print(f"intake serve: polling {len(settings.branches)} branch(es) every {interval} s "
          "(no PREFECT_API_URL: runs are scheduled here, one at a time)", flush=True)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    while True:
        started = time.monotonic()
        try:
            poll_all_branches(config)
        except Exception:  # noqa: BLE001 - a failed run is logged; the next one still comes
            log.exception("poll run failed")
        time.sleep(max(1.0, interval - (time.monotonic() - started)))


def _stop_on_signal(signum: int, _frame: object) -> None:
    # SystemExit is not an Exception: the poll loop's handler lets it through,
    # so a service manager's stop ends the process between or during runs.
    raise SystemExit(128 + signum)


def cmd_process_eml(args: argparse.Namespace) -> int:
    from pipeline.poll import process_local
    from pipeline.runtime import open_runtime, send_outbox

    settings = _settings(args)
    branch = settings.branch(args.branch)
    runtime = open_runtime(settings)
    code = 0
    try:
        for name in args.files:
            path = Path(name)
            try:
                raw = path.read_bytes()
            except OSError as err:
                print(f"{path}: cannot read ({err.strerror})", file=sys.stderr)
                code = 1
                continue
            received = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            what = process_local(branch, raw, received, runtime.factory, runtime.archive,
                                 runtime.process, runtime.now)
            print(f"{path}: {what}")
            code = code or (1 if what == "failed" else 0)
        if not args.no_send:
            outbox = send_outbox(runtime, branch.id)
            print(f"replies: {outbox.sent} sent, {outbox.retry_later} to retry, "
                  f"{outbox.failed} failed")
    finally:
        runtime.close()
    return code


def cmd_report(args: argparse.Namespace) -> int:
    from pipeline.store.db import make_engine, make_sessionmaker, upgrade
    from pipeline.store.reports import branch_counts, format_table

    settings = _settings(args)
    engine = make_engine(settings.storage.database_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        rows = branch_counts(session, [b.id for b in settings.branches])
    engine.dispose()
    if args.json:
        print(json.dumps({"branches": [r.as_dict() for r in rows]}, indent=2))
    else:
        print(format_table(rows))
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from pipeline.store.db import make_engine, upgrade

    settings = _settings(args)
    engine = make_engine(settings.storage.database_url)
    upgrade(engine)
    engine.dispose()
    print("database schema is current")
    return 0


def cmd_records_load(args: argparse.Namespace) -> int:
    from pipeline.store.csvload import read_bookings_csv, read_participants_csv
    from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
    from pipeline.store.records import upsert_bookings, upsert_participants

    settings = _settings(args)
    engine = make_engine(settings.storage.database_url)
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        if args.participants:
            count = upsert_participants(session, read_participants_csv(Path(args.participants)))
            print(f"participants: {count} loaded")
        if args.bookings:
            count = upsert_bookings(session, read_bookings_csv(Path(args.bookings)))
            print(f"bookings: {count} loaded")
    engine.dispose()
    return 0


def cmd_fixtures_generate(args: argparse.Namespace) -> int:
    from fixtures.world import generate_world, write_world

    started = time.monotonic()
    world = generate_world(seed=args.seed, count=args.count)
    write_world(world, Path(args.out))
    print(f"{len(world.messages)} messages, {len(world.profiles)} participants, "
          f"{len(world.bookings)} bookings written to {args.out} "
          f"in {time.monotonic() - started:.1f} s")
    return 0


def cmd_fixtures_load(args: argparse.Namespace) -> int:
    from fixtures.loader import load_into_imap

    report = load_into_imap(Path(args.source), _settings(args))
    for branch_id, count in sorted(report.appended.items()):
        print(f"{branch_id}: {count} messages appended")
    print(f"participants: {report.participants}, bookings: {report.bookings}")
    if report.skipped_branches:
        print(f"not in the settings, skipped: {', '.join(report.skipped_branches)}")
    return 0


def cmd_fixtures_seed_month(args: argparse.Namespace) -> int:
    from datetime import date

    from fixtures.month import KALIMANTAN_BRANCHES, MonthBranch, generate_month
    from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
    from pipeline.store.month_writer import MonthAlreadySeeded, write_month

    try:
        month = date.fromisoformat(f"{args.month}-01")
    except ValueError:
        print(f"intake fixtures seed-month: --month {args.month!r} is not YYYY-MM",
              file=sys.stderr)
        return 2
    if "://" in args.db:  # a database URL: the Kalimantan branches
        url, branches = args.db, KALIMANTAN_BRANCHES
    else:  # a settings file: its database and its branches
        settings = load_settings(Path(args.db))
        url = settings.storage.database_url
        branches = tuple(MonthBranch(b.id, "".join(c for c in b.id.upper() if c.isalpha())[:3]
                                     .ljust(3, "X"), b.name, b.province, 1.0)
                         for b in settings.branches)
    started = time.monotonic()
    world = generate_month(args.seed, args.count, month, branches)
    engine = make_engine(url)
    try:
        upgrade(engine)
        with transaction(make_sessionmaker(engine)) as session:
            written = write_month(session, world)
    except MonthAlreadySeeded as err:
        print(f"intake fixtures seed-month: {err}", file=sys.stderr)
        return err.exit_code
    finally:
        engine.dispose()
    print(f"{written.submissions} submissions of {month:%Y-%m} in {len(branches)} branches "
          f"({written.participants} participants, {written.documents} documents, "
          f"{written.findings} findings, {written.reviews} reviews) "
          f"written in {time.monotonic() - started:.1f} s")
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    from pipeline.store.db import make_engine, make_sessionmaker, upgrade
    from pipeline.web.app import create_app
    from pipeline.web.server import secret_key, serve_forever

    settings = _settings(args)
    key = secret_key(settings)
    engine = make_engine(settings.storage.database_url)
    upgrade(engine)
    host = args.host or settings.web.host
    port = args.port or settings.web.port
    app = create_app(settings, key, factory=make_sessionmaker(engine))
    print(f"intake web: review desk on http://{host}:{port}/", flush=True)
    serve_forever(app, host, port)
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    import getpass

    from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
    from pipeline.web.scope import ScopeError
    from pipeline.web.security import new_password
    from pipeline.web.users import UserError, add_user

    settings = _settings(args)
    generated = False
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif args.generate_password:
        password, generated = new_password(), True
    else:
        password = getpass.getpass(f"password for {args.username}: ")
    engine = make_engine(settings.storage.database_url)
    upgrade(engine)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            add_user(session, settings, args.username, password, args.role, args.branch,
                     args.scope, args.name or "", "(intake users add)", datetime.now(UTC))
    except (UserError, ScopeError) as err:
        print(f"intake users add: {err}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"user {args.username.strip().lower()} added ({args.role})")
    if generated:
        print(f"password: {password}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.demo import run_demo

    return run_demo(Path(args.out), count=args.count, seed=args.seed, web_wait=args.web_wait)


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.adapters.ocr_inprocess import make_ocr_engine
    from pipeline.extract_files import NotADocument, extract_file
    from pipeline.settings import LimitSettings

    engine = make_ocr_engine(args.engine, "ind", None, 60)
    code = 0
    for name in args.files:
        path = Path(name)
        try:
            records = extract_file(path, engine, LimitSettings(), datetime.now(UTC).date())
        except (NotADocument, OSError) as err:
            print(f"intake extract: {err}", file=sys.stderr)
            code = 1
            continue
        for record in records:
            if args.json:
                print(json.dumps(record, ensure_ascii=False))
            else:
                values = ", ".join(f"{k}={v['value']}" for k, v in record.get("fields", {}).items())
                what = record["kind"] or record.get("problem")
                print(f"{record['file']} p{record['page']}: {what} {values}")
    return code


def cmd_bench_extract(args: argparse.Namespace) -> int:
    from datetime import date

    from pipeline.adapters.ocr_inprocess import make_ocr_engine
    from pipeline.bench.extract import format_figures, run_bench

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    engine = make_ocr_engine(args.engine, "ind", None, 60)
    figures = run_bench(args.seed, args.count, engine, date(2020, 6, 15))
    figures["engine"] = f"{engine.name} {engine.version()}"
    print(json.dumps(figures, indent=2) if args.json else format_figures(figures))
    return 0


def cmd_bench_decisions(args: argparse.Namespace) -> int:
    from pipeline.adapters.ocr_inprocess import make_ocr_engine
    from pipeline.bench.decisions import format_decisions, run_decisions

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    figures = run_decisions(args.seed, args.count, make_ocr_engine(args.engine, "ind", None, 60))
    print(json.dumps(figures, indent=2) if args.json else format_decisions(figures))
    return 0


def cmd_bench_dashboard(args: argparse.Namespace) -> int:
    from datetime import date

    from pipeline.bench.dashboard import format_bench, run_bench

    try:
        month = date.fromisoformat(f"{args.month}-01")
    except ValueError:
        print(f"intake bench dashboard: --month {args.month!r} is not YYYY-MM", file=sys.stderr)
        return 2
    figures = run_bench(args.count, month, args.seed, args.runs)
    print(json.dumps(figures, indent=2) if args.json else format_bench(figures))
    agree = all(row["agree"] for row in figures["queries"].values())
    return 0 if agree else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="settings file (default: $INTAKE_CONFIG or ./intake.toml)")
    parser.add_argument("--log-level", default=os.environ.get("INTAKE_LOG_LEVEL", "WARNING"))
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="poll every branch once (a Prefect flow run)")
    run.add_argument("--once", action="store_true", help="one poll of every branch, then exit")
    run.add_argument("--json", action="store_true")
    run.add_argument("--without-prefect", action="store_true",
                     help="run the same steps without Prefect (no API server needed)")
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", help="poll on the schedule from settings")
    serve.set_defaults(func=cmd_serve)

    eml = sub.add_parser("process-eml", help="run the pipeline on local .eml files")
    eml.add_argument("files", nargs="+")
    eml.add_argument("--branch", required=True)
    eml.add_argument("--no-send", action="store_true", help="queue replies without sending")
    eml.set_defaults(func=cmd_process_eml)

    report = sub.add_parser("report", help="counts per branch")
    report.add_argument("--json", action="store_true")
    report.set_defaults(func=cmd_report)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    rec = sub.add_parser("records", help="participant records and bookings")
    rec_sub = rec.add_subparsers(dest="records_command", required=True)
    load = rec_sub.add_parser("load", help="load participants.csv / bookings.csv")
    load.add_argument("--participants")
    load.add_argument("--bookings")
    load.set_defaults(func=cmd_records_load)

    fx = sub.add_parser("fixtures", help="the synthetic claim world")
    fx_sub = fx.add_subparsers(dest="fixtures_command", required=True)
    gen = fx_sub.add_parser("generate", help="write a generated world to a folder")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--count", type=int, default=20)
    gen.add_argument("--out", required=True)
    gen.set_defaults(func=cmd_fixtures_generate)
    fx_load = fx_sub.add_parser("load", help="append a generated world to the branch inboxes "
                                "and load its participants and bookings")
    fx_load.add_argument("--from", dest="source", required=True,
                         help="folder written by `intake fixtures generate`")
    fx_load.set_defaults(func=cmd_fixtures_load)
    seed_month = fx_sub.add_parser("seed-month", help="write a generated month of decided "
                                   "claims straight into a database (dashboard scale)")
    seed_month.add_argument("--db", required=True,
                            help="database URL (Kalimantan branches) or settings file "
                            "(its database and branches)")
    seed_month.add_argument("--count", type=int, default=22000)
    seed_month.add_argument("--month", default="2020-06", help="YYYY-MM")
    seed_month.add_argument("--seed", type=int, default=2020)
    seed_month.set_defaults(func=cmd_fixtures_seed_month)

    extract = sub.add_parser("extract", help="read image or PDF files, one line per page")
    extract.add_argument("files", nargs="+")
    extract.add_argument("--json", action="store_true")
    extract.add_argument("--engine", choices=("tesserocr", "pytesseract"), default="tesserocr")
    extract.set_defaults(func=cmd_extract)

    bench = sub.add_parser("bench", help="benchmarks that print figures")
    bench_sub = bench.add_subparsers(dest="bench_command", required=True)
    bench_extract = bench_sub.add_parser("extract", help="reading accuracy and speed vs naive")
    bench_extract.add_argument("--seed", type=int, default=90210)
    bench_extract.add_argument("--count", type=int, default=10, help="people (7 documents each)")
    bench_extract.add_argument("--engine", choices=("tesserocr", "pytesseract"),
                               default="tesserocr")
    bench_extract.add_argument("--json", action="store_true")
    bench_extract.set_defaults(func=cmd_bench_extract)

    bench_dec = bench_sub.add_parser("decisions", help="decision quality on a generated world")
    bench_dec.add_argument("--seed", type=int, default=90211)
    bench_dec.add_argument("--count", type=int, default=30, help="packets")
    bench_dec.add_argument("--engine", choices=("tesserocr", "pytesseract"), default="tesserocr")
    bench_dec.add_argument("--json", action="store_true")
    bench_dec.set_defaults(func=cmd_bench_decisions)

    bench_dash = bench_sub.add_parser("dashboard", help="dashboard speed on a generated month "
                                      "vs naive")
    bench_dash.add_argument("--count", type=int, default=22000, help="submissions")
    bench_dash.add_argument("--month", default="2020-06", help="YYYY-MM")
    bench_dash.add_argument("--seed", type=int, default=90212)
    bench_dash.add_argument("--runs", type=int, default=5, help="runs per timing (median)")
    bench_dash.add_argument("--json", action="store_true")
    bench_dash.set_defaults(func=cmd_bench_dashboard)

    web = sub.add_parser("web", help="the officers' review desk (web app)")
    web.add_argument("--host", help="address to listen on (default: web.host, 127.0.0.1)")
    web.add_argument("--port", type=int, help="port (default: web.port)")
    web.set_defaults(func=cmd_web)

    users = sub.add_parser("users", help="review desk accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    users_add = users_sub.add_parser("add", help="add an officer, supervisor or admin")
    users_add.add_argument("username")
    users_add.add_argument("--role", choices=("officer", "supervisor", "admin"), required=True)
    users_add.add_argument("--branch", help="the officer's branch id")
    users_add.add_argument("--scope", help="the supervisor's province, or a region from web.regions")
    users_add.add_argument("--name", help="full name shown in the desk")
    how = users_add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    how.add_argument("--generate-password", action="store_true",
                     help="make a random password and print it once")
    users_add.set_defaults(func=cmd_users_add)

    demo = sub.add_parser("demo", help="the local demo on throwaway servers")
    demo.add_argument("--out", default="demo-output")
    demo.add_argument("--count", type=int, default=8)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--web-wait", type=float, default=None,
                      help="seconds the review desk stays up after the report "
                           "(default: until Ctrl-C from a terminal, else 0)")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level.upper())
    try:
        return int(args.func(args))
    except SettingsError as err:
        print(f"intake: {err}", file=sys.stderr)
        return SettingsError.exit_code


if __name__ == "__main__":
    sys.exit(main())

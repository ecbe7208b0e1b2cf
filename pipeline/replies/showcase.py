"""The reply to each scenario, as the participant reads it, written to a Markdown page.

    python -m pipeline.replies.showcase --out docs/replies.md

Generates a synthetic world with one packet per scenario of the fixture
library, and runs every message through the same steps as `intake
process-eml`: the ledger, the real OCR, the rules, the store (so a
resubmission finds its earlier mail) and the outbox. The page shows each
reply exactly as queued for sending, with identity numbers masked.
"""

from __future__ import annotations

import argparse
import email
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from sqlalchemy import select

from fixtures.scenarios import SCENARIOS
from fixtures.world import DEMO_BRANCHES, GeneratedMessage, World, generate_world
from pipeline.adapters.archive import Archive
from pipeline.adapters.ocr_inprocess import make_ocr_engine
from pipeline.logs import mask_numbers
from pipeline.poll import process_local
from pipeline.runtime import Runtime
from pipeline.settings import Branch, ImapSettings, OcrSettings, Settings, StorageSettings
from pipeline.store import records
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.store.models import DecisionRow, FindingRow, OutboxRow, SubmissionRow

DEFAULT_SEED = 20200615
# Minutes between a message's arrival and its processing.
PROCESSING_DELAY = timedelta(minutes=5)


def _branches() -> tuple[Branch, ...]:
    return tuple(Branch(id=spec.id, name=spec.name, province=spec.province,
                        reply_from=spec.address, timezone=spec.zone,
                        imap=ImapSettings(host="127.0.0.1", port=993, user=spec.id,
                                          password_env="UNUSED"))
                 for spec in DEMO_BRANCHES)


def _received(message: GeneratedMessage) -> datetime:
    parsed = email.message_from_bytes(message.eml, policy=default_policy)
    return parsedate_to_datetime(str(parsed["Date"]))


class Shown:
    """One message of the world and what it led to."""

    def __init__(self, message: GeneratedMessage, what: str) -> None:
        self.message = message
        self.what = what
        self.status: str | None = None
        self.findings: list[str] = []
        self.reply: EmailMessage | None = None


def run_world(world: World, folder: Path) -> list[Shown]:
    """Every message through ledger, pipeline and store; the replies read back from the outbox."""
    settings = Settings(branches=_branches(), storage=StorageSettings(
        database_url=f"sqlite:///{folder / 'intake.db'}", archive_dir=folder / "archive"))
    db = make_engine(settings.storage.database_url)
    upgrade(db)
    factory = make_sessionmaker(db)
    with transaction(factory) as session:
        records.upsert_participants(session, [p.to_participant() for p in world.profiles])
        records.upsert_bookings(session, world.bookings)
    ocr = OcrSettings()
    runtime = Runtime(settings=settings, db=db, factory=factory,
                      archive=Archive(settings.storage.archive_dir),
                      ocr=make_ocr_engine(ocr.engine, ocr.lang, ocr.tessdata_dir,
                                          ocr.timeout_seconds),
                      ocr_pool=ThreadPoolExecutor(max_workers=2, thread_name_prefix="ocr"))
    shown: list[Shown] = []
    try:
        for message in sorted(world.messages, key=_received):
            received = _received(message)
            runtime.now = lambda at=received: at + PROCESSING_DELAY
            what = process_local(settings.branch(message.branch_id), message.eml, received,
                                 factory, runtime.archive, runtime.process, runtime.now)
            shown.append(Shown(message, what))
        _read_back(factory, shown)
    finally:
        runtime.close()
    # Shown in the order of the scenario library, a second message after its first.
    return sorted(shown, key=lambda s: (s.message.filename.split("-")[0],
                                        bool(s.message.follows or s.message.duplicate_of)))


def _read_back(factory, shown: list[Shown]) -> None:  # type: ignore[no-untyped-def]
    by_id = {s.message.message_id: s for s in shown if s.what == "processed"}
    with factory() as session:
        for sub in session.scalars(select(SubmissionRow)):
            item = by_id.get(sub.message_id or "")
            if item is None:
                continue
            decision = session.scalars(select(DecisionRow).where(
                DecisionRow.submission_id == sub.id)).first()
            item.status = decision.status if decision else None
            item.findings = sorted({f.rule_id for f in session.scalars(
                select(FindingRow).where(FindingRow.submission_id == sub.id))})
            outbox = session.scalars(select(OutboxRow).where(
                OutboxRow.submission_id == sub.id)).first()
            if outbox is not None:
                parsed = email.message_from_bytes(outbox.raw, policy=default_policy)
                item.reply = parsed  # type: ignore[assignment]


def _subject_of(message: GeneratedMessage) -> str:
    parsed = email.message_from_bytes(message.eml, policy=default_policy)
    return str(parsed["Subject"] or "")


def render_page(world: World, shown: Sequence[Shown]) -> str:
    lines = [
        "# Replies participants receive",
        "",
        "One reply for each scenario of the synthetic world (`fixtures/scenarios.py`), produced",
        "by the real pipeline: each generated email went through the ledger, tesseract, the",
        "rules and the store, and the text below is the reply exactly as queued in the outbox.",
        "Every reply is in Indonesian with the same content in English below it. Identity",
        "numbers are masked on this page (`6472********0001`); in the sent mail the reply",
        "itself never quotes a NIK or KPJ in full.",
        "",
        "Regenerate with:",
        "",
        "```",
        f"python -m pipeline.replies.showcase --seed {world.seed} --out docs/replies.md",
        "```",
        "",
        "| scenario | expected | decided | findings |",
        "|---|---|---|---|",
    ]
    for item in shown:
        m = item.message
        suffix = " (2nd message)" if m.follows or m.duplicate_of else ""
        lines.append(f"| [{m.scenario}{suffix}](#{_anchor(item)}) | {m.expected_decision} | "
                     f"{item.status or item.what} | {', '.join(item.findings) or '-'} |")
    lines.append("")
    for item in shown:
        lines += _section(item)
    return mask_numbers("\n".join(lines)) + "\n"


def _anchor(item: Shown) -> str:
    return Path(item.message.filename).stem.lower()


def _section(item: Shown) -> list[str]:
    m = item.message
    scenario = SCENARIOS[m.scenario]
    lines = [f'<a id="{_anchor(item)}"></a>', "", f"## {m.scenario}"
             + (" — the reply in the same thread" if m.follows else "")
             + (" — the same message delivered again" if m.duplicate_of else ""), "",
             scenario.description, "",
             f"The participant's email: subject \"{_subject_of(m)}\", "
             f"{len(m.documents)} document page(s). Expected **{m.expected_decision}**, "
             f"decided **{item.status or item.what}**"
             + (f" (findings: {', '.join(item.findings)})" if item.findings else "") + ".", ""]
    if item.what == "duplicate":
        return lines + ["The ledger recognises the same bytes: no second decision and no second "
                        "reply.", ""]
    if item.reply is None:
        return lines + ["No reply (the sender is not someone to answer).", ""]
    reply = item.reply
    body = reply.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    lines += ["```text", f"From: {reply['From']}", f"To: {reply['To']}",
              f"Subject: {reply['Subject']}", "", text.rstrip("\n"), "```", ""]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=Path("docs/replies.md"))
    args = parser.parse_args(argv)
    world = generate_world(seed=args.seed, count=len(SCENARIOS), scenarios=list(SCENARIOS))
    with tempfile.TemporaryDirectory(prefix="replies-") as folder:
        shown = run_world(world, Path(folder))
    args.out.write_text(render_page(world, shown), encoding="utf-8")
    print(f"{args.out}: {len(shown)} messages, "
          f"{sum(1 for s in shown if s.reply is not None)} replies")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

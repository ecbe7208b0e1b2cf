"""`intake bench decisions`: the whole pipeline on a generated world, scored.

Every message of a fresh world goes through the same `process_message` the
poller uses, with the world's participants and bookings in a real (SQLite)
store. Figures: decision accuracy, the confusion matrix of expected against
decided, per rule how often an expected finding was found (recall) and how
often a finding appeared that the scenario did not expect, and the
straight-through rate (complete packets decided complete with no person).
Scenarios whose rules are still pending are scored apart.
"""

from __future__ import annotations

import email
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from datetime import timedelta
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from fixtures.world import DEMO_BRANCHES, GeneratedMessage, generate_world
from pipeline.adapters.ocr import OcrEngine
from pipeline.process import Services, process_message
from pipeline.settings import Branch, ImapSettings, LimitSettings
from pipeline.store import records
from pipeline.store.db import make_engine, make_sessionmaker, transaction, upgrade
from pipeline.types import Booking, Participant
from rules.regions import load_regions

STATUSES = ("complete", "incomplete", "needs_review", "rejected")


def _branch(branch_id: str) -> Branch:
    spec = next(b for b in DEMO_BRANCHES if b.id == branch_id)
    return Branch(id=spec.id, name=spec.name, province=spec.province, reply_from=spec.address,
                  imap=ImapSettings(host="127.0.0.1", port=993, user=spec.id,
                                    password_env="UNUSED"))


def _received(message: GeneratedMessage):  # type: ignore[no-untyped-def]
    parsed = email.message_from_bytes(message.eml, policy=default_policy)
    return parsedate_to_datetime(str(parsed["Date"]))


def run_decisions(seed: int, count: int, engine: OcrEngine) -> dict[str, Any]:
    world = generate_world(seed=seed, count=count)
    with tempfile.TemporaryDirectory() as folder:
        db = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(db)
        factory = make_sessionmaker(db)
        with transaction(factory) as session:
            records.upsert_participants(session, [p.to_participant() for p in world.profiles])
            records.upsert_bookings(session, world.bookings)

        def find_participant(nik: str | None, kpj: str | None,
                             sender: str | None) -> Participant | None:
            with factory() as session:
                return records.find_participant(session, nik, kpj, sender)

        def find_booking(code: str | None, nik: str | None, branch_id: str) -> Booking | None:
            with factory() as session:
                return records.find_booking(session, code, nik, branch_id)

        services = Services(engine=engine, regions=load_regions(), limits=LimitSettings(),
                            find_participant=find_participant, find_booking=find_booking)
        results = []
        for message in world.messages:
            if message.duplicate_of is not None:
                continue  # the ledger recognises repeated bytes before processing
            received = _received(message)
            started = time.perf_counter()
            outcome = process_message(_branch(message.branch_id), message.eml, received, services,
                                      received + timedelta(minutes=5))
            results.append((message, outcome.decision.status.value,
                            {f.rule_id for f in outcome.decision.findings},
                            time.perf_counter() - started))
        db.dispose()
    return _figures(seed, count, results)


def _figures(seed: int, count: int, results: list[tuple[GeneratedMessage, str, set[str], float]]
             ) -> dict[str, Any]:
    scored = [r for r in results if not r[0].rules_pending]
    pending = [r for r in results if r[0].rules_pending]
    confusion = {want: {got: 0 for got in STATUSES} for want in STATUSES}
    expected_hits: Counter[str] = Counter()
    expected_total: Counter[str] = Counter()
    unexpected: Counter[str] = Counter()
    wrong: list[dict[str, Any]] = []
    for message, status, found, _seconds in scored:
        confusion[message.expected_decision][status] += 1
        for rule_id in message.expected_findings:
            expected_total[rule_id] += 1
            expected_hits[rule_id] += rule_id in found
        for rule_id in found - set(message.expected_findings):
            unexpected[rule_id] += 1
        if status != message.expected_decision:
            wrong.append({"scenario": message.scenario, "expected": message.expected_decision,
                          "decided": status, "findings": sorted(found)})
    right = sum(confusion[s][s] for s in STATUSES)
    complete = sum(confusion["complete"].values())
    by_scenario: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for message, status, _found, _seconds in results:
        by_scenario[message.scenario][0] += status == message.expected_decision
        by_scenario[message.scenario][1] += 1
    return {
        "seed": seed, "packets": count, "messages": len(results),
        "decision_accuracy": round(right / len(scored), 4) if scored else None,
        "straight_through_rate": round(confusion["complete"]["complete"] / complete, 4)
        if complete else None,
        "complete_rejected": confusion["complete"]["rejected"],
        "incomplete_accepted": confusion["incomplete"]["complete"],
        "confusion": confusion,
        "findings": {rule_id: {"expected": expected_total[rule_id],
                               "recall": round(expected_hits[rule_id] / expected_total[rule_id], 4),
                               "unexpected": unexpected[rule_id]}
                     for rule_id in sorted(expected_total)}
        | {rule_id: {"expected": 0, "recall": None, "unexpected": n}
           for rule_id, n in sorted(unexpected.items()) if rule_id not in expected_total},
        "scenarios": {name: {"right": hits, "messages": total}
                      for name, (hits, total) in sorted(by_scenario.items())},
        "pending_scenarios": sorted({m.scenario for m, *_ in pending}),
        "seconds_per_message": round(statistics.median(r[3] for r in results), 2)
        if results else None,
        "wrong": wrong,
    }


def format_decisions(figures: dict[str, Any]) -> str:
    lines = [f"seed {figures['seed']}, {figures['packets']} packets, "
             f"{figures['messages']} messages ({figures['seconds_per_message']} s each, median)",
             f"decision accuracy {_pct(figures['decision_accuracy'])} (rules-pending scenarios "
             f"excluded: {', '.join(figures['pending_scenarios']) or 'none'})",
             f"straight-through {_pct(figures['straight_through_rate'])}; complete packets "
             f"rejected {figures['complete_rejected']}; incomplete accepted as complete "
             f"{figures['incomplete_accepted']}", "",
             "expected \\ decided  " + "  ".join(f"{s:>12}" for s in STATUSES)]
    for want in STATUSES:
        row = figures["confusion"][want]
        lines.append(f"{want:<19}" + "  ".join(f"{row[got]:>12}" for got in STATUSES))
    lines += ["", "rule      expected  recall  unexpected"]
    for rule_id, stats in figures["findings"].items():
        lines.append(f"{rule_id:<10}{stats['expected']:>8}  {_pct(stats['recall']):>6}  "
                     f"{stats['unexpected']:>10}")
    lines += ["", "scenario                         right"]
    for name, stats in figures["scenarios"].items():
        lines.append(f"{name:<33}{stats['right']}/{stats['messages']}")
    return "\n".join(lines)


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}%"

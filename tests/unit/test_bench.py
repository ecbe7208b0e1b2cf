"""The benchmarks' scoring, on hand-made results (no OCR)."""

from __future__ import annotations

import dataclasses
import email
from email.utils import parsedate_to_datetime

from fixtures.scenarios import SCENARIOS
from fixtures.world import GeneratedMessage, generate_world
from pipeline.adapters.ocr_inprocess import make_ocr_engine
from pipeline.bench.decisions import _figures, arrival_order, decide_world, format_decisions
from pipeline.bench.extract import Tally, score
from pipeline.bench.samples import Sample, normalise
from pipeline.types import Document, DocumentKind, ExtractedField, PageRef

import numpy as np


def message(scenario: str, expected: str, findings: tuple[str, ...] = (),
            pending: bool = False) -> GeneratedMessage:
    return GeneratedMessage(branch_id="balikpapan", scenario=scenario, eml=b"", profile_nik="",
                            expected_decision=expected, expected_findings=findings,
                            filename="x.eml", rules_pending=pending)


def test_decision_figures() -> None:
    results = [
        (message("complete", "complete"), "complete", set(), 1.0),
        (message("complete", "complete"), "incomplete", {"NIK-001"}, 1.0),
        (message("missing_kk", "incomplete", ("DOC-002",)), "incomplete", {"DOC-002"}, 2.0),
        (message("sent_late", "incomplete", (), pending=True), "complete", set(), 3.0),
    ]
    figures = _figures(1, 4, results)
    assert figures["decision_accuracy"] == round(2 / 3, 4)
    assert figures["straight_through_rate"] == 0.5
    assert figures["confusion"]["complete"]["incomplete"] == 1
    assert figures["findings"]["DOC-002"] == {"expected": 1, "recall": 1.0, "unexpected": 0}
    assert figures["findings"]["NIK-001"]["unexpected"] == 1
    assert figures["unexpected_findings"] == {"balikpapan/x.eml": ["NIK-001"]}
    assert figures["pending_scenarios"] == ["sent_late"]
    assert "decision accuracy 66.7%" in format_decisions(figures)
    text = format_decisions(figures)
    assert "balikpapan/x.eml: complete -> incomplete, NIK-001\n" in text + "\n"
    assert "complete, - (rules pending)" in text
    assert [w["pending"] for w in figures["wrong"]] == [False, True]


def test_extract_scoring_counts_confident_wrong_values() -> None:
    sample = Sample(kind="ktp", style="scan", image=np.zeros((2, 2, 3), np.uint8),
                    truth={"nik": "6472034703850012", "nama": "SITI AMINAH"})
    doc = Document(ref=PageRef(attachment_index=0), filename="k", kind=DocumentKind.KTP,
                   kind_confidence=1.0, fields=(
                       ExtractedField(name="nik", value="6472034703850013", confidence=0.95),
                       ExtractedField(name="nama", value="Siti  Aminah", confidence=0.8)))
    tally = Tally()
    score(tally, sample, doc, "ktp", {"nik": "6472034703850012"})
    assert tally.exact["nama"] == 1 and tally.exact["nik"] == 0
    assert tally.wrong_confident["nik"] == 1 and tally.naive_exact["nik"] == 1
    assert normalise("kartu_peserta", "kpj", "17 5000 80636") == "17500080636"


def test_messages_are_decided_in_arrival_order() -> None:
    world = generate_world(seed=11, count=len(SCENARIOS))
    ordered = arrival_order(world.messages)
    assert sorted(m.filename for m in ordered) == sorted(m.filename for m in world.messages)
    position = {m.filename: i for i, m in enumerate(ordered)}
    follow = next(m for m in world.messages if m.follows is not None)
    assert position[follow.follows] < position[follow.filename]  # type: ignore[index]
    dates = [parsedate_to_datetime(str(email.message_from_bytes(m.eml)["Date"])) for m in ordered]
    assert dates == sorted(dates)


def test_a_repeated_delivery_is_decided_once_through_the_ledger() -> None:
    # Messages without attachments need no OCR: the path through archive,
    # ledger and stored outcome is the real one.
    world = generate_world(seed=12, count=2, scenarios=("no_attachments",))
    again = dataclasses.replace(world.messages[0], filename="again.eml",
                                duplicate_of=world.messages[0].filename)
    world.messages.append(again)
    results = decide_world(world, make_ocr_engine("tesserocr", "ind", None, 60))
    assert [(m.filename, status, found) for m, status, found, _ in results] == [
        (m.filename, "rejected", {"MAIL-001"}) for m in arrival_order(world.messages[:2])]

"""Partial withdrawal (10% or 30%): 10 years of membership and still at work, by the record.

Cases in the style of `test_rules_table.py`: the consistent resignation
packet turned into a partial-withdrawal claim (the reason ticked on the F5,
no paklaring), then one change to the record or the arrival day. The mail
arrives on 10 June 2020, so a membership from 10 June 2010 has just reached
its 10 years.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from pipeline.decide import decide
from pipeline.types import DecisionStatus, Finding
from rules.registry import evaluate_rules, rule_by_id
from tests.unit.test_rules_table import (BOOKING, F, KK, KPJ, NIK, P, Spec, base_spec, build,
                                         confidence, drop, field, record, setting)

PARTIAL = "pengambilan_sebagian"


def partial(spec: Spec) -> None:
    """A partial withdrawal: reason ticked, no paklaring (the participant still works)."""
    field(F, "sebab_klaim", PARTIAL)(spec)
    drop(P)(spec)


def arriving(day: date) -> Callable[[Spec], None]:
    """The mail arrives on `day`, its appointment five days later (not late for BOOK-004)."""
    received = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=1)
    return setting(received=received, booking=BOOKING.model_copy(
        update={"appointment_at": received + timedelta(days=5)}))


# ELIG-003 always speaks for a partial withdrawal: the employer's statement
# of active work is the officer's to check.
CASES = [
    # (name, changes, rules that speak, decision)
    ("ten_years_exactly", [partial, record(peserta_sejak=date(2010, 6, 10))],
     ["ELIG-003"], "needs_review"),
    ("one_day_short", [partial, record(peserta_sejak=date(2010, 6, 11))],
     ["ELIG-003", "ELIG-004"], "needs_review"),
    ("long_membership", [partial, record(peserta_sejak=date(2003, 1, 6))],
     ["ELIG-003"], "needs_review"),
    ("recent_membership", [partial, record(peserta_sejak=date(2016, 8, 1))],
     ["ELIG-003", "ELIG-004"], "needs_review"),
    # Unknown start: nothing shows the claim is early.
    ("unknown_start", [partial, record(peserta_sejak=None)], ["ELIG-003"], "needs_review"),
    # 29 February: the 10 years are reached on 28 February of a common year.
    ("leap_day_start_reached", [partial, record(peserta_sejak=date(2012, 2, 29)),
                                arriving(date(2022, 2, 28))], ["ELIG-003"], "needs_review"),
    ("leap_day_start_day_short", [partial, record(peserta_sejak=date(2012, 2, 29)),
                                  arriving(date(2022, 2, 27))],
     ["ELIG-003", "ELIG-004"], "needs_review"),
    # ELIG-005: the record shows work ended; the years no longer matter.
    ("left_work_long_member", [partial, record(peserta_sejak=date(2003, 1, 6),
                                               berhenti_kerja=date(2020, 3, 31))],
     ["ELIG-003", "ELIG-005"], "needs_review"),
    ("left_work_short_member", [partial, record(peserta_sejak=date(2016, 8, 1),
                                                berhenti_kerja=date(2020, 3, 31))],
     ["ELIG-003", "ELIG-005"], "needs_review"),
    ("left_work_unknown_start", [partial, record(berhenti_kerja=date(2020, 3, 31))],
     ["ELIG-003", "ELIG-005"], "needs_review"),
    ("last_day_is_the_mail_day", [partial, record(peserta_sejak=date(2003, 1, 6),
                                                  berhenti_kerja=date(2020, 6, 10))],
     ["ELIG-003", "ELIG-005"], "needs_review"),
    # Leaving tomorrow (a notice period): still at work when the mail came.
    ("leaving_tomorrow", [partial, record(peserta_sejak=date(2003, 1, 6),
                                          berhenti_kerja=date(2020, 6, 11))],
     ["ELIG-003"], "needs_review"),
    ("leaving_tomorrow_short_member", [partial, record(peserta_sejak=date(2016, 8, 1),
                                                       berhenti_kerja=date(2020, 6, 11))],
     ["ELIG-003", "ELIG-004"], "needs_review"),
    # Something to send as well: the packet is incomplete, the finding kept.
    ("short_member_kk_missing", [partial, record(peserta_sejak=date(2016, 8, 1)),
                                 drop(KK)],
     ["DOC-002", "ELIG-003", "ELIG-004"], "incomplete"),
    # Other reasons are not these rules' business, whatever the record says.
    ("resignation_with_recorded_end", [record(peserta_sejak=date(2016, 8, 1),
                                              berhenti_kerja=date(2020, 3, 31))], [], "complete"),
    ("termination_short_member", [field(F, "sebab_klaim", "phk"), drop(P),
                                  record(peserta_sejak=date(2016, 8, 1))],
     ["ELIG-003"], "needs_review"),
    # A tick read unsure counts as a resignation: then the paklaring is missing.
    ("unsure_tick", [partial, confidence(F, "sebab_klaim", 0.5),
                     record(peserta_sejak=date(2016, 8, 1))], ["DOC-005"], "incomplete"),
    # Not in the records: REC-001 rejects and nothing else is said.
    ("no_record", [partial, setting(participant=None)], ["REC-001"], "rejected"),
]


@pytest.mark.parametrize(("changes", "want", "decision"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_membership_table(changes: list[Callable[[Spec], None]], want: list[str],
                          decision: str) -> None:
    spec = base_spec()
    for change in changes:
        change(spec)
    findings = evaluate_rules(build(spec))
    assert sorted({f.rule_id for f in findings}) == sorted(want)
    assert decide(findings).status == DecisionStatus(decision)
    for finding in findings:
        assert finding.evidence, finding.rule_id
        assert NIK not in finding.message_id and KPJ not in finding.message_id


def _finding(rule_id: str, *changes: Callable[[Spec], None]) -> Finding:
    spec = base_spec()
    for change in (partial, *changes):
        change(spec)
    return next(f for f in evaluate_rules(build(spec)) if f.rule_id == rule_id)


def test_short_membership_says_when_the_ten_years_are_reached() -> None:
    finding = _finding("ELIG-004", record(peserta_sejak=date(2016, 8, 1)))
    assert "sejak 01-08-2016" in finding.message_id
    assert "tercapai pada 01-08-2026" in finding.message_id
    assert "mulai tanggal tersebut" in finding.message_id
    assert "reached on 01-08-2026" in finding.message_en
    assert dict(finding.evidence) == {"peserta_sejak_record": "2016-08-01",
                                      "sepuluh_tahun": "2026-08-01", "submitted": "2020-06-10",
                                      "sebab_klaim": PARTIAL}


def test_left_work_names_the_recorded_day_and_the_whole_claim_instead() -> None:
    finding = _finding("ELIG-005", record(berhenti_kerja=date(2020, 3, 31)))
    assert "berhenti bekerja pada 31-03-2020" in finding.message_id
    assert "seluruh saldo JHT" in finding.message_id
    assert "ended on 31-03-2020" in finding.message_en
    assert dict(finding.evidence) == {"berhenti_kerja_record": "2020-03-31",
                                      "submitted": "2020-06-10", "sebab_klaim": PARTIAL}


def test_mirrors_the_retirement_age_rule() -> None:
    """Not the participant's to fix by sending something: an officer reviews, as ELIG-002."""
    retirement = rule_by_id("ELIG-002")
    for rule_id in ("ELIG-004", "ELIG-005"):
        rule = rule_by_id(rule_id)
        assert (rule.family, rule.severity, rule.action) == \
            (retirement.family, retirement.severity, retirement.action)
        assert rule.title_id and rule.title and "{" not in rule.title_id

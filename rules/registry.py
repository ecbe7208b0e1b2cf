"""Every rule the pipeline applies, listed explicitly, in reply order."""

from __future__ import annotations

from pipeline.types import Finding
from rules import (booking, completeness, consistency, eligibility, files, identity, mail,
                   quality, records)
from rules.base import CheckInput, Rule

RULES: tuple[Rule, ...] = (
    *mail.RULES,
    *files.RULES,
    *quality.RULES,
    *identity.RULES,
    *consistency.RULES,
    *records.RULES,
    *booking.RULES,
    *eligibility.RULES,
    *completeness.RULES,
)


def rule_by_id(rule_id: str) -> Rule:
    for rule in RULES:
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


def evaluate_rules(data: CheckInput, rules: tuple[Rule, ...] = RULES) -> tuple[Finding, ...]:
    """Findings of every rule, in registry order."""
    return tuple(finding for rule in rules for finding in rule.evaluate(data))

"""Findings -> Decision: the strongest action asked for wins."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.types import Action, Decision, DecisionStatus, Finding

# A reject outranks everything (there is no claim to complete); something the
# participant can fix outranks a mismatch (they must send it anyway, and the
# officer then reviews a complete packet); a mismatch needs a person.
_STATUS_BY_ACTION = (
    (Action.REJECT, DecisionStatus.REJECTED),
    (Action.ASK, DecisionStatus.INCOMPLETE),
    (Action.REVIEW, DecisionStatus.NEEDS_REVIEW),
)


def decide(findings: Sequence[Finding]) -> Decision:
    actions = {finding.action for finding in findings}
    for action, status in _STATUS_BY_ACTION:
        if action in actions:
            return Decision(status=status, findings=tuple(findings))
    return Decision(status=DecisionStatus.COMPLETE, findings=tuple(findings))

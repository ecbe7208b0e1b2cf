"""Findings -> Decision: the strongest action asked for wins.

- rejected: a finding rejects (no attachments, unreadable message, NIK in
  no record, a stranger's mail with no claim document): nothing to complete.
- incomplete: the participant can fix something (a document missing,
  unreadable or cut off, a number that cannot be read, no booking or one at
  another branch, sent late, the waiting month not over).
- needs_review: a mismatch only a person can judge, or a key number read
  with low confidence (QUAL-003).
- complete: nothing but notes; the packet goes straight through.

The decision keeps every finding, notes included, each with its evidence,
whatever the status: the officer reviewing a packet sees all of them.
"""

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

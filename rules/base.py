"""What a rule is: data (id, severity, messages) plus one pure check.

A check receives everything it may look at in a `CheckInput` (documents,
the participant record, the booking, `today`) and returns hits; it never
reads the database or the clock. `Rule.evaluate` turns hits into Findings
with the rule's messages filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pipeline.types import (
    Action,
    Booking,
    Document,
    DocumentKind,
    Finding,
    Frozen,
    Participant,
    Severity,
    Submission,
    UnreadableAttachment,
)


def readable(doc: Document) -> bool:
    """Whether a document's page passed the quality gate (no measure: taken as read)."""
    return doc.quality is None or doc.quality.readable


class CheckInput(Frozen):
    submission: Submission
    documents: tuple[Document, ...] = ()
    unreadable: tuple[UnreadableAttachment, ...] = ()
    participant: Participant | None = None
    booking: Booking | None = None
    # The NIK the packet is about, as resolved from the documents (may be
    # unknown to the records); None when no document gave a valid one.
    nik: str | None = None
    # The KPJ the documents agree on, and the record that KPJ belongs to when
    # looked up on its own (None when not looked up or unknown): together
    # they show whether NIK and KPJ point to the same person.
    kpj: str | None = None
    kpj_participant: Participant | None = None
    # How times are written in messages (the branch's zone; stored times are UTC).
    timezone: str = "Asia/Jakarta"
    today: date

    def documents_of(self, kind: DocumentKind) -> list[Document]:
        return [doc for doc in self.documents if doc.kind == kind]


@dataclass(frozen=True)
class Hit:
    """One occurrence of a rule's condition.

    `params` fill the message templates; `evidence` is what an officer sees
    (field values, record values) and is stored with the finding.
    """

    params: Mapping[str, str] = field(default_factory=dict)
    evidence: Mapping[str, str | None] = field(default_factory=dict)


Check = Callable[[CheckInput], list[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    severity: Severity
    action: Action
    title: str  # short English name for lists and docs
    title_id: str  # short Indonesian name, as officers see it on the desk
    message_id: str  # Indonesian template, read by the participant
    message_en: str  # English template, read by operators
    check: Check

    def evaluate(self, data: CheckInput) -> list[Finding]:
        return [
            Finding(
                rule_id=self.id,
                severity=self.severity,
                action=self.action,
                message_id=self.message_id.format_map(dict(hit.params)),
                message_en=self.message_en.format_map(dict(hit.params)),
                evidence=dict(hit.evidence),
            )
            for hit in self.check(data)
        ]

"""The rules re-run on a submission whose fields an officer corrected.

The same assessment as pipeline.process_message makes, from the documents
on: who the packet is about, the findings, the decision. The
documents come from the database with the officer's corrections applied,
and so do the attachments that yielded no page (stored when the message was
processed), so no attachment is rendered again; `today` is the day of the
machine's decision, so the only thing that changes between the two
evaluations is what the officer corrected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from pipeline.process import FindBooking, FindEarlier, FindParticipant, Lookups, assess
from pipeline.types import (Decision, Document, DocumentKind, ExtractedField, PageRef,
                            Participant, Quality, Submission, UnreadableAttachment)
from rules.regions import Regions

# Confidence given to a value an officer typed: read by a person from the scan.
CORRECTED_CONFIDENCE = 1.0


def document_from_row(attachment_index: int, page_number: int, filename: str, kind: str,
                      kind_confidence: float, quality: Mapping[str, object] | None,
                      fields: Sequence[Mapping[str, object]],
                      corrections: Mapping[str, str | None], part: int | None = None) -> Document:
    """A stored document as the rules see it, with corrected values put in."""
    out: list[ExtractedField] = []
    for item in fields:
        field = ExtractedField.model_validate(dict(item))
        if field.name in corrections:
            field = field.model_copy(update={"value": corrections[field.name],
                                             "confidence": CORRECTED_CONFIDENCE})
        out.append(field)
    present = {f.name for f in out}
    for name, value in corrections.items():
        if name not in present:  # a field the reader did not find at all
            out.append(ExtractedField(name=name, value=value, confidence=CORRECTED_CONFIDENCE,
                                      box=None, raw=None))
    return Document(ref=PageRef(attachment_index=attachment_index, page_number=page_number,
                                part=part),
                    filename=filename, kind=DocumentKind(kind), kind_confidence=kind_confidence,
                    fields=tuple(out),
                    quality=Quality.model_validate(dict(quality)) if quality else None)


def rerun_rules(submission: Submission, documents: Sequence[Document],
                unreadable: Sequence[UnreadableAttachment], find_participant: FindParticipant,
                find_booking: FindBooking, find_earlier: FindEarlier, regions: Regions,
                today: date, timezone: str = "Asia/Jakarta",
                ) -> tuple[Decision, str | None, Participant | None]:
    """The decision the rules reach on these documents; also the NIK and record found.

    The pipeline's own assessment (pipeline.process.assess): documents of
    earlier incomplete submissions of the same claim count with these, as
    they did for the machine's decision.
    """
    lookups = Lookups(find_participant, find_booking, find_earlier, regions, timezone)
    result = assess(submission, tuple(documents), tuple(unreadable), lookups, today)
    return result.decision, result.who.nik, result.who.participant

"""A resubmission counts the documents the participant already sent.

A participant whose packet was incomplete answers with only what was
missing. The earlier submissions of the same claim (same booking code, same
NIK at the same branch, or a reply in the same mail thread) are looked up
by the caller; this module decides, without I/O, which of their documents
count together with the new ones.

Only earlier submissions that were decided incomplete, sent before this
message, and not followed by a complete or reviewed one, are offered here
(pipeline/store/resubmissions.py). Of those, for each document kind the new
message does not carry, the readable pages of the latest submission that
has that kind count; an unreadable earlier page never does (the participant
was asked to send it again, so it is either in the new message or still
missing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from pipeline.types import Action, Document, DocumentKind, Finding, Frozen, Severity
from rules.base import readable

# Pages that are no claim document: a photo or an unrecognised page proves
# nothing, so it is not carried over to a later message.
_NOT_COUNTED = frozenset({DocumentKind.UNKNOWN, DocumentKind.PHOTO})

MERGE_NOTE_ID = "RESUB-001"
# The note's short name, as the rules have theirs (rules.base.Rule.title/title_id).
MERGE_NOTE_TITLE = "Documents of an earlier submission counted"
MERGE_NOTE_TITLE_ID = "Dokumen pengajuan sebelumnya ikut dihitung"


class EarlierQuery(Frozen):
    """What identifies the claim a message belongs to, and where it stands in time.

    `received_at` and `message_sha256` bound the look-up to messages before
    this one, so a rerun of the same message finds the same earlier ones.
    """

    branch_id: str
    booking_code: str | None = None
    nik: str | None = None
    thread: tuple[str, ...] = ()  # Message-IDs this message answers (In-Reply-To, References)
    received_at: datetime
    message_sha256: str


class EarlierSubmission(Frozen):
    """An earlier incomplete submission of the same claim, as stored."""

    submission_id: int
    received_at: datetime
    message_id: str | None = None
    documents: tuple[Document, ...] = ()


class CountedDocument(Frozen):
    """A page of an earlier submission that counts for this one."""

    submission_id: int
    received_at: datetime
    kind: DocumentKind
    filename: str
    page_number: int = 1


class Merge(Frozen):
    """The documents the rules see, and which of them came from earlier mail."""

    documents: tuple[Document, ...] = ()
    counted: tuple[CountedDocument, ...] = ()

    @property
    def submissions(self) -> tuple[int, ...]:
        """Earlier submissions that contributed at least one page, oldest first."""
        return tuple(dict.fromkeys(c.submission_id for c in
                                   sorted(self.counted, key=lambda c: c.received_at)))


def thread_ids(in_reply_to: str | None, references: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in (*references, in_reply_to) if i))


def merge_documents(new: Sequence[Document], earlier: Sequence[EarlierSubmission]) -> Merge:
    """The new documents, then the earlier pages of every kind the new ones lack.

    A kind present in the new message (readable or not) replaces every
    earlier page of that kind: the participant sent it again on purpose.
    """
    present = {doc.kind for doc in new}
    chosen: dict[DocumentKind, EarlierSubmission] = {}
    for sub in sorted(earlier, key=lambda s: (s.received_at, s.submission_id), reverse=True):
        for doc in sub.documents:
            if (doc.kind in present or doc.kind in _NOT_COUNTED or not readable(doc)
                    or doc.kind in chosen):
                continue
            chosen[doc.kind] = sub
    counted_docs: list[Document] = []
    counted: list[CountedDocument] = []
    for sub in sorted(earlier, key=lambda s: (s.received_at, s.submission_id)):
        for doc in sub.documents:
            if chosen.get(doc.kind) is sub and readable(doc):
                counted_docs.append(doc)
                counted.append(CountedDocument(
                    submission_id=sub.submission_id, received_at=sub.received_at, kind=doc.kind,
                    filename=doc.filename, page_number=doc.ref.page_number))
    return Merge(documents=(*new, *counted_docs), counted=tuple(counted))


def merge_note(merge: Merge) -> Finding | None:
    """A recorded note of what was counted from earlier mail, for the officer and the store.

    It asks for nothing (action `note`), so it never changes the decision;
    its evidence is how the stored outcome says which submissions were merged.
    """
    if not merge.counted:
        return None
    kinds = list(dict.fromkeys(c.kind.value for c in merge.counted))
    ids = ", ".join(str(i) for i in merge.submissions)
    return Finding(
        rule_id=MERGE_NOTE_ID, severity=Severity.INFO, action=Action.NOTE,
        message_id=f"Dokumen dari pengajuan sebelumnya ikut diperiksa ({', '.join(kinds)}).",
        message_en=f"Documents of earlier submissions {ids} were counted ({', '.join(kinds)}).",
        evidence={
            "submissions": ",".join(str(i) for i in merge.submissions),
            "documents": ",".join(f"{c.kind.value}@{c.submission_id}:{c.filename}#{c.page_number}"
                                  for c in merge.counted),
        },
    )

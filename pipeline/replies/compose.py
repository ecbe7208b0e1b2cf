"""Composing the answer a participant receives: Indonesian first, then English.

The reply lists exactly what the participant must do: each missing or
unreadable document by the name they know it, what to send instead, and how
to retake a photo that could not be read; documents already received in an
earlier email of the same claim are named so they are not sent again.
Mismatches that only an officer can judge are not argued in the mail; the
participant is told an officer is checking, and is told besides when the
claim cannot be made yet or not for the reason ticked. A complete packet
gets a confirmation with the appointment.

`reply_view` turns a decision into plain values (pure); the Jinja2 template
only lays them out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from pipeline.replies.wording import (
    DOCUMENTS,
    FILE_FIXES,
    GENERAL_TIP,
    REQUIRED_KINDS,
    RETAKE_TIPS,
    SMALLER_FILE,
    Words,
    moment_words,
)
from pipeline.resubmission import CountedDocument
from pipeline.settings import Branch
from pipeline.types import (
    Action,
    Booking,
    Decision,
    DecisionStatus,
    Document,
    DocumentKind,
    Finding,
    Participant,
    Reply,
    Submission,
)

_MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember")
# Senders that are robots: answering them risks mail loops (RFC 3834).
_ROBOT_SENDER = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounce[s]?)([+@]|$)",
                           re.IGNORECASE)
# A number that could not be read is, for the participant, a photo to take
# again: blur and glare are what usually hide it.
_NUMBER_UNREAD = ("blurred", "glare")
# Rules whose finding is about a page to photograph again.
_RETAKE_RULES = {"QUAL-001": None, "NIK-001": _NUMBER_UNREAD, "KPJ-001": _NUMBER_UNREAD,
                 "KK-001": _NUMBER_UNREAD, "NPWP-001": _NUMBER_UNREAD}
# Review findings whose message the participant reads all the same: an officer
# confirms them, but what they say (a partial withdrawal only from a date, or
# not at all once work has ended) is the participant's to act on.
_TOLD_WHILE_REVIEWED = frozenset({"ELIG-004", "ELIG-005"})


@lru_cache(maxsize=1)
def _template() -> Template:
    env = Environment(loader=PackageLoader("pipeline.replies", "templates"),
                      undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("reply.txt.j2")


def reply_message_id(submission: Submission, from_addr: str) -> str:
    """The same submission always gets the same Message-ID: sent once, recognisably."""
    key = f"{submission.branch_id}\n{submission.message_sha256}\nreply-1".encode()
    digest = hashlib.sha256(key).hexdigest()[:32]
    domain = from_addr.partition("@")[2] or "localhost"
    return f"<jht-{digest}@{domain}>"


def reply_subject(subject: str) -> str:
    clean = " ".join(subject.split()) or "Pengajuan klaim JHT"
    return clean if re.match(r"^(re|aw|balas)\s*:", clean, re.IGNORECASE) else f"Re: {clean}"


def format_date_id(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {_MONTHS_ID[local.month - 1]} {local.year} pukul {local:%H.%M}"


def should_reply(submission: Submission) -> bool:
    sender = submission.sender
    return bool(sender) and "@" in (sender or "") and not _ROBOT_SENDER.match(sender or "")


# --------------------------------------------------------------------------
# The view: everything the template shows, as plain values
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One problem: the rule's own message, and what exactly to send about it."""

    text: Words
    send: Words | None = None


@dataclass(frozen=True)
class CountedGroup:
    """Documents of one earlier email that count for this submission."""

    when: Words
    names: Words


@dataclass(frozen=True)
class ReplyView:
    status: str
    greeting: str
    subject: str
    branch_name: str
    office_address: str | None
    received: Words
    items: tuple[Item, ...] = ()
    notices: tuple[Words, ...] = ()  # what an officer confirms but the participant must know
    tips: tuple[Words, ...] = ()
    counted: tuple[CountedGroup, ...] = ()
    required: tuple[Words, ...] = ()
    appointment: Words | None = None
    deadline: Words | None = None  # None when there is no booking or it has passed
    booking_code: str | None = None
    reference: str = ""


def _page_kind(documents: Sequence[Document], filename: str | None, page: str | None
               ) -> DocumentKind | None:
    for doc in documents:
        if doc.filename == filename and str(doc.ref.page_number) == (page or "1"):
            # A page too poor to read is often taken for a photo: no name then.
            return doc.kind if doc.kind in DOCUMENTS and doc.kind != DocumentKind.PHOTO else None
    return None


def _kind(value: str | None) -> DocumentKind | None:
    try:
        kind = DocumentKind(value)
    except ValueError:
        return None
    return kind if kind in DOCUMENTS else None


def _send(finding: Finding, documents: Sequence[Document]) -> Words | None:
    """What to send about one finding, in plain words, when its evidence says."""
    evidence = finding.evidence
    kind = _kind(evidence.get("kind"))
    if kind is not None:
        return DOCUMENTS[kind].send
    filename = evidence.get("filename")
    if finding.rule_id in _RETAKE_RULES:
        page = evidence.get("page")
        found = DocumentKind.KTP if finding.rule_id == "NIK-001" else \
            _page_kind(documents, filename, page)
        where_id = f'lampiran "{filename}"' + (f" halaman {page}" if page else "")
        where_en = f'attachment "{filename}"' + (f" page {page}" if page else "")
        if found is not None:
            name = DOCUMENTS[found].name
            return Words(f"foto ulang {name.id} ({where_id}) dengan jelas dan utuh",
                         f"a new, clear and complete photo of your {name.en} ({where_en})")
        return Words(f"foto ulang dokumen pada {where_id} dengan jelas dan utuh",
                     f"a new, clear and complete photo of the document in {where_en}")
    problem = evidence.get("problem")
    fix = FILE_FIXES.get(problem or "")
    if finding.rule_id == "FILE-002":
        fix = SMALLER_FILE
    if fix is not None and filename:
        return Words(f'isi lampiran "{filename}" {fix.id}',
                     f'the contents of the attachment "{filename}" {fix.en}')
    return None


def _tips(findings: Sequence[Finding]) -> tuple[Words, ...]:
    reasons: list[str] = []
    for finding in findings:
        if finding.rule_id not in _RETAKE_RULES:
            continue
        fixed = _RETAKE_RULES[finding.rule_id]
        reasons += fixed or (finding.evidence.get("reasons") or "").split(",")
    tips = [RETAKE_TIPS[r] for r in dict.fromkeys(r.strip() for r in reasons) if r in RETAKE_TIPS]
    return (*tips, GENERAL_TIP) if reasons else ()


def _counted(counted: Sequence[CountedDocument], zone: str) -> tuple[CountedGroup, ...]:
    groups: dict[int, list[CountedDocument]] = {}
    for item in sorted(counted, key=lambda c: (c.received_at, c.submission_id)):
        groups.setdefault(item.submission_id, []).append(item)
    result = []
    for items in groups.values():
        names = [DOCUMENTS[c.kind].name for c in items if c.kind in DOCUMENTS]
        unique = list(dict.fromkeys(names))
        result.append(CountedGroup(
            when=moment_words(items[0].received_at, zone),
            names=Words(", ".join(n.id for n in unique), ", ".join(n.en for n in unique))))
    return tuple(result)


def reply_view(submission: Submission, decision: Decision, branch: Branch,
               participant: Participant | None, booking: Booking | None,
               booking_code: str | None, now: datetime, zone: str,
               documents: Sequence[Document] = (),
               counted: Sequence[CountedDocument] = ()) -> ReplyView:
    """Everything the reply says, decided here so that the template only lays it out."""
    wanted = {DecisionStatus.REJECTED: Action.REJECT, DecisionStatus.INCOMPLETE: Action.ASK}
    action = wanted.get(decision.status)
    items: dict[str, Item] = {}  # one line per distinct problem, in rule order
    for finding in decision.findings:
        if finding.action == action and finding.message_id not in items:
            items[finding.message_id] = Item(Words(finding.message_id, finding.message_en),
                                             _send(finding, documents))
    asked = [f for f in decision.findings if f.action == action]
    notices = tuple(dict.fromkeys(
        Words(f.message_id, f.message_en) for f in decision.findings
        if f.rule_id in _TOLD_WHILE_REVIEWED and f.action != action))
    appointment = deadline = None
    if booking is not None:
        appointment = moment_words(booking.appointment_at, zone, weekday=True)
        last = booking.appointment_at - timedelta(days=1)
        deadline = moment_words(last, zone, weekday=True) if last > now else None
    greeting = participant.nama.title() if participant else (submission.sender_name or "")
    return ReplyView(
        status=decision.status.value,
        greeting=greeting.strip() or "Bapak/Ibu Peserta",
        subject=" ".join(submission.subject.split()) or "(tanpa subjek)",
        branch_name=branch.name,
        office_address=branch.office_address,
        received=moment_words(submission.received_at, zone),
        items=tuple(items.values()),
        notices=notices if decision.status != DecisionStatus.REJECTED else (),
        tips=_tips(asked) if decision.status == DecisionStatus.INCOMPLETE else (),
        counted=_counted(counted, zone) if decision.status != DecisionStatus.REJECTED else (),
        required=tuple(DOCUMENTS[k].name for k in REQUIRED_KINDS),
        appointment=appointment,
        deadline=deadline,
        booking_code=booking_code,
        reference=submission.message_sha256[:10].upper(),
    )


def render_body(view: ReplyView) -> str:
    return _template().render(v=view)


def compose_reply(submission: Submission, decision: Decision, branch: Branch,
                  participant: Participant | None, booking: Booking | None,
                  booking_code: str | None, now: datetime, zone: str,
                  documents: Sequence[Document] = (),
                  counted: Sequence[CountedDocument] = ()) -> Reply | None:
    """The reply for a decided submission, or None when nobody should get one."""
    if not should_reply(submission):
        return None
    view = reply_view(submission, decision, branch, participant, booking, booking_code, now, zone,
                      documents, counted)
    refs = tuple(r for r in (*submission.references, submission.message_id) if r)
    return Reply(
        message_id=reply_message_id(submission, branch.reply_from),
        to=submission.sender or "",
        from_addr=branch.reply_from,
        from_name=f"BPJS Ketenagakerjaan {branch.name}",
        subject=reply_subject(submission.subject),
        in_reply_to=submission.message_id,
        references=refs[-20:],
        date=now,
        body_text=render_body(view),
    )

"""Composing the answer a participant receives, in Indonesian.

The reply lists exactly what the participant must do: each missing or
unreadable document, or why the submission cannot be processed. Mismatches
that only an officer can judge are not argued in the mail; the participant
is told an officer will contact them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from pipeline.settings import Branch
from pipeline.types import Action, Decision, DecisionStatus, Participant, Reply, Submission

_MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember")
# Senders that are robots: answering them risks mail loops (RFC 3834).
_ROBOT_SENDER = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounce[s]?)([+@]|$)",
                           re.IGNORECASE)


@lru_cache(maxsize=1)
def _template() -> Template:
    env = Environment(loader=PackageLoader("pipeline.replies", "templates"),
                      undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("reply_id.txt.j2")


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


def compose_reply(submission: Submission, decision: Decision, branch: Branch,
                  participant: Participant | None, booking_code: str | None,
                  now: datetime, zone: str) -> Reply | None:
    """The reply for a decided submission, or None when nobody should get one."""
    if not should_reply(submission):
        return None
    wanted = {DecisionStatus.REJECTED: Action.REJECT, DecisionStatus.INCOMPLETE: Action.ASK}
    action = wanted.get(decision.status)
    items = [f.message_id for f in decision.findings if f.action == action] if action else []
    greeting = participant.nama.title() if participant else (submission.sender_name or "")
    body = _template().render(
        greeting=greeting.strip() or "Bapak/Ibu Peserta",
        status=decision.status.value,
        items=list(dict.fromkeys(items)),  # one line per distinct problem, in rule order
        branch_name=branch.name,
        received=format_date_id(submission.received_at, zone),
        subject=" ".join(submission.subject.split()) or "(tanpa subjek)",
        booking_code=booking_code,
        reference=submission.message_sha256[:10].upper(),
    )
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
        body_text=body,
    )

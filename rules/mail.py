"""Rules about the email itself: is there anything to read at all."""

from __future__ import annotations

from pipeline.types import Action, Severity
from rules.base import CheckInput, Hit, Rule

# Why a message could not be read, as the participant reads it.
UNREADABLE_REASONS_ID = {
    "empty": "email kosong",
    "too_large": "ukuran email melebihi batas",
    "not_mime": "format email tidak dikenali",
}


def _no_attachments(data: CheckInput) -> list[Hit]:
    if data.submission.unreadable_reason is not None or data.submission.attachments:
        return []
    return [Hit()]


def _unreadable_message(data: CheckInput) -> list[Hit]:
    reason = data.submission.unreadable_reason
    if reason is None:
        return []
    return [Hit(params={"reason": UNREADABLE_REASONS_ID.get(reason, reason), "reason_en": reason},
                evidence={"reason": reason})]


NO_ATTACHMENTS = Rule(
    id="MAIL-001", family="mail", severity=Severity.ERROR, action=Action.REJECT,
    title="No attachments",
    title_id="Email tanpa lampiran",
    message_id=("Email Anda tidak berisi lampiran. Mohon kirim ulang email dengan melampirkan "
                "hasil pindai (scan) atau foto seluruh dokumen persyaratan klaim JHT."),
    message_en="The email carries no attachments.",
    check=_no_attachments,
)

UNREADABLE_MESSAGE = Rule(
    id="MAIL-002", family="mail", severity=Severity.ERROR, action=Action.REJECT,
    title="Message cannot be read",
    title_id="Email tidak dapat dibaca",
    message_id="Email Anda tidak dapat kami proses ({reason}). Mohon kirim ulang.",
    message_en="The message cannot be processed ({reason_en}).",
    check=_unreadable_message,
)

RULES = (NO_ATTACHMENTS, UNREADABLE_MESSAGE)

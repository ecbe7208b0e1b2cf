"""A Reply as the bytes of an RFC 5322 message."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from pipeline.types import Reply


def render_reply(reply: Reply) -> bytes:
    """Deterministic bytes: the same Reply always renders the same message."""
    msg = EmailMessage(policy=SMTP)
    user, _, domain = reply.from_addr.partition("@")
    msg["From"] = Address(display_name=reply.from_name, username=user, domain=domain)
    msg["To"] = reply.to
    msg["Subject"] = reply.subject
    msg["Date"] = format_datetime(reply.date)
    msg["Message-ID"] = reply.message_id
    if reply.in_reply_to:
        msg["In-Reply-To"] = reply.in_reply_to
    if reply.references:
        msg["References"] = " ".join(reply.references)
    # RFC 3834: marks an automatic answer so that other robots do not answer it.
    msg["Auto-Submitted"] = "auto-replied"
    msg["Content-Language"] = "id"
    msg.set_content(reply.body_text, charset="utf-8", cte="quoted-printable")
    return msg.as_bytes()

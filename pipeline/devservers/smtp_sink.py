"""A local SMTP server that keeps every message it accepts, for tests and the demo.

Each accepted message is written to ROOT as `<n>-<sha256 prefix>.eml` holding
exactly the bytes received, with its envelope beside it in
`<n>-<sha256 prefix>.json`; both appear atomically (written to a temporary
name, then renamed, sidecar first), so a reader never sees half a message.
"""

from __future__ import annotations

import email
import hashlib
import json
import os
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from pipeline.devservers.base import LocalServer
from pipeline.devservers.ports import free_port

# Large enough for the biggest submission the pipeline accepts.
_DATA_SIZE_LIMIT = 100_000_000
_START_ATTEMPTS = 3


class SmtpSinkError(RuntimeError):
    """The sink could not start."""


@dataclass(frozen=True)
class ReceivedMessage:
    """One accepted message: its envelope and the exact bytes received."""

    path: Path
    mail_from: str
    rcpt_tos: tuple[str, ...]
    received_at: datetime
    raw: bytes

    def parsed(self) -> EmailMessage:
        """The message parsed, with `X-Envelope-From` / `X-Envelope-To` prepended."""
        envelope = (
            f"X-Envelope-From: <{self.mail_from}>\r\n"
            f"X-Envelope-To: {', '.join(f'<{r}>' for r in self.rcpt_tos)}\r\n"
        ).encode("utf-8")
        message = email.message_from_bytes(envelope + self.raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message


class _KeepingHandler:
    """aiosmtpd handler: refuses chosen recipients, stores the rest under `root`."""

    def __init__(
        self,
        root: Path,
        reject_recipients: Collection[str],
        defer_recipients: Collection[str],
    ) -> None:
        self.root = root
        self.reject = {r.lower() for r in reject_recipients}
        self.defer = {r.lower() for r in defer_recipients}
        self._lock = threading.Lock()
        self._count = len(list(root.glob("*.eml")))

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.reject:
            return "550 5.1.1 Recipient address rejected: mailbox unavailable"
        if address.lower() in self.defer:
            return "451 4.3.0 Recipient temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        self.store(raw, str(envelope.mail_from or ""), list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def store(self, raw: bytes, mail_from: str, rcpt_tos: list[str]) -> Path:
        """Write one message and its envelope; safe to call from any thread."""
        digest = hashlib.sha256(raw).hexdigest()
        with self._lock:
            self._count += 1
            stem = f"{self._count:06d}-{digest[:16]}"
        sidecar = {
            "mail_from": mail_from,
            "rcpt_tos": rcpt_tos,
            "received_at": datetime.now(UTC).isoformat(),
            "sha256": digest,
        }
        _write_atomically(self.root / f"{stem}.json", json.dumps(sidecar).encode("utf-8"))
        eml = self.root / f"{stem}.eml"
        _write_atomically(eml, raw)
        return eml


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


class SmtpSink(LocalServer):
    """aiosmtpd on a loopback port, keeping what it receives under `root`.

    `reject_recipients` get a permanent 550 at RCPT, `defer_recipients` a
    temporary 451, so senders' handling of both can be tested for real.
    """

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int | None = None,
        reject_recipients: Collection[str] = (),
        defer_recipients: Collection[str] = (),
    ) -> None:
        self.root = root
        self.host = host
        self.port = port or 0
        self._fixed_port = port is not None
        self.root.mkdir(parents=True, exist_ok=True)
        self._handler = _KeepingHandler(root, reject_recipients, defer_recipients)
        self._controller: Controller | None = None

    def start(self) -> None:
        """Listen; with no port given, on a free one (Controller cannot take port 0)."""
        if self._controller is not None:
            raise SmtpSinkError(f"the SMTP sink on port {self.port} is already running")
        attempts = 1 if self._fixed_port else _START_ATTEMPTS
        for attempt in range(1, attempts + 1):
            if not self._fixed_port:
                self.port = free_port(self.host)
            controller = Controller(
                self._handler,
                hostname=self.host,
                port=self.port,
                ready_timeout=10,
                data_size_limit=_DATA_SIZE_LIMIT,
                enable_SMTPUTF8=True,
            )
            try:
                controller.start()
            except (OSError, RuntimeError, TimeoutError) as err:
                if attempt == attempts:
                    raise SmtpSinkError(
                        f"SMTP sink could not listen on {self.host}:{self.port}: {err}"
                    ) from err
                continue
            self._controller = controller
            return

    def stop(self) -> None:
        """Stop listening; calling it again does nothing."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()


    def received(self) -> list[ReceivedMessage]:
        """Every stored message with its envelope, oldest first."""
        found: list[ReceivedMessage] = []
        for eml in sorted(self.root.glob("*.eml")):
            sidecar = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
            found.append(
                ReceivedMessage(
                    path=eml,
                    mail_from=sidecar["mail_from"],
                    rcpt_tos=tuple(sidecar["rcpt_tos"]),
                    received_at=datetime.fromisoformat(sidecar["received_at"]),
                    raw=eml.read_bytes(),
                )
            )
        return found

    def messages(self) -> list[EmailMessage]:
        """Every stored message parsed, oldest first, envelope in X-Envelope-* headers."""
        return [item.parsed() for item in self.received()]

    def wait_for(self, count: int, timeout: float) -> list[EmailMessage]:
        """The stored messages once there are at least `count`; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            stored = len(list(self.root.glob("*.eml")))
            if stored >= count:
                return self.messages()
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"SMTP sink holds {stored} message(s) after {timeout} s, wanted {count}"
                )
            time.sleep(0.02)

"""Sending mail over SMTP (smtplib): the pipeline's only way out to participants.

`SmtpSender.send` either hands a message to the server or raises SendError
saying why and whether trying again later can help (`permanent`): a 5xx
refusal of the message or its recipient is permanent; a 4xx answer, a
connection, TLS or timeout fault, and a failed login (a configuration fault
that, once fixed, lets the same message through) are not.

Used as a context manager, one connection carries several sends; a
connection the server has dropped in between is reopened once.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Sequence
from types import TracebackType

from pipeline.settings import SmtpSettings, TlsMode


class SendError(Exception):
    """A message was not handed over. `reason` is one of:

    "connect", "tls", "timeout", "disconnected", "auth", "sender",
    "recipient", "data", "protocol".
    `permanent` says that resending the same message cannot succeed.
    `refused` maps each refused recipient to the server's (code, reply).
    """

    def __init__(
        self,
        reason: str,
        message: str,
        permanent: bool = False,
        code: int | None = None,
        refused: dict[str, tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.permanent = permanent
        self.code = code
        self.refused = dict(refused or {})

    def __str__(self) -> str:
        kind = "permanent" if self.permanent else "temporary"
        return f"[{self.reason}, {kind}] {super().__str__()}"


def _is_permanent(code: int | None) -> bool:
    return code is not None and 500 <= code < 600


def _reply_text(reply: bytes | str) -> str:
    return reply.decode("utf-8", errors="replace") if isinstance(reply, bytes) else str(reply)


def _answer(err: smtplib.SMTPResponseException) -> str:
    return f"{err.smtp_code} {_reply_text(err.smtp_error)}"


def _answer_error(reason: str, context: str, err: smtplib.SMTPResponseException) -> SendError:
    """SendError for a server answer: permanent exactly when the code is 5xx."""
    return SendError(
        reason, f"{context}: {_answer(err)}", permanent=_is_permanent(err.smtp_code),
        code=err.smtp_code,
    )


def _refusals(recipients: dict[str, tuple[int, bytes]]) -> dict[str, tuple[int, str]]:
    return {rcpt: (code, _reply_text(reply)) for rcpt, (code, reply) in recipients.items()}


def _summary(details: dict[str, tuple[int, str]]) -> str:
    return "; ".join(f"{rcpt}: {code} {text}" for rcpt, (code, text) in details.items())


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """System CAs plus `settings.cafile`; host name and chain always verified."""
    context = ssl.create_default_context()
    if settings.cafile is not None:
        context.load_verify_locations(cafile=str(settings.cafile))
    return context


class SmtpSender:
    """Sends raw RFC 5322 messages through one configured SMTP server."""

    def __init__(self, settings: SmtpSettings, password: str | None) -> None:
        self.settings = settings
        self._password = password
        self._connection: smtplib.SMTP | None = None
        self._keep_open = False

    @property
    def _where(self) -> str:
        who = f"{self.settings.user}@" if self.settings.user else ""
        return f"smtp://{who}{self.settings.host}:{self.settings.port}"

    def __enter__(self) -> SmtpSender:
        self._keep_open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._keep_open = False
        self.close()

    def close(self) -> None:
        """Say QUIT and drop the connection, ignoring a server that is already gone."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()

    def send(self, raw: bytes, from_addr: str, to_addrs: Sequence[str]) -> None:
        """Hand `raw` over for delivery to `to_addrs` with envelope sender `from_addr`.

        Returns only when the server accepted the message for every recipient.
        If it accepted some recipients and refused others, raises a permanent
        SendError (reason "recipient", `refused` filled): the message is then
        with the server for the others, and sending it again would duplicate it.
        """
        if not to_addrs:
            raise SendError("recipient", f"{self._where}: no recipients given", permanent=True)
        try:
            for attempt in (1, 2):
                reused = self._connection is not None
                try:
                    self._send_once(raw, from_addr, to_addrs)
                    return
                except SendError as err:
                    # 421: the server is closing this connection (e.g. idle timeout).
                    dropped = err.reason == "disconnected" or err.code == 421
                    if dropped:
                        self._discard()
                    # A kept connection may have been closed by the server while
                    # idle: that is worth one fresh connection, nothing more.
                    if dropped and reused and attempt == 1:
                        continue
                    raise
        finally:
            if not self._keep_open:
                self.close()

    def _send_once(self, raw: bytes, from_addr: str, to_addrs: Sequence[str]) -> None:
        connection = self._connect()
        where = self._where
        options = self._mail_options(connection, from_addr, to_addrs)
        try:
            refused = connection.sendmail(from_addr, list(to_addrs), raw, mail_options=options)
        except smtplib.SMTPServerDisconnected as err:
            raise SendError("disconnected", f"{where}: server hung up: {err}") from err
        except smtplib.SMTPRecipientsRefused as err:
            details = _refusals(err.recipients)
            raise SendError(
                "recipient", f"{where}: all recipients refused: {_summary(details)}",
                permanent=all(_is_permanent(code) for code, _ in details.values()),
                refused=details,
            ) from err
        except smtplib.SMTPSenderRefused as err:
            raise _answer_error("sender", f"{where}: sender {err.sender} refused", err) from err
        except smtplib.SMTPDataError as err:
            raise _answer_error("data", f"{where}: message refused", err) from err
        except smtplib.SMTPResponseException as err:
            raise _answer_error("protocol", where, err) from err
        except smtplib.SMTPException as err:
            raise SendError("protocol", f"{where}: {err}") from err
        except (TimeoutError, socket.timeout) as err:
            self._discard()
            raise SendError("timeout", f"{where}: timed out while sending") from err
        except OSError as err:
            self._discard()
            raise SendError("disconnected", f"{where}: connection lost: {err}") from err
        if refused:
            details = _refusals(refused)
            raise SendError(
                "recipient", f"{where}: accepted for some recipients, refused: {_summary(details)}",
                permanent=True, refused=details,
            )

    def _mail_options(self, connection: smtplib.SMTP, from_addr: str,
                      to_addrs: Sequence[str]) -> list[str]:
        """SMTPUTF8 for internationalised addresses (RFC 6531), when the server offers it."""
        if all(address.isascii() for address in (from_addr, *to_addrs)):
            return []
        try:
            connection.ehlo_or_helo_if_needed()
        except (smtplib.SMTPException, OSError) as err:
            self._discard()
            raise SendError("disconnected", f"{self._where}: EHLO failed: {err}") from err
        if connection.has_extn("smtputf8"):
            return ["SMTPUTF8"]
        raise SendError("recipient", f"{self._where}: a non-ASCII address needs SMTPUTF8, "
                        "which the server does not offer", permanent=True)

    def _connect(self) -> smtplib.SMTP:
        """The open connection, or a new one: TLS as configured, logged in if a user is set."""
        if self._connection is not None:
            return self._connection
        settings = self.settings
        timeout = settings.timeout_seconds
        connection: smtplib.SMTP | None = None
        try:
            if settings.tls is TlsMode.SSL:
                connection = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=timeout, context=_tls_context(settings)
                )
            else:
                connection = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
                if settings.tls is TlsMode.STARTTLS:
                    connection.starttls(context=_tls_context(settings))
            if settings.user:
                connection.login(settings.user, self._password or "")
        except smtplib.SMTPAuthenticationError as err:
            self._drop(connection)
            # Not permanent: once the credentials are fixed the same message goes through.
            raise SendError(
                "auth", f"{self._where}: login refused: {_answer(err)}", code=err.smtp_code
            ) from err
        except smtplib.SMTPNotSupportedError as err:
            self._drop(connection)
            raise SendError("protocol", f"{self._where}: {err}") from err
        except ssl.SSLError as err:
            self._drop(connection)
            raise SendError("tls", f"{self._where}: TLS failed: {err}") from err
        except (TimeoutError, socket.timeout) as err:
            self._drop(connection)
            raise SendError("timeout", f"{self._where}: no answer within {timeout:g} s") from err
        except smtplib.SMTPResponseException as err:
            self._drop(connection)
            # Refused at greeting or TLS set-up: about the server, not this message.
            raise SendError(
                "protocol", f"{self._where}: {_answer(err)}", code=err.smtp_code
            ) from err
        except (smtplib.SMTPException, OSError) as err:
            self._drop(connection)
            raise SendError("connect", f"{self._where}: cannot connect: {err}") from err
        self._connection = connection
        return connection

    def _discard(self) -> None:
        connection, self._connection = self._connection, None
        self._drop(connection)

    @staticmethod
    def _drop(connection: smtplib.SMTP | None) -> None:
        if connection is not None:
            connection.close()

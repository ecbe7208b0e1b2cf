"""The SMTP adapter against a real aiosmtpd server."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from pipeline.adapters.smtp import SendError, SmtpSender
from pipeline.devservers.certs import make_self_signed_cert
from pipeline.devservers.ports import free_port
from pipeline.devservers.smtp_sink import SmtpSink
from pipeline.settings import SmtpSettings, TlsMode

pytestmark = pytest.mark.smtp

SENDER = "jht-cabang-a@example.test"
PARTICIPANT = "peserta@example.test"


def _reply(n: int = 1) -> bytes:
    return (
        f"From: BPJS Ketenagakerjaan Cabang A <{SENDER}>\r\n"
        f"To: <{PARTICIPANT}>\r\n"
        f"Subject: Kelengkapan dokumen klaim JHT {n}\r\n"
        f"Message-ID: <reply-{n}@example.test>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Mohon lengkapi dokumen berikut: KTP, Kartu Keluarga.\r\n"
    ).encode("utf-8")


def _settings(port: int, **update: object) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, timeout_seconds=5).model_copy(update=update)


def test_send_lands_in_the_sink_with_its_envelope(smtp_sink: SmtpSink) -> None:
    SmtpSender(_settings(smtp_sink.port), None).send(_reply(), SENDER, [PARTICIPANT])
    (received,) = smtp_sink.received()
    assert received.raw == _reply()
    assert received.mail_from == SENDER
    assert received.rcpt_tos == (PARTICIPANT,)
    (message,) = smtp_sink.wait_for(1, timeout=2)
    assert message["X-Envelope-From"] == f"<{SENDER}>"
    assert message["Message-ID"] == "<reply-1@example.test>"


def test_one_connection_carries_several_sends(smtp_sink: SmtpSink) -> None:
    with SmtpSender(_settings(smtp_sink.port), None) as sender:
        for n in range(3):
            sender.send(_reply(n), SENDER, [PARTICIPANT, "arsip@example.test"])
    received = smtp_sink.received()
    assert [r.raw for r in received] == [_reply(n) for n in range(3)]
    assert all(r.rcpt_tos == (PARTICIPANT, "arsip@example.test") for r in received)


def test_server_that_is_down_is_a_temporary_failure() -> None:
    sender = SmtpSender(_settings(free_port()), None)
    with pytest.raises(SendError) as caught:
        sender.send(_reply(), SENDER, [PARTICIPANT])
    assert caught.value.reason == "connect"
    assert caught.value.permanent is False


def test_refused_recipient_is_permanent(tmp_path: Path) -> None:
    with SmtpSink(tmp_path / "sink", reject_recipients=[PARTICIPANT]) as sink:
        with pytest.raises(SendError) as caught:
            SmtpSender(_settings(sink.port), None).send(_reply(), SENDER, [PARTICIPANT])
        assert sink.received() == []
    error = caught.value
    assert (error.reason, error.permanent) == ("recipient", True)
    assert error.refused[PARTICIPANT][0] == 550


def test_deferred_recipient_is_temporary(tmp_path: Path) -> None:
    with SmtpSink(tmp_path / "sink", defer_recipients=[PARTICIPANT]) as sink:
        with pytest.raises(SendError) as caught:
            SmtpSender(_settings(sink.port), None).send(_reply(), SENDER, [PARTICIPANT])
    assert (caught.value.reason, caught.value.permanent) == ("recipient", False)
    assert caught.value.refused[PARTICIPANT][0] == 451


def test_partly_refused_recipients_is_permanent_so_nothing_is_sent_twice(tmp_path: Path) -> None:
    with SmtpSink(tmp_path / "sink", reject_recipients=["hilang@example.test"]) as sink:
        with pytest.raises(SendError) as caught:
            SmtpSender(_settings(sink.port), None).send(
                _reply(), SENDER, [PARTICIPANT, "hilang@example.test"]
            )
        (received,) = sink.received()
    assert received.rcpt_tos == (PARTICIPANT,)
    assert caught.value.permanent is True
    assert set(caught.value.refused) == {"hilang@example.test"}


class _CollectingHandler:
    """Keeps the bytes of each accepted message in memory."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.received.append(bytes(envelope.original_content or b""))
        return "250 OK"


class _ClosingHandler:
    """Answers 421 and hangs up at MAIL FROM: a server going away mid-session."""

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        return "421 4.3.2 Service shutting down"


def test_kept_connection_dropped_by_the_server_is_reopened_once() -> None:
    handler = _CollectingHandler()
    # The server closes connections idle for more than 0.2 s.
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), timeout=0.2)
    controller.start()
    try:
        with SmtpSender(_settings(controller.port), None) as sender:
            sender.send(_reply(1), SENDER, [PARTICIPANT])
            time.sleep(0.5)
            sender.send(_reply(2), SENDER, [PARTICIPANT])
    finally:
        controller.stop()
    assert handler.received == [_reply(1), _reply(2)]


@pytest.fixture
def closing_server() -> Iterator[int]:
    port = free_port()
    controller = Controller(_ClosingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_server_closing_the_session_is_temporary(closing_server: int) -> None:
    with pytest.raises(SendError) as caught:
        SmtpSender(_settings(closing_server), None).send(_reply(), SENDER, [PARTICIPANT])
    assert caught.value.permanent is False
    assert caught.value.code == 421


def test_starttls_with_the_servers_ca_and_auth(tmp_path: Path) -> None:
    pair = make_self_signed_cert(tmp_path / "tls")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(pair.cert), str(pair.key))
    logins: list[tuple[str, str]] = []
    lock = threading.Lock()

    def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: object) -> object:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        assert isinstance(auth_data, LoginPassword)
        login, password = (
            value.decode() if isinstance(value, bytes) else str(value)
            for value in (auth_data.login, auth_data.password)
        )
        with lock:
            logins.append((login, password))
        # handled=False: aiosmtpd then answers 535 itself on failure.
        return AuthResult(success=(login, password) == ("cabang-a", "rahasia"), handled=False)

    port = free_port()
    handler = _CollectingHandler()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, tls_context=context,
        require_starttls=True, authenticator=authenticate, auth_required=True,
    )
    controller.start()
    try:
        settings = _settings(port, tls=TlsMode.STARTTLS, cafile=pair.cert, user="cabang-a")
        SmtpSender(settings, "rahasia").send(_reply(), SENDER, [PARTICIPANT])
        assert handler.received == [_reply()]

        with pytest.raises(SendError) as wrong:
            SmtpSender(settings, "salah").send(_reply(), SENDER, [PARTICIPANT])
        assert (wrong.value.reason, wrong.value.permanent) == ("auth", False)

        untrusted = settings.model_copy(update={"cafile": None})
        with pytest.raises(SendError) as tls:
            SmtpSender(untrusted, "rahasia").send(_reply(), SENDER, [PARTICIPANT])
        assert (tls.value.reason, tls.value.permanent) == ("tls", False)
    finally:
        controller.stop()
    # smtplib tries each offered mechanism (PLAIN, then LOGIN) before giving up.
    assert logins[0] == ("cabang-a", "rahasia")
    assert set(logins[1:]) == {("cabang-a", "salah")}


def test_no_recipients_is_refused_before_connecting() -> None:
    with pytest.raises(SendError) as caught:
        SmtpSender(_settings(free_port()), None).send(_reply(), SENDER, [])
    assert caught.value.permanent is True


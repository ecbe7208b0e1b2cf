"""The IMAP adapter against a real Dovecot."""

from __future__ import annotations

import os
import ssl
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import imapclient
import pytest

from pipeline.adapters.imap import FetchedMessage, MailboxError, open_mailbox
from pipeline.devservers.dovecot import DovecotServer, password_env_name
from pipeline.devservers.ports import free_port
from pipeline.settings import ImapSettings, TlsMode

pytestmark = pytest.mark.imap

LOGIN = "branch-a"
KEYWORD = "$Intake-Done"


def _message(n: int) -> bytes:
    return (
        f"From: Peserta {n} <peserta{n}@example.test>\r\n"
        f"To: jht-cabang-a@example.test\r\n"
        f"Subject: Klaim JHT {n}\r\n"
        f"Message-ID: <claim-{n}@example.test>\r\n"
        f"Date: Mon, 2 Jun 2025 09:{n:02d}:00 +0700\r\n"
        f"\r\n"
        f"Dokumen terlampir nomor {n}.\r\n"
    ).encode("ascii")


def _settings(server: DovecotServer, folder: str = "INBOX") -> ImapSettings:
    return server.imap_settings(LOGIN, password_env_name(LOGIN), folder=folder)


def _password(server: DovecotServer) -> str:
    return os.environ[password_env_name(LOGIN)]


def _raw_client(server: DovecotServer) -> imapclient.IMAPClient:
    client = imapclient.IMAPClient(server.host, server.port, ssl=False)
    client.login(LOGIN, server.users[LOGIN])
    return client


def test_plain_connection_selects_an_empty_inbox(dovecot: DovecotServer) -> None:
    with open_mailbox(_settings(dovecot), _password(dovecot)) as box:
        assert box.folder == "INBOX"
        assert box.uidvalidity() > 0
        assert box.list_uids() == []


@pytest.mark.parametrize("mode", [TlsMode.SSL, TlsMode.STARTTLS])
def test_tls_connection_verifies_with_the_servers_cafile(
    traversable_dir: Path, mode: TlsMode
) -> None:
    with DovecotServer(traversable_dir / "tls", {LOGIN: "rahasia"}, tls=True) as server:
        assert server.cafile is not None and server.starttls_port is not None
        base = server.imap_settings(LOGIN, "UNUSED")
        port = server.port if mode is TlsMode.SSL else server.starttls_port
        settings = base.model_copy(update={"tls": mode, "port": port})
        with open_mailbox(settings, "rahasia") as box:
            box.append("INBOX", _message(1))
            assert len(box.list_uids()) == 1

        # Without the server's CA the same certificate must be refused.
        untrusted = settings.model_copy(update={"cafile": None})
        with pytest.raises(MailboxError) as caught:
            with open_mailbox(untrusted, "rahasia"):
                pass
        assert caught.value.reason == "tls"
        assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)


def test_wrong_password_is_an_auth_error_that_never_shows_the_password(
    dovecot: DovecotServer,
) -> None:
    wrong = "salah-sekali-123"
    with pytest.raises(MailboxError) as caught:
        with open_mailbox(_settings(dovecot), wrong):
            pass
    error = caught.value
    assert error.reason == "auth"
    assert (error.host, error.port, error.user) == (dovecot.host, dovecot.port, LOGIN)
    assert LOGIN in str(error) and str(dovecot.port) in str(error)
    assert wrong not in str(error) and wrong not in repr(error.__cause__)


def test_closed_port_is_a_connect_error(dovecot: DovecotServer) -> None:
    settings = _settings(dovecot).model_copy(update={"port": free_port()})
    with pytest.raises(MailboxError) as caught:
        with open_mailbox(settings, _password(dovecot)):
            pass
    assert caught.value.reason == "connect"
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


def test_plain_client_on_the_tls_port_is_not_a_crash(traversable_dir: Path) -> None:
    with DovecotServer(traversable_dir / "tls", {LOGIN: "rahasia"}, tls=True) as server:
        settings = server.imap_settings(LOGIN, "UNUSED").model_copy(
            update={"tls": TlsMode.NONE, "timeout_seconds": 0.5}
        )
        with pytest.raises(MailboxError) as caught:
            with open_mailbox(settings, "rahasia"):
                pass
        # The server waits for a TLS handshake, the client for a greeting.
        assert caught.value.reason == "timeout"


def test_missing_folder_is_a_folder_error(dovecot: DovecotServer) -> None:
    with pytest.raises(MailboxError) as caught:
        with open_mailbox(_settings(dovecot, folder="Tidak-Ada"), _password(dovecot)):
            pass
    assert caught.value.reason == "folder"
    assert "Tidak-Ada" in str(caught.value)


def test_appended_message_comes_back_byte_for_byte_with_its_date(dovecot: DovecotServer) -> None:
    jakarta = timezone(timedelta(hours=7))
    sent_at = datetime(2025, 6, 2, 9, 15, 30, tzinfo=jakarta)
    with open_mailbox(_settings(dovecot), _password(dovecot)) as box:
        box.append("INBOX", _message(1), internal_date=sent_at)
        box.append("INBOX", _message(2))
        uids = box.list_uids()
        assert len(uids) == 2 and uids == sorted(uids)
        fetched = list(box.fetch(uids))
    assert [m.raw for m in fetched] == [_message(1), _message(2)]
    assert [m.uid for m in fetched] == uids
    first = fetched[0]
    assert first.internal_date == sent_at
    assert first.internal_date is not None and first.internal_date.utcoffset() == timedelta(0)
    assert fetched[1].internal_date is not None
    assert abs(fetched[1].internal_date - datetime.now(UTC)) < timedelta(minutes=1)


def test_fetch_keeps_the_requested_order_and_skips_vanished_uids(dovecot: DovecotServer) -> None:
    with open_mailbox(_settings(dovecot), _password(dovecot)) as box:
        for n in range(3):
            box.append("INBOX", _message(n))
        uids = box.list_uids()
        wanted = [uids[2], 9999, uids[0]]
        fetched = list(box.fetch(wanted))
    assert [m.uid for m in fetched] == [uids[2], uids[0]]
    assert all(isinstance(m, FetchedMessage) for m in fetched)


def test_fetch_does_not_mark_messages_seen(dovecot: DovecotServer) -> None:
    with open_mailbox(_settings(dovecot), _password(dovecot)) as box:
        box.append("INBOX", _message(1))
        (uid,) = box.list_uids()
        assert len(list(box.fetch([uid]))) == 1
    client = _raw_client(dovecot)
    try:
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags([uid])[uid]
    finally:
        client.logout()
    assert imapclient.SEEN not in flags


def test_keyword_persists_across_sessions(dovecot: DovecotServer) -> None:
    with open_mailbox(_settings(dovecot), _password(dovecot)) as box:
        for n in range(3):
            box.append("INBOX", _message(n))
        uids = box.list_uids()
        assert box.uids_with_keyword(KEYWORD) == set()
        box.add_keyword(uids[1], KEYWORD)
    with open_mailbox(_settings(dovecot), _password(dovecot)) as box:
        assert box.uids_with_keyword(KEYWORD) == {uids[1]}
        assert box.uids_with_keyword("$Other") == set()


def test_move_creates_the_folder_and_moves_the_message(dovecot: DovecotServer) -> None:
    with open_mailbox(_settings(dovecot), _password(dovecot)) as box:
        box.append("INBOX", _message(1))
        box.append("INBOX", _message(2))
        first, second = box.list_uids()
        box.move(first, "Processed/2025")
        assert box.list_uids() == [second]
    with open_mailbox(_settings(dovecot, folder="Processed/2025"), _password(dovecot)) as moved:
        (uid,) = moved.list_uids()
        assert [m.raw for m in moved.fetch([uid])] == [_message(1)]


def test_users_do_not_see_each_others_mail(dovecot: DovecotServer) -> None:
    with open_mailbox(_settings(dovecot), _password(dovecot)) as box:
        box.append("INBOX", _message(1))
    other = dovecot.imap_settings("branch-b", password_env_name("branch-b"))
    with open_mailbox(other, os.environ[password_env_name("branch-b")]) as box:
        assert box.list_uids() == []

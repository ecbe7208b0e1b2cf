"""The throwaway servers themselves: Dovecot and the SMTP sink."""

from __future__ import annotations

import os
import smtplib
import socket
import stat
import threading
import time
from pathlib import Path

import pytest

from pipeline.adapters.imap import open_mailbox
from pipeline.devservers.dovecot import DovecotError, DovecotServer, password_env_name
from pipeline.devservers.scratch import make_traversable_dir, untraversable_parents
from pipeline.devservers.smtp_sink import SmtpSink

KEYWORD = "$Intake-Done"


def _message(n: int) -> bytes:
    return f"Subject: Klaim {n}\r\nMessage-ID: <m{n}@example.test>\r\n\r\nIsi {n}\r\n".encode()


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def test_traversable_dir_is_open_to_other_users() -> None:
    path = make_traversable_dir(prefix="check-")
    try:
        assert untraversable_parents(path) == []
        assert stat.S_IMODE(path.stat().st_mode) == 0o755
    finally:
        path.rmdir()


@pytest.mark.imap
def test_dovecot_starts_fast_and_stops_idempotently(traversable_dir: Path) -> None:
    server = DovecotServer(traversable_dir / "dc", {"branch-a": "rahasia"})
    started = time.monotonic()
    server.start()
    elapsed = time.monotonic() - started
    try:
        assert elapsed < 0.5, f"start took {elapsed:.3f} s"
        assert server.host == "127.0.0.1" and _accepts(server.host, server.port)
        assert server.cafile is None
        assert "starting up" in server.log_path.read_text()
    finally:
        server.stop()
    server.stop()
    assert not _accepts(server.host, server.port)


@pytest.mark.imap
def test_two_instances_run_side_by_side(traversable_dir: Path) -> None:
    first = DovecotServer(traversable_dir / "one", {"branch-a": "satu"})
    second = DovecotServer(traversable_dir / "two", {"branch-a": "dua"})
    with first, second:
        assert first.port != second.port
        settings = first.imap_settings("branch-a", "UNUSED")
        with open_mailbox(settings, "satu") as box:
            box.append("INBOX", _message(1))
        with open_mailbox(second.imap_settings("branch-a", "UNUSED"), "dua") as box:
            assert box.list_uids() == []
        with open_mailbox(settings, "satu") as box:
            assert len(box.list_uids()) == 1


@pytest.mark.imap
def test_second_server_on_the_same_root_fails_with_the_log_tail(dovecot: DovecotServer) -> None:
    twin = DovecotServer(dovecot.root, dict(dovecot.users), start_timeout=3)
    with pytest.raises(DovecotError) as caught:
        twin.start()
    assert "already running" in str(caught.value)
    # The first server is unharmed.
    assert _accepts(dovecot.host, dovecot.port)


@pytest.mark.imap
def test_dovecot_fixture_sets_each_password_in_the_environment(dovecot: DovecotServer) -> None:
    assert set(dovecot.users) == {"branch-a", "branch-b", "branch-c"}
    for login, password in dovecot.users.items():
        assert os.environ[password_env_name(login)] == password
    assert password_env_name("branch-a") == "IMAP_PASSWORD_BRANCH_A"


@pytest.mark.imap
@pytest.mark.skipif(os.geteuid() != 0, reason="only root can leave a folder closed to itself")
def test_root_under_a_closed_folder_is_refused_before_start(tmp_path: Path) -> None:
    tmp_path.chmod(0o700)
    server = DovecotServer(tmp_path / "dc", {"branch-a": "rahasia"})
    with pytest.raises(DovecotError, match="cannot enter"):
        server.start()


def test_user_entries_that_break_the_passwd_file_are_refused(traversable_dir: Path) -> None:
    with pytest.raises(DovecotError, match="branch-a"):
        DovecotServer(traversable_dir / "dc", {"branch-a": "sandi:dengan:titik-dua"})


@pytest.mark.imap
@pytest.mark.parametrize("folder", ["INBOX", "Processed/2025"])
def test_reset_uidvalidity_keeps_messages_and_keywords(dovecot: DovecotServer, folder: str) -> None:
    settings = dovecot.imap_settings("branch-b", "UNUSED", folder=folder)
    password = dovecot.users["branch-b"]
    with open_mailbox(dovecot.imap_settings("branch-b", "UNUSED"), password) as inbox:
        for n in range(3):
            inbox.append(folder, _message(n))
    with open_mailbox(settings, password) as box:
        before = box.uidvalidity()
        uids = box.list_uids()
        box.add_keyword(uids[0], KEYWORD)

    dovecot.reset_uidvalidity("branch-b", folder)

    with open_mailbox(settings, password) as box:
        assert box.uidvalidity() != before
        new_uids = box.list_uids()
        assert sorted(m.raw for m in box.fetch(new_uids)) == sorted(_message(n) for n in range(3))
        (flagged,) = box.uids_with_keyword(KEYWORD)
        (first,) = box.fetch([flagged])
        assert first.raw == _message(0)


@pytest.mark.imap
def test_reset_uidvalidity_of_a_missing_folder_is_an_error(dovecot: DovecotServer) -> None:
    with pytest.raises(DovecotError, match="does not exist"):
        dovecot.reset_uidvalidity("branch-a", "Tidak-Ada")


@pytest.mark.smtp
def test_sink_keeps_exact_bytes_and_envelope(smtp_sink: SmtpSink) -> None:
    raw = _message(7).replace(b"Isi 7", "Isi tujuh, é".encode())
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port) as client:
        client.sendmail("cabang@example.test", ["a@example.test", "b@example.test"], raw)
    (received,) = smtp_sink.received()
    assert received.raw == raw
    assert (received.mail_from, received.rcpt_tos) == (
        "cabang@example.test",
        ("a@example.test", "b@example.test"),
    )
    assert received.path.name.startswith("000001-") and received.path.suffix == ".eml"
    (message,) = smtp_sink.messages()
    assert message["X-Envelope-From"] == "<cabang@example.test>"
    assert message["X-Envelope-To"] == "<a@example.test>, <b@example.test>"
    assert message["Subject"] == "Klaim 7"


@pytest.mark.smtp
def test_sink_stores_concurrent_sends_completely(smtp_sink: SmtpSink) -> None:
    def send_five(worker: int) -> None:
        with smtplib.SMTP(smtp_sink.host, smtp_sink.port) as client:
            for n in range(5):
                client.sendmail("x@example.test", ["y@example.test"], _message(worker * 10 + n))

    threads = [threading.Thread(target=send_five, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    messages = smtp_sink.wait_for(20, timeout=5)
    assert len(messages) == 20
    names = sorted(p.name for p in smtp_sink.root.iterdir())
    assert not [name for name in names if name.endswith(".tmp")]
    assert len({name.split("-")[0] for name in names if name.endswith(".eml")}) == 20
    subjects = {m["Subject"] for m in messages}
    assert subjects == {f"Klaim {w * 10 + n}" for w in range(4) for n in range(5)}


@pytest.mark.smtp
def test_sink_wait_for_times_out_and_numbering_survives_a_restart(tmp_path: Path) -> None:
    with SmtpSink(tmp_path / "sink") as sink:
        with pytest.raises(TimeoutError):
            sink.wait_for(1, timeout=0.1)
        with smtplib.SMTP(sink.host, sink.port) as client:
            client.sendmail("x@example.test", ["y@example.test"], _message(1))
    with SmtpSink(tmp_path / "sink") as again:
        with smtplib.SMTP(again.host, again.port) as client:
            client.sendmail("x@example.test", ["y@example.test"], _message(2))
        assert [r.path.name[:6] for r in again.received()] == ["000001", "000002"]

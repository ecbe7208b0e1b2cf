"""Reading a branch inbox over IMAP (imapclient): the pipeline's only way in.

`open_mailbox` yields a `Mailbox` with one folder selected read-write. All
addressing is by UID, so a message keeps its identity across sessions as
long as the folder's UIDVALIDITY stays the same. Fetching never marks a
message read (BODY.PEEK[]): what happens to a message afterwards is the
caller's post-action (a keyword, a move), taken only once its result is safe.

Every failure, at connect time or later, surfaces as MailboxError with a
reason code and the account it concerns (host, port, user; never the
password), chained to the original exception.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import imapclient
from imapclient import exceptions as imap_errors

from pipeline.settings import ImapSettings, TlsMode

_FETCH_ITEMS = [b"BODY.PEEK[]", b"INTERNALDATE"]
# Messages per FETCH round trip; bounds the memory one response can take.
_FETCH_CHUNK = 20

REASONS = ("connect", "tls", "auth", "folder", "protocol", "timeout")


class MailboxError(Exception):
    """An IMAP step failed. `reason` is one of REASONS; the message names the account."""

    def __init__(
        self, reason: str, message: str, host: str = "", port: int = 0, user: str = ""
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.host = host
        self.port = port
        self.user = user

    def __str__(self) -> str:
        return f"[{self.reason}] imap://{self.user}@{self.host}:{self.port}: {super().__str__()}"


@dataclass(frozen=True)
class FetchedMessage:
    """One message as the server holds it; `internal_date` is aware, in UTC."""

    uid: int
    raw: bytes
    internal_date: datetime | None


class Mailbox(Protocol):
    """One selected folder of one account; UIDs refer to that folder."""

    folder: str

    def uidvalidity(self) -> int:
        """The folder's UIDVALIDITY: when it changes, every stored UID is stale."""
        ...

    def list_uids(self) -> list[int]:
        """Every UID in the folder, ascending."""
        ...

    def fetch(self, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        """The messages for `uids`, in that order, without setting \\Seen; vanished UIDs skipped."""
        ...

    def uids_with_keyword(self, keyword: str) -> set[int]:
        """UIDs of the messages in the folder carrying `keyword`."""
        ...

    def add_keyword(self, uid: int, keyword: str) -> None:
        """Set `keyword` on message `uid` (kept by the server across sessions)."""
        ...

    def move(self, uid: int, folder: str) -> None:
        """Move message `uid` to `folder`, creating the folder if missing."""
        ...

    def append(self, folder: str, raw: bytes, internal_date: datetime | None = None) -> None:
        """Store `raw` as a new message in `folder` (created if missing).

        `internal_date` defaults to the server's clock; a naive one is taken as UTC.
        """
        ...

    def close(self) -> None:
        """Log out; the mailbox cannot be used afterwards."""
        ...


def _tls_context(imap: ImapSettings) -> ssl.SSLContext:
    """System CAs plus `imap.cafile`; chain and host name always verified."""
    context = ssl.create_default_context()
    if imap.cafile is not None:
        context.load_verify_locations(cafile=str(imap.cafile))
    return context


def _as_utc(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        # imapclient only drops the zone when asked to normalise; treat as UTC.
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _text(value: object) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


class ImapMailbox:
    """The imapclient implementation of `Mailbox`; made by `open_mailbox`."""

    def __init__(self, client: imapclient.IMAPClient, imap: ImapSettings, uidvalidity: int) -> None:
        self._client = client
        self._imap = imap
        self._uidvalidity = uidvalidity
        self.folder = imap.folder

    def _error(self, reason: str, message: str) -> MailboxError:
        imap = self._imap
        return MailboxError(reason, message, imap.host, imap.port, imap.user)

    @contextmanager
    def _step(self, what: str) -> Iterator[None]:
        """Turn any failure inside the block into MailboxError naming `what`."""
        try:
            yield
        except MailboxError:
            raise
        except (TimeoutError, socket.timeout) as err:
            raise self._error("timeout", f"{what}: no answer in time") from err
        except ssl.SSLError as err:
            raise self._error("tls", f"{what}: TLS failed: {err}") from err
        except imap_errors.IMAPClientAbortError as err:
            raise self._error("connect", f"{what}: connection lost: {_text(err)}") from err
        except (imap_errors.IMAPClientError, imap_errors.ProtocolError) as err:
            raise self._error("protocol", f"{what}: {_text(err)}") from err
        except OSError as err:
            raise self._error("connect", f"{what}: connection lost: {err}") from err

    def uidvalidity(self) -> int:
        return self._uidvalidity

    def list_uids(self) -> list[int]:
        with self._step(f"list messages in {self.folder}"):
            return sorted(int(uid) for uid in self._client.search("ALL"))

    def fetch(self, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        wanted = list(uids)
        for start in range(0, len(wanted), _FETCH_CHUNK):
            chunk = wanted[start : start + _FETCH_CHUNK]
            with self._step(f"fetch {len(chunk)} message(s) from {self.folder}"):
                response = self._client.fetch(chunk, _FETCH_ITEMS)
            for uid in chunk:
                data = response.get(uid)
                # Expunged by another session since it was listed: nothing to fetch.
                if data is None or b"BODY[]" not in data:
                    continue
                yield FetchedMessage(
                    uid=uid,
                    raw=bytes(data[b"BODY[]"]),
                    internal_date=_as_utc(data.get(b"INTERNALDATE")),
                )

    def uids_with_keyword(self, keyword: str) -> set[int]:
        with self._step(f"search {self.folder} for keyword {keyword}"):
            return {int(uid) for uid in self._client.search(["KEYWORD", keyword])}

    def add_keyword(self, uid: int, keyword: str) -> None:
        with self._step(f"set keyword {keyword} on UID {uid}"):
            self._client.add_flags([uid], [keyword.encode("ascii")], silent=True)

    def move(self, uid: int, folder: str) -> None:
        with self._step(f"move UID {uid} from {self.folder} to {folder}"):
            self._ensure_folder(folder)
            if self._client.has_capability("MOVE"):
                self._client.move([uid], folder)
                return
            self._client.copy([uid], folder)
            self._client.add_flags([uid], [imapclient.DELETED], silent=True)
            if self._client.has_capability("UIDPLUS"):
                self._client.uid_expunge([uid])
            else:
                # Without UIDPLUS, EXPUNGE also removes other messages that are
                # marked \Deleted; the server leaves no narrower way.
                self._client.expunge()

    def append(self, folder: str, raw: bytes, internal_date: datetime | None = None) -> None:
        if internal_date is not None and internal_date.tzinfo is None:
            # imapclient would read a naive time as local time; the contract is UTC.
            internal_date = internal_date.replace(tzinfo=UTC)
        with self._step(f"append a message to {folder}"):
            self._ensure_folder(folder)
            self._client.append(folder, raw, flags=(), msg_time=internal_date)

    def _ensure_folder(self, folder: str) -> None:
        if not self._client.folder_exists(folder):
            self._client.create_folder(folder)
            self._client.subscribe_folder(folder)

    def close(self) -> None:
        try:
            self._client.logout()
        except (imap_errors.IMAPClientError, OSError):
            # The session is over either way; a dead socket cannot say BYE.
            self._client.shutdown()


def _connect(imap: ImapSettings, password: str) -> imapclient.IMAPClient:
    """Connected, TLS as configured, logged in; raises MailboxError."""

    def error(reason: str, message: str) -> MailboxError:
        return MailboxError(reason, message, imap.host, imap.port, imap.user)

    client: imapclient.IMAPClient | None = None
    step = "connect"
    try:
        client = imapclient.IMAPClient(
            imap.host,
            imap.port,
            ssl=imap.tls is TlsMode.SSL,
            ssl_context=_tls_context(imap) if imap.tls is TlsMode.SSL else None,
            timeout=imap.timeout_seconds,
        )
        if imap.tls is TlsMode.STARTTLS:
            step = "starttls"
            client.starttls(_tls_context(imap))
        # Keep INTERNALDATE's zone so it can be stated in UTC.
        client.normalise_times = False
        step = "login"
        client.login(imap.user, password)
        return client
    except imap_errors.LoginError as err:
        _shutdown(client)
        raise error("auth", f"login refused: {_text(err)}") from err
    except ssl.SSLError as err:
        _shutdown(client)
        raise error("tls", f"TLS failed: {err}") from err
    except (TimeoutError, socket.timeout) as err:
        _shutdown(client)
        raise error("timeout", f"{step}: no answer within {imap.timeout_seconds:g} s") from err
    except (imap_errors.IMAPClientError, imap_errors.ProtocolError) as err:
        _shutdown(client)
        # A server that refuses or lacks STARTTLS cannot give the session we were told to use.
        reason = "tls" if step == "starttls" else "protocol"
        raise error(reason, f"{step}: {_text(err)}") from err
    except OSError as err:
        _shutdown(client)
        raise error("connect", f"cannot connect: {err}") from err


def _shutdown(client: imapclient.IMAPClient | None) -> None:
    if client is None:
        return
    try:
        client.shutdown()
    except OSError:
        pass


@contextmanager
def open_mailbox(imap: ImapSettings, password: str) -> Iterator[Mailbox]:
    """Log in to `imap`, select `imap.folder` read-write, yield it, log out on exit.

    Raises MailboxError with reason "connect", "tls", "auth", "timeout",
    "protocol", or "folder" when the folder cannot be selected.
    """
    client = _connect(imap, password)
    try:
        selected = client.select_folder(imap.folder, readonly=False)
    except (imap_errors.IMAPClientError, OSError) as err:
        _shutdown(client)
        if isinstance(err, (TimeoutError, socket.timeout)):
            reason = "timeout"
        elif isinstance(err, (imap_errors.IMAPClientAbortError, OSError)):
            reason = "connect"
        else:
            # A tagged NO: the folder does not exist or may not be opened.
            reason = "folder"
        raise MailboxError(
            reason, f"cannot select folder {imap.folder!r}: {_text(err)}",
            imap.host, imap.port, imap.user,
        ) from err
    mailbox = ImapMailbox(client, imap, int(selected[b"UIDVALIDITY"]))
    try:
        yield mailbox
    finally:
        mailbox.close()

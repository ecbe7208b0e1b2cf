"""A throwaway Dovecot IMAP server for tests and the local demo.

The server runs in the foreground from a generated configuration
(`dovecot -F -c ROOT/dovecot.conf`) with its own base, state and log paths,
listens on loopback only and never reads /etc/dovecot. Users and their
passwords come from a `passwd-file`; mail is kept as Maildir under
ROOT/mail/<user>/Maildir.

Started as root, Dovecot runs mail sessions as nobody:nogroup and its login
and auth processes as its own users, so ROOT and every folder above it must
be enterable by others (see `scratch.make_traversable_dir`). Started as an
ordinary user, every process runs as that user.
"""

from __future__ import annotations

import atexit
import grp
import hashlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from imapclient import imap_utf7

from pipeline.devservers.certs import make_self_signed_cert
from pipeline.devservers.ports import free_port
from pipeline.devservers.base import LocalServer, log_tail, prepare_root
from pipeline.settings import ImapSettings, TlsMode

# Dovecot keeps these next to the messages; without them it rebuilds the
# folder's UID list and gives it a fresh UIDVALIDITY.
_FOLDER_INDEX_FILES = (
    "dovecot-uidlist",
    "dovecot.index",
    "dovecot.index.log",
    "dovecot.index.log.2",
    "dovecot.index.cache",
)
_LIST_INDEX_FILES = ("dovecot.list.index", "dovecot.list.index.log", "dovecot.list.index.log.2")
_START_ATTEMPTS = 3
_LOG_TAIL_LINES = 30


def password_env_name(login: str) -> str:
    """The environment variable holding `login`'s password in tests and the demo."""
    return "IMAP_PASSWORD_" + "".join(ch if ch.isalnum() else "_" for ch in login.upper())


class DovecotError(RuntimeError):
    """Dovecot could not be configured, started or changed; the message holds its log tail."""


@dataclass(frozen=True)
class _Identity:
    """Whom the mail processes (and, when not root, every process) run as."""

    user: str
    group: str
    uid: int
    gid: int


def _process_identity() -> _Identity:
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        group = grp.getgrgid(nobody.pw_gid)
        return _Identity("nobody", group.gr_name, nobody.pw_uid, nobody.pw_gid)
    me = pwd.getpwuid(os.geteuid())
    group = grp.getgrgid(os.getegid())
    return _Identity(me.pw_name, group.gr_name, me.pw_uid, group.gr_gid)


def _check_user_entry(login: str, password: str) -> None:
    # The passwd-file format is colon-separated, one user per line.
    for value, what in ((login, "login"), (password, "password")):
        if not value or any(ch in value for ch in ":\r\n\0"):
            raise DovecotError(f"{what} for user {login!r} is empty or holds ':' or a line break")


class DovecotServer(LocalServer):
    """One Dovecot instance on free loopback ports; start() then stop(), or use `with`.

    `port` speaks implicit TLS when `tls=True` (certificate in `cafile`,
    subjectAltName IP:127.0.0.1) and plain IMAP otherwise; with TLS,
    `starttls_port` is a second, plain listener that offers STARTTLS.
    Both are picked at start().
    """

    host: str = "127.0.0.1"

    def __init__(
        self,
        root: Path,
        users: Mapping[str, str],
        tls: bool = False,
        start_timeout: float = 10.0,
    ) -> None:
        for login, password in users.items():
            _check_user_entry(login, password)
        self.root = root.resolve()
        self.users: dict[str, str] = dict(users)
        self.tls = tls
        self.start_timeout = start_timeout
        self.port = 0
        self.starttls_port: int | None = None
        self.cafile: Path | None = None
        self.log_path = self.root / "dovecot.log"
        self.config_path = self.root / "dovecot.conf"
        self.stderr_path = self.root / "dovecot.stderr"
        self._identity = _process_identity()
        # Started by root, Dovecot drops privileges per process; otherwise
        # every process must run as the starting user.
        self._as_root = os.geteuid() == 0
        self._process: subprocess.Popen[bytes] | None = None

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        """Write the configuration, start Dovecot and wait until it greets.

        Raises DovecotError, with the tail of the Dovecot log, when it exits
        or does not answer within `start_timeout` seconds.
        """
        if self._process is not None:
            raise DovecotError(f"Dovecot in {self.root} is already running")
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise DovecotError("the dovecot binary is not installed (apt package dovecot-imapd)")
        self._prepare_root()
        for attempt in range(1, _START_ATTEMPTS + 1):
            self.port = free_port(self.host)
            self.starttls_port = free_port(self.host) if self.tls else None
            self.config_path.write_text(self._config_text(), encoding="utf-8")
            log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            # A file, not a pipe: children inherit it, and waiting for a pipe's
            # end would wait for the slowest of them.
            with self.stderr_path.open("wb") as stderr_file:
                self._process = subprocess.Popen(
                    [binary, "-F", "-c", str(self.config_path)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr_file,
                    # Own process group: stop() can reach the children too.
                    start_new_session=True,
                )
            try:
                self._wait_ready()
                # An interrupted test run must not leave the server behind.
                atexit.register(self.stop)
                return
            except DovecotError:
                self._reap()
                stderr = self.stderr_path.read_text(encoding="utf-8", errors="replace")
                log = self._log_since(log_offset)
                port_taken = "Address already in use" in log + stderr
                if port_taken and attempt < _START_ATTEMPTS:
                    continue
                raise DovecotError(
                    f"Dovecot did not start on {self.host}:{self.port}\n"
                    f"stderr: {stderr.strip()}\nlog tail:\n{self.log_tail()}"
                ) from None

    def stop(self) -> None:
        """Terminate Dovecot and wait for it; calling it again does nothing."""
        if self._process is None:
            return
        atexit.unregister(self.stop)
        self._reap()


    # -- what clients need -----------------------------------------------------

    def imap_settings(self, user: str, password_env: str, folder: str = "INBOX") -> ImapSettings:
        """Settings for `user` on this server; the password is read from `password_env`."""
        if user not in self.users:
            raise DovecotError(f"no user {user!r} on this server")
        if not self.port:
            raise DovecotError("start the server before asking for its settings")
        return ImapSettings(
            host=self.host,
            port=self.port,
            tls=TlsMode.SSL if self.tls else TlsMode.NONE,
            cafile=self.cafile,
            user=user,
            password_env=password_env,
            folder=folder,
            timeout_seconds=10,
        )

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        """The Maildir folder holding `folder` of `user` (Maildir++ layout)."""
        base = self.root / "mail" / user / "Maildir"
        if folder.upper() == "INBOX":
            return base
        encoded = imap_utf7.encode(folder).decode("ascii")
        return base / ("." + encoded.replace("/", "."))

    def reset_uidvalidity(self, user: str, folder: str = "INBOX") -> None:
        """Give `folder` a new UIDVALIDITY while keeping its messages, flags and keywords.

        Removes the folder's UID list and indexes; Dovecot rebuilds them on the
        next SELECT, numbering the messages afresh under a UIDVALIDITY taken
        from the user's increasing counter, so it always differs. Call it with
        no session holding the folder selected.
        """
        folder_dir = self.maildir(user, folder)
        if not (folder_dir / "cur").is_dir():
            raise DovecotError(f"{user}: folder {folder!r} does not exist ({folder_dir})")
        for name in _FOLDER_INDEX_FILES:
            (folder_dir / name).unlink(missing_ok=True)
        # The mailbox list index caches each folder's UIDVALIDITY for STATUS.
        for name in _LIST_INDEX_FILES:
            (self.maildir(user) / name).unlink(missing_ok=True)

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The last `lines` lines of the Dovecot log ("" before the first start)."""
        return log_tail(self.log_path, lines)

    # -- internals -------------------------------------------------------------

    def _prepare_root(self) -> None:
        prepare_root(self.root, self._as_root, DovecotError, "Dovecot's unprivileged processes")
        for sub in ("run", "state"):
            (self.root / sub).mkdir(exist_ok=True)
        passwd_lines = [f"{login}:{{PLAIN}}{pw}::::::" for login, pw in self.users.items()]
        passwd = self.root / "users.passwd"
        passwd.write_text("\n".join(passwd_lines) + "\n", encoding="utf-8")
        passwd.chmod(0o600)
        if self._as_root:
            # The auth process reads it as Dovecot's internal user, never as root.
            os.chown(passwd, 0, grp.getgrnam("dovecot").gr_gid)
            passwd.chmod(0o640)
        ident = self._identity
        for login in self.users:
            home = self.root / "mail" / login
            home.mkdir(parents=True, exist_ok=True)
            if self._as_root:
                os.chown(home, ident.uid, ident.gid)
        (self.root / "mail").chmod(0o755)
        if self.tls and self.cafile is None:
            pair = make_self_signed_cert(self.root / "tls", ip=self.host)
            self.cafile = pair.cert

    def _config_text(self) -> str:
        ident = self._identity
        root = self.root
        # A stable, per-root name keeps instances apart in `doveadm instance list`.
        instance = "jht-" + hashlib.sha256(str(root).encode()).hexdigest()[:12]
        lines = [
            f"instance_name = {instance}",
            f"base_dir = {root}/run",
            f"state_dir = {root}/state",
            f"log_path = {self.log_path}",
            "protocols = imap",
            f"listen = {self.host}",
            "disable_plaintext_auth = no",
            "auth_mechanisms = plain login",
            "mail_location = maildir:~/Maildir",
            f"first_valid_uid = {ident.uid}",
            f"last_valid_uid = {ident.uid}",
            "shutdown_clients = yes",
            # Tests try wrong passwords on purpose; no need to slow them down.
            "auth_failure_delay = 0",
            "namespace inbox {",
            "  inbox = yes",
            "  separator = /",
            "}",
            "passdb {",
            "  driver = passwd-file",
            f"  args = scheme=PLAIN username_format=%u {root}/users.passwd",
            "}",
            "userdb {",
            "  driver = static",
            f"  args = uid={ident.uid} gid={ident.gid} home={root}/mail/%u",
            "}",
        ]
        if self.tls:
            assert self.cafile is not None and self.starttls_port is not None
            lines += [
                "ssl = yes",
                f"ssl_cert = <{self.cafile}",
                f"ssl_key = <{self.cafile.with_name('server.key')}",
                "service imap-login {",
                f"  inet_listener imap {{\n    port = {self.starttls_port}\n  }}",
                f"  inet_listener imaps {{\n    port = {self.port}\n    ssl = yes\n  }}",
            ]
        else:
            lines += [
                "ssl = no",
                "service imap-login {",
                f"  inet_listener imap {{\n    port = {self.port}\n  }}",
                "  inet_listener imaps {\n    port = 0\n  }",
            ]
        if not self._as_root:
            lines += ["  chroot =", "}", "service anvil {", "  chroot =", "}"]
            lines += [
                f"default_internal_user = {ident.user}",
                f"default_internal_group = {ident.group}",
                f"default_login_user = {ident.user}",
            ]
        else:
            lines.append("}")
        return "\n".join(lines) + "\n"

    def _wait_ready(self) -> None:
        """Return once the IMAP greeting arrives on `port`; raise DovecotError otherwise."""
        assert self._process is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise DovecotError("Dovecot exited during start-up")
            if self._greets():
                return
            time.sleep(0.01)
        raise DovecotError(f"Dovecot did not answer within {self.start_timeout:.0f} s")

    def _greets(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1) as conn:
                if self.tls:
                    # The TLS port only greets after a handshake; accepting the
                    # connection shows the login process is up.
                    return True
                return conn.recv(64).startswith(b"* OK")
        except OSError:
            return False

    def _reap(self) -> None:
        """Terminate the process group and wait for the master."""
        process, self._process = self._process, None
        if process is None:
            return
        # Signalling the whole group ends every process at once in a few
        # milliseconds; SIGTERM to the master alone takes a second while it
        # waits on its children, which a test suite pays per test. A login
        # process forked as the signal lands misses it and keeps the master
        # waiting for seconds: past a short grace, SIGKILL. Nothing is lost by
        # that, as Dovecot has committed every change it acknowledged.
        for sig, grace in ((signal.SIGTERM, 0.2), (signal.SIGKILL, 10.0)):
            if process.poll() is not None:
                break
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                continue
        process.wait()
        # A child caught mid-start can outlive the master; do not leave it behind.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def _log_since(self, offset: int) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                return log.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

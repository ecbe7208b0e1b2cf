"""Passwords, signed session cookies, CSRF tokens and the sign-in rate limit.

Sessions live in the cookie itself, signed (itsdangerous) so they cannot be
forged, with a random nonce per session; the CSRF token of a form is an HMAC
of that nonce, so it changes with every sign-in and is checked on every POST.
Sign-in attempts are counted in the database, so the limit holds across
processes and restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.store.models import LoginAttemptRow

_HASHER = PasswordHasher()
# Verifying against this when the username is unknown takes as long as a real
# check, so response times do not reveal which usernames exist.
_DUMMY_HASH = _HASHER.hash("not-a-password")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password shorter than {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class SessionData:
    nonce: str
    username: str | None = None


class SessionCodec:
    """Session cookie values signed with the desk's secret key, valid for `max_age` seconds."""

    def __init__(self, secret: str, max_age: int) -> None:
        if len(secret) < 16:
            raise ValueError("the web secret key must be at least 16 characters")
        self._serializer = URLSafeTimedSerializer(secret, salt="intake-desk-session")
        self._csrf_key = hashlib.sha256(b"intake-desk-csrf\n" + secret.encode()).digest()
        self.max_age = max_age

    def dumps(self, data: SessionData) -> str:
        return self._serializer.dumps({"n": data.nonce, "u": data.username})

    def loads(self, value: str | None) -> SessionData | None:
        if not value:
            return None
        try:
            raw = self._serializer.loads(value, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("n"), str):
            return None
        user = raw.get("u")
        return SessionData(nonce=raw["n"], username=user if isinstance(user, str) else None)

    def csrf_token(self, session: SessionData) -> str:
        return hmac.new(self._csrf_key, session.nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: SessionData | None, token: str | None) -> bool:
        if session is None or not token:
            return False
        return hmac.compare_digest(self.csrf_token(session), token)


def new_session(username: str | None = None) -> SessionData:
    return SessionData(nonce=secrets.token_urlsafe(18), username=username)


@dataclass(frozen=True)
class RateLimit:
    window: timedelta
    max_failures_user: int
    max_failures_client: int


def sign_in_blocked(session: Session, username: str, client: str, now: datetime,
                    limit: RateLimit) -> bool:
    """Too many failed attempts in the window, for this username or from this address."""
    since = now - limit.window
    by_user = session.scalar(select(func.count()).select_from(LoginAttemptRow).where(
        LoginAttemptRow.username == username, LoginAttemptRow.at >= since,
        LoginAttemptRow.success.is_(False)))
    if (by_user or 0) >= limit.max_failures_user:
        return True
    by_client = session.scalar(select(func.count()).select_from(LoginAttemptRow).where(
        LoginAttemptRow.client == client, LoginAttemptRow.at >= since,
        LoginAttemptRow.success.is_(False)))
    return (by_client or 0) >= limit.max_failures_client


def record_attempt(session: Session, username: str, client: str, success: bool,
                   now: datetime) -> None:
    session.add(LoginAttemptRow(at=now, username=username[:64], client=client[:64],
                                success=success))

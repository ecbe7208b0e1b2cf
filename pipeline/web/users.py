"""Desk accounts: creating, finding and switching them off (every change audited)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.settings import Settings
from pipeline.store.models import UserRow
from pipeline.web.desk import append_audit
from pipeline.web.scope import Role, Viewer, make_viewer, validate_assignment
from pipeline.web.security import hash_password


class UserError(ValueError):
    """A user that cannot be created as asked."""


def add_user(session: Session, settings: Settings, username: str, password: str, role: str,
             branch_id: str | None, scope: str | None, full_name: str, actor: str,
             now: datetime) -> UserRow:
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise UserError("username: letters, digits, '.', '-' and '_' only")
    try:
        kind = Role(role)
    except ValueError:
        raise UserError(f"role must be one of {', '.join(r.value for r in Role)}") from None
    validate_assignment(kind, branch_id or None, scope or None, settings)
    if session.scalars(select(UserRow).where(UserRow.username == username)).first():
        raise UserError(f"user {username!r} exists already")
    try:
        hashed = hash_password(password)
    except ValueError as err:
        raise UserError(str(err)) from None
    row = UserRow(username=username, full_name=full_name.strip(), password_hash=hashed,
                  role=kind.value, branch_id=branch_id or None, scope=scope or None, active=True,
                  created_at=now)
    session.add(row)
    session.flush()
    append_audit(session, now, actor, "user_add", None, username, None,
                 {"username": username, "role": kind.value, "branch_id": branch_id or None,
                  "scope": scope or None})
    return row


def find_user(session: Session, username: str) -> UserRow | None:
    return session.scalars(select(UserRow).where(UserRow.username == username.strip().lower())
                           ).first()


def viewer_of(row: UserRow, settings: Settings) -> Viewer:
    return make_viewer(row.username, row.full_name, row.role, row.branch_id, row.scope, settings)


def set_active(session: Session, username: str, active: bool, actor: str, now: datetime) -> None:
    row = find_user(session, username)
    if row is None:
        raise UserError(f"no user {username!r}")
    if row.active == active:
        return
    before = {"active": row.active}
    row.active = active
    append_audit(session, now, actor, "user_enable" if active else "user_disable", None,
                 row.username, before, {"active": active})


def list_users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.role, UserRow.username)))

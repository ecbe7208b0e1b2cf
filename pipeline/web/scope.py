"""Who may see what: roles and the branches each viewer's scope covers.

Pure functions over the settings; every query of the desk is filtered by
the branch ids resolved here, so a submission outside them does not exist
for the viewer (404, never 403: its existence is not confirmed either).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipeline.settings import Settings


class Role(StrEnum):
    OFFICER = "officer"  # one branch
    SUPERVISOR = "supervisor"  # a province, or a region of provinces named in the settings
    ADMIN = "admin"  # users and settings; sees every branch


ROLE_LABELS = {Role.OFFICER: "Petugas", Role.SUPERVISOR: "Supervisor", Role.ADMIN: "Admin"}


class ScopeError(ValueError):
    """A user's role and scope do not fit the settings."""


@dataclass(frozen=True)
class Viewer:
    username: str
    full_name: str
    role: Role
    branch_ids: frozenset[str]
    scope_label: str

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_see(self, branch_id: str) -> bool:
        return branch_id in self.branch_ids


def provinces_of(scope: str, settings: Settings) -> frozenset[str]:
    """The provinces a supervisor's scope names: a region from the settings, or one province."""
    region = settings.web.regions.get(scope)
    if region is not None:
        return frozenset(region)
    return frozenset({scope})


def resolve_branches(role: Role, branch_id: str | None, scope: str | None,
                     settings: Settings) -> frozenset[str]:
    """Branch ids the role and scope cover; an unknown branch or province covers nothing."""
    known = {b.id for b in settings.branches}
    if role is Role.ADMIN:
        return frozenset(known)
    if role is Role.OFFICER:
        return frozenset({branch_id}) if branch_id in known else frozenset()
    if not scope:
        return frozenset()
    provinces = provinces_of(scope, settings)
    return frozenset(b.id for b in settings.branches if b.province in provinces)


def scope_label(role: Role, branch_id: str | None, scope: str | None, settings: Settings) -> str:
    if role is Role.ADMIN:
        return "Semua cabang"
    if role is Role.OFFICER:
        names = {b.id: b.name for b in settings.branches}
        return names.get(branch_id or "", branch_id or "-")
    return scope or "-"


def validate_assignment(role: Role, branch_id: str | None, scope: str | None,
                        settings: Settings) -> None:
    """Refuse a user that would see nothing or be scoped ambiguously."""
    if role is Role.OFFICER:
        if scope:
            raise ScopeError("an officer belongs to one branch; give --branch, not --scope")
        if branch_id not in {b.id for b in settings.branches}:
            known = ", ".join(b.id for b in settings.branches)
            raise ScopeError(f"unknown branch {branch_id!r} (configured: {known})")
    elif role is Role.SUPERVISOR:
        if branch_id:
            raise ScopeError("a supervisor is scoped by --scope (province or region), "
                             "not --branch")
        if not scope or not resolve_branches(role, None, scope, settings):
            provinces = sorted({b.province for b in settings.branches})
            regions = sorted(settings.web.regions)
            raise ScopeError(f"scope {scope!r} covers no configured branch "
                             f"(provinces: {', '.join(provinces)}; "
                             f"regions: {', '.join(regions) or 'none'})")
    elif branch_id or scope:
        raise ScopeError("an admin sees every branch; give neither --branch nor --scope")


def make_viewer(username: str, full_name: str, role: str, branch_id: str | None,
                scope: str | None, settings: Settings) -> Viewer:
    kind = Role(role)
    return Viewer(username=username, full_name=full_name or username, role=kind,
                  branch_ids=resolve_branches(kind, branch_id, scope, settings),
                  scope_label=scope_label(kind, branch_id, scope, settings))

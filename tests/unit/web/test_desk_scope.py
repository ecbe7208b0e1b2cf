"""Scope resolution: which branches each role and scope covers."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.web.scope import Role, ScopeError, resolve_branches, validate_assignment
from tests.unit.web.deskdata import desk_settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return desk_settings(tmp_path_factory.mktemp("scope"))


def test_officer_sees_exactly_their_branch(settings) -> None:  # type: ignore[no-untyped-def]
    assert resolve_branches(Role.OFFICER, "alpha", None, settings) == {"alpha"}


def test_officer_of_an_unknown_branch_sees_nothing(settings) -> None:  # type: ignore[no-untyped-def]
    assert resolve_branches(Role.OFFICER, "delta", None, settings) == frozenset()
    assert resolve_branches(Role.OFFICER, None, None, settings) == frozenset()


def test_supervisor_of_a_province_sees_its_branches(settings) -> None:  # type: ignore[no-untyped-def]
    assert resolve_branches(Role.SUPERVISOR, None, "Kalimantan Timur", settings) == {
        "alpha", "gamma"}
    assert resolve_branches(Role.SUPERVISOR, None, "Kalimantan Barat", settings) == {"beta"}


def test_supervisor_of_a_region_sees_every_province_in_it(settings) -> None:  # type: ignore[no-untyped-def]
    assert resolve_branches(Role.SUPERVISOR, None, "Kalimantan", settings) == {
        "alpha", "beta", "gamma"}


def test_supervisor_scope_ignores_a_branch_and_needs_a_known_scope(settings) -> None:  # type: ignore[no-untyped-def]
    assert resolve_branches(Role.SUPERVISOR, "alpha", None, settings) == frozenset()
    assert resolve_branches(Role.SUPERVISOR, None, "Sulawesi", settings) == frozenset()


def test_admin_sees_every_branch(settings) -> None:  # type: ignore[no-untyped-def]
    assert resolve_branches(Role.ADMIN, None, None, settings) == {"alpha", "beta", "gamma"}


@pytest.mark.parametrize(("role", "branch", "scope"), [
    (Role.OFFICER, None, None),
    (Role.OFFICER, "delta", None),
    (Role.OFFICER, "alpha", "Kalimantan Timur"),
    (Role.SUPERVISOR, None, None),
    (Role.SUPERVISOR, None, "Sulawesi"),
    (Role.SUPERVISOR, "alpha", "Kalimantan Timur"),
    (Role.ADMIN, "alpha", None),
])
def test_assignments_that_would_see_nothing_or_too_much_are_refused(
        settings, role: Role, branch: str | None, scope: str | None) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScopeError):
        validate_assignment(role, branch, scope, settings)

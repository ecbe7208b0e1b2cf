"""Loading a generated world into real Dovecot inboxes and the records database."""

from __future__ import annotations

import email.utils
import os
from pathlib import Path

import pytest

from fixtures.loader import load_into_imap
from fixtures.world import DEMO_BRANCHES, generate_world, write_world
from pipeline.adapters.imap import open_mailbox
from pipeline.devservers.dovecot import DovecotServer, password_env_name
from pipeline.settings import Settings, parse_settings
from pipeline.store.db import make_engine, make_sessionmaker
from pipeline.store.records import find_booking, find_participant

pytestmark = pytest.mark.imap


def _settings(dovecot: DovecotServer, database: Path) -> Settings:
    """Two of the world's three branches configured, on logins branch-a and branch-b."""
    branches = []
    for spec, login in zip(DEMO_BRANCHES[:2], ("branch-a", "branch-b"), strict=True):
        imap = dovecot.imap_settings(login, password_env_name(login))
        branches.append({"id": spec.id, "name": spec.name, "province": spec.province,
                         "reply_from": spec.address, "imap": imap.model_dump(mode="json")})
    return parse_settings({"storage": {"database_url": f"sqlite:///{database}"},
                           "branches": branches})


def _inbox(dovecot: DovecotServer, settings: Settings, branch_id: str) -> list[tuple[bytes, object]]:
    imap = settings.branch(branch_id).imap
    with open_mailbox(imap, os.environ[password_env_name(imap.user)]) as box:
        return [(m.raw, m.internal_date) for m in box.fetch(box.list_uids())]


def test_world_folder_lands_in_branch_inboxes_and_records(dovecot: DovecotServer,
                                                          tmp_path: Path) -> None:
    world = generate_world(4, 6, branches=DEMO_BRANCHES[:3],
                           scenarios=("no_attachments", "stranger"))
    write_world(world, tmp_path / "world")
    settings = _settings(dovecot, tmp_path / "intake.db")
    report = load_into_imap(tmp_path / "world", settings)

    by_branch: dict[str, list[bytes]] = {}
    for m in world.messages:
        by_branch.setdefault(m.branch_id, []).append(m.eml)
    configured = {b.id for b in settings.branches}
    assert report.appended == {b: len(v) for b, v in by_branch.items() if b in configured}
    assert report.skipped_branches == ("banjarmasin",)  # in the world, not configured
    assert set(report.appended) == configured
    assert (report.participants, report.bookings) == (len(world.profiles), len(world.bookings))
    for branch_id in configured:
        stored = _inbox(dovecot, settings, branch_id)
        assert sorted(raw for raw, _ in stored) == sorted(by_branch.get(branch_id, []))
        for raw, internal in stored:
            date = email.message_from_bytes(raw)["Date"]
            assert internal == email.utils.parsedate_to_datetime(date)

    engine = make_engine(settings.storage.database_url)
    with make_sessionmaker(engine)() as session:
        for profile in world.profiles:
            assert find_participant(session, profile.nik, None, None) == profile.to_participant()
        for booking in world.bookings:
            assert find_booking(session, booking.code, None, booking.branch_id) == booking
    engine.dispose()

    # A World in memory works the same; records are upserted, mail appended again.
    first = DEMO_BRANCHES[0].id
    again = load_into_imap(world, settings, branches=[first])
    assert again.appended == {first: report.appended[first]}
    assert again.participants == len(world.profiles)
    assert len(_inbox(dovecot, settings, first)) == 2 * report.appended[first]

"""CSRF on every POST, the sign-in rate limit, session cookies, and logs without NIKs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from pipeline.store.models import LoginAttemptRow
from pipeline.web.security import (RateLimit, SessionCodec, new_session, record_attempt,
                                   sign_in_blocked)
from tests.unit.web.deskdata import (NOW, PASSWORD, DeskWorld, build_world, client_for, csrf_of,
                                     page_token)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> DeskWorld:
    return build_world(tmp_path_factory.mktemp("desk-security"))


def _post_routes(world: DeskWorld) -> list[str]:
    app = client_for(world).app
    return sorted(route.path for route in app.routes  # type: ignore[attr-defined]
                  if isinstance(route, APIRoute) and "POST" in route.methods)


def test_every_post_route_refuses_a_missing_or_foreign_csrf_token(world: DeskWorld) -> None:
    officer = client_for(world, "admin")
    foreign = page_token(client_for(world, "petugas.alpha"))  # valid, but another session's
    paths = _post_routes(world)
    assert len(paths) >= 7
    for template in paths:
        path = template.format(submission_id=world.submissions["alpha"],
                               username="petugas.beta")
        for data in ({}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": foreign}):
            answer = officer.post(path, data=data)
            assert answer.status_code == 403, (path, data)
    # The same request with the session's own token goes through.
    token = page_token(officer)
    assert officer.post(f"/pengajuan/{world.submissions['gamma']}/setujui",
                        data={"csrf": token}).status_code == 303


def test_the_token_changes_with_each_sign_in(world: DeskWorld) -> None:
    first = page_token(client_for(world, "petugas.alpha"))
    second = page_token(client_for(world, "petugas.alpha"))
    assert first != second


def test_session_cookie_is_signed_httponly_and_samesite(world: DeskWorld) -> None:
    client = client_for(world)
    token = csrf_of(client.get("/masuk").text)
    answer = client.post("/masuk", data={"csrf": token, "username": "petugas.alpha",
                                         "password": PASSWORD})
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # web.secure_cookies is off in these settings
    value = client.cookies["desk_session"]
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    client.cookies.set("desk_session", forged)
    assert client.get("/antrean").status_code == 303  # a tampered cookie signs nobody in


def test_codec_refuses_tampering_and_expiry() -> None:
    codec = SessionCodec("s" * 32, max_age=60)
    data = new_session("petugas.alpha")
    assert codec.loads(codec.dumps(data)) == data
    assert codec.loads(codec.dumps(data) + "x") is None
    assert SessionCodec("t" * 32, max_age=60).loads(codec.dumps(data)) is None
    assert codec.csrf_ok(data, codec.csrf_token(data))
    assert not codec.csrf_ok(new_session("petugas.alpha"), codec.csrf_token(data))


def test_sign_in_is_blocked_after_repeated_failures_for_that_username(world: DeskWorld) -> None:
    client = client_for(world)
    token = csrf_of(client.get("/masuk").text)
    for _ in range(3):  # web.login_max_failures_user = 3 in these settings
        answer = client.post("/masuk", data={"csrf": token, "username": "spv.kaltim",
                                             "password": "salah-salah-salah"})
        assert answer.status_code == 401
    # Now even the right password is refused, from a fresh client (another process
    # would read the same attempts table).
    again = client_for(world)
    token = csrf_of(again.get("/masuk").text)
    blocked = again.post("/masuk", data={"csrf": token, "username": "spv.kaltim",
                                         "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.text


def test_rate_limit_counts_per_client_address_and_window(world: DeskWorld) -> None:
    limit = RateLimit(window=timedelta(minutes=15), max_failures_user=3, max_failures_client=4)
    with world.factory() as session, session.begin():
        for n in range(4):
            record_attempt(session, f"tebak{n}", "10.9.9.9", False, NOW)
        assert sign_in_blocked(session, "orang-lain", "10.9.9.9", NOW, limit)
        assert not sign_in_blocked(session, "orang-lain", "10.9.9.8", NOW, limit)
        # Past the window, the attempts no longer count.
        later = NOW + timedelta(minutes=16)
        assert not sign_in_blocked(session, "orang-lain", "10.9.9.9", later, limit)
        assert session.scalar(select(func.count()).select_from(LoginAttemptRow)) >= 4


def test_pages_are_not_cached_and_logs_hold_no_nik_or_query(
        world: DeskWorld, caplog: pytest.LogCaptureFixture) -> None:
    client = client_for(world, "petugas.alpha")
    nik = world.niks["alpha"]
    with caplog.at_level(logging.INFO, logger="pipeline.web.access"):
        detail = client.get(f"/pengajuan/{world.submissions['alpha']}")
        scan = client.get(f"/pengajuan/{world.submissions['alpha']}/halaman/"
                          f"{world.documents['alpha']}.png?ukuran=besar")
        queue = client.get(f"/antrean?keputusan=flagged&aturan=REC-002&dari=2020-06-01")
    assert nik in detail.text  # full in the detail view
    assert nik not in queue.text and nik[:4] + "********" + nik[-4:] in queue.text  # masked
    for answer in (detail, scan, queue):
        assert answer.headers["cache-control"] == "no-store"
    assert scan.headers["content-type"] == "image/png"
    lines = [r.getMessage() for r in caplog.records]
    assert any("/pengajuan/" in line for line in lines)
    for line in lines:
        assert nik not in line and "?" not in line and "aturan" not in line

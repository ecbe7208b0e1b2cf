"""Every route of the desk checks the viewer's scope: another branch's submission
does not exist (404) by any URL, and nothing is shown before signing in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.unit.web.deskdata import (DeskWorld, build_world, client_for, csrf_of, page_token)

# Every route, and how the tests below reach it. A new route fails the
# coverage test until it is listed (and its scope check tested) here.
SUBMISSION_GETS = ("/pengajuan/{sid}", "/pengajuan/{sid}/halaman/{did}.png")
SUBMISSION_POSTS = {
    "/pengajuan/{sid}/setujui": {},
    "/pengajuan/{sid}/koreksi": {"document_id": "{did}", "field": "nama", "value": "X"},
    "/pengajuan/{sid}/minta-dokumen": {"body": "Mohon kirim KK."},
    "/pengajuan/{sid}/tolak": {"reason": "uji"},
}
LIST_GETS = ("/antrean", "/antrean.csv", "/dasbor", "/dasbor.csv")
ADMIN_GETS = ("/admin/pengguna", "/admin/pengaturan")
ADMIN_POSTS = ("/admin/pengguna", "/admin/pengguna/{username}/aktif")
PUBLIC = {("GET", "/"), ("GET", "/masuk"), ("POST", "/masuk"), ("POST", "/keluar")}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> DeskWorld:
    return build_world(tmp_path_factory.mktemp("desk-permissions"))


@pytest.fixture
def officer(world: DeskWorld) -> Iterator[TestClient]:
    with client_for(world, "petugas.alpha") as client:
        yield client


def _url(template: str, world: DeskWorld, branch: str) -> str:
    return template.format(sid=world.submissions[branch], did=world.documents[branch],
                           username="petugas.beta")


def test_every_route_is_covered_by_these_tests(world: DeskWorld) -> None:
    client = client_for(world)
    routes = {(method, route.path) for route in client.app.routes  # type: ignore[attr-defined]
              if isinstance(route, APIRoute) for method in route.methods}
    listed = PUBLIC | {("GET", p.replace("{sid}", "{submission_id}").replace("{did}",
                                                                             "{document_id}"))
                       for p in SUBMISSION_GETS}
    listed |= {("POST", p.replace("{sid}", "{submission_id}")) for p in SUBMISSION_POSTS}
    listed |= {("GET", p) for p in LIST_GETS + ADMIN_GETS}
    listed |= {("POST", p) for p in ADMIN_POSTS}
    assert routes == listed


@pytest.mark.parametrize("template", SUBMISSION_GETS)
def test_officer_gets_404_for_another_branch_by_get(world: DeskWorld, officer: TestClient,
                                                    template: str) -> None:
    assert officer.get(_url(template, world, "alpha")).status_code == 200
    for other in ("beta", "gamma"):
        answer = officer.get(_url(template, world, other))
        assert answer.status_code == 404
        assert world.niks[other] not in answer.text


def test_a_document_of_another_submission_is_404_under_ones_own(
        world: DeskWorld, officer: TestClient) -> None:
    url = f"/pengajuan/{world.submissions['alpha']}/halaman/{world.documents['beta']}.png"
    assert officer.get(url).status_code == 404


@pytest.mark.parametrize("template", sorted(SUBMISSION_POSTS))
def test_officer_gets_404_for_another_branch_by_post(world: DeskWorld, officer: TestClient,
                                                     template: str) -> None:
    token = page_token(officer)
    data = {k: _url(v, world, "beta") for k, v in SUBMISSION_POSTS[template].items()}
    answer = officer.post(_url(template, world, "beta"), data={"csrf": token, **data})
    assert answer.status_code == 404
    # Nothing happened to it: the other branch's officer finds it as it was.
    with client_for(world, "petugas.beta") as other:
        page = other.get(_url("/pengajuan/{sid}", world, "beta")).text
        assert "Perlu diperiksa" in page and "diputuskan oleh" not in page


def test_correcting_a_document_of_another_branch_under_ones_own_submission_is_404(
        world: DeskWorld, officer: TestClient) -> None:
    token = page_token(officer)
    answer = officer.post(f"/pengajuan/{world.submissions['alpha']}/koreksi", data={
        "csrf": token, "document_id": str(world.documents["beta"]), "field": "nama",
        "value": "X"})
    assert answer.status_code == 404


def test_lists_show_only_the_viewers_branches(world: DeskWorld) -> None:
    expectations = {"petugas.alpha": {"alpha"}, "spv.kaltim": {"alpha", "gamma"},
                    "spv.kalimantan": {"alpha", "beta", "gamma"}}
    for username, branches in expectations.items():
        with client_for(world, username) as client:
            queue = client.get("/antrean?keputusan=flagged").text
            csv_text = client.get("/antrean.csv?keputusan=flagged").text
            for branch, sub_id in world.submissions.items():
                assert (f'href="/pengajuan/{sub_id}"' in queue) == (branch in branches), username
                lines = [line for line in csv_text.splitlines()[1:] if line]
                assert (any(line.startswith(f"{sub_id},{branch},") for line in lines)
                        == (branch in branches)), username


def test_supervisor_opens_their_provinces_submissions_only(world: DeskWorld) -> None:
    with client_for(world, "spv.kaltim") as client:
        assert client.get(_url("/pengajuan/{sid}", world, "gamma")).status_code == 200
        assert client.get(_url("/pengajuan/{sid}", world, "beta")).status_code == 404


def test_dashboard_cannot_be_widened_beyond_the_scope(world: DeskWorld,
                                                      officer: TestClient) -> None:
    assert officer.get("/dasbor.csv?branch=beta").status_code == 404
    assert officer.get("/dasbor.csv?province=Kalimantan+Barat").status_code == 404
    assert officer.get("/dasbor.csv?branch=alpha").status_code == 200


@pytest.mark.parametrize("path", [*ADMIN_GETS])
def test_admin_pages_do_not_exist_for_others(world: DeskWorld, officer: TestClient,
                                             path: str) -> None:
    assert officer.get(path).status_code == 404
    with client_for(world, "admin") as admin:
        assert admin.get(path).status_code == 200


def test_admin_posts_do_not_exist_for_others(world: DeskWorld, officer: TestClient) -> None:
    token = page_token(officer)
    added = officer.post("/admin/pengguna", data={
        "csrf": token, "username": "penyusup", "role": "admin", "password": "x" * 12})
    assert added.status_code == 404
    switched = officer.post("/admin/pengguna/petugas.beta/aktif", data={"csrf": token,
                                                                        "active": "0"})
    assert switched.status_code == 404


@pytest.mark.parametrize("path", [*LIST_GETS, *ADMIN_GETS, *SUBMISSION_GETS])
def test_nothing_is_shown_before_signing_in(world: DeskWorld, path: str) -> None:
    client = client_for(world)
    answer = client.get(_url(path, world, "alpha"))
    assert answer.status_code == 303
    assert answer.headers["location"] == "/masuk"


def test_a_disabled_user_is_signed_out_at_once(world: DeskWorld) -> None:
    with client_for(world, "petugas.gamma") as gamma, client_for(world, "admin") as admin:
        assert gamma.get("/antrean").status_code == 200
        token = csrf_of(admin.get("/admin/pengguna").text)
        assert admin.post("/admin/pengguna/petugas.gamma/aktif",
                          data={"csrf": token, "active": "0"}).status_code == 303
        assert gamma.get("/antrean").status_code == 303
        admin.post("/admin/pengguna/petugas.gamma/aktif", data={"csrf": token, "active": "1"})

"""The pages and actions of the desk (URLs in Indonesian, like the interface).

Every route that shows or changes a submission resolves it within the
viewer's branches (pipeline.web.desk); outside them the answer is 404.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.web import desk as ops
from pipeline.web.app import NeedSignIn, desk_of, render, session_of, set_session
from pipeline.web.labels import DECISION_LABELS, QUEUE_DECISIONS, local_time
from pipeline.web.queue import QueueFilter, load_queue
from pipeline.web.scans import (SHOWN_LONG_SIDE, ZOOM_LONG_SIDE, FieldBox, draw_boxes,
                                encode_png, upright_for_boxes)
from pipeline.web.scope import Role, Viewer
from pipeline.web.security import new_session, record_attempt, sign_in_blocked, verify_password
from pipeline.web.users import UserError, add_user, find_user, list_users, set_active, viewer_of

FLASH = {
    "disetujui": "Pengajuan disetujui.",
    "koreksi": "Koreksi disimpan; aturan sudah dijalankan ulang dengan nilai baru.",
    "diminta": "Email permintaan dokumen masuk antrean pengiriman.",
    "ditolak": "Pengajuan ditolak.",
}


def current_viewer(request: Request) -> Viewer:
    username = session_of(request).username
    if not username:
        raise NeedSignIn()
    desk = desk_of(request)
    with desk.factory() as session:
        row = find_user(session, username)
        if row is None or not row.active:
            raise NeedSignIn()
        viewer = viewer_of(row, desk.settings)
    request.state.viewer = viewer
    return viewer


def admin_viewer(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Viewer:
    if viewer.role is not Role.ADMIN:
        raise ops.NotFound("admin page")
    return viewer


SignedIn = Annotated[Viewer, Depends(current_viewer)]
Admin = Annotated[Viewer, Depends(admin_viewer)]


def _not_found(request: Request) -> HTMLResponse:
    return render(request, "error.html", {
        "title": "Tidak ditemukan",
        "message": "Halaman atau pengajuan ini tidak ada, atau tidak termasuk wilayah kerja Anda."},
        status=404)


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def register(app: FastAPI) -> None:
    @app.exception_handler(ops.NotFound)
    async def _missing(request: Request, _err: ops.NotFound) -> Response:
        return _not_found(request)

    # ------------------------------------------------------------------
    # Signing in and out
    # ------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/antrean", status_code=303)

    @app.get("/masuk", response_class=HTMLResponse)
    def sign_in_page(request: Request) -> Response:
        return render(request, "login.html", {"error": None, "username": ""})

    @app.post("/masuk", response_class=HTMLResponse)
    def sign_in(request: Request, username: Annotated[str, Form()] = "",
                password: Annotated[str, Form()] = "") -> Response:
        desk = desk_of(request)
        name = username.strip().lower()[:64]
        client = request.client.host if request.client else "-"
        now = desk.now()
        with desk.factory() as session, session.begin():
            if sign_in_blocked(session, name, client, now, desk.rate_limit):
                record_attempt(session, name, client, False, now)
                minutes = int(desk.rate_limit.window.total_seconds() // 60)
                return render(request, "login.html", {
                    "error": f"Terlalu banyak percobaan masuk. Coba lagi dalam {minutes} menit.",
                    "username": name}, status=429)
            row = find_user(session, name) if name else None
            ok = verify_password(row.password_hash if row else None, password) and \
                row is not None and row.active
            record_attempt(session, name, client, ok, now)
        if not ok:
            return render(request, "login.html", {
                "error": "Nama pengguna atau kata sandi salah.", "username": name}, status=401)
        # A fresh session (and CSRF token) on every sign-in: no fixation.
        set_session(request, new_session(name))
        return RedirectResponse("/antrean", status_code=303)

    @app.post("/keluar")
    def sign_out(request: Request) -> Response:
        set_session(request, new_session())
        return RedirectResponse("/masuk", status_code=303)

    # ------------------------------------------------------------------
    # The queue
    # ------------------------------------------------------------------

    def _filter(keputusan: str | None, aturan: str | None, dari: str | None,
                sampai: str | None, halaman: int) -> QueueFilter:
        decision = keputusan if keputusan in (*QUEUE_DECISIONS, "flagged") else "needs_review"
        rule = aturan.strip().upper()[:32] if aturan else None
        return QueueFilter(decision=decision, rule=rule or None, day_from=_parse_day(dari),
                           day_to=_parse_day(sampai), page=max(1, halaman))

    @app.get("/antrean", response_class=HTMLResponse)
    def queue_page(request: Request, viewer: SignedIn, keputusan: str | None = None,
                   aturan: str | None = None, dari: str | None = None, sampai: str | None = None,
                   halaman: Annotated[int, Query(ge=1, le=100000)] = 1) -> Response:
        desk = desk_of(request)
        flt = _filter(keputusan, aturan, dari, sampai, halaman)
        with desk.factory() as session:
            page = load_queue(session, viewer.branch_ids, flt, desk.now(),
                              desk.settings.zone_for(viewer.branch_ids))
        params = {"keputusan": flt.decision, "aturan": flt.rule or "",
                  "dari": flt.day_from.isoformat() if flt.day_from else "",
                  "sampai": flt.day_to.isoformat() if flt.day_to else ""}
        branches = {b.id: b.name for b in desk.settings.branches}
        return render(request, "queue.html", {
            "page": page, "flt": flt, "params": params, "branches": branches,
            "query": lambda **changes: urlencode({**params, **changes}),
        })

    @app.get("/antrean.csv")
    def queue_csv(request: Request, viewer: SignedIn, keputusan: str | None = None,
                  aturan: str | None = None, dari: str | None = None,
                  sampai: str | None = None) -> Response:
        desk = desk_of(request)
        flt = _filter(keputusan, aturan, dari, sampai, 1)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "cabang", "nik", "pengirim", "diterima", "jadwal", "keputusan",
                         "aturan"])
        zone = desk.settings.zone_for(viewer.branch_ids)
        branch_zone = desk.settings.zone_of
        with desk.factory() as session:
            number = 1
            while True:
                page = load_queue(session, viewer.branch_ids,
                                  QueueFilter(flt.decision, flt.rule, flt.day_from, flt.day_to,
                                              number), desk.now(), zone)
                for item in page.items:
                    writer.writerow([item.submission_id, item.branch_id, item.nik_masked,
                                     item.sender,
                                     local_time(item.received_at, branch_zone(item.branch_id)),
                                     local_time(item.appointment_at,
                                                branch_zone(item.branch_id)),
                                     DECISION_LABELS.get(item.status, item.status),
                                     " ".join(item.rules)])
                if number >= page.pages:
                    break
                number += 1
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="antrean.csv"'})

    # ------------------------------------------------------------------
    # One submission
    # ------------------------------------------------------------------

    def _detail(request: Request, viewer: Viewer, submission_id: int, *,
                error: str | None = None, status: int = 200, draft: str | None = None
                ) -> Response:
        desk = desk_of(request)
        with desk.factory() as session, session.begin():
            holder, until = ops.take_lock(session, desk.ctx, viewer, submission_id)
        with desk.factory() as session:
            detail = ops.load_detail(session, desk.ctx, viewer, submission_id)
            if draft is None:
                draft = ops.draft_request(session, desk.ctx, viewer, submission_id)
        flash = FLASH.get(request.query_params.get("ok", ""))
        page_zone = desk.settings.zone_of(detail.sub.branch_id)
        return render(request, "submission.html", {
            "d": detail, "error": error, "flash": flash, "draft": draft,
            "locked_by_other": holder != viewer.username, "lock_holder": holder,
            "lock_until": until,
            "branch_name": desk.settings.branch(detail.sub.branch_id).name,
            # Every time on the page in the submission's branch's zone.
            "when": lambda moment: local_time(moment, page_zone),
        }, status=status)

    @app.get("/pengajuan/{submission_id}", response_class=HTMLResponse)
    def submission_page(request: Request, submission_id: int, viewer: SignedIn) -> Response:
        return _detail(request, viewer, submission_id)

    @app.get("/pengajuan/{submission_id}/halaman/{document_id}.png")
    def scan(request: Request, submission_id: int, document_id: int, viewer: SignedIn,
             ukuran: str | None = None) -> Response:
        desk = desk_of(request)
        with desk.factory() as session:
            detail = ops.load_detail(session, desk.ctx, viewer, submission_id)
            doc = next((d for d in detail.documents if d.id == document_id), None)
            if doc is None:
                raise ops.NotFound(document_id)
            parsed = ops.parsed_submission(desk.ctx, detail.sub)
        image = desk.pages.prepared(parsed, desk.settings.limits, doc.attachment_index,
                                    doc.page_number, doc.part)
        if image is None:
            raise ops.NotFound(document_id)
        boxes = [FieldBox(f.name, f.box, f.agrees) for f in doc.fields if f.box is not None]
        size = ZOOM_LONG_SIDE if ukuran == "besar" else SHOWN_LONG_SIDE
        image = upright_for_boxes(image, boxes)
        return Response(encode_png(draw_boxes(image, boxes, size)), media_type="image/png",
                        headers={"Cache-Control": "no-store"})

    def _act(request: Request, viewer: Viewer, submission_id: int, flash: str,
             action: object) -> Response:
        desk = desk_of(request)
        try:
            with desk.factory() as session, session.begin():
                action(session)  # type: ignore[operator]
        except ops.Refused as refused:
            return _detail(request, viewer, submission_id, error=str(refused), status=409)
        return RedirectResponse(f"/pengajuan/{submission_id}?ok={flash}", status_code=303)

    @app.post("/pengajuan/{submission_id}/setujui")
    def approve(request: Request, submission_id: int, viewer: SignedIn) -> Response:
        ctx = desk_of(request).ctx
        return _act(request, viewer, submission_id, "disetujui",
                    lambda s: ops.approve(s, ctx, viewer, submission_id))

    @app.post("/pengajuan/{submission_id}/koreksi")
    def correct(request: Request, submission_id: int, viewer: SignedIn,
                document_id: Annotated[int, Form()], field: Annotated[str, Form()],
                value: Annotated[str, Form()] = "") -> Response:
        ctx = desk_of(request).ctx
        return _act(request, viewer, submission_id, "koreksi",
                    lambda s: ops.correct_field(s, ctx, viewer, submission_id, document_id,
                                                field, value))

    @app.post("/pengajuan/{submission_id}/minta-dokumen")
    def request_documents(request: Request, submission_id: int, viewer: SignedIn,
                          body: Annotated[str, Form()] = "") -> Response:
        ctx = desk_of(request).ctx
        return _act(request, viewer, submission_id, "diminta",
                    lambda s: ops.request_documents(s, ctx, viewer, submission_id, body))

    @app.post("/pengajuan/{submission_id}/tolak")
    def reject(request: Request, submission_id: int, viewer: SignedIn,
               reason: Annotated[str, Form()] = "") -> Response:
        ctx = desk_of(request).ctx
        return _act(request, viewer, submission_id, "ditolak",
                    lambda s: ops.reject(s, ctx, viewer, submission_id, reason))

    # ------------------------------------------------------------------
    # Dashboard
    # ------------------------------------------------------------------

    from pipeline.web.dashboard_routes import register_dashboard

    register_dashboard(app)

    # ------------------------------------------------------------------
    # Administration: users and settings
    # ------------------------------------------------------------------

    def _users_page(request: Request, error: str | None = None, status: int = 200,
                    added: str | None = None) -> Response:
        desk = desk_of(request)
        with desk.factory() as session:
            users = list_users(session)
        return render(request, "users.html", {
            "users": users, "error": error, "added": added,
            "branches": desk.settings.branches,
            "provinces": sorted({b.province for b in desk.settings.branches}),
            "regions": sorted(desk.settings.web.regions),
        }, status=status)

    @app.get("/admin/pengguna", response_class=HTMLResponse)
    def users_page(request: Request, viewer: Admin) -> Response:
        return _users_page(request)

    @app.post("/admin/pengguna", response_class=HTMLResponse)
    def users_add(request: Request, viewer: Admin, username: Annotated[str, Form()] = "",
                  full_name: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "",
                  branch_id: Annotated[str, Form()] = "", scope: Annotated[str, Form()] = "",
                  password: Annotated[str, Form()] = "") -> Response:
        desk = desk_of(request)
        try:
            with desk.factory() as session, session.begin():
                add_user(session, desk.settings, username, password, role,
                         branch_id if role == Role.OFFICER.value else None,
                         scope if role == Role.SUPERVISOR.value else None, full_name,
                         viewer.username, desk.now())
        except (UserError, ValueError) as err:
            return _users_page(request, error=str(err), status=400)
        return _users_page(request, added=username.strip().lower())

    @app.post("/admin/pengguna/{username}/aktif")
    def users_active(request: Request, username: str, viewer: Admin,
                     active: Annotated[str, Form()] = "0") -> Response:
        desk = desk_of(request)
        if username == viewer.username:
            return _users_page(request, error="Anda tidak dapat menonaktifkan akun sendiri.",
                               status=400)
        try:
            with desk.factory() as session, session.begin():
                set_active(session, username, active == "1", viewer.username, desk.now())
        except UserError as err:
            return _users_page(request, error=str(err), status=400)
        return RedirectResponse("/admin/pengguna", status_code=303)

    @app.get("/admin/pengaturan", response_class=HTMLResponse)
    def settings_page(request: Request, viewer: Admin) -> Response:
        desk = desk_of(request)
        return render(request, "settings.html", {
            "s": desk.settings, "web": desk.settings.web.model_dump(),
        })

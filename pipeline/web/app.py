"""The review desk application: FastAPI, Jinja2 templates, plain HTML forms.

`create_app` builds the app from the settings and the signing key; the
routes live in pipeline.web.routes. Every response carries no-store and
strict security headers (the pages show identity data); every POST must
carry the CSRF token of the session; requests are logged by path only,
without query strings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from pipeline.adapters.archive import Archive
from pipeline.runtime import utc_now
from pipeline.settings import Settings
from pipeline.store.db import make_engine, make_sessionmaker
from pipeline.web import labels
from pipeline.web.desk import DeskContext
from pipeline.web.scans import PageCache
from pipeline.web.scope import ROLE_LABELS, Viewer
from pipeline.web.security import RateLimit, SessionCodec, SessionData, new_session
from rules.regions import load_regions

access_log = logging.getLogger("pipeline.web.access")

SESSION_COOKIE = "desk_session"
CSRF_FIELD = "csrf"


@dataclass
class Desk:
    """What every request handler needs, built once per app."""

    settings: Settings
    factory: sessionmaker[Session]
    ctx: DeskContext
    codec: SessionCodec
    templates: Jinja2Templates
    pages: PageCache
    rate_limit: RateLimit

    def now(self) -> datetime:
        return self.ctx.now()


class NeedSignIn(Exception):
    """The request needs a signed-in user; the browser is sent to the sign-in page."""


class CsrfFailed(Exception):
    """A POST without the session's CSRF token."""


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def session_of(request: Request) -> SessionData:
    data: SessionData = request.state.session
    return data


def set_session(request: Request, data: SessionData) -> None:
    """Replace the session (sign-in, sign-out); the cookie is rewritten on the way out."""
    request.state.session = data
    request.state.session_changed = True


async def csrf_guard(request: Request) -> None:
    """Every POST, on every route, carries the token bound to the session."""
    if request.method != "POST":
        return
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not desk_of(request).codec.csrf_ok(session_of(request),
                                          token if isinstance(token, str) else None):
        raise CsrfFailed()


def _templates() -> Jinja2Templates:
    directory = str(resources.files("pipeline.web") / "templates")
    templates = Jinja2Templates(directory=directory)
    env = templates.env
    env.globals.update(
        DECISIONS=labels.DECISION_LABELS, QUEUE_DECISIONS=labels.QUEUE_DECISIONS,
        KINDS=labels.KIND_LABELS, FIELDS=labels.FIELD_LABELS, EVIDENCE=labels.EVIDENCE_LABELS,
        ACTIONS=labels.ACTION_LABELS, ROLES={r.value: t for r, t in ROLE_LABELS.items()},
        RULE_TITLES=labels.RULE_TITLES,
    )
    return templates


def render(request: Request, name: str, context: dict[str, object], status: int = 200
           ) -> HTMLResponse:
    desk = desk_of(request)
    settings = desk.settings
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    # The viewer's branches' zone when they share one (an officer's branch), else
    # the top-level one; a time of a known branch is always written in its own.
    zone = settings.zone_for(viewer.branch_ids) if viewer and viewer.branch_ids \
        else settings.timezone

    def zone_of(branch_id: str | None) -> str:
        known = {b.id for b in settings.branches}
        return settings.zone_of(branch_id) if branch_id in known else zone

    base: dict[str, object] = {
        "viewer": viewer,
        "csrf": desk.codec.csrf_token(session_of(request)),
        "when": lambda moment, branch=None: labels.local_time(moment, zone_of(branch)),
        "day": lambda moment, branch=None: labels.local_date(moment, zone_of(branch)),
    }
    return desk.templates.TemplateResponse(request, name, {**base, **context},
                                           status_code=status)


_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self'; style-src 'self'; "
                                "script-src 'none'; form-action 'self'; frame-ancestors 'none'"),
}


def create_app(settings: Settings, secret_key: str, *,
               factory: sessionmaker[Session] | None = None,
               now: Callable[[], datetime] = utc_now) -> FastAPI:
    """The desk for these settings; sessions are signed with `secret_key`."""
    if factory is None:
        factory = make_sessionmaker(make_engine(settings.storage.database_url))
    web = settings.web
    desk = Desk(
        settings=settings, factory=factory,
        ctx=DeskContext(settings=settings, archive=Archive(settings.storage.archive_dir),
                        regions=load_regions(), now=now),
        codec=SessionCodec(secret_key, max_age=int(web.session_hours * 3600)),
        templates=_templates(), pages=PageCache(),
        rate_limit=RateLimit(window=timedelta(minutes=web.login_window_minutes),
                             max_failures_user=web.login_max_failures_user,
                             max_failures_client=web.login_max_failures_client),
    )
    app = FastAPI(title="Meja pemeriksaan klaim JHT", docs_url=None, redoc_url=None,
                  openapi_url=None, dependencies=[Depends(csrf_guard)])
    app.state.desk = desk
    app.mount("/static", StaticFiles(directory=str(resources.files("pipeline.web") / "static")),
              name="static")

    @app.middleware("http")
    async def sessions_and_headers(request: Request,
                                   call_next: Callable[[Request], Awaitable[Response]]
                                   ) -> Response:
        started = time.monotonic()
        data = desk.codec.loads(request.cookies.get(SESSION_COOKIE))
        request.state.session = data or new_session()
        request.state.session_changed = data is None
        response = await call_next(request)
        if request.state.session_changed:
            response.set_cookie(SESSION_COOKIE, desk.codec.dumps(request.state.session),
                                max_age=desk.codec.max_age, httponly=True, samesite="lax",
                                secure=web.secure_cookies, path="/")
        for name, value in _SECURITY_HEADERS.items():
            if name == "Cache-Control" and request.url.path.startswith("/static/"):
                response.headers[name] = "private, max-age=3600"
                continue
            response.headers.setdefault(name, value)
        # The path only: query strings (filters) are never logged, and paths
        # hold nothing but numeric ids.
        access_log.info("%s %s %d %.0f ms", request.method, request.url.path,
                        response.status_code, (time.monotonic() - started) * 1000)
        return response

    @app.exception_handler(NeedSignIn)
    async def _to_sign_in(request: Request, _err: NeedSignIn) -> Response:
        return RedirectResponse("/masuk", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf_failed(request: Request, _err: CsrfFailed) -> Response:
        return render(request, "error.html", {
            "title": "Formulir kedaluwarsa",
            "message": "Formulir ini tidak sah atau sudah kedaluwarsa. Muat ulang halaman, "
                       "lalu coba lagi."}, status=403)

    from pipeline.web.routes import register

    register(app)
    return app


def viewer_or_none(request: Request) -> Viewer | None:
    return getattr(request.state, "viewer", None)

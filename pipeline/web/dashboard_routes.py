"""GET /dasbor and /dasbor.csv: the figures of the viewer's branches for a period.

The viewer may narrow the scope to one branch or one province, never widen
it: a branch or province outside the scope answers 404.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from pipeline.web.app import desk_of, render
from pipeline.web.desk import NotFound
from pipeline.web.routes import SignedIn
from pipeline.web.scope import Viewer

# The longest period one page answers for (a quarter and a bit).
MAX_PERIOD_DAYS = 100


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def dashboard_scope(viewer: Viewer, provinces_by_branch: dict[str, str], branch: str | None,
                    province: str | None) -> frozenset[str]:
    """The viewer's branches narrowed by the filters; NotFound for one outside the scope."""
    ids = set(viewer.branch_ids)
    if branch:
        if branch not in ids:
            raise NotFound(branch)
        ids = {branch}
    if province:
        in_province = {b for b in ids if provinces_by_branch.get(b) == province}
        if not in_province:
            raise NotFound(province)
        ids = in_province
    return frozenset(ids)


def period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The chosen period (end inclusive); by default the month so far."""
    last = _day(end) or today
    first = _day(start) or last.replace(day=1)
    if first > last:
        first, last = last, first
    if (last - first).days >= MAX_PERIOD_DAYS:
        first = last - timedelta(days=MAX_PERIOD_DAYS - 1)
    return first, last


def register_dashboard(app: FastAPI) -> None:
    def _figures(request: Request, viewer: Viewer, start: str | None, end: str | None,
                 branch: str | None, province: str | None):  # type: ignore[no-untyped-def]
        from pipeline.store.dashboard import dashboard_figures

        desk = desk_of(request)
        provinces = {b.id: b.province for b in desk.settings.branches}
        scope = dashboard_scope(viewer, provinces, branch or None, province or None)
        # Days are counted in the scope's zone: a branch's (or a province's) own,
        # the top-level zone for a region spanning WIB and WITA.
        zone = desk.settings.zone_for(scope)
        today = desk.now().astimezone(ZoneInfo(zone)).date()
        first, last = period(start, end, today)
        with desk.factory() as session:
            figures = dashboard_figures(session, scope, first, last, zone, provinces=provinces)
        return figures, first, last

    @app.get("/dasbor", response_class=HTMLResponse)
    def dashboard(request: Request, viewer: SignedIn, start: str | None = None,
                  end: str | None = None, branch: str | None = None,
                  province: str | None = None) -> Response:
        from pipeline.web.charts import daily_volume_svg

        desk = desk_of(request)
        figures, first, last = _figures(request, viewer, start, end, branch, province)
        mine = [b for b in desk.settings.branches if b.id in viewer.branch_ids]
        query = {"start": first.isoformat(), "end": last.isoformat(), "branch": branch or "",
                 "province": province or ""}
        return render(request, "dashboard.html", {
            "dash": figures, "chart_svg": daily_volume_svg(figures.daily),
            "period_start": first, "period_end": last, "scope_label": viewer.scope_label,
            "branches": [(b.id, b.name) for b in mine], "selected_branch": branch or None,
            "provinces": sorted({b.province for b in mine}),
            "selected_province": province or None,
            "csv_url": "/dasbor.csv?" + urlencode(query),
        })

    @app.get("/dasbor.csv")
    def dashboard_csv_route(request: Request, viewer: SignedIn, start: str | None = None,
                            end: str | None = None, branch: str | None = None,
                            province: str | None = None) -> Response:
        from pipeline.store.dashboard import dashboard_csv

        figures, first, last = _figures(request, viewer, start, end, branch, province)
        name = f"dasbor-{first.isoformat()}-{last.isoformat()}.csv"
        return Response(dashboard_csv(figures), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

"""The dashboard's routes: the entry through a personal signed link, the live page and its
server-sent events, each crisis with its bitácora, and the reports. Nothing here is public:
every page asks for the signed session cookie of a person who may see the dashboard."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.report import csv_report, html_report, load_report, markdown_report
from bot.runtime import Runtime
from flows.directory import Person
from flows.panel import PANEL_PATH, may_view, report_path
from flows.texts import t, tn
from handlers.web import views
from handlers.web.actions import FLASH, Flash, back_to, press_from_form, same_origin
from handlers.web.cases import CASES_PATH, case_playbooks, case_view, load_case, queue_sections
from handlers.web.drills import DRILLS_PATH, load_drills_page
from handlers.web.links import COOKIE, COOKIE_PATH, ENTRY_PATH, LinkExpired, LinkInvalid, SignedLinks
from handlers.web.live import LiveUpdates, stream
from handlers.web.parts import LivePieces, StreamState

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
}


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


class Dashboard:
    def __init__(self, links: SignedLinks, updates: LiveUpdates, tick: float = 30.0, stream_lifetime: float = 55.0) -> None:
        self.links = links
        self.updates = updates
        self.tick = tick
        self.stream_lifetime = stream_lifetime
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                               trim_blocks=True, lstrip_blocks=True)
        self.pieces = LivePieces(self.env, links.form_token)
        self.flash = Flash(links.flash)

    def routes(self) -> list[BaseRoute]:
        # Compressed, the live stream too: each event is flushed (Z_SYNC_FLUSH), and the
        # pieces it resends compress well against what the stream already carried.
        gzip = [Middleware(GZipMiddleware, minimum_size=400, exclude_content_types=())]
        return [
            Route(f"{ENTRY_PATH}/{{token}}", self.enter),
            Route(PANEL_PATH, self.live_page, middleware=gzip),
            Route(f"{PANEL_PATH}/eventos", self.events, middleware=gzip),
            Route(f"{PANEL_PATH}/accion", self.act, methods=["POST"]),
            Route(f"{PANEL_PATH}/salir", self.logout),
            Route(f"{PANEL_PATH}/crisis/{{crisis_id}}", self.crisis_page, middleware=gzip),
            Route(CASES_PATH, self.cases_page, middleware=gzip),
            Route(DRILLS_PATH, self.drills_page, middleware=gzip),
            Route(f"{DRILLS_PATH}/{{playbook_id}}", self.drills_page, middleware=gzip),
            Route(f"{CASES_PATH}/{{short_id}}", self.case_page, middleware=gzip),
            Route(f"{PANEL_PATH}/informe/{{crisis_id}}.md", self.report_markdown, middleware=gzip),
            Route(f"{PANEL_PATH}/informe/{{crisis_id}}.csv", self.report_csv, middleware=gzip),
            Route(f"{PANEL_PATH}/informe/{{crisis_id}}", self.report_html, middleware=gzip),
            Mount(f"{PANEL_PATH}/static", app=StaticFiles(directory=HERE / "static"), name="panel-static", middleware=gzip),
        ]

    # rendering ------------------------------------------------------------

    def render(self, template: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(lang=lang, t=partial(t, lang), tn=partial(tn, lang), **context)
        return HTMLResponse(html, status_code=status, headers=PRIVATE)

    def message(self, lang: str, status: int, title_key: str, text_key: str, **kw: Any) -> HTMLResponse:
        return self.render("message.html", lang, status, viewer=None, title=t(lang, title_key),
                           text=t(lang, text_key, **kw), tone="refused" if status == 403 else "")

    def refuse(self, request: Request, text_key: str) -> HTMLResponse:
        return self.message(_runtime(request).settings.lang, 403, "web.refused_title", text_key)

    # access -----------------------------------------------------------------

    def viewer(self, request: Request) -> Person | HTMLResponse:
        """The person of the session cookie, or the page that refuses them."""
        runtime = _runtime(request)
        raw = request.cookies.get(COOKIE)
        person_id = self.links.read_session(raw)
        if person_id is None:
            return self.refuse(request, "web.session_over" if raw else "web.refused_login")
        person = runtime.directory.get(person_id)
        if person is None or not may_view(runtime.directory, runtime.playbook, person_id, runtime.playbooks.values()):
            return self.refuse(request, "web.refused_role")
        return person

    async def enter(self, request: Request) -> Response:
        """A personal link from the bot: check it, open a session, go to its page."""
        runtime = _runtime(request)
        try:
            grant = self.links.read_link(request.path_params["token"])
        except LinkExpired:
            return self.refuse(request, "web.refused_expired")
        except LinkInvalid:
            return self.refuse(request, "web.refused_bad")
        if not may_view(runtime.directory, runtime.playbook, grant.person_id, runtime.playbooks.values()):
            return self.refuse(request, "web.refused_role")
        log.info("dashboard session opened for %s", grant.person_id)
        response = RedirectResponse(grant.path, status_code=303, headers=PRIVATE)
        response.set_cookie(COOKIE, self.links.session_value(grant.person_id), max_age=self.links.session_seconds,
                            path=COOKIE_PATH, httponly=True, samesite="lax", secure=self.links.secure)
        return response

    async def logout(self, request: Request) -> Response:
        lang = _runtime(request).settings.lang
        response = self.message(lang, 200, "web.logout", "web.refused_login")
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
        return response

    # pages ------------------------------------------------------------------

    async def live_page(self, request: Request) -> Response:
        viewer = self.viewer(request)
        if isinstance(viewer, Response):
            return viewer
        runtime = _runtime(request)
        live = await self.pieces.build(runtime, viewer)
        notices = self.flash.take(request, viewer.id)
        response = self.render("panel.html", viewer.lang, viewer=viewer, notices=notices,
                               live_html=Markup(self.pieces.html(live, viewer.lang)), has_cases=bool(case_playbooks(runtime)))
        if notices:
            response.delete_cookie(FLASH, path=COOKIE_PATH)
        return response

    async def events(self, request: Request) -> Response:
        viewer = self.viewer(request)
        if isinstance(viewer, Response):
            return PlainTextResponse("forbidden", status_code=403, headers=PRIVATE)
        state = StreamState(self.pieces, _runtime(request), viewer)
        headers = {**PRIVATE, "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(self.updates, state.next_event, self.tick, self.stream_lifetime),
                                 media_type="text/event-stream", headers=headers)

    async def act(self, request: Request) -> Response:
        """A form of the dashboard: see handlers/web/actions.py."""
        viewer = self.viewer(request)
        if isinstance(viewer, Response):
            return viewer
        runtime = _runtime(request)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not same_origin(request, self.links.base_url) or not self.links.form_token_ok(form.get("csrf"), viewer.id):
            return self.message(viewer.lang, 403, "web.refused_title", "web.act_expired")
        if not runtime.service.router.transports:
            return self.message(viewer.lang, 409, "web.act_result", "web.act_no_chat")
        texts = await press_from_form(runtime, viewer, form)
        if texts is None:
            return self.message(viewer.lang, 400, "web.act_result", "web.act_expired")
        response = back_to(form)
        response.headers.update(PRIVATE)
        self.flash.set(response, viewer.id, texts, self.links.secure)
        return response

    async def crisis_page(self, request: Request) -> Response:
        found = await self._report(request)
        if isinstance(found, Response):
            return found
        viewer, report = found
        delivery = await views.delivery_for(_runtime(request).db, report.crisis, report.now)
        crisis = views.crisis_view(report, _runtime(request).directory, viewer.lang, recent=None, delivery=delivery)
        return self.render("crisis.html", viewer.lang, viewer=viewer, crisis=crisis)

    async def cases_page(self, request: Request) -> Response:
        """The queue of open cases per case playbook (handlers/web/cases.py): `?playbook=<id>&pagina=<n>`."""
        viewer = self.viewer(request)
        if isinstance(viewer, Response):
            return viewer
        only = request.query_params.get("playbook") or None
        page = request.query_params.get("pagina", "1")
        sections = await queue_sections(_runtime(request), viewer, only, int(page) if page.isdigit() else 1)
        return self.render("cases.html", viewer.lang, viewer=viewer, sections=sections, only=only)

    async def drills_page(self, request: Request) -> Response:
        """The drills of a crisis playbook with their scores and a chart (handlers/web/drills.py)."""
        viewer = self.viewer(request)
        if isinstance(viewer, Response):
            return viewer
        runtime = _runtime(request)
        playbook_id = request.path_params.get("playbook_id", runtime.playbook.id)
        playbook = runtime.playbooks.get(playbook_id) or (runtime.playbook if playbook_id == runtime.playbook.id else None)
        if playbook is None or playbook.is_case or not may_view(runtime.directory, playbook, viewer.id):
            return self.message(viewer.lang, 404, "web.not_found_title", "drill_score.web_unknown", id=playbook_id)
        page = await load_drills_page(runtime.db, playbook, runtime.directory, viewer.lang, runtime.clock.now())
        return self.render("drills.html", viewer.lang, viewer=viewer, page=page, svg=Markup(page.svg))

    async def case_page(self, request: Request) -> Response:
        viewer = self.viewer(request)
        if isinstance(viewer, Response):
            return viewer
        short_id = request.path_params["short_id"]
        found = await load_case(_runtime(request), short_id)
        if found is None:
            return self.message(viewer.lang, 404, "web_cases.not_found_title", "web_cases.not_found", id=short_id)
        case = case_view(*found, _runtime(request), viewer)
        return self.render("case.html", viewer.lang, viewer=viewer, case=case)

    async def _report(self, request: Request) -> tuple[Person, Any] | Response:
        viewer = self.viewer(request)
        if isinstance(viewer, Response):
            return viewer
        runtime = _runtime(request)
        crisis_id = request.path_params["crisis_id"]
        report = await load_report(runtime.db, crisis_id, runtime.directory, runtime.clock.now())
        if report is None:
            return self.message(viewer.lang, 404, "web.not_found_title", "web.not_found", id=crisis_id)
        return viewer, report

    async def report_html(self, request: Request) -> Response:
        found = await self._report(request)
        if isinstance(found, Response):
            return found
        viewer, report = found
        path = report_path(report.crisis.id)
        downloads = [(t(viewer.lang, "web.report_md"), f"{path}.md"), (t(viewer.lang, "web.report_csv"), f"{path}.csv")]
        html = html_report(report, _runtime(request).directory, viewer.lang, downloads, back=PANEL_PATH)
        return HTMLResponse(html, headers=PRIVATE)

    async def report_markdown(self, request: Request) -> Response:
        found = await self._report(request)
        if isinstance(found, Response):
            return found
        viewer, report = found
        text = markdown_report(report, _runtime(request).directory, viewer.lang)
        headers = {**PRIVATE, "Content-Disposition": f'inline; filename="informe-{report.crisis.id}.md"'}
        return Response(text, media_type="text/markdown; charset=utf-8", headers=headers)

    async def report_csv(self, request: Request) -> Response:
        found = await self._report(request)
        if isinstance(found, Response):
            return found
        viewer, report = found
        text = csv_report(report, _runtime(request).directory, viewer.lang)
        headers = {**PRIVATE, "Content-Disposition": f'attachment; filename="bitacora-{report.crisis.id}.csv"'}
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)

"""The intake service as an ASGI application (FastAPI; intake.md): the API (``api.py``) and
the pages (``pages.py``) over the registry database, with the headers every response carries
(Content-Security-Policy allowing only the service's own resources, nosniff, no framing, no
referrer across origins), errors as RFC 9457 problem details on the API and as a page
elsewhere, and nothing from a request in the logs but its method, path and status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.intake.callers import COOKIE, Caller, identify
from registry.intake.processing import RETENTION_DAYS
from registry.intake.uploads import MAX_UPLOAD_BYTES
from registry.version import __version__

__all__ = ["Problem", "Service", "create_app", "document_csp"]

#: Only the service's own resources; forms post to it only; no page may frame it.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cache-control": "no-store",  # health data: no copies in shared or browser caches
}


def document_csp(html: str) -> str:
    """The policy for a self-contained report page (the validation and registry reports):
    its own inline styles, style attributes included, and images inlined as data: URLs;
    still nothing from elsewhere and no script at all. (Hashes cannot allow style
    attributes without 'unsafe-hashes' for each; with no script and no origin to load from,
    inline styles can neither run nor send anything.)"""
    del html  # the same policy for every report page
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    )


class _SecurityHeaders:
    """Adds the headers to every HTTP response (a plain ASGI middleware: request bodies
    stream through untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = dict(HEADERS)
                extra.setdefault("content-security-policy", CSP)
                for name, value in extra.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, sending)


class Problem(Exception):
    """An error answer: RFC 9457 problem details on the API, a short page elsewhere."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers


_TITLES = {
    400: "bad request",
    401: "not signed in",
    403: "not allowed",
    404: "not found",
    405: "method not allowed",
    409: "conflict",
    413: "too large",
    415: "unsupported media type",
    422: "unprocessable request",
    429: "too many attempts",
}


@dataclass
class Service:
    """What the routes share: the database, where uploads go, how the workers are."""

    engine: Engine
    data: Path
    workers_alive: Callable[[], bool] = field(default=lambda: True)
    retention_days: int = RETENTION_DAYS
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    #: Wakes the workers when a submission waits for them (they also look once a second).
    notify: Callable[[], None] = field(default=lambda: None)
    report_cache: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def reader(self) -> Engine:
        """The engine for reads: on SQLite they do not wait for a load to finish."""
        from registry.database.store import reading

        return reading(self.engine)

    def caller(self, request: Request) -> Caller | None:
        return identify(
            self.engine,
            request.headers.get("authorization"),
            request.cookies.get(COOKIE),
            client_of(request),
        )


def client_of(request: Request) -> str | None:
    """The caller's address (the proxy's X-Forwarded-For with ``serve --proxy``)."""
    return request.client.host if request.client is not None else None


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _problem_response(request: Request, problem: Problem) -> Response:
    if request.url.path.startswith("/api/"):
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": problem.title,
            "status": problem.status,
        }
        if problem.detail:
            body["detail"] = problem.detail
        return JSONResponse(
            body, problem.status, headers=problem.headers, media_type="application/problem+json"
        )
    from registry.intake.pages import error_page

    return HTMLResponse(
        error_page(problem.status, problem.title, problem.detail),
        problem.status,
        headers=problem.headers,
    )


def _allowed(request: Request) -> list[str]:
    """The methods of every route at this path (Starlette names only the first route's)."""
    from starlette.routing import Match, Route

    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches({**request.scope, "method": "GET", "type": "http"})
            if match != Match.NONE:
                methods |= route.methods
    return sorted(methods)


def create_app(
    engine: Engine,
    data: Path,
    workers_alive: Callable[[], bool] | None = None,
    retention_days: int = RETENTION_DAYS,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    notify: Callable[[], None] | None = None,
) -> FastAPI:
    from registry.intake import api, pages

    app = FastAPI(
        title="ALL-VTE registry intake",
        version=__version__,
        description="Sites submit their registry submissions to the coordinating center: "
        "upload, validation, loading, and each submission's state and report "
        "(shared/spec/intake.md). Pipelines send `Authorization: Bearer <token>`.",
        docs_url=None,  # the interactive docs load scripts from a CDN: not with this CSP
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.service = Service(
        engine,
        data,
        workers_alive or (lambda: True),
        retention_days,
        max_upload_bytes,
        notify or (lambda: None),
    )

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return _problem_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        title = _TITLES.get(exc.status_code, "error")
        headers = dict(exc.headers or {}) or None
        if exc.status_code == 405:  # RFC 9110: Allow names every method of the resource
            headers = {"Allow": ", ".join(_allowed(request))}
        return _problem_response(request, Problem(exc.status_code, title, headers=headers))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # where, never the value sent
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors())
        return _problem_response(request, Problem(422, _TITLES[422], f"invalid: {where}"))

    app.include_router(api.router)
    app.include_router(pages.router)

    def openapi() -> dict[str, Any]:
        from fastapi.openapi.utils import get_openapi

        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {})["ProblemDetails"] = (
                api.ProblemDetails.model_json_schema()
            )
            # a pipeline's token; a browser's session cookie works as well (with X-CSRF-Token
            # on what changes something)
            components["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": COOKIE},
            }
            for path, operations in schema["paths"].items():
                if path not in ("/api/v1/health",):
                    for operation in operations.values():
                        operation["security"] = [{"bearer": []}, {"session": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    # FastAPI's documented way to extend its schema: replace the method on the instance
    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(_SecurityHeaders)
    return app

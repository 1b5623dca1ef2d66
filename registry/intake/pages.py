"""The intake service's pages (intake.md, "Pages"): server-rendered from the package's Jinja2
templates, usable without JavaScript, loading nothing from elsewhere. A page whose
submissions are still in progress refreshes itself (a meta refresh: no script needed)."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, func, select
from starlette.formparsers import MultiPartParser

from registry.database.intake_tables import IN_PROGRESS, IntakeSite, IntakeSubmission
from registry.intake.api import (
    accept_upload,
    answer,
    refuse_declared_too_large,
    require_csrf,
    too_large,
    visible_submission,
)
from registry.intake.app import Problem, client_of, document_csp, service_of
from registry.intake.callers import COOKIE, Caller, may_submit
from registry.intake.sessions import end, start
from registry.intake.signin import sign_in
from registry.intake.uploads import TooLarge
from registry.templates import template

__all__ = ["error_page", "router"]

router = APIRouter(include_in_schema=False)

#: The pre-session cookie that ties the sign-in form to its browser (login CSRF).
SIGNIN_COOKIE = "vte_signin"
WAITING = ("received", *IN_PROGRESS, "accepted")
#: What the upload form adds around the file (its boundaries and the CSRF field).
FORM_SLACK = 65536
_CSS = (Path(__file__).parent.parent / "templates" / "intake" / "intake.css").read_text()


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = template(f"intake/{name}.html.j2").render(**context)
    return HTMLResponse(html, status)


def error_page(status: int | str, title: str, detail: str | None) -> str:
    """A short page: "STATUS: title" and the detail (an HTTP status, or a word for a page
    that has nothing to show yet)."""
    return template("intake/error.html.j2").render(
        status=status, title=title, detail=detail, caller=None
    )


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def person(request: Request) -> Caller:
    """Dependency: a signed-in person (pages are for people; pipelines use the API)."""
    caller = service_of(request).caller(request)
    if caller is None or caller.session is None:
        raise Problem(303, "sign in", headers={"Location": "/signin"})
    return caller


PersonDep = Annotated[Caller, Depends(person)]


@router.get("/intake.css")
def stylesheet() -> Response:
    return Response(_CSS, media_type="text/css", headers={"cache-control": "max-age=3600"})


@router.get("/")
def home(request: Request) -> Response:
    caller = service_of(request).caller(request)
    if caller is None or caller.session is None:
        return RedirectResponse("/signin", 303)
    if caller.role == "center_analyst":
        return RedirectResponse("/center", 303)
    return RedirectResponse(f"/sites/{caller.site_id}", 303)


@router.get("/signin")
def signin_form(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    response: Response = _page("signin", form_token=token, message=None, caller=None)
    response.set_cookie(
        SIGNIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/signin",
    )
    return response


@router.post("/signin")
async def signin(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
    offered, expected = form.get("form_token"), request.cookies.get(SIGNIN_COOKIE)
    if (
        not isinstance(offered, str)
        or not expected
        or not secrets.compare_digest(offered, expected)
    ):
        raise Problem(403, "not allowed", "the sign-in form is stale; reload it and try again")
    service = service_of(request)
    user_name, password, code = (str(form.get(k) or "") for k in ("user_name", "password", "code"))
    outcome = await run_in_threadpool(
        sign_in, service.engine, user_name, password, code or None, client_of(request)
    )
    if outcome.user is None:
        status = 429 if outcome.retry_after else 401
        message = (
            f"Too many failed attempts: wait {int(outcome.retry_after) + 1} seconds."
            if outcome.retry_after
            else "The user name, password or one-time code is wrong."
        )
        failed: Response = _page(
            "signin", status, form_token=expected, message=message, caller=None
        )
        if outcome.retry_after:
            failed.headers["Retry-After"] = str(int(outcome.retry_after) + 1)
        return failed
    cookie = await run_in_threadpool(
        start, service.engine, outcome.user.user_name, client_of(request)
    )
    response = RedirectResponse("/", 303)
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", secure=_secure(request))
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


@router.post("/signout")
async def signout(request: Request, caller: PersonDep) -> Response:
    form = await request.form(max_files=0, max_fields=3, max_part_size=1024)
    offered = form.get("csrf")
    require_csrf(request, caller, offered if isinstance(offered, str) else None)
    assert caller.session is not None
    await run_in_threadpool(end, service_of(request).engine, caller.session, client_of(request))
    response = RedirectResponse("/signin", 303)
    response.delete_cookie(COOKIE)
    return response


def _trend(rows: list[IntakeSubmission]) -> list[dict[str, Any]]:
    """Findings per 100 records by Kahn category, oldest first (submissions with a report)."""
    out = []
    for row in reversed(rows):
        if not row.report_json or not row.records:
            continue
        findings = json.loads(row.report_json).get("findings", [])
        by = Counter(str(f.get("category", "")).split(".")[0] for f in findings)
        out.append(
            {
                "row": row,
                "rates": {
                    k: 100 * by.get(k, 0) / row.records
                    for k in ("conformance", "completeness", "plausibility")
                },
            }
        )
    return out


def _site_rows(request: Request, site_id: str) -> list[IntakeSubmission]:
    with Session(service_of(request).reader) as session:
        return list(
            session.exec(
                select(IntakeSubmission)
                .where(col(IntakeSubmission.site_id) == site_id)
                .order_by(col(IntakeSubmission.received_at).desc())
                .limit(200)
            )
        )


@router.get("/sites/{site_id}")
def site_home(request: Request, caller: PersonDep, site_id: str) -> Response:
    if caller.role != "center_analyst" and caller.site_id != site_id:
        raise Problem(404, "not found", "no such site of yours")
    with Session(service_of(request).reader) as session:
        site = session.get(IntakeSite, site_id[:8])
    if site is None:
        raise Problem(404, "not found", "no such site of yours")
    rows = _site_rows(request, site.site_id)
    return _page(
        "site",
        caller=caller,
        site=site,
        rows=rows,
        trend=_trend(rows),
        can_upload=may_submit(caller),
        refresh=any(r.state in WAITING for r in rows),
        max_bytes=service_of(request).max_upload_bytes,
    )


async def _file_part(request: Request) -> Any:
    """The form's file, streamed by python-multipart (through Starlette's parser) within the
    size bound; the parser spools it to disk."""
    size = 0

    async def bounded() -> Any:
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > service_of(request).max_upload_bytes + FORM_SLACK:
                raise TooLarge("too large")
            yield chunk

    parser = MultiPartParser(
        request.headers, bounded(), max_files=1, max_fields=3, max_part_size=1024
    )
    return await parser.parse()


@router.post("/sites/{site_id}/submissions")
async def upload(request: Request, caller: PersonDep, site_id: str) -> Response:
    if not may_submit(caller) or caller.site_id != site_id:
        raise Problem(
            403 if caller.role == "center_analyst" else 404,
            "not allowed" if caller.role == "center_analyst" else "not found",
        )
    refuse_declared_too_large(request, FORM_SLACK)
    try:
        form = await _file_part(request)
    except TooLarge:
        raise too_large(service_of(request)) from None
    try:
        offered = form.get("csrf")
        require_csrf(request, caller, offered if isinstance(offered, str) else None)
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise Problem(400, "bad request", "choose the submission's .zip file")

        async def chunks() -> Any:
            while block := await upload.read(1 << 20):
                yield block

        row, _ = await accept_upload(request, caller, chunks())
    finally:
        await form.close()
    return RedirectResponse(f"/submissions/{row.submission_id}", 303)


def _rules_failed(row: IntakeSubmission) -> list[dict[str, Any]]:
    """The report's rules that failed, in the order a person fixes them, with counts."""
    from registry.rules import rule

    if not row.report_json:
        return []
    report = json.loads(row.report_json)
    counts = Counter(str(f["rule"]) for f in report.get("findings", []))
    out = []
    for rule_id in report.get("summary", {}).get("rules_failed", []):
        known = rule(rule_id)
        out.append(
            {
                "rule": rule_id,
                "severity": known.severity,
                "title": known.title,
                "count": counts.get(rule_id, 0),
            }
        )
    return out


@router.get("/submissions/{submission_id}")
def submission_page(request: Request, caller: PersonDep, submission_id: str) -> Response:
    row = visible_submission(service_of(request), caller, submission_id)
    changes = json.loads(row.changes_json) if row.changes_json else None
    return _page(
        "submission",
        caller=caller,
        row=row,
        changes=changes,
        rules=_rules_failed(row),
        can_decide=may_submit(caller) and row.state == "needs-confirmation",
        refresh=row.state in WAITING,
    )


@router.post("/submissions/{submission_id}/{decision}")
async def decide_page(
    request: Request, caller: PersonDep, submission_id: str, decision: str
) -> Response:
    if decision not in ("confirm", "withdraw"):
        raise Problem(404, "not found")
    form = await request.form(max_files=0, max_fields=3, max_part_size=1024)
    offered = form.get("csrf")
    require_csrf(request, caller, offered if isinstance(offered, str) else None)
    await run_in_threadpool(answer, request, caller, submission_id, decision == "confirm")
    return RedirectResponse(f"/submissions/{submission_id}", 303)


def _center_rows(request: Request) -> list[tuple[IntakeSite, IntakeSubmission | None, int]]:
    with Session(service_of(request).reader) as session:
        sites = list(session.exec(select(IntakeSite).order_by(col(IntakeSite.site_id))))
        out = []
        for site in sites:
            latest = session.exec(
                select(IntakeSubmission)
                .where(col(IntakeSubmission.site_id) == site.site_id)
                .order_by(col(IntakeSubmission.received_at).desc())
                .limit(1)
            ).first()
            count = session.exec(
                select(func.count())
                .select_from(IntakeSubmission)
                .where(col(IntakeSubmission.site_id) == site.site_id)
            ).one()
            out.append((site, latest, int(count)))
        return out


def _cutoffs(request: Request) -> dict[str, Any]:
    """Each site's data cutoff: that of its latest loaded submission (the registry's)."""
    from registry.database.store import AUDIT

    audit = AUDIT
    with service_of(request).reader.connect() as connection:
        rows = connection.execute(
            select(audit.c.site_id, audit.c.data_cutoff_date).order_by(audit.c.loaded_at)
        ).all()
    return {site: cutoff for site, cutoff in rows}  # the latest load last: it wins


def center_only(caller: Caller) -> None:
    if caller.role != "center_analyst":
        raise Problem(403, "not allowed", "the center's pages are for the center")


@router.get("/center")
def center(request: Request, caller: PersonDep) -> Response:
    center_only(caller)
    rows = _center_rows(request)
    return _page(
        "center",
        caller=caller,
        rows=rows,
        cutoffs=_cutoffs(request),
        refresh=any(r is not None and r.state in WAITING for _, r, _ in rows),
    )


def _registry_report(request: Request) -> str:
    """The registry report of the loaded data, built again only after a new load."""
    from sqlalchemy import text

    from registry.report import ReportRefused, build_center_report, render_html

    service = service_of(request)
    with service.reader.connect() as connection:
        key = str(
            connection.execute(text("SELECT count(*), max(loaded_at) FROM submissions")).one()
        )
    cached = service.report_cache.get("registry")
    if cached is not None and cached[0] == key:
        return cached[1]
    url = service.engine.url.render_as_string(hide_password=False)
    try:
        html = render_html(build_center_report(url))
    except ReportRefused as exc:  # nothing loaded yet, say: a page that says so
        return error_page("No report yet", "the registry report", str(exc))
    service.report_cache["registry"] = (key, html)
    return html


@router.get("/center/report")
def center_report(request: Request, caller: PersonDep) -> Response:
    center_only(caller)
    html = _registry_report(request)
    return HTMLResponse(html, headers={"Content-Security-Policy": document_csp(html)})

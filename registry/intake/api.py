"""The intake service's JSON API (intake.md, "API"): pipelines and pages submit, follow their
submissions and read the reports. Every route checks the caller against the object's site."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlmodel import Session, col, select

from registry.database.intake_tables import IntakeSubmission
from registry.database.store import as_utc
from registry.intake.app import Problem, Service, client_of, document_csp, service_of
from registry.intake.callers import Caller, may_see, may_submit
from registry.intake.queue import decide, receive
from registry.intake.sessions import csrf_ok
from registry.intake.uploads import Stored, TooLarge, store_stream

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")

_PROBLEM = {
    "content": {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": title, **_PROBLEM}
    for code, title in ((401, "no valid credentials"), (404, "no such submission of yours"))
}


class ProblemDetails(BaseModel):
    """RFC 9457."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None


class Created(BaseModel):
    id: str
    state: str
    url: str


class SubmissionOut(BaseModel):
    id: str
    site_id: str
    state: str = Field(
        description="received, validating, accepted, loading, "
        "needs-confirmation, loaded, rejected, refused or withdrawn"
    )
    received_at: dt.datetime
    finished_at: dt.datetime | None
    sha256: str
    errors: int | None
    warnings: int | None
    records: int | None
    message: str | None
    url: str


class Health(BaseModel):
    status: str
    database: bool
    workers: bool


def as_out(row: IntakeSubmission) -> SubmissionOut:
    return SubmissionOut(
        id=row.submission_id,
        site_id=row.site_id,
        state=row.state,
        received_at=as_utc(row.received_at),
        finished_at=as_utc(row.finished_at) if row.finished_at is not None else None,
        sha256=row.sha256,
        errors=row.errors,
        warnings=row.warnings,
        records=row.records,
        message=row.message,
        url=f"/api/v1/submissions/{row.submission_id}",
    )


def caller_of(request: Request) -> Caller:
    """Dependency: the authenticated caller, else 401."""
    caller = service_of(request).caller(request)
    if caller is None:
        raise Problem(
            401,
            "not signed in",
            "give a valid token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return caller


def require_csrf(request: Request, caller: Caller, offered: str | None) -> None:
    """A person's session changes nothing without its CSRF token (pipelines' bearer tokens
    are not sent by browsers on their own, so they need none)."""
    if caller.session is not None and not csrf_ok(caller.session, offered):
        raise Problem(
            403,
            "not allowed",
            "the form's security token is missing or stale; reload the page and try again",
        )


def visible_submission(service: Service, caller: Caller, submission_id: str) -> IntakeSubmission:
    with Session(service.reader) as session:
        row = session.get(IntakeSubmission, submission_id[:36])
        if not may_see(caller, row):
            raise Problem(404, "not found", "no such submission of yours")
        assert row is not None
        session.expunge(row)
        return row


def too_large(service: Service) -> Problem:
    return Problem(413, "too large", f"a submission is at most {service.max_upload_bytes:,} bytes")


def refuse_declared_too_large(request: Request, slack: int = 0) -> None:
    """413 at once, before a byte is read, when Content-Length already passes the bound
    (``slack``: what a form adds around the file)."""
    service = service_of(request)
    declared = request.headers.get("content-length") or ""
    if declared.isdigit() and int(declared) > service.max_upload_bytes + slack:
        raise too_large(service)


CallerDep = Annotated[Caller, Depends(caller_of)]


async def accept_upload(
    request: Request, caller: Caller, chunks: AsyncIterator[bytes]
) -> tuple[IntakeSubmission, bool]:
    """Stream an upload to disk and record it; (its submission, whether it is new). The
    routes have checked that the caller submits for this site."""
    service = service_of(request)
    assert may_submit(caller) and caller.site_id is not None
    try:
        stored: Stored = await store_stream(
            chunks, service.data / "uploads" / caller.site_id, service.max_upload_bytes
        )
    except TooLarge:
        raise too_large(service) from None
    got = await run_in_threadpool(
        receive,
        service.engine,
        caller.site_id,
        stored.sha256,
        str(stored.path),
        caller.actor,
        client_of(request),
    )
    if got.created:
        service.notify()  # a worker takes it up now, not at its next look
    else:
        stored.path.unlink(missing_ok=True)  # the same file: the first copy is the one kept
    return visible_submission(service, caller, got.submission_id), got.created


@router.post(
    "/submissions",
    status_code=202,
    response_model=Created,
    summary="Submit a zipped submission folder",
    responses={
        200: {"description": "the same file was submitted before", "model": Created},
        403: {"description": "the center cannot submit; or a stale form token", **_PROBLEM},
        413: {"description": "larger than the validator's bound", **_PROBLEM},
        415: {"description": "not application/zip", **_PROBLEM},
        **_ERRORS,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def submit(
    request: Request,
    caller: CallerDep,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Response:
    require_csrf(request, caller, x_csrf_token)
    if not may_submit(caller):
        raise Problem(403, "not allowed", "the center does not upload for a site")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/zip", "application/octet-stream", "application/x-zip-compressed"):
        raise Problem(
            415, "unsupported media type", "send the zip with Content-Type: application/zip"
        )
    refuse_declared_too_large(request)
    row, created = await accept_upload(request, caller, request.stream())
    body = Created(
        id=row.submission_id, state=row.state, url=f"/api/v1/submissions/{row.submission_id}"
    )
    return JSONResponse(body.model_dump(), 202 if created else 200, headers={"Location": body.url})


@router.get(
    "/submissions",
    response_model=list[SubmissionOut],
    responses=_ERRORS,
    summary="The caller's site's submissions (every site's for the center)",
)
def list_submissions(request: Request, caller: CallerDep) -> list[SubmissionOut]:
    query = select(IntakeSubmission).order_by(col(IntakeSubmission.received_at).desc())
    if caller.role != "center_analyst":
        query = query.where(col(IntakeSubmission.site_id) == caller.site_id)
    with Session(service_of(request).reader) as session:
        return [as_out(row) for row in session.exec(query.limit(1000))]


@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionOut,
    responses=_ERRORS,
    summary="One submission and its state",
)
def get_submission(request: Request, caller: CallerDep, submission_id: str) -> SubmissionOut:
    return as_out(visible_submission(service_of(request), caller, submission_id))


def _no_report(row: IntakeSubmission) -> Problem:
    why = row.message or f"the submission is {row.state}"
    return Problem(404, "not found", f"no report yet: {why}")


@router.get(
    "/submissions/{submission_id}/report",
    responses={
        200: {
            "description": "the validation report (the JSON report contract)",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **_ERRORS,
    },
    summary="The validation report (JSON)",
)
def get_report(request: Request, caller: CallerDep, submission_id: str) -> Response:
    row = visible_submission(service_of(request), caller, submission_id)
    if row.report_json is None:
        raise _no_report(row)
    return Response(row.report_json, media_type="application/json")


@router.get(
    "/submissions/{submission_id}/report.html",
    response_class=HTMLResponse,
    responses={
        200: {
            "description": "the validation report as a page",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **_ERRORS,
    },
    summary="The validation report (a page)",
)
def get_report_html(request: Request, caller: CallerDep, submission_id: str) -> Response:
    row = visible_submission(service_of(request), caller, submission_id)
    if row.report_html is None:
        raise _no_report(row)
    return HTMLResponse(
        row.report_html, headers={"Content-Security-Policy": document_csp(row.report_html)}
    )


def answer(request: Request, caller: Caller, submission_id: str, confirm: bool) -> SubmissionOut:
    """Confirm or withdraw a submission that needs confirmation (a person or pipeline of its
    site; the center looks, it does not decide for a site)."""
    service = service_of(request)
    row = visible_submission(service, caller, submission_id)
    if not may_submit(caller):
        raise Problem(403, "not allowed", "only the site decides about its records")
    if not decide(service.engine, row.submission_id, caller.actor, confirm, client_of(request)):
        raise Problem(409, "conflict", f"the submission is {row.state}, not needs-confirmation")
    if confirm:
        service.notify()  # it waits for a worker again
    return as_out(visible_submission(service, caller, submission_id))


_DECIDE = {
    403: {"description": "not the site's to decide; or a stale form token", **_PROBLEM},
    409: {"description": "it does not need confirmation", **_PROBLEM},
    **_ERRORS,
}


def _decision(confirm: bool) -> Callable[..., SubmissionOut]:
    def decide_route(
        request: Request,
        caller: CallerDep,
        submission_id: str,
        x_csrf_token: Annotated[str | None, Header()] = None,
    ) -> SubmissionOut:
        require_csrf(request, caller, x_csrf_token)
        return answer(request, caller, submission_id, confirm)

    return decide_route


for _name, _confirm, _summary in (
    ("confirm", True, "Load it with the removals it makes"),
    ("withdraw", False, "Do not load it"),
):
    router.add_api_route(
        f"/submissions/{{submission_id}}/{_name}",
        _decision(_confirm),
        methods=["POST"],
        response_model=SubmissionOut,
        responses=_DECIDE,
        summary=_summary,
        name=_name,
        operation_id=f"{_name}_submission",
    )


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"description": "the database or the workers do not answer", "model": Health}},
    summary="Whether the service can take submissions (no credentials needed)",
)
def health(request: Request) -> Response:
    service = service_of(request)
    try:
        with service.reader.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = True
    except Exception:  # any failure is "no": the answer says nothing more
        database = False
    workers = service.workers_alive()
    ok = database and workers
    body = Health(status="ok" if ok else "unavailable", database=database, workers=workers)
    return JSONResponse(body.model_dump(), 200 if ok else 503)

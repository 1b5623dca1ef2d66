"""Every route × every kind of caller × own site / other site (intake.md, "Roles": "Authorization
is checked on every request, against the site of the object"). The expected answer of each
cell is written out below; "signin" is a redirect (303) to the sign-in page.

Callers: ``anonymous`` (no credentials), ``submitter`` (a person of SITE1, signed in),
``pipeline`` (SITE1's bearer token), ``center`` (a center analyst, signed in), ``expired`` and
``revoked`` (SITE1 tokens), ``bad_csrf`` (SITE1's submitter with a wrong form token).
OWN is a submission of SITE1, OTHER one of SITE2."""

from __future__ import annotations

import datetime as dt
import io
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from registry.database.intake_tables import IntakeSubmission, IntakeToken
from registry.database.store import make_engine, upgrade
from registry.intake import accounts, sessions
from registry.intake.app import create_app
from registry.intake.callers import COOKIE
from registry.intake.queue import receive
from tests.intake.conftest import PASSWORD

CALLERS = ("anonymous", "submitter", "pipeline", "center", "expired", "revoked", "bad_csrf")
S = "signin"

# route: (method, path, expected per caller in the order of CALLERS)
MATRIX: dict[str, tuple[str, str, tuple[int | str, ...]]] = {
    "health": ("GET", "/api/v1/health", (200, 200, 200, 200, 200, 200, 200)),
    "list": ("GET", "/api/v1/submissions", (401, 200, 200, 200, 401, 401, 200)),
    "get own": ("GET", "/api/v1/submissions/{own}", (401, 200, 200, 200, 401, 401, 200)),
    "get other": ("GET", "/api/v1/submissions/{other}", (401, 404, 404, 200, 401, 401, 404)),
    "get unknown": ("GET", "/api/v1/submissions/{unknown}", (401, 404, 404, 404, 401, 401, 404)),
    "report own": ("GET", "/api/v1/submissions/{own}/report", (401, 200, 200, 200, 401, 401, 200)),
    "report other": (
        "GET",
        "/api/v1/submissions/{other}/report",
        (401, 404, 404, 200, 401, 401, 404),
    ),
    "report.html own": (
        "GET",
        "/api/v1/submissions/{own}/report.html",
        (401, 200, 200, 200, 401, 401, 200),
    ),
    "report.html other": (
        "GET",
        "/api/v1/submissions/{other}/report.html",
        (401, 404, 404, 200, 401, 401, 404),
    ),
    "upload": ("POST", "/api/v1/submissions", (401, 202, 202, 403, 401, 401, 403)),
    "confirm own": (
        "POST",
        "/api/v1/submissions/{own}/confirm",
        (401, 409, 409, 403, 401, 401, 403),
    ),
    "confirm other": (
        "POST",
        "/api/v1/submissions/{other}/confirm",
        (401, 404, 404, 403, 401, 401, 403),
    ),
    "withdraw own": (
        "POST",
        "/api/v1/submissions/{own}/withdraw",
        (401, 409, 409, 403, 401, 401, 403),
    ),
    "withdraw other": (
        "POST",
        "/api/v1/submissions/{other}/withdraw",
        (401, 404, 404, 403, 401, 401, 403),
    ),
    "openapi": ("GET", "/api/v1/openapi.json", (200, 200, 200, 200, 200, 200, 200)),
    "page home": ("GET", "/", (S, 303, S, 303, S, S, 303)),
    "page site own": ("GET", "/sites/SITE1", (S, 200, S, 200, S, S, 200)),
    "page site other": ("GET", "/sites/SITE2", (S, 404, S, 200, S, S, 404)),
    "page upload own": ("POST", "/sites/SITE1/submissions", (S, 303, S, 403, S, S, 403)),
    "page upload other": ("POST", "/sites/SITE2/submissions", (S, 404, S, 403, S, S, 404)),
    "page submission own": ("GET", "/submissions/{own}", (S, 200, S, 200, S, S, 200)),
    "page submission other": ("GET", "/submissions/{other}", (S, 404, S, 200, S, S, 404)),
    "page confirm own": ("POST", "/submissions/{own}/confirm", (S, 409, S, 403, S, S, 403)),
    "page confirm other": ("POST", "/submissions/{other}/confirm", (S, 404, S, 403, S, S, 403)),
    "page withdraw own": ("POST", "/submissions/{own}/withdraw", (S, 409, S, 403, S, S, 403)),
    "page center": ("GET", "/center", (S, 403, S, 200, S, S, 403)),
    "page center report": ("GET", "/center/report", (S, 403, S, 200, S, S, 403)),
    "page sign-out": ("POST", "/signout", (S, S, S, S, S, S, 403)),
}


@dataclass
class Setup:
    engine: Engine
    app: FastAPI
    client: TestClient
    ids: dict[str, str]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("authz")
    engine = make_engine(f"sqlite:///{folder / 'registry.sqlite'}")
    upgrade(engine)
    accounts.add_site(engine, "SITE1", "Hospital One")
    accounts.add_site(engine, "SITE2", "Hospital Two")
    accounts.add_user(engine, "dm.site1", "site_submitter", PASSWORD, site_id="SITE1")
    accounts.add_user(engine, "analyst", "center_analyst", PASSWORD)
    ids = {}
    for name, site in (("own", "SITE1"), ("other", "SITE2")):
        got = receive(engine, site, secrets.token_hex(32), str(folder / f"{name}.zip"), "test")
        ids[name] = got.submission_id
        with Session(engine) as session, session.begin():
            session.execute(
                update(IntakeSubmission)
                .where(col(IntakeSubmission.submission_id) == got.submission_id)
                .values(state="rejected", report_json="{}", report_html="<p>report</p>")
            )
    ids["unknown"] = "00000000-0000-4000-8000-000000000000"
    app = create_app(engine, folder / "data")
    with TestClient(app) as client:
        yield Setup(engine, app, client, ids)
    engine.dispose()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", secrets.token_hex(8))  # a new file every time
    return out.getvalue()


def _credentials(setup: Setup, caller: str) -> tuple[dict[str, str], dict[str, str], str | None]:
    """(headers, cookies, csrf) of a fresh caller of this kind."""
    engine = setup.engine
    if caller in ("pipeline", "expired", "revoked"):
        issued = accounts.issue_token(engine, "SITE1", caller)
        if caller == "revoked":
            accounts.revoke_token(engine, issued.token_id)
        if caller == "expired":
            with Session(engine) as session, session.begin():
                past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
                session.execute(
                    update(IntakeToken)
                    .where(col(IntakeToken.token_id) == issued.token_id)
                    .values(expires_at=past)
                )
        return {"Authorization": f"Bearer {issued.token}"}, {}, None
    if caller in ("submitter", "center", "bad_csrf"):
        user = "analyst" if caller == "center" else "dm.site1"
        cookie = sessions.start(engine, user)
        signed = sessions.look_up(engine, cookie)
        assert signed is not None
        csrf = "not-the-token" if caller == "bad_csrf" else signed.csrf
        return {}, {COOKIE: cookie}, csrf
    return {}, {}, None


CELLS = [
    pytest.param(route, caller, expected[i], id=f"{route}-{caller}")
    for route, (_, _, expected) in MATRIX.items()
    for i, caller in enumerate(CALLERS)
]


@pytest.mark.parametrize(("route", "caller", "expected"), CELLS)
def test_authorization(setup: Setup, route: str, caller: str, expected: int | str) -> None:
    method, template, _ = MATRIX[route]
    path = template.format(**setup.ids)
    headers, cookies, csrf = _credentials(setup, caller)
    client = setup.client
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    headers = dict(headers)
    kwargs: dict[str, Any] = {}
    if method == "POST" and path.startswith("/api/"):
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        if path.endswith("/submissions"):
            kwargs["content"] = _zip()
            headers["Content-Type"] = "application/zip"
    elif method == "POST" and "/submissions" in path and path.startswith("/sites/"):
        kwargs["data"] = {"csrf": csrf or ""}
        kwargs["files"] = {"file": ("submission.zip", _zip(), "application/zip")}
    elif method == "POST":
        kwargs["data"] = {"csrf": csrf or ""}
    response = client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
    if expected == S:
        assert (response.status_code, response.headers.get("location")) == (303, "/signin")
    else:
        assert response.status_code == expected, response.text[:300]
        if path.startswith("/api/") and response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == response.status_code
    # every answer carries the headers, whoever asks
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_another_sites_objects_do_not_leak_through_lists(setup: Setup) -> None:
    headers, _, _ = _credentials(setup, "pipeline")
    setup.client.cookies.clear()
    listed = setup.client.get("/api/v1/submissions", headers=headers).json()
    assert {s["site_id"] for s in listed} == {"SITE1"}
    assert setup.ids["other"] not in {s["id"] for s in listed}


def test_the_matrix_covers_every_route(setup: Setup) -> None:
    """A route added without a row here fails this test."""
    from fastapi.routing import APIRoute

    routes = {
        (method, route.path)
        for route in setup.app.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    covered = {
        (
            method,
            template.replace("{own}", "{submission_id}")
            .replace("{other}", "{submission_id}")
            .replace("SITE1", "{site_id}")
            .replace("SITE2", "{site_id}"),
        )
        for method, template, _ in MATRIX.values()
    }
    covered = {
        (m, p.replace("/confirm", "/{decision}").replace("/withdraw", "/{decision}"))
        if not p.startswith("/api/")
        else (m, p)
        for m, p in covered
    }
    missing = routes - covered - {("GET", "/intake.css"), ("GET", "/signin"), ("POST", "/signin")}
    assert not missing

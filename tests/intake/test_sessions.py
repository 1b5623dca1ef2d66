"""Sessions of people (intake.md, "Authentication"; ASVS 3): the cookie's attributes, an idle
and an absolute expiry, sign-out that ends the session on the server (the old cookie is then
worthless), and the sign-in form's own CSRF token."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from registry.intake import accounts, sessions
from registry.intake.app import create_app
from registry.intake.callers import COOKIE
from tests.conftest import Database
from tests.intake.conftest import PASSWORD


@pytest.fixture
def client(db: Database, tmp_path: Path) -> TestClient:
    accounts.add_user(db.engine, "dm.site1", "site_submitter", PASSWORD, site_id="SITE1")
    return TestClient(create_app(db.engine, tmp_path / "data"))


def _sign_in(client: TestClient, password: str = PASSWORD) -> httpx.Response:
    form = client.get("/signin")
    token = re.search(r'name="form_token" value="([^"]+)"', form.text)
    assert token is not None
    return client.post(
        "/signin",
        data={"form_token": token.group(1), "user_name": "dm.site1", "password": password},
        follow_redirects=False,
    )


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_the_cookie_is_httponly_strict_and_sign_out_ends_it_on_the_server(
    client: TestClient,
) -> None:
    answer = _sign_in(client)
    assert answer.status_code == 303
    cookie_header = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie_header and "samesite=strict" in cookie_header
    assert "secure" not in cookie_header  # plain http on loopback; https sets it (below)
    cookie = client.cookies.get(COOKIE)
    page = client.get("/sites/SITE1")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    assert (
        client.post("/signout", data={"csrf": csrf.group(1)}, follow_redirects=False).status_code
        == 303
    )
    client.cookies.set(COOKIE, str(cookie))  # the old cookie, kept by an attacker
    again = client.get("/sites/SITE1", follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, "/signin")


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_over_https_the_cookie_is_secure(db: Database, tmp_path: Path) -> None:
    accounts.add_user(db.engine, "dm.site1", "site_submitter", PASSWORD, site_id="SITE1")
    client = TestClient(create_app(db.engine, tmp_path / "data"), base_url="https://intake")
    answer = _sign_in(client)
    assert "secure" in answer.headers["set-cookie"].lower()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("idle", "age", "alive"),
    [
        (dt.timedelta(minutes=29), dt.timedelta(hours=1), True),
        (dt.timedelta(minutes=31), dt.timedelta(hours=1), False),  # idle
        (dt.timedelta(minutes=1), dt.timedelta(hours=12, minutes=1), False),  # absolute
    ],
)
def test_sessions_expire_idle_and_absolutely(
    db: Database, idle: dt.timedelta, age: dt.timedelta, alive: bool
) -> None:
    from sqlalchemy import update

    from registry.database.intake_tables import IntakeSession

    accounts.add_user(db.engine, "dm.site1", "site_submitter", PASSWORD, site_id="SITE1")
    cookie = sessions.start(db.engine, "dm.site1")
    now = dt.datetime.now(dt.UTC)
    with db.engine.begin() as connection:
        connection.execute(update(IntakeSession).values(created_at=now - age, seen_at=now - idle))
    assert (sessions.look_up(db.engine, cookie) is not None) is alive
    if not alive:  # ended for good: it does not come back
        assert sessions.look_up(db.engine, cookie) is None


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_the_sign_in_form_needs_its_own_token(client: TestClient) -> None:
    client.get("/signin")
    forged = client.post(
        "/signin",
        data={"form_token": "forged", "user_name": "dm.site1", "password": PASSWORD},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and client.cookies.get(COOKIE) is None
    wrong = _sign_in(client, "not the password")
    assert wrong.status_code == 401
    assert "wrong" in wrong.text

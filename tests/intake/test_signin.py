"""Signing in (intake.md, "Authentication"): one answer for an unknown user and a wrong
password, one-time passwords where enabled, and failures limited per account and per client
address with a delay that doubles; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from sqlalchemy import text

from registry.intake import accounts
from registry.intake.signin import FREE_FAILURES, MAX_DELAY_SECONDS, sign_in
from tests.conftest import Database
from tests.intake.conftest import DB_KINDS, PASSWORD

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _submitter(db: Database) -> None:
    accounts.add_user(db.engine, "dm.site1", "site_submitter", PASSWORD, site_id="SITE1")


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_one_answer_for_an_unknown_user_and_a_wrong_password(db: Database) -> None:
    unknown = sign_in(db.engine, "nobody", PASSWORD, client="10.0.0.1", now=_at(0))
    wrong = sign_in(db.engine, "dm.site1", PASSWORD + "x", client="10.0.0.2", now=_at(0))
    assert unknown == wrong and unknown.user is None and unknown.retry_after == 0
    good = sign_in(db.engine, "dm.site1", PASSWORD, client="10.0.0.3", now=_at(0))
    assert good.user is not None and good.user.site_id == "SITE1"
    accounts.disable_user(db.engine, "dm.site1")
    assert sign_in(db.engine, "dm.site1", PASSWORD, client="10.0.0.4", now=_at(0)).user is None


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_a_password_typed_as_a_user_name_is_not_written_down(db: Database) -> None:
    sign_in(db.engine, PASSWORD, PASSWORD, client="10.0.0.1", now=_at(0))
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM intake_events")).all()
    assert rows and PASSWORD not in repr(rows)


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_failures_bring_a_delay_that_doubles_per_account(db: Database) -> None:
    t = 0.0
    for _ in range(FREE_FAILURES):  # the free failures: no delay, from different addresses
        out = sign_in(
            db.engine, "dm.site1", "wrong password!", client=f"10.0.1.{t:.0f}", now=_at(t)
        )
        assert out.user is None and out.retry_after == 0
        t += 1
    # now even the right password waits, whatever the address
    held = sign_in(db.engine, "dm.site1", PASSWORD, client="10.9.9.9", now=_at(t - 1 + 0.5))
    assert held.user is None and 0 < held.retry_after <= 1
    # after the wait it is checked again; each failure doubles the next delay
    delays = []
    t += 60
    for _ in range(4):
        out = sign_in(db.engine, "dm.site1", "wrong password!", client="10.0.2.1", now=_at(t))
        assert out.user is None and out.retry_after == 0
        probe = sign_in(db.engine, "dm.site1", "wrong password!", client="10.0.2.1", now=_at(t))
        delays.append(probe.retry_after)
        t += MAX_DELAY_SECONDS + 1
    assert delays == sorted(delays) and delays[-1] > delays[0] > 0
    assert all(d <= MAX_DELAY_SECONDS for d in delays)
    # the window passes: the account opens again
    later = _at(t + 16 * 60)
    assert sign_in(db.engine, "dm.site1", PASSWORD, client="10.0.3.1", now=later).user is not None


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_failures_are_limited_per_client_address_too(db: Database) -> None:
    for i in range(FREE_FAILURES):  # different (unknown) accounts from one address
        sign_in(db.engine, f"guess{i}", "password guess!", client="192.0.2.7", now=_at(i))
    held = sign_in(
        db.engine, "dm.site1", PASSWORD, client="192.0.2.7", now=_at(FREE_FAILURES - 0.5)
    )
    assert held.user is None and held.retry_after > 0
    other = sign_in(db.engine, "dm.site1", PASSWORD, client="192.0.2.8", now=_at(FREE_FAILURES))
    assert other.user is not None  # another address is not held


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_one_time_passwords_where_enabled(db: Database) -> None:
    secret = accounts.add_user(db.engine, "analyst", "center_analyst", PASSWORD)
    assert secret is not None
    now = dt.datetime.now(dt.UTC)
    assert sign_in(db.engine, "analyst", PASSWORD, client="a", now=now).user is None
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    assert sign_in(db.engine, "analyst", PASSWORD, wrong, client="b", now=now).user is None
    code = pyotp.TOTP(secret).now()
    assert sign_in(db.engine, "analyst", PASSWORD, code, client="c", now=now).user is not None

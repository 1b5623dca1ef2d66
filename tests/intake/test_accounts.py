"""The intake service's accounts (intake.md, "Roles" and "Authentication"): who may be added,
how secrets are kept, and which tokens open the door, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text, update
from sqlmodel import col

from registry.database.intake_tables import IntakeSite, IntakeToken
from registry.intake import accounts
from registry.intake.accounts import AccountError
from registry.intake.credentials import hash_password, totp_ok, verify_password
from tests.conftest import Database
from tests.intake.conftest import DB_KINDS, PASSWORD


def _dump(database: Database) -> str:
    """Every value of every intake table, as text: where a secret would show if kept."""
    out = []
    with database.engine.connect() as connection:
        for table in ("intake_sites", "intake_users", "intake_tokens", "intake_events"):
            out += [repr(tuple(r)) for r in connection.execute(text(f"SELECT * FROM {table}"))]
    return "\n".join(out)


def test_passwords_are_argon2id_hashes() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)
    with pytest.raises(ValueError, match="12 characters"):
        hash_password("short")


# (role, site, error the administrator gets, or None)
USERS = [
    ("site_submitter", "SITE1", None),
    ("site_submitter", None, "needs --site"),
    ("site_submitter", "NOSUCH", "no active site"),
    ("center_analyst", None, None),
    ("center_analyst", "SITE1", "belongs to no site"),
    ("administrator", None, "role 'administrator'"),
]


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
@pytest.mark.parametrize(("role", "site", "error"), USERS)
def test_who_may_be_added(db: Database, role: str, site: str | None, error: str | None) -> None:
    if error is not None:
        with pytest.raises(AccountError, match=error):
            accounts.add_user(db.engine, "someone", role, PASSWORD, site_id=site)
        assert accounts.list_users(db.engine) == []
        return
    secret = accounts.add_user(db.engine, "someone", role, PASSWORD, site_id=site)
    (user,) = accounts.list_users(db.engine)
    assert (user.role, user.site_id) == (role, site)
    # one-time passwords are required for the center (intake.md)
    assert (secret is not None) == (role == "center_analyst")
    if secret is not None:
        import pyotp

        assert totp_ok(secret, pyotp.TOTP(secret).now())
        assert not totp_ok(secret, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert PASSWORD not in _dump(db)


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_tokens_open_their_site_only_while_live(db: Database) -> None:
    issued = accounts.issue_token(db.engine, "SITE1", "nightly extract", days=30)
    assert len(issued.token) >= 4 + 12 + 1 + 43  # vte_, id, _, 256 bits in base64url
    assert issued.token not in _dump(db)  # only its digest is kept
    row = accounts.authenticate_token(db.engine, issued.token)
    assert row is not None and row.site_id == "SITE1"
    (listed,) = accounts.list_tokens(db.engine, "SITE1")
    assert listed.last_used_at is not None
    assert accounts.list_tokens(db.engine, "SITE2") == []
    # the same answer for every token that is not live
    wrong = issued.token[:-2] + ("AA" if not issued.token.endswith("AA") else "BB")
    for refused in (wrong, "vte_000000000000_" + "A" * 43, "Bearer x", ""):
        assert accounts.authenticate_token(db.engine, refused) is None
    with db.engine.begin() as connection:  # expired
        connection.execute(
            update(IntakeToken)
            .where(col(IntakeToken.token_id) == issued.token_id)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    assert accounts.authenticate_token(db.engine, issued.token) is None
    other = accounts.issue_token(db.engine, "SITE2", "pipeline", days=1)
    accounts.revoke_token(db.engine, other.token_id)  # revoked
    assert accounts.authenticate_token(db.engine, other.token) is None
    third = accounts.issue_token(db.engine, "SITE2", "pipeline", days=1)
    with db.engine.begin() as connection:  # its site no longer active
        connection.execute(
            update(IntakeSite).where(col(IntakeSite.site_id) == "SITE2").values(active=False)
        )
    assert accounts.authenticate_token(db.engine, third.token) is None
    dump = _dump(db)
    assert all(t.token not in dump for t in (issued, other, third))
    assert "token-use" in dump and "refused" in dump  # attempts audited by public id


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda e: accounts.add_site(e, "site 1", "x"), "not a site ID"),
        (lambda e: accounts.add_site(e, "SITE1", "again"), "exists already"),
        (lambda e: accounts.issue_token(e, "SITE1", "x", days=0), "1 to 366 days"),
        (lambda e: accounts.issue_token(e, "SITE1", "x", days=400), "1 to 366 days"),
        (lambda e: accounts.revoke_token(e, "nosuch"), "no token"),
        (lambda e: accounts.disable_user(e, "nosuch"), "no user"),
        (lambda e: accounts.add_user(e, "Bad Name", "center_analyst", PASSWORD), "user name"),
    ],
)
def test_what_the_administrator_cannot_do(
    db: Database, call: Callable[[Engine], object], error: str
) -> None:
    with pytest.raises(AccountError, match=error):
        call(db.engine)


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "registry", "admin", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def test_the_admin_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'service.sqlite'}"
    assert _cli("site", "add", "SITE1", "--name", "Hospital One", "--db", db).returncode == 0
    added = _cli(
        *("user", "add", "dm.site1", "--role", "site_submitter", "--site", "SITE1"),
        *("--password-stdin", "--db", db),
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    issued = _cli("token", "issue", "SITE1", "--label", "nightly", "--db", db)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("vte_") and "\n" not in token  # alone on stdout, for a pipe
    assert "not kept" in issued.stderr
    listed = _cli("token", "list", "--db", db)
    assert token not in listed.stdout and token.split("_")[1] in listed.stdout
    assert token.encode() not in (tmp_path / "service.sqlite").read_bytes()
    assert PASSWORD.encode() not in (tmp_path / "service.sqlite").read_bytes()
    refused = _cli("token", "issue", "NOSUCH", "--label", "x", "--db", db)
    assert refused.returncode == 2 and refused.stderr.startswith("error: no active site")
    assert "Traceback" not in refused.stderr
    # a secret is never an argument: there is no option that takes one
    assert "--password " not in _cli("user", "add", "--help").stdout


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_polling_pipeline_is_written_down_once_a_minute(db: Database) -> None:
    """Each refusal is audited; a live token's use at most once a minute (a pipeline that
    polls its submission does not write on every request)."""
    from sqlalchemy import text

    issued = accounts.issue_token(db.engine, "SITE1", "poller")
    for _ in range(5):
        assert accounts.authenticate_token(db.engine, issued.token) is not None
    for _ in range(3):
        assert accounts.authenticate_token(db.engine, issued.token[:-1] + "x") is None
    with db.engine.connect() as connection:
        results = [
            r
            for (r,) in connection.execute(
                text("SELECT result FROM intake_events WHERE action = 'token-use'")
            )
        ]
    assert sorted(results) == ["ok", "refused", "refused", "refused"]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_reset_password_ends_the_users_sessions(db: Database) -> None:
    from registry.intake import sessions
    from registry.intake.signin import sign_in

    accounts.add_user(db.engine, "dm.reset", "site_submitter", PASSWORD, site_id="SITE1")
    cookie = sessions.start(db.engine, "dm.reset")
    assert sessions.look_up(db.engine, cookie) is not None
    with pytest.raises(AccountError, match="at least 12"):
        accounts.reset_password(db.engine, "dm.reset", "short")
    assert sessions.look_up(db.engine, cookie) is not None  # a refused reset changes nothing
    accounts.reset_password(db.engine, "dm.reset", "a new long password")
    assert sessions.look_up(db.engine, cookie) is None
    assert sign_in(db.engine, "dm.reset", PASSWORD).user is None
    assert sign_in(db.engine, "dm.reset", "a new long password").user is not None

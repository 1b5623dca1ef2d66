"""``vte-registry admin``: the intake service's sites, users and tokens, from the server's own
command line (intake.md: administrators do not act from the web). Secrets are read from a
hidden prompt or standard input, never from an argument (arguments are visible to every
user of the machine), and shown once."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from registry.cli.application import (
    DbOption,
    Typer,
    app,
    console,
    fail,
    failing_as_usage,
    shown_url,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

T = TypeVar("T")

admin_app = Typer(
    help="The intake service's sites, users and tokens (on the server).\n\nExample: "
    "vte-registry admin site add SITE1 --name 'Hospital One' --db sqlite:///vte_registry.sqlite",
    no_args_is_help=True,
)
site_app = Typer(
    help="Sites that submit.\n\nExample: vte-registry admin site add SITE1 --name 'Hospital One'",
    no_args_is_help=True,
)
user_app = Typer(
    help="People who sign in.\n\nExample: vte-registry admin user add dm.site1 --role "
    "site_submitter --site SITE1",
    no_args_is_help=True,
)
token_app = Typer(
    help="Pipelines' bearer tokens.\n\nExample: vte-registry admin token issue SITE1 --label "
    "'nightly extract'",
    no_args_is_help=True,
)
admin_app.add_typer(site_app, name="site")
admin_app.add_typer(user_app, name="user")
admin_app.add_typer(token_app, name="token")
app.add_typer(admin_app, name="admin")


def _engine(db: str | None) -> tuple[str, Engine]:
    from registry.database.store import database_url, make_engine, upgrade

    url = database_url(db)
    engine = make_engine(url)
    upgrade(engine)  # the service's tables come with the schema's newest revision
    return url, engine


def _run(db: str | None, action: Callable[[Engine], T]) -> tuple[str, T]:
    from registry.intake.accounts import AccountError

    url, engine = _engine(db)
    try:
        with failing_as_usage(url, url):
            return url, action(engine)
    except AccountError as exc:
        raise fail(str(exc)) from None
    finally:
        engine.dispose()


@site_app.command("add")
def site_add(
    site: Annotated[
        str, typer.Argument(metavar="SITE", help="The site's ID, as in its manifests.")
    ],
    name: Annotated[str, typer.Option(help="The site's name.")],
    db: DbOption = None,
) -> None:
    """Allow a site to submit.

    Example: vte-registry admin site add SITE1 --name "Hospital One"
    """
    from registry.intake.accounts import add_site

    url, _ = _run(db, lambda e: add_site(e, site, name))
    console.print(f"site {site} added to {shown_url(url)}", highlight=False)


@site_app.command("list")
def site_list(db: DbOption = None) -> None:
    """The sites, one per line: ID, active, name.

    Example: vte-registry admin site list
    """
    from registry.intake.accounts import list_sites

    _, sites = _run(db, list_sites)
    for s in sites:
        sys.stdout.write(f"{s.site_id}\t{'active' if s.active else 'inactive'}\t{s.name}\n")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    user: Annotated[str, typer.Argument(metavar="USER", help="The user name.")],
    role: Annotated[str, typer.Option(help="site_submitter or center_analyst.")],
    site: Annotated[str | None, typer.Option(help="The submitter's site.")] = None,
    totp: Annotated[bool, typer.Option(help="One-time passwords (always for the center).")] = False,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input, not a prompt.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add a person; with one-time passwords, print the secret for the authenticator once.

    Example: vte-registry admin user add dm.site1 --role site_submitter --site SITE1
    """
    from registry.intake.accounts import add_user

    password = _password(password_stdin)
    _, secret = _run(db, lambda e: add_user(e, user, role, password, site_id=site, totp=totp))
    console.print(f"user {user} added ({role})", highlight=False)
    if secret is not None:
        console.print(f"one-time password secret (shown once): {secret}", highlight=False)


@user_app.command("disable")
def user_disable(user: Annotated[str, typer.Argument(metavar="USER")], db: DbOption = None) -> None:
    """Stop a person from signing in.

    Example: vte-registry admin user disable dm.site1
    """
    from registry.intake.accounts import disable_user

    _run(db, lambda e: disable_user(e, user))
    console.print(f"user {user} disabled", highlight=False)


@user_app.command("reset-password")
def user_reset_password(
    user: Annotated[str, typer.Argument(metavar="USER")],
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input, not a prompt.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Give a person a new password; their sessions end.

    Example: vte-registry admin user reset-password dm.site1
    """
    from registry.intake.accounts import reset_password

    password = _password(password_stdin)
    _run(db, lambda e: reset_password(e, user, password))
    console.print(f"user {user}: new password set; their sessions ended", highlight=False)


@user_app.command("list")
def user_list(db: DbOption = None) -> None:
    """The users, one per line: name, role, site, active, one-time passwords.

    Example: vte-registry admin user list
    """
    from registry.intake.accounts import list_users

    _, users = _run(db, list_users)
    for u in users:
        state = "active" if u.active else "disabled"
        sys.stdout.write(
            f"{u.user_name}\t{u.role}\t{u.site_id or '-'}\t{state}\t"
            f"{'totp' if u.totp_secret else 'no totp'}\n"
        )


@token_app.command("issue")
def token_issue(
    site: Annotated[str, typer.Argument(metavar="SITE")],
    label: Annotated[str, typer.Option(help="What the token is for.")],
    days: Annotated[int, typer.Option(help="Days until it expires (1 to 366).")] = 90,
    db: DbOption = None,
) -> None:
    """Issue a pipeline token bound to SITE; the token is printed once, on standard output.

    Example: vte-registry admin token issue SITE1 --label "nightly extract" --days 90
    """
    from registry.intake.accounts import issue_token

    _, issued = _run(db, lambda e: issue_token(e, site, label, days))
    sys.stdout.write(issued.token + "\n")
    typer.echo(  # on standard error: the token alone on standard output, for a pipe
        f"token {issued.token_id} for {site}, expires {issued.expires_at:%Y-%m-%d} "
        "(store it now: it is not kept)",
        err=True,
    )


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(metavar="TOKEN_ID")], db: DbOption = None
) -> None:
    """Revoke a token by its public ID (from `admin token list`).

    Example: vte-registry admin token revoke a4113fbeb34d
    """
    from registry.intake.accounts import revoke_token

    _run(db, lambda e: revoke_token(e, token_id))
    console.print(f"token {token_id} revoked", highlight=False)


@token_app.command("list")
def token_list(
    site: Annotated[str | None, typer.Option(help="Only this site's tokens.")] = None,
    db: DbOption = None,
) -> None:
    """The tokens, one per line: ID, site, state, expiry, last use, label (never the token).

    Example: vte-registry admin token list --site SITE1
    """
    from registry.intake.accounts import list_tokens

    _, tokens = _run(db, lambda e: list_tokens(e, site))
    for t in tokens:
        state = "revoked" if t.revoked_at else "live"
        last = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
        sys.stdout.write(
            f"{t.token_id}\t{t.site_id}\t{state}\t{t.expires_at:%Y-%m-%d}\t{last}\t{t.label}\n"
        )

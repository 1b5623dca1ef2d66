"""``vte-registry serve`` (the intake service) and ``vte-registry submit`` (a site's upload to
it; intake.md, "Command line")."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from registry.cli.application import DbOption, app, console, err_console, fail, shown_url


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, max=64, help="Worker processes that validate and load."),
    ] = 2,
    data: Annotated[
        Path,
        typer.Option("--data", help="Folder for uploaded files (kept until the retention ends)."),
    ] = Path("intake-data"),
    retention_days: Annotated[
        int, typer.Option("--retention-days", min=0, help="Days uploads are kept once final.")
    ] = 30,
    proxy: Annotated[
        bool,
        typer.Option(
            "--proxy",
            help="Behind a TLS proxy on this machine: trust its X-Forwarded-Proto and -For "
            "(cookies then go out Secure).",
        ),
    ] = False,
) -> None:
    """Run the intake service: sites upload, the service validates and loads.

    Add sites, users and tokens first with `vte-registry admin`.

    Example: vte-registry serve --db postgresql+psycopg://registry@db/registry --workers 4
    """
    from registry.database.store import database_url
    from registry.intake.service import serve as run

    url = database_url(db)
    err_console.print(
        f"intake service on http://{host}:{port} over {shown_url(url)}", highlight=False
    )
    run(url, data, host, port, workers, retention_days, proxy)


@app.command()
def submit(
    path: Annotated[Path, typer.Argument(help="Submission folder or .zip of one.")],
    server: Annotated[str, typer.Option("--server", help="The intake service's address.")],
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file",
            help="A file holding the site's token, readable by its owner only "
            "(default: the VTE_REGISTRY_TOKEN environment variable).",
        ),
    ] = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Return once uploaded; do not wait for the outcome.")
    ] = False,
    retries: Annotated[
        int, typer.Option("--retries", min=0, max=20, help="Retries after a dropped connection.")
    ] = 5,
) -> None:
    """Upload a submission to the intake service and wait for its outcome (exit 0: accepted or
    loaded, 1: rejected, refused or waiting for confirmation, 2: could not submit).

    The token comes from VTE_REGISTRY_TOKEN or --token-file (never an argument).

    Example: vte-registry submit site-export/ --server https://intake.example.org --token-file t
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from registry.intake.client import ClientError, read_token, report, wait, zipped
    from registry.intake.client import submit as upload

    try:
        token = read_token(token_file)
        with (
            zipped(path) as archive,
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=err_console,
                transient=True,
                disable=not err_console.is_terminal,
            ) as bar,
        ):
            task = bar.add_task("uploading", total=archive.stat().st_size)
            sent = upload(
                server,
                token,
                archive,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                retries=retries,
            )
    except ClientError as exc:
        raise fail(str(exc)) from None
    where = f"{server.rstrip('/')}/submissions/{sent['id']}"
    console.print(f"submission {sent['id']}: {sent['state']} ({where})", highlight=False)
    if no_wait:
        raise typer.Exit(0)
    try:
        final = wait(server, token, sent["id"], retries=retries)
        summary = report(server, token, sent["id"])
    except ClientError as exc:
        raise fail(str(exc)) from None
    console.print(f"{final['state']}: {final.get('message') or ''}", highlight=False)
    if summary is not None:
        counts = summary.get("summary", {})
        console.print(
            f"{counts.get('errors', 0):,} errors, {counts.get('warnings', 0):,} warnings; "
            f"rules failed: {', '.join(counts.get('rules_failed', [])) or 'none'}",
            highlight=False,
        )
    raise typer.Exit(0 if final["state"] in ("loaded", "accepted") else 1)

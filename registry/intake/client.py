"""The other end of the intake service (``vte-registry submit``): a folder zipped if need be,
uploaded in chunks with a progress callback, retried when the connection drops (the same file
again is the same submission, so a retry never makes a second one), then followed until its
state is final. The token is sent in the Authorization header only."""

from __future__ import annotations

import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

__all__ = ["FINAL", "ClientError", "read_token", "submit", "wait", "zipped"]

#: States after which nothing happens without a person (needs-confirmation) or at all.
FINAL = ("loaded", "rejected", "refused", "withdrawn", "needs-confirmation")
_CHUNK = 1 << 20


class ClientError(Exception):
    """The submission could not be made or followed; the message says why, in one line."""


def read_token(token_file: Path | None) -> str:
    """The token from ``VTE_REGISTRY_TOKEN`` or a file only its owner can read (never from a
    command-line argument: every user of the machine sees those)."""
    if token_file is not None:
        try:
            mode = token_file.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise ClientError(f"{token_file}: others can read it; chmod 600 {token_file} first")
            token = token_file.read_text().strip()
        except OSError as exc:
            raise ClientError(f"{token_file}: {exc.strerror}") from None
    else:
        token = os.environ.get("VTE_REGISTRY_TOKEN", "").strip()
    if not token:
        raise ClientError("no token: set VTE_REGISTRY_TOKEN or give --token-file")
    return token


@contextmanager
def zipped(path: Path) -> Iterator[Path]:
    """The .zip itself, or the folder zipped into a temporary file (its files at the root)."""
    if path.is_file():
        yield path
        return
    if not path.is_dir():
        raise ClientError(f"{path}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="vte-submit-") as tmp:
        target = Path(tmp) / f"{path.name}.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                archive.write(file, file.relative_to(path).as_posix())
        yield target


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
        return str(body.get("detail") or body.get("title") or response.reason_phrase)
    except ValueError:
        return response.reason_phrase


def _client(server: str, token: str, timeout: float) -> httpx.Client:
    return httpx.Client(
        base_url=server.rstrip("/"),
        headers={"Authorization": f"Bearer {token}", "User-Agent": "vte-registry submit"},
        timeout=httpx.Timeout(timeout, connect=10.0),
    )


def submit(
    server: str,
    token: str,
    archive: Path,
    progress: Callable[[int, int], None] | None = None,
    retries: int = 5,
    timeout: float = 300.0,
) -> dict[str, Any]:
    """Upload ``archive``; the service's answer ({"id", "state", "url"})."""
    size = archive.stat().st_size

    def body() -> Iterator[bytes]:
        sent = 0
        with archive.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                sent += len(chunk)
                if progress is not None:
                    progress(sent, size)
                yield chunk

    with _client(server, token, timeout) as client:
        for attempt in range(retries + 1):
            try:
                response = client.post(
                    "/api/v1/submissions",
                    content=body(),
                    headers={"Content-Type": "application/zip", "Content-Length": str(size)},
                )
            except httpx.TransportError as exc:
                if attempt == retries:
                    raise ClientError(
                        f"{server}: {type(exc).__name__} after {retries} retries"
                    ) from None
                time.sleep(min(2.0**attempt, 30.0))
                continue
            if response.status_code in (502, 503, 504) and attempt < retries:
                time.sleep(min(2.0**attempt, 30.0))
                continue
            if response.status_code not in (200, 202):
                raise ClientError(f"{response.status_code}: {_problem(response)}")
            answer: dict[str, Any] = response.json()
            return answer
    raise AssertionError("unreachable")  # the loop returns or raises


def wait(
    server: str,
    token: str,
    submission_id: str,
    poll: float = 1.0,
    timeout: float = 3600.0,
    retries: int = 5,
) -> dict[str, Any]:
    """Follow a submission until its state is final; its last description."""
    deadline = time.monotonic() + timeout
    failures = 0
    with _client(server, token, 60.0) as client:
        while True:
            try:
                response = client.get(f"/api/v1/submissions/{submission_id}")
            except httpx.TransportError as exc:
                failures += 1
                if failures > retries:
                    raise ClientError(
                        f"{server}: {type(exc).__name__} after {retries} retries"
                    ) from None
                time.sleep(min(2.0**failures, 30.0))
                continue
            failures = 0
            if response.status_code != 200:
                raise ClientError(f"{response.status_code}: {_problem(response)}")
            state: dict[str, Any] = response.json()
            if state["state"] in FINAL or time.monotonic() > deadline:
                return state
            time.sleep(poll)


def report(server: str, token: str, submission_id: str) -> dict[str, Any] | None:
    with _client(server, token, 60.0) as client:
        response = client.get(f"/api/v1/submissions/{submission_id}/report")
        if response.status_code != 200:
            return None
        answer: dict[str, Any] = response.json()
        return answer

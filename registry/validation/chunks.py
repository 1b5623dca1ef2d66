"""Record conformance and staging of one chunk of a table, here or in a helper process.

A chunk is rows ``offset:offset+len(rows)`` of a table. Large submissions are checked by two
processes (the machine's cores): this one and a helper (``ChunkHelper``) that takes every
chunk it is free for, checks and stages it into a staging database of its own, and sends back
the chunk's findings; ``Stager.absorb`` then copies its rows in. Reading stays in this
process (one reader; it owns the inventory and the hashes), and the findings keep the order
of a one-process run (table, then chunk).

The helper is ``python -m registry.validation.chunk_worker``, talking pickles over its stdin
and stdout, like the expectation worker (``worker.py``): requests and replies strictly
alternate, so neither side can block the other on a full pipe.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any, BinaryIO

from registry.models import RegistryRecord, table_spec
from registry.validation.conformance import parse_rows
from registry.validation.findings import Finding, finding
from registry.validation.staging import DuckdbStager, SqliteStager, Stager

__all__ = ["ChunkError", "ChunkHelper", "check_chunk"]


class ChunkError(RuntimeError):
    """The helper process failed (a bug, not a finding)."""


def check_chunk(
    name: str,
    rows: list[dict[str, str]],
    offset: int,
    excluded: set[int],
    missing_columns: list[str],
    version: str,
) -> tuple[list[Finding], list[tuple[int, RegistryRecord]]]:
    """Conformance of a chunk: its findings and its valid records, by 0-based table row."""
    spec = table_spec(name)
    parsed = parse_rows(spec.record_in(version), rows, cleaned=True)
    findings = []
    for local, err in parsed.errors:
        index = offset + local
        if index in excluded:
            continue  # already reported (encoding, cell count) and not read
        if err.rule == "missing-value" and err.field in missing_columns:
            continue  # the missing column is reported once, not on every row
        findings.append(
            finding(
                err.rule,
                err.message,
                table=name,
                row=index + 1,
                record_id=rows[local].get(spec.id_field) or None,
                field=err.field,
                value=err.value,
            )
        )
    valid = [(offset + i, r) for i, r in parsed.records if offset + i not in excluded]
    return findings, valid


def check_and_stage(
    stager: Stager,
    name: str,
    rows: list[dict[str, str]],
    offset: int,
    excluded: set[int],
    missing_columns: list[str],
) -> list[Finding]:
    findings, valid = check_chunk(
        name, rows, offset, excluded, missing_columns, stager.schema_version
    )
    stager.add_chunk(name, rows, valid, offset)
    return findings


class ChunkHelper:
    """A second process that checks and stages chunks (``submit``, then ``result``)."""

    def __init__(self, staging: Path, version: str) -> None:
        self.staging = staging
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "registry.validation.chunk_worker", str(staging), version],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def _send(self, request: Any) -> None:
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        try:
            pickle.dump(request, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.flush()
        except OSError as exc:
            self.close()
            raise ChunkError(f"the chunk helper stopped ({exc})") from None

    def _receive(self) -> Any:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        try:
            reply = pickle.load(proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            self.close()
            raise ChunkError(
                f"the chunk helper stopped ({exc or 'no reply'}); "
                "set VTE_REGISTRY_NO_WORKER=1 to check in one process"
            ) from None
        if isinstance(reply, BaseException):
            self.close()
            raise ChunkError(f"the chunk helper failed: {reply}")
        return reply

    def submit(
        self,
        name: str,
        rows: list[dict[str, str]],
        offset: int,
        excluded: set[int],
        missing_columns: list[str],
    ) -> None:
        self._send(("chunk", name, rows, offset, excluded, missing_columns))

    def result(self) -> list[Finding]:
        findings: list[Finding] = self._receive()
        return findings

    def finish(self) -> Path:
        """Close the helper's staging database (for ``Stager.absorb``) and stop it."""
        self._send(("finish",))
        self._receive()
        self.close()
        return self.staging

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve(staging: Path, version: str, requests: BinaryIO, replies: BinaryIO) -> None:
    """The helper's loop: a chunk in, its findings out; ``finish`` closes the database."""
    stager = (DuckdbStager if staging.suffix == ".duckdb" else SqliteStager)(staging, version)
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            return  # the parent is gone or did not need us
        try:
            if request[0] == "finish":
                stager.finish()
                reply: Any = True
            else:
                reply = check_and_stage(stager, *request[1:])
        except Exception as exc:  # every failure goes back to the parent
            reply = ChunkError(f"{type(exc).__name__}: {exc}")
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()
        if request[0] == "finish":
            return

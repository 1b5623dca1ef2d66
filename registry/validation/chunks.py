"""Record conformance and staging of one chunk of a table, here or in a helper process.

A chunk is rows ``offset:offset+len(rows)`` of a table. Large submissions are checked by two
processes (the machine's cores): this one and a helper (``ChunkHelper``) that takes every
chunk it is free for, checks and stages it into a staging database of its own, and sends back
the chunk's findings; ``Stager.absorb`` then copies its rows in. Reading stays in this
process (one reader; it owns the inventory and the hashes), and the findings keep the order
of a one-process run (table, then chunk).

The helper is ``python -m registry.validation.chunk_worker``. It keeps up to two chunks
queued, so that it works on while this process reads the next table; chunks and findings go
through files, the pipes carry one short line each way (``ChunkHelper``).
"""

from __future__ import annotations

import operator
import pickle
import select
import subprocess
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from registry import prestart
from registry.models import table_spec
from registry.validation.arrow_rows import pick
from registry.validation.conformance import parse_rows
from registry.validation.findings import EngineError, Finding, finding
from registry.validation.staging import Stager
from registry.validation.staging_engines import DuckdbStager, SqliteStager
from registry.validation.vector import prefilter

__all__ = ["CheckedChunk", "ChunkError", "ChunkHelper", "check_and_stage", "check_chunk"]


class ChunkError(EngineError):
    """The helper process failed (a bug, not a finding)."""


@dataclass
class CheckedChunk:
    """A chunk after conformance, as the stager takes it: the typed columns of the rows the
    prefilter passed (``vector.Prefilter.passed``, rows of the chunk; or None), and the
    other rows as (0-based table row, row as read) with the typed values of those that are
    valid."""

    offset: int
    passed: Any
    others: list[tuple[int, dict[str, str]]]
    valid: dict[int, tuple[Any, ...]]


def check_chunk(
    name: str,
    rows: Sequence[dict[str, str]],
    offset: int,
    excluded: set[int],
    missing_columns: list[str],
    version: str,
) -> tuple[list[Finding], CheckedChunk]:
    """Conformance of a chunk (rows ``offset:offset+len(rows)`` of a table): its findings
    and its rows for staging. Rows the column-wise prefilter passes skip pydantic."""
    spec = table_spec(name)
    record_class = spec.record_in(version)
    skip = {i - offset for i in excluded if offset <= i < offset + len(rows)}
    pre = prefilter(record_class, rows, skip)
    # the chunk's rows that pydantic parses, by their position in the chunk
    positions = list(range(len(rows))) if pre is None else pre.flagged
    others = pick(rows, positions)
    parsed = parse_rows(record_class, others, cleaned=True)
    findings = []
    for local, err in parsed.errors:
        index = offset + positions[local]
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
                record_id=others[local].get(spec.id_field) or None,
                field=err.field,
                value=err.value,
            )
        )
    values_of = operator.itemgetter(*spec.fields)
    valid = {
        offset + positions[i]: values_of(r.__dict__)
        for i, r in parsed.records
        if offset + positions[i] not in excluded
    }
    return findings, CheckedChunk(
        offset,
        None if pre is None else pre.passed,
        [(offset + p, row) for p, row in zip(positions, others, strict=True)],
        valid,
    )


def check_and_stage(
    stager: Stager,
    name: str,
    rows: Sequence[dict[str, str]],
    offset: int,
    excluded: set[int],
    missing_columns: list[str],
) -> list[Finding]:
    findings, checked = check_chunk(
        name, rows, offset, excluded, missing_columns, stager.schema_version
    )
    if checked.passed is not None and checked.passed.num_rows:
        stager.add_columns(name, checked.passed, checked.offset)
    stager.add_rows(name, checked.others, checked.valid)
    return findings


class ChunkHelper:
    """A second process that checks and stages chunks: ``submit`` queues one under a number
    of the caller's (up to ``depth`` at a time), ``result`` returns the number and findings
    of the oldest, ``ready`` says whether it is done, ``waiting`` how many are queued.
    Chunks and findings travel as pickle files in ``folder``; the pipes carry one short line
    each way, so neither process ever waits on a full pipe."""

    def __init__(self, staging: Path, version: str, depth: int = 8) -> None:
        self.staging = staging
        self.depth = depth
        self._folder = staging.parent
        self._queued: deque[int] = deque()
        # unbuffered: ``ready`` asks the pipe itself
        self._proc: subprocess.Popen[bytes] | None = prestart.launch(
            "registry.validation.chunk_worker", str(staging), version, bufsize=0
        )

    @property
    def free(self) -> bool:
        """True when the helper can take another chunk."""
        return len(self._queued) < self.depth

    @property
    def waiting(self) -> int:
        """Chunks submitted whose result has not been taken."""
        return len(self._queued)

    def _send(self, line: str) -> None:
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        try:
            proc.stdin.write(line.encode() + b"\n")
        except OSError as exc:
            self.close()
            raise ChunkError(f"the chunk helper stopped ({exc})") from None

    def _receive(self) -> str:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        line = proc.stdout.readline().decode().strip()
        if not line or line.startswith("error "):
            self.close()
            raise ChunkError(
                f"the chunk helper failed: {line[6:] or 'it stopped'}; "
                "set VTE_REGISTRY_NO_WORKER=1 to check in one process"
            )
        return line

    def submit(
        self,
        number: int,
        name: str,
        rows: Sequence[dict[str, str]],
        offset: int,
        excluded: set[int],
        missing_columns: list[str],
    ) -> None:
        with (self._folder / f"chunk-{number}.in").open("wb") as out:
            pickle.dump((name, rows, offset, excluded, missing_columns), out, protocol=5)
        self._queued.append(number)
        self._send(f"chunk {number}")

    def ready(self) -> bool:
        """True when the oldest queued chunk is done (``result`` will not wait)."""
        proc = self._proc
        if not self._queued or proc is None or proc.stdout is None or sys.platform == "win32":
            return False  # Windows cannot select() on a pipe: results are taken at the end
        return bool(select.select([proc.stdout], [], [], 0)[0])

    def result(self) -> tuple[int, list[Finding]]:
        """The number and findings of the oldest queued chunk (waits for it)."""
        number = self._queued.popleft()
        done = self._receive()
        if done != f"done {number}":
            self.close()
            raise ChunkError(f"the chunk helper answered {done!r} for chunk {number}")
        path = self._folder / f"chunk-{number}.out"
        with path.open("rb") as source:
            findings: list[Finding] = pickle.load(source)
        path.unlink()
        return number, findings

    def finish(self) -> Path:
        """Close the helper's staging database (for ``Stager.absorb``) and stop it."""
        self._send("finish")
        self._receive()
        self.close()
        return self.staging

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            prestart.stop(proc)


def serve(staging: Path, version: str, requests: BinaryIO, replies: BinaryIO) -> None:
    """The helper's loop: ``chunk N`` -> check and stage ``chunk-N.in``, write its findings
    to ``chunk-N.out``, answer ``done N``; ``finish`` closes the staging database."""
    stager = (DuckdbStager if staging.suffix == ".duckdb" else SqliteStager)(staging, version)
    folder = staging.parent
    for raw in requests:
        request = raw.decode().strip()
        try:
            if request == "finish":
                stager.finish()
                reply = "finished"
            else:
                number = int(request.removeprefix("chunk "))
                path = folder / f"chunk-{number}.in"
                with path.open("rb") as source:
                    chunk = pickle.load(source)
                path.unlink()
                findings = check_and_stage(stager, *chunk)
                with (folder / f"chunk-{number}.out").open("wb") as out:
                    pickle.dump(findings, out, protocol=5)
                reply = f"done {number}"
        except Exception as exc:  # every failure goes back to the parent, on one line
            reply = "error " + f"{type(exc).__name__}: {exc}".replace("\n", " ")
        replies.write(reply.encode() + b"\n")
        replies.flush()
        if request == "finish" or reply.startswith("error "):
            return

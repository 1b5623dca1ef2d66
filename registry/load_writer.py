"""Where a load's ``Writer`` runs: its steps one after another, in a process of its own
(``python -m registry.load_writer``, talking pickles over its stdin and stdout, like the
expectation worker) or, with VTE_REGISTRY_NO_WORKER=1, in a thread of the loading process.

In a process of its own, the writing shares no interpreter lock with the validation:
sqlite3 takes the lock back after every row it inserts, and beside the staging in one
process that made both slower (issue 11: a load of 100,000 patients 1.33x its validation in
a thread). Tables staged in DuckDB come as Arrow IPC files, read memory-mapped. If the
loading process dies, the writer reads the end of its input and rolls back; if the writer
dies, the load fails with a LoadError and its transaction is gone with it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Engine

from registry import prestart
from registry.copying import ArrowRows, StagedRows
from registry.models import TABLES
from registry.store import make_engine
from registry.writing import LoadError, Writer

__all__ = ["WRITER_NICENESS", "WriterHost", "start_writer"]

#: The writer process's scheduling priority below the validation's (``os.nice``).
WRITER_NICENESS = 10


class WriterHost:
    """Runs a load's steps where it lives (``run``): open, table, staging, commit,
    rollback."""

    def __init__(self) -> None:
        self.writer: Writer | None = None
        self._own_engine: Engine | None = None
        self._failed: BaseException | None = None  # raised by the commit

    def run(self, step: str, *args: Any) -> Any:
        if step == "commit" and self._failed is not None:
            raise self._failed
        try:
            return self._run(step, *args)
        except Exception as exc:
            if step == "commit":
                raise
            self._failed = self._failed or exc
            return None

    def _run(self, step: str, *args: Any) -> Any:
        if step == "open":
            database, manifest, allow_removal, dry_run = args
            engine = database
            if isinstance(database, str):
                engine = self._own_engine = make_engine(database)
            self.writer = Writer(engine, manifest, allow_removal, dry_run)
            self.writer.open()
            return None
        writer = self.writer
        if step == "rollback":
            self.close()
            return None
        assert writer is not None, f"{step} before open"
        if step == "table":
            name, path = args
            writer.step(lambda: writer.table(ArrowRows(name, _read_arrow(path))))
            Path(path).unlink(missing_ok=True)  # written: its disk space goes back now
        elif step == "staging":
            staging, first, file_sha256 = args
            writer.step(lambda: _from_staging(writer, staging, first))
            writer.close_tables(file_sha256, None)
        elif step == "commit":
            return writer.commit(*args)
        else:
            raise ValueError(f"no such step of a load: {step}")
        return None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.rollback()
        if self._own_engine is not None:
            self._own_engine.dispose()
            self._own_engine = None


def _read_arrow(path: str) -> Any:
    import pyarrow as pa

    with pa.memory_map(path) as source:
        return pa.ipc.open_file(source).read_all()


def _from_staging(writer: Writer, staging: Path, first: int) -> None:
    """The tables from ``first`` on (in TABLES order), read from the staging database."""
    from registry.validation.staging import staging_engine, staging_metadata

    _, staged = staging_metadata()
    engine = staging_engine(staging)
    try:
        with engine.connect() as source:
            for spec in TABLES[first:]:
                writer.table(StagedRows(source, staged, spec.name))
    finally:
        engine.dispose()


class _InThread:
    """The steps in one thread of this process."""

    in_process = False

    def __init__(self) -> None:
        self._host = WriterHost()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="vte-registry-load")
        self._closed = False

    def send(self, step: str, *args: Any) -> None:
        self._pool.submit(self._host.run, step, *args)

    def call(self, step: str, *args: Any) -> Any:
        return self._pool.submit(self._host.run, step, *args).result()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pool.submit(self._host.close)
        self._pool.shutdown(wait=True)


class _InProcess:
    """The steps in a writer process; only ``call`` waits for a reply."""

    in_process = True

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = prestart.launch("registry.load_writer")

    def send(self, step: str, *args: Any) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.stdin.closed:
            return
        with contextlib.suppress(OSError):  # the writer is gone: ``call`` says so
            pickle.dump((step, args), proc.stdin)
            proc.stdin.flush()

    def call(self, step: str, *args: Any) -> Any:
        self.send(step, *args)
        assert self._proc is not None
        return prestart.receive(
            self._proc,
            lambda why: LoadError(f"the load's writer process stopped ({why}); nothing was loaded"),
        )

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            prestart.stop(proc)  # its input ends: it rolls back what is not committed


def start_writer() -> _InThread | _InProcess:
    """Where this load's steps will run (see the module's docstring)."""
    if os.environ.get("VTE_REGISTRY_NO_WORKER") == "1":
        return _InThread()
    return _InProcess()


def _serve(requests: BinaryIO, replies: BinaryIO) -> None:
    host = WriterHost()
    try:
        while True:
            try:
                step, args = pickle.load(requests)
            except EOFError:
                return  # the loading process is done, or gone: roll back
            try:
                reply = host.run(step, *args)
            except Exception as exc:  # the commit's failure goes back to the parent
                reply = exc
            if step == "commit":
                try:
                    data = pickle.dumps(reply)
                except Exception as exc:  # an error that does not pickle still says what
                    data = pickle.dumps(LoadError(f"{type(reply).__name__}: {exc}"))
                replies.write(data)
                replies.flush()
    finally:
        host.close()


if __name__ == "__main__":
    # The writing only has to end with the suites: the validation on its way there (reading,
    # staging, the suites) goes first when the cores are busy (issue 11).
    if hasattr(os, "nice"):
        os.nice(WRITER_NICENESS)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but the replies may reach the parent's pipe
    _serve(sys.stdin.buffer, out)

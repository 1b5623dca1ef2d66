"""Where a load's ``Writer`` runs while the submission is staged and checked: a thread of the
loading process for small submissions, a process of its own for large ones.

The loader hands each staged table over as it is staged (``hand``), then the finished staging
database (``rest``), then commits with the final report (``commit``) or stops (``stop``).

Why a process for large submissions: the copy is Python building and binding rows for
SQLite, and the staging beside it is Python too; in one process they take turns on the
interpreter lock. Measured at 100,000 patients (2.2 million rows, 2 cores): a load took
18.5 s with the writer in a thread against 12.6 s for the validation alone. In a process of
its own (``python -m registry.database.load_writer``, pickles over its stdin and stdout, tables
as Arrow IPC files) it runs beside the staging. Small submissions (staged in SQLite, which
hands no table over before it is finished) are written by a thread: there the process's
start (0.4 s) would cost more than the copy.

A killed load leaves the database as it was, or, after its commit, fully updated: the writer
process dies with the loading process (Linux: ``PR_SET_PDEATHSIG``; elsewhere it reads the
end of its input and rolls back), and an uncommitted transaction dies with its connection.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from sqlalchemy import Engine

from registry.database.copying import ArrowRows
from registry.database.store import make_engine
from registry.database.writing import LoadError, LoadResult, Writer
from registry.models import Manifest

__all__ = ["WAITING_ROWS", "Writing", "start_writing"]

#: Rows of staged tables waiting for the writing thread, in memory as Arrow until they are
#: written (about 100 MB): the staging goes on until this many wait, then waits itself.
WAITING_ROWS = 1_000_000

#: The writer process's scheduling priority below the loader's (``os.nice``): the staging and
#: the checks go first on busy cores, the writing only has to end with them.
WRITER_NICENESS = 10

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class Writing(Protocol):
    """A load's writer at work, wherever it runs."""

    #: Tables handed over: the first ones of TABLES.
    handed: int

    def hand(self, name: str, table: Any) -> None:
        """A staged table, as Arrow, to be written now (tables in TABLES order only)."""

    def rest(self, staging: Path, file_sha256: dict[str, str], not_submitted: list[str]) -> None:
        """Staging is finished: the tables not handed over come from it (the site's records
        of a table ``not_submitted`` stay as they are), then the guard."""

    def commit(self, report: Any) -> LoadResult:
        """Commit (the report has no errors); what the load did. Raises what refused it."""

    def stop(self) -> None:
        """Roll back and stop, at once (a rejection, an interrupt, a failure); idempotent."""


class _Thread:
    """The writer's steps in a thread of the loading process."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.handed = 0
        self._queue: queue.Queue[Any] = queue.Queue()
        self._waiting = 0  # rows handed over and not written yet
        self._room = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="vte-registry-load")
        self._thread.start()

    def _run(self) -> None:
        writer = self.writer
        writer.open()
        while (item := self._queue.get()) is not None:
            if isinstance(item, ArrowRows):
                writer.table(item)
                with self._room:
                    self._waiting -= item.count
                    self._room.notify_all()
            else:
                staging, file_sha256, not_submitted = item
                writer.write_staged(staging, file_sha256, self.handed, not_submitted)
                return

    def hand(self, name: str, table: Any) -> None:
        rows = ArrowRows(name, table)
        with self._room:  # wait while too many rows wait already
            while self._waiting and self._waiting + rows.count > WAITING_ROWS:
                if not self._thread.is_alive():
                    break
                self._room.wait(0.1)
            self._waiting += rows.count
        self._queue.put(rows)
        self.handed += 1

    def rest(self, staging: Path, file_sha256: dict[str, str], not_submitted: list[str]) -> None:
        self._queue.put((staging, file_sha256, not_submitted))

    def commit(self, report: Any) -> LoadResult:
        self._thread.join()
        return self.writer.commit(report)

    def stop(self) -> None:
        self.writer.cancel()  # the running statement is interrupted
        while True:  # what waits is not written
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)
        self._thread.join()
        self.writer.rollback()


class _Process:
    """The writer's steps in a process of its own; tables go as Arrow IPC files."""

    def __init__(self, url: str, manifest: Manifest, allow_removal: bool, dry_run: bool) -> None:
        self.handed = 0
        self._folder = Path(tempfile.mkdtemp(prefix="vte-registry-load-"))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        env["VTE_REGISTRY_LOADER_PID"] = str(os.getpid())
        self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "registry.database.load_writer"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            # a session of its own: a terminal's Ctrl-C goes to the loader alone, which
            # rolls back and stops the writer (which dies with it in any case)
            start_new_session=True,
        )
        self._send("open", url, manifest, allow_removal, dry_run)

    def _send(self, step: str, *args: Any) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.stdin.closed:
            return
        with contextlib.suppress(OSError):  # the writer is gone: ``commit`` says so
            pickle.dump((step, args), proc.stdin)
            proc.stdin.flush()

    def hand(self, name: str, table: Any) -> None:
        import pyarrow as pa

        path = self._folder / f"{name}.arrow"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
            out.write_table(table)
        self._send("table", name, str(path))
        self.handed += 1

    def rest(self, staging: Path, file_sha256: dict[str, str], not_submitted: list[str]) -> None:
        self._send("rest", str(staging), self.handed, file_sha256, not_submitted)

    def commit(self, report: Any) -> LoadResult:
        self._send("commit", report)
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        try:
            reply = pickle.load(proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            why = str(exc) or "no reply"
            raise LoadError(
                f"the load's writer process stopped ({why}); nothing was loaded"
            ) from None
        finally:
            self.stop(at_once=False)
        if isinstance(reply, BaseException):
            raise reply
        result: LoadResult = reply
        return result

    def stop(self, at_once: bool = True) -> None:
        """Stop the writer process; ``at_once`` (a rejection, an interrupt): terminated
        between two batches of rows, it rolls back; else (it committed) it ends by itself."""
        proc, self._proc = self._proc, None
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                if stream is not None and not stream.closed:
                    with contextlib.suppress(OSError):  # its input ends: it rolls back
                        stream.close()
            if at_once and proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()  # an uncommitted transaction dies with its connection
                proc.wait()
        shutil.rmtree(self._folder, ignore_errors=True)


def start_writing(
    engine: Engine, manifest: Manifest, allow_removal: bool, dry_run: bool, handing_over: bool
) -> Writing:
    """A writer: in a process of its own when the staging hands tables over as they are
    staged (large submissions), else in a thread."""
    if handing_over:
        url = engine.url.render_as_string(hide_password=False)
        return _Process(url, manifest, allow_removal, dry_run)
    return _Thread(Writer(engine, manifest, allow_removal, dry_run))


# --- the writer process ----------------------------------------------------------------------
def _read_arrow(path: str) -> Any:
    import pyarrow as pa

    with pa.memory_map(path) as source:
        return pa.ipc.open_file(source).read_all()


def _serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Take the loader's steps until it commits or its input ends (then roll back)."""
    writer: Writer | None = None
    own: Engine | None = None
    try:
        while True:
            try:
                step, args = pickle.load(requests)
            except EOFError:
                return  # the loader is done, or gone: roll back
            if step == "open":
                url, manifest, allow_removal, dry_run = args
                own = make_engine(url)
                writer = Writer(own, manifest, allow_removal, dry_run)
                writer.open()
                continue
            assert writer is not None, f"{step} before open"
            if step == "table":
                name, path = args
                writer.table(ArrowRows(name, _read_arrow(path)))
                Path(path).unlink(missing_ok=True)  # written: its disk space goes back now
            elif step == "rest":
                staging, first, file_sha256, not_submitted = args
                writer.write_staged(Path(staging), file_sha256, first, not_submitted)
            elif step == "commit":
                try:
                    reply: Any = writer.commit(*args)
                except Exception as exc:  # the commit's failure goes back to the loader
                    reply = exc
                try:
                    data = pickle.dumps(reply)
                except Exception as exc:  # an error that does not pickle still says what
                    data = pickle.dumps(LoadError(f"{type(reply).__name__}: {exc}"))
                signal.signal(signal.SIGTERM, signal.SIG_IGN)  # done: let it end by itself
                replies.write(data)
                replies.flush()
                return
    finally:
        if writer is not None:
            writer.rollback()
        if own is not None:
            own.dispose()


def _die_with_the_loader() -> None:
    """On Linux, have the kernel kill this process when the loader dies (a killed load must
    not go on writing); then make sure the loader is still the parent."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PDEATHSIG
    if str(os.getppid()) != os.environ.get("VTE_REGISTRY_LOADER_PID", str(os.getppid())):
        os._exit(1)  # the loader died before the line above: nothing to write for


def _terminated(_signum: int, _frame: Any) -> None:
    raise SystemExit(1)  # a step fails, the transaction rolls back (``Writer.step``)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminated)
    _die_with_the_loader()
    if hasattr(os, "nice"):
        os.nice(WRITER_NICENESS)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but the reply may reach the loader's pipe
    _serve(sys.stdin.buffer, out)

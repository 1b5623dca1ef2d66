"""Running the intake service (``vte-registry serve``): the database brought to the newest
schema, submissions a killed service was working on taken up again, worker processes that
keep the validator loaded, and the web application under uvicorn. Stopping (Ctrl-C, SIGTERM)
lets the workers finish the step they are on; a kill leaves every submission in the
database, to be taken up at the next start."""

from __future__ import annotations

import logging
import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.intake.processing import RETENTION_DAYS, work
from registry.intake.queue import recover

__all__ = ["Workers", "serve"]

log = logging.getLogger("registry.intake")


@dataclass
class Workers:
    """The worker processes (spawned: a clean interpreter each, no state shared by fork)."""

    url: str
    count: int
    retention_days: int = RETENTION_DAYS
    processes: list[Any] = field(default_factory=list)

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self.wake = context.Event()
        for index in range(self.count):
            process = context.Process(
                target=work,
                args=(self.url, self._stop, self.wake, self.retention_days),
                name=f"vte-registry-worker-{index}",
            )
            process.start()
            self.processes.append(process)

    def notify(self) -> None:
        """A submission waits: wake the workers."""
        self.wake.set()

    def alive(self) -> bool:
        return all(p.is_alive() for p in self.processes)

    def stop(self, timeout: float = 60.0) -> None:
        if not self.processes:
            return
        self._stop.set()
        self.wake.set()  # out of their wait at once
        for process in self.processes:
            process.join(timeout)
            if process.is_alive():  # stuck: the step it was on is taken up at the next start
                process.kill()
                process.join()


def serve(
    url: str,
    data: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    retention_days: int = RETENTION_DAYS,
    proxy: bool = False,
) -> None:
    import uvicorn

    from registry.database.store import make_engine, upgrade, write_ahead_log
    from registry.intake.app import create_app

    engine = make_engine(url)
    upgrade(engine)
    write_ahead_log(engine)  # SQLite: pages read while a worker loads
    if moved := recover(engine):
        log.warning("%d submissions a stopped service was working on are taken up again", moved)
    data.mkdir(parents=True, exist_ok=True)
    for partial in data.glob("uploads/*/*.part"):  # uploads a kill cut off: never received
        partial.unlink(missing_ok=True)
    pool = Workers(url, workers, retention_days)
    pool.start()
    try:
        app = create_app(engine, data, pool.alive, retention_days, notify=pool.notify)
        uvicorn.run(
            app,
            host=host,
            port=port,
            proxy_headers=proxy,  # behind a TLS proxy: its X-Forwarded-Proto/For count
            forwarded_allow_ips="127.0.0.1" if proxy else None,
            access_log=True,  # method, path and status only; never a header or a body
            log_level="info",
            server_header=False,
        )
    finally:
        pool.stop()
        engine.dispose()

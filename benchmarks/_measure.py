"""Shared by the benchmarks: the command line to run, cohorts generated once, and a command's
wall time with the peak RSS of its whole process tree."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = ["cohort", "measure", "tree_rss_mb", "vte_registry"]


def vte_registry() -> str:
    """The installed command line (the benchmarks time it as a user runs it)."""
    return shutil.which("vte-registry") or sys.exit("install the package first (pip install -e .)")


def cohort(folder: Path, patients: int, seed: int, *options: str) -> Path:
    """A synthetic submission in ``folder``, generated unless it is there already."""
    if not (folder / "manifest.json").exists():
        subprocess.run(
            [
                vte_registry(),
                "synth",
                str(folder),
                "--patients",
                str(patients),
                "--seed",
                str(seed),
                *options,
            ],
            check=True,
            capture_output=True,
        )
    return folder


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            for task in Path(f"/proc/{current}/task").glob("*"):
                with contextlib.suppress(OSError):
                    todo += [int(c) for c in (task / "children").read_text().split()]
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(command: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Wall seconds and peak MB of resident memory (sum over the process and its children,
    sampled every 20 ms)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(_rss_kb(p) for p in _tree(proc.pid)))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    done.set()
    sampler.join()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_mb": round(peak / 1024),
        "exit": proc.returncode,
        "stderr": err.decode(errors="replace")[-500:],
    }


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children now, in MB."""
    return sum(_rss_kb(p) for p in _tree(pid)) / 1024

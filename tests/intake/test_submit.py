"""``vte-registry submit`` against the running service, as a site's pipeline runs it: a folder
zipped and uploaded, the outcome awaited, exit codes like ``validate``; the token from the
environment or an owner-only file, never printed; a service that cannot be reached is one
line after the retries."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from registry.database.store import make_engine
from registry.intake import accounts
from registry.synthetic import synthesize
from tests.intake.conftest import LiveService
from tests.intake.live import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site2_token(live_service: LiveService) -> str:
    engine = make_engine(live_service.db_url)
    token = accounts.issue_token(engine, "SITE2", "submit tests").token
    engine.dispose()
    return token


def _submit(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VTE_REGISTRY_TOKEN"}
    if token is not None:
        env["VTE_REGISTRY_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "registry", "submit", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_a_clean_folder_is_loaded_exit_0(
    live_service: LiveService, site2_token: str, tmp_path: Path
) -> None:
    folder = synthesize(tmp_path / "clean", 30, seed=21, site="SITE2").folder
    done = _submit(str(folder), "--server", live_service.url, token=site2_token)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "loaded:" in done.stdout and "0 errors" in done.stdout
    assert site2_token not in done.stdout + done.stderr


def test_errors_exit_1_with_the_summary(
    live_service: LiveService, site2_token: str, tmp_path: Path
) -> None:
    folder = synthesize(tmp_path / "defects", 30, seed=22, site="SITE2", defects=0.2).folder
    done = _submit(str(folder), "--server", live_service.url, token=site2_token)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "rejected:" in done.stdout and "rules failed:" in done.stdout


def test_no_wait_returns_once_received(
    live_service: LiveService, site2_token: str, tmp_path: Path
) -> None:
    folder = synthesize(tmp_path / "later", 10, seed=23, site="SITE2", defects=0.5).folder
    done = _submit(str(folder), "--server", live_service.url, "--no-wait", token=site2_token)
    assert done.returncode == 0, done.stdout + done.stderr
    # the state at the answer: a worker may have taken it up already
    assert re.search(r"submission [0-9a-f-]{36}: (received|validating|accepted)", done.stdout)
    assert "rules failed" not in done.stdout  # it did not wait for the outcome


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no token", "no token: set VTE_REGISTRY_TOKEN or give --token-file"),
        ("wrong token", "401: give a valid token"),
        ("shared file", "others can read it"),
        ("no service", "ConnectError after 1 retries"),
        ("no folder", "no such file or folder"),
    ],
)
def test_what_cannot_be_submitted_is_one_line_exit_2(
    live_service: LiveService, tmp_path: Path, setup: str, message: str
) -> None:
    folder = synthesize(tmp_path / "sub", 5, seed=24, site="SITE2").folder
    args = [str(folder), "--server", live_service.url, "--retries", "1"]
    token: str | None = "vte_0123456789ab_" + "x" * 43
    if setup == "no token":
        token = None
    elif setup == "shared file":
        shared = tmp_path / "token"
        shared.write_text("vte_whatever")
        shared.chmod(0o644)
        args += ["--token-file", str(shared)]
        token = None
    elif setup == "no service":
        args[2] = f"http://127.0.0.1:{free_port()}"
    elif setup == "no folder":
        args[0] = str(tmp_path / "missing")
    done = _submit(*args, token=token)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1

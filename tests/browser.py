"""Headless Chromium for the tests of the HTML pages (a person's view of them)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

__all__ = ["CHROME_FLAGS", "chromium_path", "dump_dom", "pdf_text", "screenshot"]

CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


#: .ci/run sets this: there a browser test that finds no Chromium fails instead of skipping.
REQUIRE_BROWSER = os.environ.get("VTE_REGISTRY_REQUIRE_BROWSER") == "1"


def _base(profile: Path) -> list[str]:
    return [chromium_path(), *CHROME_FLAGS, f"--user-data-dir={profile}"]


def screenshot(page: Path, shot: Path, profile: Path, size: str) -> bytes:
    """The PNG Chromium makes of ``page`` in a window of ``size`` ("W,H")."""
    subprocess.run(
        [*_base(profile), f"--screenshot={shot}", f"--window-size={size}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return shot.read_bytes()


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM of ``page`` after Chromium has loaded it."""
    return subprocess.run(
        [*_base(profile), "--dump-dom", page.as_uri()],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout


def pdf_text(page: Path, pdf: Path, profile: Path) -> str:
    """The text of ``page`` as Chromium prints it to PDF (its print stylesheet applied),
    ligatures and spacing normalized."""
    import unicodedata

    from pypdf import PdfReader

    subprocess.run(
        [*_base(profile), "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = "\n".join(page_.extract_text() or "" for page_ in PdfReader(pdf).pages)
    return unicodedata.normalize("NFKC", text)


def chromium_path() -> str:
    """Debian's Chromium, for Playwright to drive (never a browser Playwright downloads)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        why = "chromium is not installed (Debian package 'chromium'; .ci/run installs it)"
        if REQUIRE_BROWSER:
            pytest.fail(why)
        pytest.skip(why)
    return path

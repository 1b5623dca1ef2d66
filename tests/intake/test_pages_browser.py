"""The intake pages as a person uses them, in Debian's Chromium driven by Playwright: sign in,
upload a submission with errors and read its report, upload a fixed one and see it loaded
(the page follows the state by itself), upload one that removes records and confirm it, then
the center's overview. A screenshot of every page is kept (``test-artifacts/intake/``, or
``$VTE_REGISTRY_ARTIFACTS``), and no page asks for anything from another origin."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from registry.synthetic import synthesize
from tests.browser import CHROME_FLAGS, chromium_path
from tests.conftest import REPO
from tests.intake.conftest import PASSWORD, LiveService, zipped
from tests.test_load_guard import _resubmit, _without_patients

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(os.environ.get("VTE_REGISTRY_ARTIFACTS", REPO / "test-artifacts")) / "intake"


@pytest.fixture(scope="module")
def browser_page(live_service: LiveService) -> Iterator[Page]:

    path = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROME_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield page
        context.close()
        browser.close()


def test_a_site_and_the_center_through_the_pages(
    live_service: LiveService, browser_page: Page, tmp_path: Path
) -> None:
    page = browser_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((live_service.url, "data:")) else elsewhere.append(r.url)
        ),
    )
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )

    def shot(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    clean = synthesize(tmp_path / "clean", 30, seed=31, site="SITE1").folder
    defects = synthesize(tmp_path / "defects", 30, seed=32, site="SITE1", defects=0.2).folder
    gone = {line.split(",")[0] for line in (clean / "patients.csv").read_text().splitlines()[1:3]}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    fewer = _resubmit(_without_patients(clean, tmp_path / "without", gone), tmp_path / "fewer", now)

    # sign in
    page.goto(f"{live_service.url}/")
    expect(page).to_have_url(f"{live_service.url}/signin")
    page.fill("input[name=user_name]", "dm.site1")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("is wrong")
    page.fill("input[name=user_name]", "dm.site1")
    page.fill("input[name=password]", PASSWORD)
    shot("01-sign-in")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_service.url}/sites/SITE1")
    shot("02-site-home")

    def upload(folder: Path) -> None:
        page.goto(f"{live_service.url}/sites/SITE1")
        page.set_input_files("input[type=file]", str(zipped(folder)))
        page.click("text=Upload and validate")
        expect(page).to_have_url(re.compile(r"/submissions/[0-9a-f-]{36}$"))

    # a submission with errors: rejected, with its report
    upload(defects)
    expect(page.locator("h1 .state")).to_have_text("rejected", timeout=90_000)  # no reload
    expect(page.locator("td.sev-error").first).to_be_visible()  # the rules failed, on the page
    shot("03-rejected")
    page.click("text=the report as a page")
    expect(page.locator("h1")).to_contain_text("Validation report")
    shot("04-rejected-report")

    # the fixed one: loaded
    upload(clean)
    expect(page.locator("h1 .state")).to_have_text("loaded", timeout=90_000)
    expect(page.locator("table")).to_contain_text("patients")
    shot("05-loaded")

    # one that removes two patients: the page asks; confirmed, it is loaded
    upload(fewer)
    expect(page.locator("h1 .state")).to_have_text("needs-confirmation", timeout=90_000)
    expect(page.locator("tr.removes").first).to_be_visible()
    shot("06-needs-confirmation")
    page.click("text=Confirm and load")
    expect(page.locator("h1 .state")).to_have_text("loaded", timeout=90_000)
    shot("07-confirmed-and-loaded")

    page.goto(f"{live_service.url}/sites/SITE1")
    table = page.locator("table").first
    for state in ("rejected", "loaded"):
        expect(table).to_contain_text(state)
    shot("08-site-home-after")
    page.click("text=Sign out")
    expect(page).to_have_url(f"{live_service.url}/signin")

    # the center
    page.fill("input[name=user_name]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", pyotp.TOTP(live_service.totp_secret).now())
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_service.url}/center")
    row = page.locator("tr", has_text="Hospital One")
    expect(row).to_contain_text("loaded")
    shot("09-center")
    page.click("text=The registry report of the loaded data")
    expect(page.locator("h1").first).to_be_visible(timeout=120_000)
    shot("10-registry-report")

    assert elsewhere == []
    assert violations == []

"""The intake API against its OpenAPI description: the committed copy is the application's
(drift), and schemathesis sends generated requests to the running service: never a 500, and
every answer as the description says (status, content type, body)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from registry.intake.openapi import OPENAPI_FILE, openapi_document
from tests.conftest import REPO
from tests.intake.conftest import LiveService

COMMITTED = REPO / "schemas" / OPENAPI_FILE


def test_the_committed_description_is_the_applications() -> None:
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == openapi_document(), (
        f"schemas/{OPENAPI_FILE} drifted from the application: run "
        "`vte-registry export schemas schemas` and commit"
    )


def test_every_api_route_is_described() -> None:
    paths = openapi_document()["paths"]
    assert set(paths) == {
        "/api/v1/submissions",
        "/api/v1/submissions/{submission_id}",
        "/api/v1/submissions/{submission_id}/report",
        "/api/v1/submissions/{submission_id}/report.html",
        "/api/v1/submissions/{submission_id}/confirm",
        "/api/v1/submissions/{submission_id}/withdraw",
        "/api/v1/health",
    }
    assert "ProblemDetails" in openapi_document()["components"]["schemas"]


def _zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


# what a pipeline may send: zips of anything (a manifest or not), and bytes that are no zip
schemathesis.openapi.media_type(
    "application/zip",
    st.one_of(
        st.dictionaries(
            st.sampled_from(["manifest.json", "patients.csv", "notes.txt", "../escape.csv"]),
            st.binary(max_size=200),
            max_size=3,
        ).map(_zip_of),
        st.binary(max_size=500),
    ),
)

schema = schemathesis.openapi.from_dict(json.loads(COMMITTED.read_text(encoding="utf-8")))


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_running_service_answers_as_described(
    case: schemathesis.Case, live_service: LiveService
) -> None:
    case.call_and_validate(
        base_url=live_service.url,
        headers={"Authorization": f"Bearer {live_service.token}"},
    )

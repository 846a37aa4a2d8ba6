"""The OpenAPI document: valid JSON describing every operation; no docs page."""

import json

import pytest

from kapclinic.patients.tests.api_helpers import LIST_URL

OPENAPI_URL = "/api/v1/openapi.json"


@pytest.mark.parametrize("who", ["prescriber", "front_desk", "admin", "patient_user"])
def test_anyone_signed_in_gets_the_document(cast, as_user, who):
    response = as_user(getattr(cast, who)).get(OPENAPI_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_document_lists_the_patient_operations(cast, as_user):
    document = json.loads(as_user(cast.front_desk).get(OPENAPI_URL).content)
    assert document["openapi"].startswith("3.")
    assert document["info"] == {
        "title": "kapclinic API",
        "version": "1",
        "description": document["info"]["description"],
    }
    paths = document["paths"]
    patient_paths = {"/api/v1/patients/", "/api/v1/patients/{patient_id}", "/api/v1/me"}
    scheduling_paths = {
        "/api/v1/availability",
        "/api/v1/appointments",
        "/api/v1/appointments/{appointment_id}",
    }
    dosing_paths = {"/api/v1/sessions/{session_id}/vitals"}
    assert set(paths) == patient_paths | scheduling_paths | dosing_paths
    assert paths["/api/v1/patients/"]["get"]["operationId"] == "listPatients"
    params = {p["name"] for p in paths["/api/v1/patients/"]["get"]["parameters"]}
    assert params == {"q", "stage", "site", "page", "page_size"}
    page_size = next(
        p for p in paths["/api/v1/patients/"]["get"]["parameters"] if p["name"] == "page_size"
    )
    assert page_size["schema"]["maximum"] == 100
    schemas = document["components"]["schemas"]
    assert {"PatientPage", "PatientDetail", "OwnRecord", "ClinicalOut"} <= set(schemas)
    # Every $ref points at a schema the document defines.
    refs = {ref for ref in _refs(document)}
    assert {ref.rsplit("/", 1)[1] for ref in refs} <= set(schemas)


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_document_reveals_no_records(cast, as_user):
    body = as_user(cast.front_desk).get(OPENAPI_URL).content.decode()
    assert "MRN-0001" not in body and "Ient" not in body


@pytest.mark.parametrize("debug", [False, True])
def test_there_is_no_docs_page(cast, as_user, settings, debug):
    # ninja's docs page loads its scripts from a CDN, which the house rules forbid.
    settings.DEBUG = debug
    assert as_user(cast.front_desk).get("/api/v1/docs").status_code == 404


def test_api_root_is_404(cast, as_user):
    assert as_user(cast.front_desk).get("/api/v1/").status_code == 404
    assert as_user(cast.front_desk).get(LIST_URL).status_code == 200

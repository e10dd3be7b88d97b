"""The OpenAPI document is generated from the code and names the whole contract."""

from __future__ import annotations

CONTRACT = {
    "/api/v1/calls": {"get", "post"},
    "/api/v1/calls/{call_id}": {"get", "patch"},
    "/api/v1/calls/{call_id}/publish": {"post"},
    "/api/v1/calls/{call_id}/applications": {"post"},
    "/api/v1/applications/{app_id}": {"get", "patch"},
    "/api/v1/applications/{app_id}/submit": {"post"},
    "/api/v1/applications/{app_id}/withdraw": {"post"},
    "/api/v1/applications/{app_id}/screening": {"post"},
}
CALL_FIELDS = {
    "title",
    "description",
    "theme",
    "municipalities",
    "applicant_types",
    "opens_at",
    "closes_at",
    "criteria",
    "match_policy",
    "campaign_days",
    "status",
}
APPLICATION_FIELDS = {
    "title",
    "summary",
    "description",
    "municipality",
    "applicant_type",
    "organisation",
    "enterprise_number",
    "budget_cents",
    "target_cents",
    "status",
    "call_id",
}


def test_openapi_document_lists_every_contract_path_and_field(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.")
    for path, methods in CONTRACT.items():
        assert path in doc["paths"], path
        assert methods <= set(doc["paths"][path]), (path, set(doc["paths"][path]))
    schemas = doc["components"]["schemas"]
    assert set(schemas["Call"]["properties"]) >= CALL_FIELDS
    assert set(schemas["Application"]["properties"]) >= APPLICATION_FIELDS
    assert {"key", "label", "weight", "max_score"} <= set(schemas["Criterion"]["properties"])
    assert {"ratio", "cap_per_project_cents"} <= set(schemas["MatchPolicy"]["properties"])
    assert {"eligible", "reason"} <= set(schemas["Screening"]["properties"])
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_list_endpoints_document_paging(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"] for p in doc["paths"]["/api/v1/calls"]["get"]["parameters"]}
    assert {"limit", "after"} <= params
    listing = doc["components"]["schemas"]["CallList"]["properties"]
    assert set(listing) == {"items", "next"}

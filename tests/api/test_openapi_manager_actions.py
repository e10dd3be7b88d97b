"""Issue 15: every manager action is in the API and in its OpenAPI document."""

from __future__ import annotations

CONTRACT = {
    "/api/v1/campaigns/{campaign_id}": {"get", "patch"},
    "/api/v1/campaigns/{campaign_id}/cancel": {"post"},
    "/api/v1/pledges/{pledge_id}": {"get"},
    "/api/v1/notifications": {"get"},
}


def test_the_openapi_document_names_every_manager_action(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    missing = {
        path: sorted(methods - set(doc["paths"].get(path, {})))
        for path, methods in CONTRACT.items()
        if methods - set(doc["paths"].get(path, {}))
    }
    assert missing == {}
    patch = doc["paths"]["/api/v1/campaigns/{campaign_id}"]["patch"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]
    schema = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert {"patron_name", "patron_email", "patron_role"} <= set(schema["properties"])

"""Issue 15: every manager action is in the API and in its OpenAPI document."""

from __future__ import annotations

CONTRACT = {
    "/api/v1/campaigns/{campaign_id}": {"get", "patch"},
    "/api/v1/campaigns/{campaign_id}/cancel": {"post"},
    "/api/v1/pledges/{pledge_id}": {"get"},
    "/api/v1/pledges/{pledge_id}/cancel": {"post"},
    "/api/v1/notifications": {"get"},
    "/api/v1/sponsors/{sponsor_id}": {"get", "patch"},
    "/api/v1/commitments/{commitment_id}/received": {"post"},
    "/api/v1/mail-templates": {"get"},
    "/api/v1/mail-templates/{kind}/{locale}": {"get", "put", "delete"},
    "/api/v1/payment-events": {"get"},
    "/api/v1/audit": {"get"},
    "/api/v1/audit/integrity": {"get"},
    "/api/v1/tax-certificates": {"get"},
    "/api/v1/campaigns/{campaign_id}/story": {"put"},
    "/api/v1/campaigns/{campaign_id}/pictures": {"get", "post"},
    "/api/v1/campaigns/{campaign_id}/pictures/{picture_id}": {"delete"},
    "/api/v1/campaigns/{campaign_id}/updates": {"get", "post"},
    "/api/v1/applications/{app_id}/attachments/{att_id}": {"get", "delete"},
    "/api/v1/users": {"get"},
    "/api/v1/users/{user_id}": {"get"},
    "/api/v1/users/{user_id}/roles": {"post"},
    "/api/v1/users/{user_id}/roles/{role}": {"delete"},
    "/api/v1/users/{user_id}/deactivate": {"post"},
    "/api/v1/users/{user_id}/reactivate": {"post"},
    "/api/v1/users/{user_id}/invitation": {"post"},
    "/api/v1/sponsors/{sponsor_id}/contacts": {"get", "post"},
    "/api/v1/sponsors/{sponsor_id}/contacts/{user_id}": {"delete"},
    "/api/v1/sponsors/{sponsor_id}/report": {"get"},
    "/api/v1/my/sponsors": {"get"},
    "/api/v1/municipalities/{name}": {"get"},
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
    user = doc["paths"]["/api/v1/users/{user_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    user_schema = doc["components"]["schemas"][user["schema"]["$ref"].rsplit("/", 1)[1]]
    assert {"roles", "active"} <= set(user_schema["properties"])
    # Every list of the new routes has the one list shape.
    for path in ("/api/v1/payment-events", "/api/v1/audit", "/api/v1/users", "/api/v1/mail-templates"):
        ref = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert set(doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]) >= {"items", "next"}

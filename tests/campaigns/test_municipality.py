"""The municipality page and GET /api/v1/municipalities/{name}: its public campaigns with
raised, matched, backers and the patron, and the totals per year."""

from __future__ import annotations

from datetime import UTC, datetime

from app.core import clock
from app.extensions import db
from app.payments import demo
from app.payments.services import demo_payment
from tests.campaigns.fixtures import make_campaign, pledge


def _paid(campaign, amount, email):
    p, _ = pledge(campaign, amount_cents=amount, email=email)
    demo.pay(demo_payment(p.checkout_session_id))


def test_a_municipality_shows_its_campaigns_and_totals_per_year(client):
    clock.travel_to(datetime(2026, 3, 1, 10, tzinfo=UTC))
    try:
        older = make_campaign(goal=10_000)
        older.municipality = "Eeklo"
        older.patron_name, older.patron_role = "Koen", "burgemeester van Eeklo"
        _paid(older, 4_000, "a@example.org")
        clock.travel_to(datetime(2027, 2, 1, 10, tzinfo=UTC))
        newer = make_campaign(goal=10_000)
        newer.municipality = "Eeklo"
        _paid(newer, 2_500, "a@example.org")
        _paid(newer, 1_000, "b@example.org")
        draft = make_campaign(open_now=False)
        draft.municipality = "Eeklo"
        elsewhere = make_campaign()
        elsewhere.municipality = "Gent"
        db.session.commit()
    finally:
        clock.travel_to(None)
    r = client.get("/api/v1/municipalities/eeklo")
    assert r.status_code == 200
    body = r.json
    assert body["name"] == "Eeklo"
    assert [c["id"] for c in body["campaigns"]] == [newer.id, older.id]  # no draft, no Gent
    first = body["campaigns"][1]
    assert (first["raised_cents"], first["backers_count"], first["patron_name"], first["patron_role"]) == (
        4_000,
        1,
        "Koen",
        "burgemeester van Eeklo",
    )
    from app.campaigns import services

    matched = {c.id: services.matched_cents(c) for c in (older, newer)}
    assert body["campaigns"][0]["matched_cents"] == matched[newer.id]
    assert body["years"] == [
        {
            "year": 2027,
            "campaigns": 1,
            "raised_cents": 3_500,
            "matched_cents": matched[newer.id],
            "backers": 2,
        },
        {
            "year": 2026,
            "campaigns": 1,
            "raised_cents": 4_000,
            "matched_cents": matched[older.id],
            "backers": 1,
        },
    ]
    assert client.get("/api/v1/municipalities/Nergens").status_code == 404
    page = client.get("/municipalities/Eeklo")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Projecten in Eeklo" in html and "burgemeester van Eeklo" in html and newer.title in html
    assert client.get("/municipalities/Nergens").status_code == 404

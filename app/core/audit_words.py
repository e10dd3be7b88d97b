"""The audit trail in words: "Score ingediend door Jo Jurylid" instead of a code.

Each action code gets a Dutch phrase (translated like every string); a code without one is
shown as it is, so a new action is never hidden, only less friendly until it gets words.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTIONS = {
    "application.submitted": _l("Aanvraag ingediend"),
    "application.eligible": _l("Aanvraag ontvankelijk verklaard"),
    "application.ineligible": _l("Aanvraag niet ontvankelijk verklaard"),
    "application.withdrawn": _l("Aanvraag ingetrokken"),
    "application.in_review": _l("Aanvraag naar de jury"),
    "application.selected": _l("Aanvraag geselecteerd"),
    "application.not_selected": _l("Aanvraag niet geselecteerd"),
    "call.created": _l("Oproep aangemaakt"),
    "call.updated": _l("Oproep gewijzigd"),
    "call.published": _l("Oproep gepubliceerd"),
    "call.closed": _l("Oproep gesloten"),
    "campaign.created": _l("Campagne aangemaakt"),
    "campaign.opened": _l("Campagne geopend"),
    "campaign.succeeded": _l("Campagne geslaagd"),
    "campaign.failed": _l("Campagne niet geslaagd"),
    "campaign.cancelled": _l("Campagne geannuleerd"),
    "campaign.patron_set": _l("Peter of meter bewaard"),
    "commitment.create": _l("Engagement van een sponsor geboekt"),
    "sponsor.create": _l("Sponsor aangemaakt"),
    "sponsor.update": _l("Sponsor gewijzigd"),
    "jury.assigned": _l("Aanvraag toegewezen aan een jurylid"),
    "jury.juror_added": _l("Jurylid toegevoegd"),
    "jury.juror_invited": _l("Jurylid uitgenodigd"),
    "jury.no_conflict_declared": _l("Geen belangenconflict verklaard"),
    "jury.conflict_declared": _l("Belangenconflict gemeld"),
    "jury.score_saved": _l("Score opgeslagen"),
    "jury.score_submitted": _l("Score ingediend"),
    "jury.window_opened": _l("Jurytermijn geopend"),
    "jury.window_closed": _l("Jurytermijn gesloten"),
    "jury.reveal_changed": _l("Zichtbaarheid van de scores gewijzigd"),
    "jury.selection_confirmed": _l("Selectie bevestigd"),
    "payout.invoice_added": _l("Factuur toegevoegd"),
    "payout.submitted": _l("Uitbetaling aangevraagd"),
    "payout.approval": _l("Uitbetaling goedgekeurd (eerste paar ogen)"),
    "payout.approved": _l("Uitbetaling goedgekeurd"),
    "payout.rejected": _l("Uitbetaling geweigerd"),
    "payout.withdrawn": _l("Aanvraag tot uitbetaling ingetrokken"),
    "payout.scheduled": _l("Uitbetaling ingepland"),
    "payout.paid": _l("Uitbetaling betaald"),
    "payout.failed": _l("Uitbetaling teruggestort door de bank"),
    "payout.batch_exported": _l("SEPA-bestand gemaakt"),
    "payout.batch_paid": _l("SEPA-bestand als betaald geboekt"),
    "payout.project_end_set": _l("Einddatum van het project bewaard"),
    "mail.resent": _l("Mail opnieuw verstuurd"),
    "privacy.erased": _l("Persoonsgegevens gewist"),
    "user.invitation_resent": _l("Uitnodiging opnieuw verstuurd"),
}


def describe(action: str, who: str | None) -> str:
    """One sentence: what happened and by whom ("systeem" when no person did it)."""
    what = ACTIONS.get(action)
    what = str(what) if what is not None else action
    return _("%(what)s door %(who)s", what=what, who=who or _("het systeem"))

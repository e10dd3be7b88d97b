"""The matching domain's services: the only module other domains import.

Sponsors and commitments (`app.matching.sponsors`), a sponsor's contacts and their
portal (`contacts`), the reservation at selection and the
jury's planner (`reservations`), live draws, settlement and returns (`settlement`), the
audit and the figures campaigns show (`audit`), and `verify_ledger()` with the
`add_check` a higher domain registers its own books' check through (`verify`).
"""

from app.matching.audit import match_audit, matched_cents, pledge_effect_cents
from app.matching.contacts import (
    accept_invitation,
    add_contact,
    contacts_of,
    remove_contact,
    sponsor_for_reader,
    sponsor_ids_of,
    sponsors_of,
)
from app.matching.reservations import (
    SelectionPlanner,
    ordered_commitments,
    planner_factory,
    release_project,
    reserve_for_selection,
)
from app.matching.settlement import (
    draw_for_pledge,
    due_campaign_ids,
    project_match_for,
    return_for_pledge,
    settle,
)
from app.matching.sponsors import (
    add_commitment,
    commitment_balances,
    create_sponsor,
    get_commitment,
    get_sponsor,
    list_sponsors,
    mark_received,
    public_name,
    sponsor_report,
    sponsors_query,
    update_sponsor,
)
from app.matching.verify import add_check, verify_ledger

__all__ = [
    "accept_invitation",
    "add_contact",
    "contacts_of",
    "remove_contact",
    "sponsor_for_reader",
    "sponsor_ids_of",
    "sponsors_of",
    "SelectionPlanner",
    "add_check",
    "add_commitment",
    "commitment_balances",
    "create_sponsor",
    "draw_for_pledge",
    "due_campaign_ids",
    "get_commitment",
    "get_sponsor",
    "list_sponsors",
    "mark_received",
    "match_audit",
    "matched_cents",
    "ordered_commitments",
    "planner_factory",
    "pledge_effect_cents",
    "public_name",
    "project_match_for",
    "release_project",
    "reserve_for_selection",
    "return_for_pledge",
    "settle",
    "sponsor_report",
    "sponsors_query",
    "update_sponsor",
    "add_check",
    "verify_ledger",
]

"""/api/v1/sponsors/{id}/contacts: who speaks for a sponsor (fund manager links, invites,
unlinks), and the sponsor's report for its own contacts. Thin: app.matching.services (contacts)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields

from app.api.auth import commit, current_api_user, require_user
from app.funds.schemas import Schema
from app.matching import services as matching

blp = Blueprint("api_sponsor_contacts", __name__, url_prefix="/api/v1", description="Sponsor contacts")
READERS = ("fund_manager", "admin", "auditor")
WRITERS = ("fund_manager", "admin")


class ContactInSchema(Schema):
    email = fields.String(required=True)


class ContactSchema(Schema):
    user_id = fields.Integer(allow_none=True)
    email = fields.String()
    status = fields.String(metadata={"description": "linked, or invited (no account yet)"})
    invited_at = fields.AwareDateTime(allow_none=True)
    created = fields.Boolean()


class ContactListSchema(Schema):
    items = fields.List(fields.Nested(ContactSchema(exclude=("created",))))
    next = fields.String(allow_none=True)


class MySponsorSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class MySponsorListSchema(Schema):
    items = fields.List(fields.Nested(MySponsorSchema))
    next = fields.String(allow_none=True)


@blp.route("/sponsors/<int:sponsor_id>/contacts", methods=["POST"])
@require_user(*WRITERS)
@blp.arguments(ContactInSchema)
@blp.response(201, ContactSchema)
def add_contact(data, sponsor_id):
    """Link the user with this e-mail at once (role `sponsor`), or mail an invitation to a
    new address. Idempotent (`created` false the second time); 422 for a bad e-mail."""
    entry = matching.add_contact(matching.get_sponsor(sponsor_id), data["email"], current_api_user())
    commit()
    return entry


@blp.route("/sponsors/<int:sponsor_id>/contacts", methods=["GET"])
@require_user(*READERS)
@blp.response(200, ContactListSchema)
def list_contacts(sponsor_id):
    """Linked users, then pending invitations."""
    return {"items": matching.contacts_of(matching.get_sponsor(sponsor_id)), "next": None}


@blp.route("/sponsors/<int:sponsor_id>/contacts/<int:user_id>", methods=["DELETE"])
@require_user(*WRITERS)
@blp.response(204)
def remove_contact(sponsor_id, user_id):
    """Unlink (the role `sponsor` goes with the last link). 404 when not linked."""
    matching.remove_contact(matching.get_sponsor(sponsor_id), user_id, current_api_user())
    commit()


@blp.route("/my/sponsors")
@require_user("sponsor")
@blp.response(200, MySponsorListSchema)
def my_sponsors():
    """The sponsors the caller speaks for (their reports: /sponsors/{id}/report)."""
    return {"items": matching.sponsors_of(current_api_user()), "next": None}

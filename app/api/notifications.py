"""/api/v1/notifications: the outbox for fund managers (read, resend a failed mail) and the
overseer (read). Only delivery metadata goes out, never a mail's text: it may carry a
personal link. Thin: the rules live in app.notifications.services."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import commit, current_api_user, require_user
from app.api.pagination import page
from app.notifications import schemas
from app.notifications import services as notifications
from app.notifications.models import OutboxMessage

blp = Blueprint("api_notifications", __name__, url_prefix="/api/v1/notifications", description="Mail outbox")
MANAGERS = notifications.MANAGERS
READERS = (*MANAGERS, "auditor")


@blp.route("")
@require_user(*READERS)
@blp.arguments(schemas.OutboxListArgs, location="query")
@blp.response(200, schemas.OutboxListSchema)
def list_outbox(args):
    """Every mail, oldest first (`?status=failed` lists what needs a resend)."""
    query = notifications.outbox_query(args.get("status"), args.get("kind"))
    # The response schema dumps the rows (dumping here too would format dates twice).
    return page(query, OutboxMessage.id, args, lambda row: row)


@blp.route("/<int:message_id>")
@require_user(*READERS)
@blp.response(200, schemas.OutboxMessageSchema)
def get_message(message_id):
    """One mail's delivery record (not its text: it may carry a personal link)."""
    return notifications.get_message(message_id)


@blp.route("/<int:message_id>/resend", methods=["POST"])
@require_user(*MANAGERS)
@blp.response(200, schemas.OutboxMessageSchema)
def resend(message_id):
    """Queue a failed mail again (409 `not_failed` for one pending, sending or sent)."""
    row = notifications.resend(message_id, current_api_user())
    commit()
    return notifications.get_message(row.id)

"""Keyset pagination: `?limit=&after=` → `{"items": [...], "next": cursor or null}`."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import fields, validate

from app.core.errors import ValidationFailed
from app.extensions import db
from app.funds.schemas import Schema

MAX_CURSOR = 2**63 - 1


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(load_default=None, allow_none=True)


def page(query, id_column, args: dict, dump=None) -> dict:
    """Run `query` ordered by `id_column` after the cursor.

    The items are the rows themselves, for the handler's `@blp.response` list schema
    (`items = List(Nested(XSchema))`) to dump. Pass `dump` only when the response schema
    does not dump the items again: dumping twice turns datetimes into strings first and
    then fails on them (a 500).
    """
    limit = args.get("limit", 50)
    after = args.get("after")
    if after:
        try:
            cursor = int(after)
        except ValueError:
            cursor = -1
        # Outside a 64-bit integer the database cannot compare it (a 500 before): 422.
        if not 0 <= cursor < MAX_CURSOR:
            msg = _("Geen geldige cursor.")
            raise ValidationFailed(msg, details={"after": [msg]})
        query = query.where(id_column > cursor)
    rows = db.session.scalars(query.order_by(id_column).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [dump(r) for r in rows] if dump is not None else rows
    return {"items": items, "next": str(rows[-1].id) if more and rows else None}

"""/api/v1/calls: create, read, change and publish open calls."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.auth import commit, current_api_user, require_user
from app.api.pagination import page
from app.calls import schemas
from app.calls import services as calls
from app.calls.models import Call

blp = Blueprint("api_calls", __name__, url_prefix="/api/v1/calls", description="Open calls")


@blp.route("")
class Calls(MethodView):
    @blp.arguments(schemas.CallListArgs, location="query")
    @blp.response(200, schemas.CallListSchema)
    def get(self, args):
        """List the calls (drafts only for fund managers and auditors)."""
        query = calls.calls_query(current_api_user(), args.get("status"))
        return page(query, Call.id, args)

    @require_user("fund_manager", "admin")
    @blp.arguments(schemas.CallSchema)
    @blp.response(201, schemas.CallOutSchema)
    def post(self, data):
        """Create a call in draft."""
        call = calls.create_call(data, current_api_user())
        commit()
        return call


@blp.route("/<int:call_id>")
class CallItem(MethodView):
    @blp.response(200, schemas.CallOutSchema)
    def get(self, call_id):
        """One call."""
        return calls.get_call(call_id, current_api_user())

    @require_user("fund_manager", "admin")
    @blp.arguments(schemas.CallSchema(partial=True))
    @blp.response(200, schemas.CallOutSchema)
    def patch(self, data, call_id):
        """Change fields of a call."""
        call = calls.get_call(call_id, current_api_user())
        calls.update_call(call, data, current_api_user())
        commit()
        return call


@blp.route("/<int:call_id>/publish", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.response(200, schemas.CallOutSchema)
def publish(call_id):
    """Publish a draft call."""
    call = calls.get_call(call_id, current_api_user())
    calls.publish_call(call, current_api_user())
    commit()
    return call

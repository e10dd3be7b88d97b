"""/api/v1 applications: drafts, attachments, submission, withdrawal and screening."""

from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import fields

from app.api.auth import commit, current_api_user, require_user
from app.api.pagination import PageArgs, page
from app.calls import schemas
from app.calls import services as calls
from app.calls.models import Application
from app.core.uploads import attachment_disposition
from app.funds.schemas import Schema

blp = Blueprint("api_applications", __name__, url_prefix="/api/v1", description="Applications")


@blp.route("/calls/<int:call_id>/applications")
class CallApplications(MethodView):
    @require_user()
    @blp.arguments(schemas.ApplicationSchema)
    @blp.response(201, schemas.ApplicationSchema)
    def post(self, data, call_id):
        """Start a draft application (fields may be incomplete; present ones are checked)."""
        user = current_api_user()
        call = calls.get_call(call_id, user)
        app = calls.create_application(call, data, user)
        commit()
        return app

    @require_user("fund_manager", "admin", "auditor")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, schemas.ApplicationListSchema)
    def get(self, args, call_id):
        """The applications of a call (fund manager, auditor)."""
        call = calls.get_call(call_id, current_api_user())
        query = calls.applications_of_call(call)
        return page(query, Application.id, args)


@blp.route("/applications")
@require_user()
@blp.arguments(PageArgs, location="query")
@blp.response(200, schemas.ApplicationListSchema)
def mine(args):
    """The caller's own applications."""
    return page(calls.applications_of(current_api_user()), Application.id, args)


@blp.route("/applications/<int:app_id>")
class ApplicationItem(MethodView):
    @require_user()
    @blp.response(200, schemas.ApplicationSchema)
    def get(self, app_id):
        """One application (owner, or fund manager and auditor)."""
        return calls.get_application(app_id, current_api_user())

    @require_user()
    @blp.arguments(schemas.ApplicationSchema(partial=True))
    @blp.response(200, schemas.ApplicationSchema)
    def patch(self, data, app_id):
        """Change fields of the caller's draft."""
        user = current_api_user()
        app = calls.get_application(app_id, user, write=True)
        calls.update_application(app, data, user)
        commit()
        return app


@blp.route("/applications/<int:app_id>/submit", methods=["POST"])
@require_user()
@blp.response(200, schemas.ApplicationSchema)
def submit(app_id):
    """Submit before the deadline (409 call_closed after; 422 with details.missing)."""
    user = current_api_user()
    app = calls.get_application(app_id, user, write=True)
    calls.submit_application(app, user)
    commit()
    return app


@blp.route("/applications/<int:app_id>/withdraw", methods=["POST"])
@require_user()
@blp.response(200, schemas.ApplicationSchema)
def withdraw(app_id):
    """Withdraw a draft or submitted application."""
    user = current_api_user()
    app = calls.get_application(app_id, user, write=True)
    calls.withdraw_application(app, user)
    commit()
    return app


@blp.route("/applications/<int:app_id>/screening", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.arguments(schemas.ScreeningSchema)
@blp.response(200, schemas.ApplicationSchema)
def screening(data, app_id):
    """Eligible, or ineligible with a reason the applicant sees."""
    user = current_api_user()
    app = calls.get_application(app_id, user)
    calls.screen_application(app, data["eligible"], data.get("reason", ""), user)
    commit()
    return app


class AttachmentUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "PDF, JPEG or PNG, at most 10 MB"})


class AttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


@blp.route("/applications/<int:app_id>/attachments", methods=["POST"])
@require_user()
@blp.arguments(AttachmentUploadSchema, location="files")
@blp.response(201, AttachmentSchema)
def upload_attachment(files, app_id):
    """Attach a file to the caller's draft (multipart, field `file`). Judged by its content:
    PDF, JPEG or PNG, at most 10 MB (422 otherwise); 409 application_locked after submission."""
    user = current_api_user()
    app = calls.get_application(app_id, user, write=True)
    upload = files["file"]
    att = calls.add_attachment(
        app, upload.filename or "", upload.read(), user, current_app.config["MAX_UPLOAD_BYTES"]
    )
    commit()
    return att


@blp.route("/applications/<int:app_id>/attachments/<int:att_id>", methods=["GET"])
@require_user()
@blp.response(200, description="The file itself")
def download_attachment(app_id, att_id):
    """The file (owner, or fund manager and auditor), served as a download."""
    att = calls.get_attachment(calls.get_application(app_id, current_api_user()), att_id)
    return Response(
        att.content,
        mimetype=att.content_type,
        headers={
            "Content-Disposition": attachment_disposition(att.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )

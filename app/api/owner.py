"""/api/v1, what a project owner does by hand on the site: the campaign's story, pictures and
updates (news to the backers), and deleting an attachment of a draft application. The fund
manager may do the campaign parts too. The same services as the owner's pages; thin."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from app.api.auth import commit, current_api_user, require_user
from app.calls import services as calls
from app.campaigns import services as campaigns
from app.funds.schemas import Schema

blp = Blueprint("api_owner", __name__, url_prefix="/api/v1", description="Project owners")


class StoryInSchema(Schema):
    summary = fields.String(load_default="", validate=validate.Length(max=500))
    story_markdown = fields.String(load_default="", validate=validate.Length(max=20000))


class StorySchema(Schema):
    id = fields.Integer()
    summary = fields.String()
    story_markdown = fields.String()


class PictureUploadSchema(Schema):
    file = Upload(required=True)


class PictureFormSchema(Schema):
    alt_text = fields.String(required=True, validate=validate.Length(max=300))


class PictureSchema(Schema):
    id = fields.Integer()
    campaign_id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    alt_text = fields.String()
    created_at = fields.AwareDateTime()


class PictureListSchema(Schema):
    items = fields.List(fields.Nested(PictureSchema))
    next = fields.String(allow_none=True)


class UpdateInSchema(Schema):
    title = fields.String(required=True)
    body_markdown = fields.String(required=True)


class UpdateSchema(Schema):
    id = fields.Integer()
    campaign_id = fields.Integer()
    title = fields.String()
    body_markdown = fields.String()
    created_at = fields.AwareDateTime()


class UpdateListSchema(Schema):
    items = fields.List(fields.Nested(UpdateSchema))
    next = fields.String(allow_none=True)


def _owned(campaign_id: int):
    """The campaign of the caller (its owner, or the fund); 404 for anyone else."""
    return campaigns.owned_campaign(campaign_id, current_api_user())


@blp.route("/campaigns/<int:campaign_id>/story", methods=["PUT"])
@require_user()
@blp.arguments(StoryInSchema)
@blp.response(200, StorySchema)
def put_story(data, campaign_id):
    """Replace the summary and the story (Markdown) of a draft or open campaign (409 when
    closed; 404 for someone else's campaign)."""
    campaign = campaigns.edit_story(
        _owned(campaign_id), data["summary"], data["story_markdown"], current_api_user().id
    )
    commit()
    return campaign


@blp.route("/campaigns/<int:campaign_id>/pictures", methods=["GET"])
@blp.response(200, PictureListSchema)
def list_pictures(campaign_id):
    """The pictures of a campaign (as on its page; the file is at /campaigns/{id}/pictures/{pid})."""
    campaign = campaigns.get_campaign(campaign_id, current_api_user())
    return {"items": campaigns.pictures_of(campaign), "next": None}


@blp.route("/campaigns/<int:campaign_id>/pictures", methods=["POST"])
@require_user()
@blp.arguments(PictureUploadSchema, location="files")
@blp.arguments(PictureFormSchema, location="form")
@blp.response(201, PictureSchema)
def add_picture(files, form, campaign_id):
    """Add a JPEG or PNG (multipart: `file` and `alt_text`), judged by its bytes; at most 12
    per campaign (409 too_many_files), 422 for another kind of file or no description."""
    upload = files["file"]
    picture = campaigns.add_picture(
        _owned(campaign_id),
        upload.filename or "",
        upload.read(),
        form["alt_text"],
        current_app.config["MAX_UPLOAD_BYTES"],
    )
    commit()
    return picture


@blp.route("/campaigns/<int:campaign_id>/pictures/<int:picture_id>", methods=["DELETE"])
@require_user()
@blp.response(204)
def delete_picture(campaign_id, picture_id):
    """Remove a picture (404 when it is not this campaign's)."""
    campaigns.remove_picture(_owned(campaign_id), picture_id)
    commit()


@blp.route("/campaigns/<int:campaign_id>/updates", methods=["GET"])
@blp.response(200, UpdateListSchema)
def list_updates(campaign_id):
    """The news posted on a campaign, newest first."""
    campaign = campaigns.get_campaign(campaign_id, current_api_user())
    return {"items": campaigns.updates_of(campaign), "next": None}


@blp.route("/campaigns/<int:campaign_id>/updates", methods=["POST"])
@require_user()
@blp.arguments(UpdateInSchema)
@blp.response(201, UpdateSchema)
def post_update(data, campaign_id):
    """Post news; the backers who asked for news get it by mail. 409 on a draft campaign."""
    update = campaigns.post_update(
        _owned(campaign_id), data["title"], data["body_markdown"], current_api_user().id
    )
    commit()
    return update


@blp.route("/applications/<int:app_id>/attachments/<int:att_id>", methods=["DELETE"])
@require_user()
@blp.response(204)
def delete_attachment(app_id, att_id):
    """Delete an attachment of the caller's draft (409 application_locked once submitted,
    404 for someone else's application or attachment)."""
    user = current_api_user()
    application = calls.get_application(app_id, user, write=True)
    calls.remove_attachment(application, att_id, user)
    commit()

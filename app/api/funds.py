"""/api/v1/funds: the funds this installation hosts. Everybody reads their public face
(name, region, site, colours); a platform administrator creates and edits them and also
reads their bank account and mail sender."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api.auth import commit, current_api_user, require_user
from app.funds import services as funds
from app.funds.schemas import Schema

blp = Blueprint("api_funds", __name__, url_prefix="/api/v1/funds", description="Funds")


class FundSchema(Schema):
    slug = fields.String()
    name = fields.String()
    region = fields.String()
    municipalities = fields.List(fields.String())
    contact_email = fields.String(allow_none=True)
    footer = fields.String()
    primary_colour = fields.String()
    hosts = fields.List(fields.String())
    site_url = fields.Method("_site_url")
    logo_url = fields.Method("_logo_url")

    def _site_url(self, fund) -> str:
        return funds.base_url(fund.id) + "/"

    def _logo_url(self, fund) -> str | None:
        return funds.url(fund.id, "funds.logo", slug=fund.slug) if getattr(fund, "has_logo", False) else None


class FundAdminSchema(FundSchema):
    iban = fields.String(allow_none=True)
    bic = fields.String(allow_none=True)
    beneficiary = fields.String(allow_none=True)
    mail_from_name = fields.String(allow_none=True)
    mail_from = fields.String(allow_none=True)


class FundListSchema(Schema):
    items = fields.List(fields.Nested(FundSchema))


class FundInSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    region = fields.String()
    municipalities = fields.List(fields.String())
    contact_email = fields.String(allow_none=True)
    footer = fields.String()
    iban = fields.String(allow_none=True)
    bic = fields.String(allow_none=True)
    beneficiary = fields.String(allow_none=True)
    mail_from_name = fields.String(allow_none=True)
    mail_from = fields.String(allow_none=True)
    primary_colour = fields.String(validate=validate.Length(max=7))
    hosts = fields.List(fields.String())


class FundPatchSchema(FundInSchema):
    class Meta:
        exclude = ("slug",)

    name = fields.String()


@blp.route("", methods=["GET"])
@blp.response(200, FundListSchema)
def list_funds():
    """Every fund's public face, by name."""
    return {"items": funds.all_funds()}


@blp.route("/<slug>", methods=["GET"])
@blp.response(200, FundSchema)
def get_fund(slug):
    """One fund's public face (404 unknown)."""
    return funds.by_slug(slug)


@blp.route("", methods=["POST"])
@require_user("admin")
@blp.arguments(FundInSchema)
@blp.response(201, FundAdminSchema)
def create_fund(data):
    """Create a fund (422 for a bad value, e.g. a colour white text is unreadable on; 409
    for a slug or host taken)."""
    slug = data.pop("slug")
    fund = funds.create(slug, data, current_api_user().id)
    commit()
    return fund


@blp.route("/<slug>", methods=["PATCH"])
@require_user("admin")
@blp.arguments(FundPatchSchema)
@blp.response(200, FundAdminSchema)
def update_fund(data, slug):
    """Change a fund's name, region, account, sender, colour or hosts (not its slug)."""
    fund = funds.update(funds.get_by_slug(slug), data, current_api_user().id)
    commit()
    return fund

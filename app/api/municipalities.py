"""/api/v1/municipalities/{name}: a municipality's public campaigns and totals per year
(the same service as the page /municipalities/<name>)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields

from app.campaigns import services as campaigns
from app.funds.schemas import Schema

blp = Blueprint(
    "api_municipalities", __name__, url_prefix="/api/v1/municipalities", description="Municipalities"
)


class MunicipalCampaignSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    goal_cents = fields.Integer()
    raised_cents = fields.Integer()
    matched_cents = fields.Integer()
    backers_count = fields.Integer()
    starts_at = fields.AwareDateTime(allow_none=True)
    ends_at = fields.AwareDateTime(allow_none=True)
    year = fields.Integer()
    patron_name = fields.String(allow_none=True)
    patron_role = fields.String(allow_none=True)


class YearTotalSchema(Schema):
    year = fields.Integer()
    campaigns = fields.Integer()
    raised_cents = fields.Integer()
    matched_cents = fields.Integer()
    backers = fields.Integer(metadata={"description": "summed per campaign"})


class MunicipalitySchema(Schema):
    name = fields.String()
    campaigns = fields.List(fields.Nested(MunicipalCampaignSchema))
    years = fields.List(fields.Nested(YearTotalSchema))


@blp.route("/<name>")
@blp.response(200, MunicipalitySchema)
def get_municipality(name):
    """Public: the municipality's campaigns (running and past, newest first) with raised,
    matched, backers and the patron, and the totals per year. 404 without any."""
    return campaigns.municipality_page(name)

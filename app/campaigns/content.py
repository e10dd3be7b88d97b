"""What the project owner writes: the story (Markdown, sanitised), pictures and updates."""

from __future__ import annotations

import markdown
import nh3
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import User
from app.campaigns import events
from app.campaigns.models import Campaign, CampaignPicture, CampaignUpdate
from app.core import audit, clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.uploads import IMAGES, check_upload
from app.extensions import db

MAX_PICTURES = 12
EDITABLE = ("draft", "open")
_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
}


def render_markdown(text: str) -> str:
    """Markdown to HTML with only harmless tags kept (nh3); links get rel=noopener."""
    html = markdown.markdown(text or "", extensions=["sane_lists"])
    return nh3.clean(
        html, tags=_TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener noreferrer nofollow"
    )


def behind(campaign: Campaign) -> dict:
    """Who is behind the project, for its public page: the owner's name, the organisation
    (not for a private person), the profile and the contact address the owner gave."""
    owner = db.session.get(User, campaign.owner_id)
    application = campaign.application
    organisation = None
    if application is not None and application.applicant_type != "individual":
        organisation = application.organisation or None
    return {
        "name": owner.display_name if owner is not None else "",
        "organisation": organisation,
        "profile": campaign.owner_profile or "",
        "contact_email": campaign.contact_email,
    }


def owned_campaign(campaign_id: int, user) -> Campaign:
    """The campaign if `user` owns it or manages the fund; 404 otherwise (ids reveal nothing)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or user is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("Campagne niet gevonden."))
    if campaign.owner_id == user.id or user.has_role("fund_manager", "admin"):
        return campaign
    raise NotFound(_("Campagne niet gevonden."))


def _editable(campaign: Campaign) -> None:
    if campaign.status not in EDITABLE:
        raise Conflict(_("Een afgesloten campagne kan niet meer wijzigen."), code="campaign_closed")


def edit_story(campaign: Campaign, summary: str, story: str, actor_id: int) -> Campaign:
    """Change the summary and the story (Markdown) before or during the campaign."""
    _editable(campaign)
    errors = {}
    if len(summary or "") > 500:
        errors["summary"] = [_("Hoogstens %(n)d tekens.", n=500)]
    if len(story or "") > 20000:
        errors["story"] = [_("Hoogstens %(n)d tekens.", n=20000)]
    if errors:
        raise ValidationFailed(_("Sommige velden kloppen niet."), details=errors)
    before = {"summary": campaign.summary}
    campaign.summary = (summary or "").strip()
    campaign.story_markdown = story or ""
    db.session.flush()
    audit.record(
        db.session,
        actor_id,
        "campaign.story_edited",
        "campaign",
        campaign.id,
        before,
        {"summary": campaign.summary},
    )
    return campaign


MAX_PROFILE = 1000


def edit_profile(campaign: Campaign, profile: str, contact_email: str, actor_id: int) -> Campaign:
    """Change who is behind the project (a short profile) and the public contact address
    (optional; an empty one is cleared). ValidationFailed with every field error."""
    _editable(campaign)
    errors: dict[str, list[str]] = {}
    profile = (profile or "").strip()
    if len(profile) > MAX_PROFILE:
        errors["profile"] = [_("Hoogstens %(n)d tekens.", n=MAX_PROFILE)]
    email = None
    if (contact_email or "").strip():
        try:
            email = accounts.normalise_email(contact_email)
        except ValidationFailed as exc:
            errors["contact_email"] = exc.details.get("email") or [exc.message]
    if errors:
        raise ValidationFailed(_("Sommige velden kloppen niet."), details=errors)
    before = {"owner_profile": campaign.owner_profile, "contact_email": campaign.contact_email}
    campaign.owner_profile, campaign.contact_email = profile, email
    db.session.flush()
    after = {"owner_profile": campaign.owner_profile, "contact_email": campaign.contact_email}
    if after != before:
        audit.record(db.session, actor_id, "campaign.profile_edited", "campaign", campaign.id, before, after)
    return campaign


def add_picture(
    campaign: Campaign, filename: str, content: bytes, alt_text: str, max_bytes: int
) -> CampaignPicture:
    """Add a JPEG or PNG (judged by its bytes, at most `max_bytes`), with a description."""
    _editable(campaign)
    count = len(pictures_of(campaign))
    if count >= MAX_PICTURES:
        raise Conflict(_("Hoogstens %(n)d foto's.", n=MAX_PICTURES), code="too_many_files")
    alt = (alt_text or "").strip()
    if not alt:
        raise ValidationFailed(
            _("Beschrijf de foto kort."), details={"alt_text": [_("Beschrijf de foto kort.")]}
        )
    checked = check_upload(filename, content, max_bytes, allowed=IMAGES)
    picture = CampaignPicture(
        campaign_id=campaign.id,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        alt_text=alt[:300],
        content=checked.content,
    )
    db.session.add(picture)
    campaign.changed_at = clock.now()  # the public page's validators move
    db.session.flush()
    return picture


def pictures_of(campaign: Campaign) -> list[CampaignPicture]:
    return list(
        db.session.scalars(
            select(CampaignPicture)
            .where(CampaignPicture.campaign_id == campaign.id)
            .order_by(CampaignPicture.id)
        )
    )


def get_picture(campaign: Campaign, picture_id: int) -> CampaignPicture:
    picture = db.session.get(CampaignPicture, picture_id)
    if picture is None or picture.campaign_id != campaign.id:
        raise NotFound(_("Foto niet gevonden."))
    return picture


def remove_picture(campaign: Campaign, picture_id: int) -> None:
    _editable(campaign)
    db.session.delete(get_picture(campaign, picture_id))
    campaign.changed_at = clock.now()
    db.session.flush()


def post_update(campaign: Campaign, title: str, body: str, actor_id: int) -> CampaignUpdate:
    """Post news to backers (sends campaign_update_posted; notifications mails it)."""
    if campaign.status == "draft":
        raise Conflict(_("Nieuws kan pas wanneer de campagne loopt."), code="campaign_not_open")
    errors = {}
    if not (title or "").strip() or len(title) > 200:
        errors["title"] = [_("Geef een titel (hoogstens 200 tekens).")]
    if not (body or "").strip() or len(body) > 10000:
        errors["body"] = [_("Schrijf het bericht (hoogstens 10.000 tekens).")]
    if errors:
        raise ValidationFailed(_("Sommige velden kloppen niet."), details=errors)
    update = CampaignUpdate(
        campaign_id=campaign.id, author_id=actor_id, title=title.strip(), body_markdown=body
    )
    db.session.add(update)
    campaign.changed_at = clock.now()
    db.session.flush()
    events.campaign_update_posted.send(update)
    return update


def updates_of(campaign: Campaign) -> list[CampaignUpdate]:
    return list(
        db.session.scalars(
            select(CampaignUpdate)
            .where(CampaignUpdate.campaign_id == campaign.id)
            .order_by(CampaignUpdate.id.desc())
        )
    )

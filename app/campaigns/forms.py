"""HTML forms of campaigns and pledges. Rules live in services; forms only parse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from app.calls.forms import EuroField


class PledgeForm(FlaskForm):
    method = RadioField(
        _l("Hoe betaal je?"),
        choices=[
            ("online", _l("Online, met Bancontact of een kaart")),
            ("bank_transfer", _l("Met een overschrijving (QR-code of rekeningnummer)")),
        ],
        default="online",
        validators=[Optional()],
    )
    amount = EuroField(
        _l("Bedrag in euro"), validators=[DataRequired()], description=_l("Bijvoorbeeld 25 of 12,50")
    )
    email = StringField(
        _l("E-mailadres"),
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l("Voor je ontvangstbewijs; het wordt niet getoond."),
    )
    display_name = StringField(_l("Naam op de campagnepagina"), validators=[Optional(), Length(max=120)])
    anonymous = BooleanField(_l("Anoniem bijdragen"))
    hide_amount = BooleanField(_l("Mijn bedrag niet tonen"))
    message = TextAreaField(_l("Boodschap (optioneel)"), validators=[Optional(), Length(max=1000)])
    notify_opt_in = BooleanField(_l("Stuur me het nieuws van deze campagne"))
    tax_certificate = BooleanField(_l("Ik wil een fiscaal attest (vanaf 40 euro per jaar)"))
    tc_name = StringField(_l("Volledige naam"), validators=[Optional(), Length(max=200)])
    tc_rrn = StringField(
        _l("Rijksregisternummer"),
        validators=[Optional(), Length(max=20)],
        description=_l("Staat op de achterkant van je identiteitskaart."),
    )
    tc_street = StringField(_l("Straat en nummer"), validators=[Optional(), Length(max=200)])
    tc_postal_code = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    tc_city = StringField(_l("Gemeente"), validators=[Optional(), Length(max=200)])


class StoryForm(FlaskForm):
    summary = TextAreaField(_l("Korte samenvatting"), validators=[Optional(), Length(max=500)])
    story = TextAreaField(_l("Het verhaal (Markdown)"), validators=[Optional(), Length(max=20000)])


class PictureForm(FlaskForm):
    picture = FileField(_l("Foto (JPEG of PNG)"), validators=[DataRequired()])
    alt_text = StringField(_l("Wat staat er op de foto?"), validators=[DataRequired(), Length(max=300)])


class UpdateForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Bericht (Markdown)"), validators=[DataRequired(), Length(max=10000)])


class RefundForm(FlaskForm):
    amount = EuroField(_l("Bedrag (leeg: alles wat overblijft)"), validators=[Optional()])


class OfflineGiftForm(FlaskForm):
    amount = EuroField(_l("Bedrag in euro"), validators=[DataRequired()])
    method = RadioField(
        _l("Hoe"),
        choices=[SelectChoice("bank_transfer", _l("Overschrijving")), SelectChoice("cash", _l("Contant"))],
        validators=[DataRequired()],
    )
    reference = StringField(_l("Referentie"), validators=[DataRequired(), Length(max=200)])
    email = StringField(
        _l("E-mailadres van de schenker (optioneel)"), validators=[Optional(), Email(), Length(max=254)]
    )
    display_name = StringField(_l("Naam (optioneel)"), validators=[Optional(), Length(max=120)])
    anonymous = BooleanField(_l("Anoniem tonen"))


class ConfirmForm(FlaskForm):
    note = StringField(_l("Opmerking (optioneel)"), validators=[Optional(), Length(max=500)])

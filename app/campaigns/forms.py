"""HTML forms of campaigns and pledges. Rules live in services; forms only parse."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields import EmailField, SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.calls.forms import EuroField
from app.core.money import parse_euro

# "25.50" and "25.5": a dot before one or two digits can only be a decimal point (a dot
# that groups thousands has three after it), so a pledge accepts it as one.
_DECIMAL_DOT = re.compile(r"^(\s*(?:€\s*)?\d+)\.(\d{1,2}\s*(?:€)?\s*)$")

PRESET_AMOUNTS = (1000, 2500, 5000, 10000)
OTHER = "other"


class PledgeAmountField(EuroField):
    """The free amount of a pledge: "25", "25,50" and "25.50" (a numeric keypad on
    phones). The view puts the message with the call's real limits on a wrong one."""

    def process_formdata(self, valuelist):
        StringField.process_formdata(self, valuelist)
        self.cents = None
        if self.data:
            text = _DECIMAL_DOT.sub(r"\1,\2", self.data)
            try:
                self.cents = parse_euro(text)
            except ValueError:
                raise ValidationError(_l("Schrijf een bedrag als 25 of 12,50.")) from None


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
    # The view sets the choices (the presets within the call's limits, with what each becomes).
    preset = RadioField(_l("Hoeveel geef je?"), choices=[], validators=[Optional()], validate_choice=False)
    amount = PledgeAmountField(
        _l("Bedrag in euro"),
        validators=[Optional()],
        description=_l("Bijvoorbeeld 25 of 12,50"),
        render_kw={"inputmode": "decimal", "autocomplete": "transaction-amount", "class": "amount"},
    )
    email = EmailField(
        _l("E-mailadres"),
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l("Voor je ontvangstbewijs; het wordt niet getoond."),
        render_kw={"autocomplete": "email"},
    )
    display_name = StringField(
        _l("Naam op de campagnepagina"),
        validators=[Optional(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    anonymous = BooleanField(_l("Anoniem bijdragen"))
    hide_amount = BooleanField(_l("Mijn bedrag niet tonen"))
    message = TextAreaField(_l("Boodschap (optioneel)"), validators=[Optional(), Length(max=1000)])
    notify_opt_in = BooleanField(_l("Stuur me het nieuws van deze campagne"))
    tax_certificate = BooleanField(
        _l("Ik wil een fiscaal attest (vanaf 40 euro per jaar)"), render_kw={"class": "reveal-toggle"}
    )
    # Only read (and only required) when tax_certificate is ticked.
    tc_name = StringField(
        _l("Volledige naam"), validators=[Optional(), Length(max=200)], render_kw={"autocomplete": "name"}
    )
    tc_rrn = StringField(
        _l("Rijksregisternummer"),
        validators=[Optional(), Length(max=20)],
        description=_l("Staat op de achterkant van je identiteitskaart."),
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    tc_street = StringField(
        _l("Straat en nummer"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "street-address"},
    )
    tc_postal_code = StringField(
        _l("Postcode"),
        validators=[Optional(), Length(max=10)],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"},
    )
    tc_city = StringField(
        _l("Gemeente"), validators=[Optional(), Length(max=200)], render_kw={"autocomplete": "address-level2"}
    )
    # Asked only near the card-testing limit (app.campaigns.pledge_guard).
    human_token = HiddenField(validators=[Optional(), Length(max=500)])
    human_answer = StringField(
        _l("Antwoord"), validators=[Optional(), Length(max=10)], render_kw={"autocomplete": "off"}
    )

    def chosen_cents(self) -> int | None:
        """The amount chosen: a preset, else the amount typed (None when neither)."""
        if self.preset.data and self.preset.data.isdigit():
            return int(self.preset.data)
        return self.amount.cents


class StoryForm(FlaskForm):
    summary = TextAreaField(_l("Korte samenvatting"), validators=[Optional(), Length(max=500)])
    story = TextAreaField(_l("Het verhaal (Markdown)"), validators=[Optional(), Length(max=20000)])


class ProfileForm(FlaskForm):
    profile = TextAreaField(
        _l("Wie zit erachter?"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Een paar zinnen over jou of je vereniging; staat op de campagnepagina."),
    )
    contact_email = EmailField(
        _l("E-mailadres voor vragen (optioneel)"),
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("Staat op de campagnepagina, zodat mensen je kunnen bereiken."),
        render_kw={"autocomplete": "email"},
    )


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


class PatronForm(FlaskForm):
    patron_name = StringField(_l("Naam van de peter of meter"), validators=[Optional(), Length(max=200)])
    patron_email = StringField(_l("E-mailadres"), validators=[Optional(), Length(max=254)])
    patron_role = StringField(
        _l("Rol (optioneel, bv. burgemeester van Eeklo)"), validators=[Optional(), Length(max=200)]
    )


class ConfirmForm(FlaskForm):
    note = StringField(_l("Opmerking (optioneel)"), validators=[Optional(), Length(max=500)])


class RetryForm(FlaskForm):
    """Try a payment again: the receipt token says whose pledge it is."""

    token = HiddenField(validators=[DataRequired(), Length(max=64)])

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import Optional

from app.funds.admin import EDITABLE


class FundForm(FlaskForm):
    """Creating (with a slug) and editing a fund; the rules are in funds.services."""

    slug = StringField(
        _l("Korte naam in de link"), description=_l("Bijvoorbeeld oost-vlaanderen: /f/oost-vlaanderen/")
    )
    name = StringField(_l("Naam"))
    region = StringField(_l("Regio"), validators=[Optional()])
    municipalities = TextAreaField(_l("Gemeenten"), description=_l("Eén per regel."), validators=[Optional()])
    contact_email = EmailField(_l("Contactadres"), validators=[Optional()])
    footer = TextAreaField(_l("Voettekst"), description=_l("Wie het fonds beheert en wie toezicht houdt."))
    iban = StringField(_l("IBAN voor overschrijvingen"), validators=[Optional()])
    bic = StringField(_l("BIC"), validators=[Optional()])
    beneficiary = StringField(_l("Begunstigde"), validators=[Optional()])
    mail_from_name = StringField(_l("Afzender (naam)"), validators=[Optional()])
    mail_from = EmailField(_l("Afzender (e-mailadres)"), validators=[Optional()])
    primary_colour = StringField(
        _l("Hoofdkleur"), description=_l("#rrggbb; witte tekst erop moet leesbaar blijven.")
    )
    hosts = TextAreaField(
        _l("Hostnamen"), description=_l("Optioneel, één per regel."), validators=[Optional()]
    )
    logo_file = FileField(_l("Logo (PNG of JPEG, hoogstens 512 KB)"))

    def values(self) -> dict:
        """The editable values as funds.admin takes them (it checks each)."""
        return {name: getattr(self, name).data or "" for name in EDITABLE}

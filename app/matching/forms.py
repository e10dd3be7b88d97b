"""HTML forms for sponsors and commitments. Rules live in the services; forms only parse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.calls.forms import EuroField

KIND_LABELS = {
    "company": _l("Bedrijf"),
    "municipality": _l("Gemeente"),
    "province": _l("Provincie"),
    "intercommunale": _l("Streekintercommunale"),
    "foundation": _l("Stichting"),
    "other": _l("Andere"),
}


class SponsorForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    contact_email = StringField(
        _l("E-mailadres van de contactpersoon"), validators=[Optional(), Length(max=254)]
    )
    kind = SelectField(_l("Soort"), choices=list(KIND_LABELS.items()))
    public = BooleanField(_l("Met naam tonen op de publieke pagina's"), default=True)


class CommitmentForm(FlaskForm):
    amount = EuroField(_l("Bedrag (euro)"), validators=[DataRequired()])
    call_id = SelectField(_l("Alleen voor de oproep"), coerce=str, validate_choice=True)
    theme = StringField(_l("Alleen voor het thema"), validators=[Optional(), Length(max=80)])
    municipalities = TextAreaField(
        _l("Alleen voor de gemeenten"), description=_l("Eén gemeente per regel; leeg voor alle gemeenten.")
    )
    received = BooleanField(_l("Het geld is ontvangen"))
    received_on = DateField(_l("Ontvangen op"), validators=[Optional()])
    received_reference = StringField(
        _l("Referentie van de betaling"), validators=[Optional(), Length(max=120)]
    )


class ReceivedForm(FlaskForm):
    received_on = DateField(_l("Ontvangen op"), validators=[DataRequired()])
    received_reference = StringField(
        _l("Referentie van de betaling"), validators=[Optional(), Length(max=120)]
    )

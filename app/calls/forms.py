"""HTML forms for calls and applications. Rules live in services; forms only parse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.money import format_cents, parse_euro


class EuroField(StringField):
    """A euro amount typed the Belgian way ('6.000,00'); `.cents` holds the parsed value."""

    cents: int | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.cents = None
        if self.data:
            try:
                self.cents = parse_euro(self.data)
            except ValueError:
                self.cents = None
                raise ValidationError(_l("Schrijf een bedrag als 1.250,00.")) from None

    def set_cents(self, cents):
        self.cents = cents
        self.data = format_cents(cents).replace("€", "").strip() if cents is not None else ""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


APPLICANT_TYPE_LABELS = {
    "individual": _l("Particulier"),
    "association": _l("Vereniging (vzw of feitelijke vereniging)"),
    "school": _l("School"),
    "company": _l("Bedrijf"),
}


class CallForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Beschrijving"), validators=[Optional()])
    theme = StringField(_l("Thema"), validators=[Optional(), Length(max=80)])
    municipalities = TextAreaField(_l("Gemeenten (één per regel)"), validators=[Optional()])
    applicant_types = MultiCheckboxField(_l("Wie mag aanvragen"), choices=list(APPLICANT_TYPE_LABELS.items()))
    opens_at = DateTimeLocalField(
        _l("Opent op (uur in België)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    closes_at = DateTimeLocalField(
        _l("Sluit op (uur in België)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    criteria = TextAreaField(
        _l("Jurycriteria: één per regel, als sleutel | label | gewicht | maximumscore"),
        validators=[Optional()],
    )
    ratio = DecimalField(_l("Verdubbelingsfactor"), default=1, validators=[Optional(), NumberRange(0.01, 10)])
    cap_per_project = EuroField(_l("Maximale verdubbeling per project (€)"), default="6.000,00")
    campaign_days = IntegerField(
        _l("Looptijd van de campagne (dagen)"), default=45, validators=[Optional(), NumberRange(1, 365)]
    )
    matching_budget = EuroField(_l("Budget voor verdubbeling (€)"), validators=[Optional()])
    max_selected_per_municipality = IntegerField(
        _l("Maximum geselecteerde projecten per gemeente"), validators=[Optional(), NumberRange(1)]
    )
    calibration = BooleanField(_l("Kalibreer strenge en milde juryleden"))
    disagreement_threshold = DecimalField(
        _l("Drempel voor onenigheid (punten op 100)"),
        default=15,
        validators=[Optional(), NumberRange(0, 100)],
    )
    tie_lottery = BooleanField(_l("Bij gelijke stand: loting in plaats van indieningstijd"))
    all_or_nothing = BooleanField(
        _l("Alles of niets (terugbetalen als het doel niet gehaald wordt)"), default=True
    )


class ApplicationForm(FlaskForm):
    title = StringField(_l("Titel van het project"), validators=[Optional(), Length(max=200)])
    summary = TextAreaField(_l("Samenvatting"), validators=[Optional(), Length(max=2000)])
    description = TextAreaField(_l("Beschrijving"), validators=[Optional()])
    municipality = SelectField(_l("Gemeente"), choices=[], validators=[Optional()])
    applicant_type = SelectField(_l("Type aanvrager"), choices=[], validators=[Optional()])
    organisation = StringField(_l("Naam van de organisatie"), validators=[Optional(), Length(max=200)])
    enterprise_number = StringField(
        _l("Ondernemingsnummer (KBO)"),
        validators=[Optional(), Length(max=20)],
        description=_l("Bijvoorbeeld 0123.456.749"),
    )
    budget = EuroField(_l("Totaal budget (€)"))
    target = EuroField(_l("Streefbedrag crowdfunding (€)"))
    attachment = FileField(_l("Bijlage toevoegen (PDF, JPEG of PNG, max. 10 MB)"))


class ScreeningForm(FlaskForm):
    decision = RadioField(
        _l("Beslissing"),
        choices=[("eligible", _l("Ontvankelijk")), ("ineligible", _l("Niet ontvankelijk"))],
        validators=[DataRequired()],
    )
    reason = TextAreaField(_l("Reden (de aanvrager leest dit)"), validators=[Optional(), Length(max=2000)])

"""HTML forms of payouts. Rules live in services; forms only parse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.calls.forms import EuroField, MultiCheckboxField


class InvoiceForm(FlaskForm):
    """Shares the page with the request form: its own prefix keeps the field ids apart."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="invoice", **kwargs)

    file = FileField(_l("Factuur of kasticket (PDF, JPEG of PNG)"), validators=[DataRequired()])
    supplier = StringField(_l("Leverancier"), validators=[DataRequired(), Length(max=200)])
    invoice_date = DateField(_l("Factuurdatum"), validators=[DataRequired()])
    amount = EuroField(_l("Bedrag van de factuur in euro"), validators=[DataRequired()])
    description = StringField(_l("Omschrijving (optioneel)"), validators=[Optional(), Length(max=2000)])


class PayoutRequestForm(FlaskForm):
    amount = EuroField(_l("Uit te betalen bedrag in euro"), validators=[DataRequired()])
    iban = StringField(_l("IBAN-rekeningnummer"), validators=[DataRequired(), Length(max=42)])
    account_holder = StringField(
        _l("Naam van de rekeninghouder"), validators=[DataRequired(), Length(max=70)]
    )
    description = StringField(
        _l("Mededeling"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("Komt op het rekeninguittreksel."),
    )
    invoice_ids = MultiCheckboxField(_l("Facturen"), coerce=int, validate_choice=False)

    def values(self) -> dict:
        """The request's fields as the payout services take them (create and edit alike)."""
        return {
            "amount_cents": self.amount.cents,
            "iban": self.iban.data,
            "account_holder": self.account_holder.data,
            "description": self.description.data,
            "invoice_ids": list(self.invoice_ids.data or []),
        }


class ProjectEndForm(FlaskForm):
    ends_on = DateField(_l("Einddatum van het project"), validators=[DataRequired()])


class FinalReportForm(FlaskForm):
    summary = TextAreaField(_l("Wat is er gebeurd?"), validators=[DataRequired(), Length(max=20000)])
    spending = TextAreaField(
        _l("Uitgaven"),
        validators=[DataRequired(), Length(max=10000)],
        description=_l(
            "Eén uitgave per regel: omschrijving; bedrag (bijvoorbeeld: Zaden en plantgoed; 1.250,00)."
        ),
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reden"), validators=[DataRequired(), Length(max=2000)])


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token."""

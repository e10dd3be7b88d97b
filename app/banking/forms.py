"""Forms of the bank pages (CSRF on each)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FileField, IntegerField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional


class StatementForm(FlaskForm):
    file = FileField(
        _l("Rekeninguittreksel (CODA of CAMT.053)"),
        validators=[DataRequired()],
        description=_l("Het bestand dat je bank exporteert; het formaat herkennen we zelf."),
    )


class AssignForm(FlaskForm):
    target = RadioField(
        _l("Waarvoor is dit geld?"),
        choices=[
            ("pledge_id", _l("Een bijdrage (nummer)")),
            ("commitment_id", _l("Een engagement van een sponsor (nummer)")),
            ("campaign_id", _l("Een gift voor een campagne (nummer)")),
            ("other", _l("Iets anders (buiten het platform)")),
        ],
        validators=[DataRequired()],
    )
    number = IntegerField(_l("Nummer"), validators=[Optional()])
    note = StringField(_l("Notitie"), validators=[Optional(), Length(max=500)])


class UndoForm(FlaskForm):
    note = StringField(_l("Waarom?"), validators=[Optional(), Length(max=500)])

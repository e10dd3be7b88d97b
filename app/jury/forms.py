"""HTML forms of the jury. They only parse; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional


class CsrfForm(FlaskForm):
    """A form with only the CSRF token (buttons, and rows read from request.form)."""


class JurorForm(FlaskForm):
    email = StringField(
        _l("E-mailadres van het jurylid"),
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l("Wie nog geen account heeft, krijgt een uitnodiging per mail."),
    )


class AssignForm(FlaskForm):
    juror_email = SelectField(_l("Jurylid"), validators=[DataRequired()])
    application_id = SelectField(_l("Aanvraag"), validators=[Optional()], coerce=str)


class AutoAssignForm(FlaskForm):
    per_application = IntegerField(
        _l("Aantal juryleden per aanvraag"),
        validators=[DataRequired(), NumberRange(min=1, max=50)],
        description=_l("Verdeelt de aanvragen evenwichtig; nooit een eigen aanvraag of een gemeld conflict."),
    )


class DeclareForm(FlaskForm):
    decision = RadioField(
        _l("Heb je een belangenconflict met deze aanvraag?"),
        choices=[
            ("no_conflict", _l("Nee, ik heb geen belangenconflict")),
            ("conflict", _l("Ja, ik heb een belangenconflict")),
        ],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Reden van het conflict"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Verplicht bij een conflict. Je verdwijnt dan van deze aanvraag."),
    )


class BaseScoreForm(FlaskForm):
    comment = TextAreaField(_l("Commentaar"), validators=[Optional(), Length(max=5000)])


def score_form_class(criteria: list[dict]) -> type[BaseScoreForm]:
    """A score form with one whole-number field per criterion of the call."""
    attrs = {}
    for c in criteria:
        attrs[f"score_{c['key']}"] = IntegerField(
            f"{c['label']} (0–{c['max_score']})",
            validators=[Optional(), NumberRange(min=0, max=int(c["max_score"]))],
            description=_l("Gewicht %(w)s", w=f"{c['weight']:g}"),
        )
    return type("ScoreForm", (BaseScoreForm,), attrs)

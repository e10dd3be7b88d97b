"""HTML forms of the transparency pages. Rules live in services; forms only parse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import DataRequired, NumberRange


class GenerateReportForm(FlaskForm):
    """Only the CSRF token: the call is in the URL."""


class FundReportForm(FlaskForm):
    year = IntegerField(_l("Kalenderjaar"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])

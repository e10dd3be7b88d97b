"""Forms of the notifications pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class MailTemplateForm(FlaskForm):
    subject = StringField(_l("Onderwerp"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(
        _l("Tekst"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l(
            "Markdown. Waarden tussen {{ en }}, zoals {{ name }}; bedragen met |money, datums met |date."
        ),
    )

"""The erase-my-account form: the password, and a box that says the person understood."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired


class EraseForm(FlaskForm):
    password = PasswordField(_l("Je wachtwoord"), validators=[DataRequired(_l("Vul je wachtwoord in."))])
    understood = BooleanField(
        _l("Ik begrijp dat dit niet ongedaan gemaakt kan worden."),
        validators=[DataRequired(_l("Vink dit aan om verder te gaan."))],
    )

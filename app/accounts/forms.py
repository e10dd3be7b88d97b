from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class RegisterForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(_l("Naam"), validators=[Optional(), Length(max=120)])
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(), Length(min=10)],
        render_kw={"autocomplete": "new-password"},
    )
    password_again = PasswordField(
        _l("Wachtwoord (nogmaals)"),
        validators=[DataRequired(), EqualTo("password", message=_l("De wachtwoorden verschillen."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired()])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired()])
    remember = BooleanField(_l("Aangemeld blijven"))


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired()])


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[DataRequired(), Length(min=10)],
        render_kw={"autocomplete": "new-password"},
    )
    password_again = PasswordField(
        _l("Nieuw wachtwoord (nogmaals)"),
        validators=[DataRequired(), EqualTo("password", message=_l("De wachtwoorden verschillen."))],
    )


class ChangePasswordForm(ResetForm):
    current = PasswordField(_l("Huidig wachtwoord"), validators=[DataRequired()])


class TokenForm(FlaskForm):
    name = StringField(_l("Naam van de token"), validators=[DataRequired(), Length(max=80)])


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Taal"), choices=[("nl", "Nederlands"), ("en", "English"), ("fr", "Français")])

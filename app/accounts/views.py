"""Account pages: register, confirm, log in and out, reset, profile with API tokens."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import forms, services, sessions, throttle
from app.core.confirm import confirm_page
from app.core.errors import DomainError
from app.core.setup import safe_next
from app.extensions import db

bp = Blueprint("accounts", __name__, url_prefix="/account", template_folder="templates")


def _safe_next(target: str | None) -> str:
    # The same check as the language switch (app.core.setup.safe_next).
    return safe_next(target, url_for("calls.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = forms.RegisterForm()
    if form.validate_on_submit():
        throttle.before_register()
        try:
            services.register(
                form.email.data,
                form.password.data,
                form.display_name.data,
                locale=session.get("locale", "nl"),
            )
        except DomainError as exc:
            db.session.rollback()
            for field, msgs in exc.details.items():
                if field in form:
                    form[field].errors = list(form[field].errors) + list(msgs)
            if not exc.details:
                form.email.errors = list(form.email.errors) + [exc.message]
        else:
            # The same answer whether the address was new or already had an account (its
            # owner got a mail instead): registration does not reveal who is registered.
            db.session.commit()
            flash(
                _("Welkom! We stuurden een mail naar dat adres. Volg de link erin en meld je aan."),
                "success",
            )
            return redirect(url_for("accounts.login"))
    status = 422 if form.errors else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/confirm/<token>")
def confirm(token):
    services.confirm_email(token)
    db.session.commit()
    flash(_("Je e-mailadres is bevestigd."), "success")
    return redirect(url_for("calls.home"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = forms.LoginForm()
    if form.validate_on_submit():
        throttle.before_login(form.email.data)
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            throttle.after_failed_login(form.email.data)
            db.session.commit()  # the owner's warning mail, if this failure triggered one
            form.password.errors = [_("E-mailadres of wachtwoord klopt niet.")]
        else:
            sessions.sign_in(user, remember=form.remember.data)
            db.session.commit()
            session["locale"] = user.locale
            return redirect(_safe_next(request.args.get("next")))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    sessions.sign_out()
    db.session.commit()
    flash(_("Je bent afgemeld."), "info")
    return redirect(url_for("calls.home"))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = forms.ForgotForm()
    if form.validate_on_submit():
        send = throttle.before_reset_request(form.email.data)
        flash(_("Als er een account bestaat voor dat adres, kreeg het een mail met een link."), "info")
        response = redirect(url_for("accounts.login"))
        if send:
            # Looked up and mailed once the answer is sent: its timing cannot tell whether
            # the address has an account.
            response.call_on_close(_reset_after_response(current_app._get_current_object(), form.email.data))
        return response
    return render_template("accounts/forgot.html", form=form)


def _reset_after_response(app, email: str):
    def work() -> None:
        with app.app_context():
            try:
                services.request_password_reset(email)
                db.session.commit()
            except Exception:  # noqa: BLE001 - nobody waits for this answer any more
                db.session.rollback()
                app.logger.exception("password reset mail for a request failed")

    return work


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token):
    form = forms.ResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            form.password.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Je wachtwoord is gewijzigd. Meld je aan."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    token_form = forms.TokenForm(prefix="token")
    password_form = forms.ChangePasswordForm(prefix="pw")
    language_form = forms.LanguageForm(prefix="lang", locale=current_user.locale)
    new_token = None
    if request.method == "POST" and "token-name" in request.form:
        if token_form.validate_on_submit():
            throttle.before_token(current_user.id)
            _token, new_token = services.create_api_token(current_user, token_form.name.data)
            db.session.commit()
    elif request.method == "POST" and "pw-current" in request.form:
        if password_form.validate_on_submit():
            if services.authenticate(current_user.email, password_form.current.data) is None:
                password_form.current.errors = [_("Je huidige wachtwoord klopt niet.")]
            else:
                user = current_user._get_current_object()
                revoked = services.change_password(user, password_form.password.data)
                sessions.sign_in(user)
                db.session.commit()
                if revoked:
                    flash(_("Je API-tokens zijn ingetrokken; maak nieuwe waar je ze nodig hebt."), "info")
                flash(_("Je wachtwoord is gewijzigd."), "success")
                return redirect(url_for("accounts.profile"))
    elif request.method == "POST" and "lang-locale" in request.form:
        if language_form.validate_on_submit():
            current_user.locale = language_form.locale.data
            session["locale"] = current_user.locale
            db.session.commit()
            return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        token_form=token_form,
        password_form=password_form,
        language_form=language_form,
        tokens=services.list_tokens(current_user),
        new_token=new_token,
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET"])
@login_required
def confirm_revoke_token(token_id):
    return confirm_page(
        title=_("Token intrekken"),
        question=_("Wil je deze API-token intrekken?"),
        consequence=_("Programma's die hem gebruiken, krijgen meteen geen toegang meer."),
        button=_("Ja, token intrekken"),
        back=url_for("accounts.profile"),
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    services.revoke_api_token(current_user, token_id)
    db.session.commit()
    flash(_("De token is ingetrokken."), "info")
    return redirect(url_for("accounts.profile"))

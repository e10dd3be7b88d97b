"""What the form macros need to follow GOV.UK's error pattern (macros.html: `field`,
`error_summary`): specific wording instead of WTForms' generic messages, the id a summary
link jumps to, and the autocomplete purpose of personal fields (WCAG 1.3.5)."""

from __future__ import annotations

from flask_babel import gettext as _

# WTForms' own messages (English source, translated by WTForms' catalogue) that say nothing
# about the field; they are replaced by a sentence that names it.
_REQUIRED = ("This field is required.",)
_NOT_A_NUMBER = ("Not a valid integer value.", "Not a valid decimal value.", "Not a valid float value.")
_NOT_A_DATE = ("Not a valid date value.", "Not a valid datetime value.")
_CHOICE = ("Not a valid choice.",)

# Personal fields by name: the purpose a browser can fill in (HTML's autocomplete tokens).
AUTOCOMPLETE = {
    "email": "email",
    "display_name": "name",
    "name": "name",
    "patron_name": "off",
    "patron_email": "off",
    "iban": "off",
    "phone": "tel",
    "street": "street-address",
    "postal_code": "postal-code",
    "city": "address-level2",
    "current": "current-password",
    "password_again": "new-password",
}
_CHOOSING = ("SelectField", "RadioField", "SelectMultipleField", "MultiCheckboxField", "BooleanField")


def _label(field) -> str:
    return str(field.label.text).rstrip(" :")


def field_errors(field) -> list[str]:
    """The field's messages, each generic one replaced by one that names the field."""
    translate = getattr(field, "gettext", lambda s: s)
    out = []
    for message in field.errors or []:
        text = str(message)
        generic = {translate(s) for s in _REQUIRED} | {_("Dit veld is verplicht."), *_REQUIRED}
        if text in generic:
            if field.type == "FileField" or field.type.endswith("FileField"):
                text = _("Kies een bestand bij ‘%(label)s’.", label=_label(field))
            elif field.type in _CHOOSING:
                text = _("Maak een keuze bij ‘%(label)s’.", label=_label(field))
            else:
                text = _("Vul ‘%(label)s’ in.", label=_label(field))
        elif text in {translate(s) for s in _NOT_A_NUMBER} | set(_NOT_A_NUMBER):
            text = _("Vul bij ‘%(label)s’ een getal in, zoals 12.", label=_label(field))
        elif text in {translate(s) for s in _NOT_A_DATE} | set(_NOT_A_DATE):
            text = _("Vul bij ‘%(label)s’ een geldige datum in.", label=_label(field))
        elif text in {translate(s) for s in _CHOICE} | set(_CHOICE):
            text = _("Kies bij ‘%(label)s’ een van de mogelijkheden.", label=_label(field))
        out.append(text)
    return out


def anchor(field) -> str:
    """The id a summary link jumps to: the input itself, or a group's first option."""
    if field.type in ("RadioField", "MultiCheckboxField") or (
        field.type == "SelectMultipleField" and getattr(field, "option_widget", None) is not None
    ):
        return f"{field.id}-0"
    return field.id


def autocomplete(field) -> str | None:
    """The autocomplete token for a personal field, unless the form set one itself."""
    if "autocomplete" in (field.render_kw or {}):
        return None
    if field.type == "PasswordField" and field.short_name not in AUTOCOMPLETE:
        return "current-password"  # a form that sets a new one says so in its render_kw
    return AUTOCOMPLETE.get(field.short_name)


def form_error_items(*forms) -> list[dict]:
    """Every error of the given forms, in field order: {"href", "text"} (href None for a
    form-level error or an expired CSRF token, which no field on the page can fix)."""
    items = []
    for form in forms:
        if form is None or not getattr(form, "errors", None):
            continue
        for field in form:
            if not field.errors:
                continue
            if field.type == "CSRFTokenField":
                items.append({"href": None, "text": _("Het formulier was verlopen. Probeer het opnieuw.")})
                continue
            for text in field_errors(field):
                items.append({"href": "#" + anchor(field), "text": text})
        for text in getattr(form, "form_errors", None) or []:
            items.append({"href": None, "text": str(text)})
    return items


def register(app) -> None:
    app.jinja_env.globals.update(
        field_errors=field_errors,
        field_anchor=anchor,
        field_autocomplete=autocomplete,
        form_error_items=form_error_items,
    )

"""Dutch first, English and French on request: the catalogues cover every string of the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests import factories as f

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
APP = TRANSLATIONS.parent
# The foundation's own strings: every one of them must exist in English and French.
FOUNDATION = ("core", "accounts", "calls", "templates")
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _catalogue(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """`make translations` compiles the catalogues; a bare pytest run may not have done so.
    Compile a stale or missing .mo the same way, so the test reads what a deploy serves."""
    for lang in ("en", "fr"):
        po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(mo, "wb") as fh:
                write_mo(fh, _catalogue(lang))


def _extracted_ids(folders):
    ids = set()
    for folder in folders:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(APP / folder), METHODS, keywords=KEYWORDS
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def _foundation_ids():
    return _extracted_ids(FOUNDATION)


def _translated(message):
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_foundation_string_is_translated(lang):
    ids = _foundation_ids()
    assert len(ids) > 150  # the extraction itself works
    catalogue = _catalogue(lang)
    untranslated = sorted(i for i in ids if not (catalogue.get(i) and catalogue.get(i).string))
    assert untranslated == [], f"{lang}: run pybabel extract/update and translate: {untranslated}"
    fuzzy = sorted(i for i in ids if catalogue.get(i).fuzzy)
    assert fuzzy == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_string_of_the_app_is_translated(lang):
    """Every domain, not only the foundation: `pybabel extract` + `update`, then translate."""
    ids = _extracted_ids(["."])
    assert len(ids) > 700  # the extraction covers the domains too
    catalogue = _catalogue(lang)
    untranslated = sorted(i for i in ids if not (catalogue.get(i) and _translated(catalogue.get(i))))
    assert untranslated == [], f"{lang}: run pybabel extract/update and translate: {untranslated}"
    fuzzy = sorted(m.id for m in catalogue if m.id and m.fuzzy)
    assert fuzzy == []


# %(name)s / %(num)d as Flask-Babel formats them, and str.format-style {name} (not Jinja's {{ }}).
PLACEHOLDER = re.compile(r"%\([a-z_][a-z0-9_]*\)[sdif]|(?<!\{)\{[a-z_][a-z0-9_]*\}(?!\})")


class _Any(dict):
    def __missing__(self, key):
        return 1


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_translation_keeps_the_placeholders_of_its_msgid(lang):
    """A translation that drops, renames or adds a placeholder crashes the page (KeyError) or
    loses a value; a stray % breaks formatting. Plural forms: each form may leave out %(num)d
    (\"one day left\") but uses nothing the msgid does not have, and the catalogue has as many
    forms as its Plural-Forms header says."""
    catalogue = _catalogue(lang)
    problems = []
    for m in catalogue:
        if not m.id or not _translated(m):
            continue
        if m.pluralizable:
            ids, strings = m.id, m.string
            if len(strings) != catalogue.num_plurals:
                problems.append((m.id, f"{len(strings)} plural forms, expected {catalogue.num_plurals}"))
            wanted = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[1]))
            for s in strings:
                if not set(PLACEHOLDER.findall(s)) <= wanted:
                    problems.append((m.id, s))
            if set(PLACEHOLDER.findall(strings[-1])) != set(PLACEHOLDER.findall(ids[1])):
                problems.append((m.id, strings[-1]))
        else:
            ids, strings = (m.id,), (m.string,)
            if sorted(PLACEHOLDER.findall(m.string)) != sorted(PLACEHOLDER.findall(m.id)):
                problems.append((m.id, m.string))
        if m.pluralizable or "%(" in "".join(ids):
            for s in strings:
                try:
                    s % _Any()
                except (KeyError, ValueError, TypeError) as exc:
                    problems.append((m.id, f"{s!r}: {exc!r}"))
    assert problems == []
    assert [e for e in catalogue.check() if e[1]] == []


def test_dutch_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in html and "Samen maken we de streek" in html


def test_switching_to_english_translates_home_and_login(client):
    resp = client.post("/lang/en", data={"next": "/account/login"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/login")
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in home
    assert "Together we make the region" in home and "Open calls" in home
    assert "Samen maken we de streek" not in home
    login = client.get("/account/login").get_data(as_text=True)
    for text in ("Log in", "E-mail address", "Password", "Stay logged in", "Forgot your password?"):
        assert text in login, text
    assert "Wachtwoord" not in login
    # Errors too: a wrong log-in says so in English.
    resp = client.post("/account/login", data={"email": "x@example.org", "password": "verkeerd"})
    assert "E-mail address or password is wrong." in resp.get_data(as_text=True)


def test_french_and_the_query_parameter(client):
    html = client.get("/account/register?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in html and "Créer un compte" in html and "Mot de passe" in html
    client.post("/lang/fr")
    assert "Appels ouverts" in client.get("/").get_data(as_text=True)


def test_money_and_dates_follow_the_language(client):
    call = f.call(title="Klimaat", match_policy={"cap_per_project_cents": 600000})
    client.post("/lang/en")
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "up to €6,000.00 per project" in page
    client.post("/lang/nl")
    page = client.get(f"/calls/{call.id}").get_data(as_text=True).replace("\xa0", " ")
    assert "tot € 6.000,00 per project" in page


def test_a_logged_in_user_keeps_the_language_of_the_profile(client, app):
    user = f.user("applicant", locale="fr")
    client.post("/account/login", data={"email": user.email, "password": f.PASSWORD})
    assert "Mes candidatures" in client.get("/").get_data(as_text=True)
    client.post("/account/profile", data={"lang-locale": "en"})
    other = app.test_client()
    other.post("/account/login", data={"email": user.email, "password": f.PASSWORD})
    assert "My applications" in other.get("/").get_data(as_text=True)


def test_the_api_speaks_the_language_asked_for(client):
    resp = client.get("/api/v1/calls/999999?lang=en")
    assert resp.get_json()["error"]["message"] == "Call not found."
    assert client.get("/api/v1/calls/999999").get_json()["error"]["message"] == "Oproep niet gevonden."

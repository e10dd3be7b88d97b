"""Turning a catalogue kind, a language and a context into a subject, a text and an HTML body.

Templates run in Jinja's sandbox, because a fund manager may edit them: they see only the
context of the mail, never the application. The plain text comes from the Markdown source;
the HTML is that Markdown rendered with every value escaped, then cleaned with nh3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import markdown as md
import nh3
from babel.dates import format_datetime
from flask import current_app
from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from sqlalchemy import select

from app.core import tenancy
from app.core.clock import BRUSSELS
from app.core.money import format_cents
from app.extensions import db
from app.funds import services as funds
from app.notifications.catalogue import CATALOGUE, LOCALES
from app.notifications.models import MailTemplate
from app.notifications.template_guard import secret_link_problem

MAIL_DIR = Path(__file__).parent / "mails"
_BABEL_LOCALES = {"nl": "nl_BE", "en": "en_GB", "fr": "fr_BE"}


class TemplateBroken(Exception):
    """A template that does not parse or render; retrying will not help until it is fixed."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _date(value: Any, locale: str) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_datetime(moment, "d MMMM yyyy, HH:mm", tzinfo=BRUSSELS, locale=_BABEL_LOCALES[locale])


def _env(locale: str, html: bool, strict: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        autoescape=html,
        undefined=StrictUndefined if strict else Undefined,
        keep_trailing_newline=False,
    )
    env.filters["money"] = lambda cents: format_cents(cents, locale)
    env.filters["date"] = lambda value: _date(value, locale)
    return env


@lru_cache(maxsize=128)
def file_source(kind: str, locale: str) -> tuple[str, str]:
    """(subject, body) of the template file shipped with the platform."""
    raw = (MAIL_DIR / locale / f"{kind}.txt").read_text(encoding="utf-8")
    first, _sep, body = raw.partition("\n")
    if not first.startswith("Subject:"):
        raise TemplateBroken(f"{locale}/{kind}.txt does not start with 'Subject:'")
    return first[len("Subject:") :].strip(), body.lstrip("\n")


def source(kind: str, locale: str) -> tuple[str, str, bool]:
    """(subject, body, overridden): the fund's own template if it has one, else the file."""
    row = db.session.scalar(
        select(MailTemplate).where(MailTemplate.kind == kind, MailTemplate.locale == locale)
    )
    if row is not None and secret_link_problem(kind, row.subject, row.body) is None:
        return row.subject, row.body, True
    subject, body = file_source(kind, locale)
    return subject, body, False


def render_source(
    subject: str,
    body: str,
    locale: str,
    context: dict[str, Any],
    unsubscribe_url: str | None = None,
    strict: bool = False,
) -> Rendered:
    """Render one template source. Raises TemplateBroken on a syntax or render error."""
    locale = locale if locale in LOCALES else "nl"
    values = {**context, "locale": locale}
    try:
        text_env = _env(locale, html=False, strict=strict)
        html_env = _env(locale, html=True, strict=strict)
        subject_out = " ".join(text_env.from_string(subject).render(values).split())[:300]
        text = text_env.from_string(body).render(values).strip()
        html_source = html_env.from_string(body).render(values)
    except TemplateError as exc:
        raise TemplateBroken(str(exc)) from exc
    footer_subject, footer = file_source("_footer", locale)
    if unsubscribe_url:
        text += "\n\n-- \n" + footer.strip().replace("{{ unsubscribe_url }}", unsubscribe_url)
    html_body = clean_mail_html(md.markdown(html_source))
    html = _layout(locale, subject_out, html_body, footer_subject, unsubscribe_url)
    return Rendered(subject_out, text, html)


# The website's tags for user content, without images: a mail never loads anything from
# elsewhere (tracking pixels), and links go only to our own site or to an e-mail address.
MAIL_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
}


def _own_links_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        parts = urlsplit(value.strip())
        own = urlsplit(current_app.config.get("PUBLIC_BASE_URL", "")).netloc
        if parts.scheme == "mailto" or (parts.scheme in ("http", "https") and own and parts.netloc == own):
            return value
        return None
    return value


def clean_mail_html(html: str) -> str:
    """The allow-list of every mail's HTML (fund templates, owner updates alike)."""
    return nh3.clean(
        html,
        tags=MAIL_TAGS,
        attributes={"a": {"href", "title"}},
        attribute_filter=_own_links_only,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def render(kind: str, locale: str, context: dict[str, Any], unsubscribe_url: str | None = None) -> Rendered:
    """Render a catalogue kind in `locale` (the fund's template if it has one)."""
    if kind not in CATALOGUE:
        raise TemplateBroken(f"unknown mail kind {kind!r}")
    locale = locale if locale in LOCALES else "nl"
    subject, body, _own = source(kind, locale)
    return render_source(subject, body, locale, context, unsubscribe_url)


def check_source(kind: str, locale: str, subject: str, body: str) -> str | None:
    """None if the template renders with the kind's sample values, else the error message."""
    leak = secret_link_problem(kind, subject, body)
    if leak:
        return leak
    try:
        render_source(subject, body, locale, CATALOGUE[kind].sample, strict=True)
    except TemplateBroken as exc:
        return str(exc)
    if not subject.strip() or not body.strip():
        return "empty"
    return None


def _layout(locale: str, subject: str, body: str, unsubscribe_label: str, unsubscribe_url: str | None) -> str:
    footer = ""
    fund = funds.by_id(tenancy.single_fund_id())  # the fund the mail is about
    if fund.footer:
        footer = Markup('<p style="margin-top:2em;font-size:13px;color:#4a4a4a">{text}</p>').format(
            text=fund.footer
        )
    if unsubscribe_url:
        footer += Markup(
            '<p style="margin-top:2em;font-size:13px;color:#4a4a4a"><a href="{url}">{label}</a></p>'
        ).format(url=unsubscribe_url, label=unsubscribe_label)
    return Markup(
        '<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
        '<body style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#1b1b1b;'
        'max-width:40em;margin:0 auto;padding:1em">{body}{footer}</body></html>'
    ).format(lang=locale, title=escape(subject), body=Markup(body), footer=footer)  # noqa: S704 - nh3-cleaned

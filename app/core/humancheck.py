"""A cheap proof that a person is there: a small sum, signed, answered within ten minutes.

Asked only when an address nears a limit (card testing: a script creating checkout after
checkout). It does not stop a determined attacker who reads the question, but it turns a
blind loop into work per request; the hard limit behind it stays. No third-party service,
no network, nothing stored: the question travels signed with the form.
"""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.core.errors import DomainError

MAX_AGE = 600


class HumanCheckRequired(DomainError):
    """428: answer `question` and send it back with `token`."""

    status = 428

    def __init__(self, question: str, token: str, wrong: bool = False):
        message = _("Dat antwoord klopt niet.") if wrong else _("Beantwoord eerst deze vraag.")
        super().__init__(
            message,
            code="human_check_required",
            details={"human_check": {"question": question, "token": token}},
        )
        self.question, self.token = question, token


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="human-check")


def question_of(a: int, b: int) -> str:
    return _("Hoeveel is %(a)d plus %(b)d? (in cijfers)", a=a, b=b)


def challenge() -> HumanCheckRequired:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    return HumanCheckRequired(question_of(a, b), _serializer().dumps({"a": a, "b": b}))


def passed(token: str | None, answer: str | None) -> bool:
    """True when `answer` is the right sum for a token signed less than ten minutes ago."""
    if not token or answer is None:
        return False
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        return False
    return str(answer).strip() == str(int(data["a"]) + int(data["b"]))


def require(token: str | None, answer: str | None) -> None:
    """Raise a fresh challenge (HumanCheckRequired) unless the answer is right."""
    if passed(token, answer):
        return
    exc = challenge()
    if token:
        exc = HumanCheckRequired(exc.question, exc.token, wrong=True)
    raise exc

"""A fund's own mail template must not be able to send a secret link elsewhere.

The kinds that carry a personal link (confirmation, reset, invitation, receipt status) may
be reworded, but the link itself stays out of the wording's reach: it may only stand on its
own as `<{{ confirm_url }}>` (whitespace or the line's edge on both sides), never inside
another URL, an image, a filter or a variable, and never in the subject. Templates stored
before this rule that break it are not used: the shipped file renders instead.
"""

from __future__ import annotations

import re

from app.notifications.catalogue import CATALOGUE


def _alone(name: str) -> re.Pattern:
    return re.compile(r"(?:(?<=\s)|^)<\{\{\s*" + re.escape(name) + r"\s*\}\}>(?=\s|$)", re.M)


def secret_link_problem(kind: str, subject: str, body: str) -> str | None:
    """Why this template would expose a secret link, or None when it cannot."""
    for name in CATALOGUE[kind].secret_links:
        if name in (subject or ""):
            return f"{name} may not appear in the subject"
        rest = _alone(name).sub("", body or "")
        if name in rest:
            return f"{name} may only stand on its own, as <{{{{ {name} }}}}>"
    return None

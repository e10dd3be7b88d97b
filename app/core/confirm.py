"""Destructive actions ask first, on a page of their own (issue 18; no JavaScript needed).

A GET view on the same address as the POST that does the deed returns `confirm_page(...)`:
the question, what follows from it, and a form that POSTs to that address with a danger
button. The POST endpoints stay as they were, for the API-minded and the tests.
"""

from __future__ import annotations

from flask import render_template, request


def confirm_page(
    *,
    title: str,
    question: str,
    button: str,
    back: str,
    consequence: str | None = None,
    details: list[tuple[str, str]] | None = None,
    hidden: dict[str, str] | None = None,
    action: str | None = None,
    note_label: str | None = None,
):
    """The confirmation page; `action` defaults to this very address (its POST), `hidden`
    are extra form values, `note_label` adds an optional note field (name "note")."""
    return render_template(
        "confirm.html",
        title=title,
        question=question,
        consequence=consequence,
        details=details or [],
        hidden=hidden or {},
        action=action or request.path,
        button=button,
        back=back,
        note_label=note_label,
    )

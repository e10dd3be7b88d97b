"""Status labels: a code shared by two domains keeps the lower domain's label; kinds apart."""

from __future__ import annotations

from flask import Flask, render_template_string

from app.core.setup import add_status_labels, status_label


def test_first_label_of_a_code_wins_and_kinds_keep_their_own():
    app = Flask(__name__)
    add_status_labels(app, {"submitted": "ingediend", "draft": "ontwerp"})
    add_status_labels(app, {"submitted": "doorgegeven", "open": "loopt"})
    add_status_labels(app, {"submitted": "doorgegeven"}, kind="tax_certificate")
    with app.app_context():
        assert status_label("submitted") == "ingediend"
        assert status_label("open") == "loopt"
        assert status_label("submitted", "tax_certificate") == "doorgegeven"
        assert status_label("draft", "tax_certificate") == "ontwerp"  # falls back to the shared
        assert status_label("unknown_code") == "unknown_code"


def test_the_application_badge_says_ingediend_in_the_real_app(app):
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "macros.html" import status_badge %}{{ status_badge("submitted") }}'
        )
        assert html == '<span class="badge badge-submitted">ingediend</span>'

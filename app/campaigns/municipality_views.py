"""The public page of a municipality (/municipalities/<name>)."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.campaigns import municipality

bp = Blueprint("municipalities", __name__, template_folder="templates")


@bp.route("/municipalities/<name>")
def show(name):
    return render_template("campaigns/municipality.html", page=municipality.municipality_page(name))

"""The public page of a municipality (/municipalities/<name>)."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.campaigns import services

bp = Blueprint("municipalities", __name__, template_folder="templates")


@bp.route("/municipalities/<name>")
def show(name):
    return render_template("campaigns/municipality.html", page=services.municipality_page(name))

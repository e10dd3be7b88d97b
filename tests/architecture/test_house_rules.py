"""The rules of the house that a grep can check: services never commit, no domain is
optional, no cycle is dodged inside a function, no signal decides money, every port of a
lower layer has its provider, and `flask signals` shows what is connected."""

from __future__ import annotations

import ast
from pathlib import Path

from app.core import ports
from app.core.signals import inventory

APP = Path(__file__).resolve().parents[2] / "app"

# Modules whose job is to end transactions: the request (views, the API), the task and the
# CLI command commit; services only flush.
COMMITTERS = ("views.py", "manage_views.py", "tasks.py", "cli.py")
# With the reason each one commits.
ALSO_COMMITS = {
    "core/setup.py": "the language switch view and the error handlers live here",
    "core/transaction.py": "attempt(): the views' one way to commit or roll back",
    "notifications/delivery.py": "the delivery task's lease: the claim is committed before SMTP is called",
}


def _modules():
    for path in sorted(APP.rglob("*.py")):
        yield path.relative_to(APP).as_posix(), path, ast.parse(path.read_text(encoding="utf-8"))


def test_no_service_module_commits():
    offenders = []
    for rel, _path, tree in _modules():
        if rel.startswith("api/") or rel.endswith(COMMITTERS) or rel in ALSO_COMMITS:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
            ):
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == [], "services flush; the caller commits: " + ", ".join(offenders)


def test_every_import_of_the_app_is_static_and_at_module_top():
    inside_functions = []
    for rel, _path, tree in _modules():
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(fn):
                    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app"):
                        inside_functions.append(f"{rel}:{node.lineno}")
                    if isinstance(node, ast.Import) and any(a.name.startswith("app") for a in node.names):
                        inside_functions.append(f"{rel}:{node.lineno}")
    assert inside_functions == []


def test_no_domain_is_optional():
    probes = []
    for rel, path, tree in _modules():
        text = path.read_text(encoding="utf-8")
        if "importlib" in text or "_optional(" in text or "_services(" in text:
            probes.append(rel)
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                if names & {"ModuleNotFoundError", "ImportError"}:
                    probes.append(f"{rel}:{node.lineno}")
    assert probes == []


def test_every_declared_port_is_provided(app):
    provided = ports.providers(app)
    for port in ports._DECLARED:
        assert port in provided, port


def test_the_signal_map_shows_notifications_only_on_the_money_path(app):
    rows = {row["signal"]: row for row in inventory()}
    # The payments signals, once a remote call whose first answer won, are gone; so is the
    # signal that only existed to order row locks.
    assert not any(name.startswith("payment-") for name in rows)
    assert "pledge-succeeded-last" not in rows
    assert "selection-confirming" not in rows  # the jury calls MatchReservation instead
    money_path = (
        "pledge-succeeded",
        "pledge-failed",
        "pledge-expired",
        "pledge-refunded",
        "pledge-cancelled",
    )
    for name in money_path:
        receivers = rows[name]["receivers"]
        assert not any(r.startswith(("app.matching.", "app.campaigns.")) for r in receivers), (
            name,
            receivers,
        )
    assert rows["match_settled"]["defined_in"] == "app.matching.events.match_settled"
    assert "app.transparency.receivers.on_match_settled" in rows["match_settled"]["receivers"]


def test_flask_signals_prints_every_signal_with_its_receivers(app):
    result = app.test_cli_runner().invoke(args=["signals"])
    assert result.exit_code == 0
    for row in inventory():
        assert row["signal"] in result.output
    assert "app.notifications.receivers_campaigns.on_campaign_closed" in result.output
    assert "sender: the Campaign" in result.output

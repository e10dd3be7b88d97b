"""What the app refuses to start without, outside testing.

With an unset or guessable SECRET_KEY anyone can sign a session cookie for any user, so
the app does not start then. Demo mode (`make run`) is the one exception: it generates
strong keys once into the instance folder, so a demo never runs on a published default.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask

MIN_KEY_BYTES = 32
GATEWAYS = ("stripe", "demo")
# Defaults that were ever shipped or are found in tutorials: never accepted.
KNOWN_DEFAULTS = {
    "dev-only-not-secret",
    "dev",
    "secret",
    "changeme",
    "change-me",
    "test-secret",
    "e2e-secret",
    "bench",
    "your-secret-key",
    "super-secret",
}


class UnsafeSettings(RuntimeError):
    """The settings would run the platform insecurely; the message names each problem."""


def _instance_key(app: Flask, name: str) -> str:
    """A key generated once into instance/<name> (0600) and read back afterwards."""
    path = Path(app.instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def key_problem(name: str, value: str) -> str | None:
    """Why a key is unacceptable, or None."""
    if not value:
        return f"{name} is not set"
    if value.strip().lower() in KNOWN_DEFAULTS:
        return f"{name} is a known default"
    if len(value.encode()) < MIN_KEY_BYTES:
        return f"{name} is shorter than {MIN_KEY_BYTES} bytes"
    return None


def apply(app: Flask) -> None:
    """Fill the demo's keys, then refuse unsafe settings (UnsafeSettings) unless TESTING."""
    cfg = app.config
    if cfg.get("DEMO_MODE"):
        if not cfg.get("SECRET_KEY"):
            cfg["SECRET_KEY"] = _instance_key(app, "demo_secret_key")
        if not cfg.get("PSEUDONYM_KEY"):
            cfg["PSEUDONYM_KEY"] = _instance_key(app, "demo_pseudonym_key")
        cfg["PAYMENT_GATEWAY"] = cfg.get("PAYMENT_GATEWAY") or "demo"
    if cfg.get("TESTING"):
        # Tests may use short keys; pseudonyms then fall back to a key derived per app.
        cfg["PSEUDONYM_KEY"] = cfg.get("PSEUDONYM_KEY") or "pseudonyms:" + str(cfg.get("SECRET_KEY"))
        cfg["PAYMENT_GATEWAY"] = cfg.get("PAYMENT_GATEWAY") or "demo"
        return
    problems = [p for p in (key_problem(n, cfg.get(n) or "") for n in ("SECRET_KEY", "PSEUDONYM_KEY")) if p]
    if cfg.get("PSEUDONYM_KEY") and cfg.get("PSEUDONYM_KEY") == cfg.get("SECRET_KEY"):
        problems.append("PSEUDONYM_KEY must differ from SECRET_KEY")
    gateway = cfg.get("PAYMENT_GATEWAY") or ""
    if gateway not in GATEWAYS:
        problems.append("PAYMENT_GATEWAY must be 'stripe' or 'demo'")
    elif gateway == "demo" and not cfg.get("DEMO_MODE"):
        problems.append("PAYMENT_GATEWAY=demo takes no real money: only with DEMO_MODE=1")
    elif gateway == "stripe" and not (cfg.get("STRIPE_SECRET_KEY") and cfg.get("STRIPE_WEBHOOK_SECRET")):
        problems.append("PAYMENT_GATEWAY=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET")
    if problems:
        raise UnsafeSettings("streekfonds refuses to start: " + "; ".join(problems) + " (see README.md)")

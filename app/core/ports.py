"""Ports: what a lower layer asks of a higher one, passed in once at start-up.

Domains stand in layers (pyproject.toml): a lower domain never imports a higher one. When
it must still have a higher one act inside its transaction (campaigns asks matching for
a pledge's draw; payments hands an update to campaigns), it declares what it needs as a
`typing.Protocol` and calls whatever object was provided for it. The higher domain provides
that object in its `setup.register(app)`, and `create_app` checks that every declared port
has its provider, so a missing one fails at start-up, never silently.

Unlike a signal, a port has exactly one provider, is called in the order the caller's code
says, and its return value means something. Signals are for notifications only.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Flask, current_app

P = TypeVar("P")

_KEY = "streekfonds_ports"
_DECLARED: list[type] = []


def declare(port: type[P]) -> type[P]:
    """Class decorator for a port's Protocol: create_app requires a provider for it."""
    _DECLARED.append(port)
    return port


def provide(app: Flask, port: type[P], implementation: P) -> None:
    """The one object that answers `port` in this app."""
    providers = app.extensions.setdefault(_KEY, {})
    if port in providers:
        raise RuntimeError(f"{port.__qualname__} is provided twice")
    providers[port] = implementation


def get(port: type[P]) -> P:
    """The object provided for `port` in the current app."""
    return current_app.extensions[_KEY][port]


def providers(app: Flask) -> dict[type, Any]:
    return dict(app.extensions.get(_KEY, {}))


def check_all_provided(app: Flask) -> None:
    """Called by create_app after every domain registered: no port may be left open."""
    missing = [
        p.__module__ + "." + p.__qualname__ for p in _DECLARED if p not in app.extensions.get(_KEY, {})
    ]
    if missing:
        raise RuntimeError("no provider for " + ", ".join(missing))

"""Explicit state machines: a table of allowed transitions and a typed error for the rest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.core.errors import InvalidTransition


class StateMachine:
    """Allowed transitions of one kind of object, keyed by stable state codes."""

    def __init__(self, name: str, transitions: Mapping[str, Iterable[str]]):
        self.name = name
        self.transitions = {src: frozenset(dst) for src, dst in transitions.items()}
        self.states = frozenset(self.transitions) | frozenset(
            s for dst in self.transitions.values() for s in dst
        )

    def can(self, source: str, target: str) -> bool:
        return target in self.transitions.get(source, ())

    def check(self, source: str, target: str) -> None:
        """Raise InvalidTransition (HTTP 409) unless `source → target` is in the table."""
        if not self.can(source, target):
            from flask_babel import gettext as _

            raise InvalidTransition(
                _(
                    "Een %(name)s kan niet van '%(source)s' naar '%(target)s'.",
                    name=self.name,
                    source=source,
                    target=target,
                ),
                details={"from": source, "to": target},
            )

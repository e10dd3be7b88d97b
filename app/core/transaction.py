"""How an HTML view ends its transaction: do it, commit; or roll back and show the error.

    with attempt() as outcome:
        services.publish_call(call, current_user)
    if outcome.failed:
        flash(outcome.error.message, "error")

A DomainError raised inside the block rolls everything back and is kept on `outcome` for the
view to show (next to the field, or as a flash); nothing else is caught. Without an error
the block's work is committed on leaving it. Services never commit (tests/architecture);
the API commits through `app.api.auth.commit`, tasks and CLI commands themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from app.core.errors import DomainError
from app.extensions import db


@dataclass
class Outcome:
    error: DomainError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def attempt() -> Iterator[Outcome]:
    outcome = Outcome()
    try:
        yield outcome
    except DomainError as exc:
        db.session.rollback()
        outcome.error = exc
        return
    db.session.commit()

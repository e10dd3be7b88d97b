"""The platform's one source of 'now', in UTC, which tests may move (time travel)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """The current time, aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def travel_to(moment: datetime | None) -> None:
    """Freeze the clock at `moment` (aware), or unfreeze it with None. For tests and demos."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("travel_to needs an aware datetime")
    _frozen = moment.astimezone(UTC) if moment else None


def shift(delta: timedelta) -> None:
    """Move the running clock by `delta` (frozen or not)."""
    global _offset, _frozen
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset += delta


@contextmanager
def restored():
    """Travel freely inside the block; the clock is as it was before when it ends."""
    global _offset, _frozen
    saved = (_offset, _frozen)
    try:
        yield
    finally:
        _offset, _frozen = saved


def reset() -> None:
    global _offset, _frozen
    _offset = timedelta(0)
    _frozen = None


def local(moment: datetime) -> datetime:
    """The same instant on the Brussels wall clock."""
    return moment.astimezone(BRUSSELS)


def from_local(naive_local: datetime) -> datetime:
    """A Brussels wall-clock time (naive, as a form gives it) as an aware UTC datetime."""
    return naive_local.replace(tzinfo=BRUSSELS).astimezone(UTC)


def add_local_days(moment: datetime, days: int) -> datetime:
    """`days` calendar days later at the same Brussels wall-clock time (DST-safe), in UTC."""
    wall = local(moment).replace(tzinfo=None) + timedelta(days=days)
    return from_local(wall)

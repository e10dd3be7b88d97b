"""Jury fixtures: a call whose submission window has closed, with eligible applications."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core import clock
from tests import factories as f

ONE_CRITERION = [{"key": "q", "label": "Kwaliteit", "weight": 1, "max_score": 100}]


def closed_call(n_apps: int = 4, criteria=None, owner=None, **call_values):
    """A published call past its deadline with `n_apps` eligible applications; the clock
    stands one hour after the deadline. Returns (call, [applications], manager)."""
    manager = f.user("fund_manager")
    call = f.call(manager, criteria=criteria or f.CRITERIA, **call_values)
    apps = []
    for i in range(n_apps):
        clock.shift(timedelta(minutes=1))  # distinct submission times, in id order
        apps.append(f.application(call, owner=owner, status="eligible", title=f"Project {i + 1}"))
    clock.travel_to(call.closes_at + timedelta(hours=1))
    return call, apps, manager


@pytest.fixture
def jury_call():
    return closed_call()


def seat(call, *users, manager=None):
    """Seat existing users as jurors of the call (through the service)."""
    from app.jury import services as jury

    manager = manager or f.user("fund_manager")
    for u in users:
        jury.add_juror(call, u.email, manager)
    return users


def eligible_application(call, owner=None, screen=True, **values):
    """An eligible application of `call`, submitted just before its deadline (the clock
    goes back there for a moment)."""
    from app.calls import services as calls

    now = clock.now()
    clock.travel_to(call.closes_at - timedelta(minutes=5))
    app = f.application(call, owner=owner, status="submitted", **values)
    clock.travel_to(now)
    if screen:
        calls.screen_application(app, True, "", f.user("fund_manager"))
    return app


@pytest.fixture
def jury_alone(app, monkeypatch):
    """The jury on its own: its own selection planner, nothing behind its ports (matching
    and campaigns test their part themselves) and no receiver of its selection signal."""
    from app.core import ports
    from app.jury import events
    from app.jury.ports import MatchReservation, SelectionCampaigns
    from app.jury.selection import PLANNER_HOOK

    monkeypatch.delitem(app.extensions, PLANNER_HOOK, raising=False)
    providers = app.extensions["streekfonds_ports"]
    monkeypatch.setitem(providers, MatchReservation, lambda call, applications: None)
    monkeypatch.setitem(providers, SelectionCampaigns, lambda call, selected: None)
    assert set(ports.providers(app)) >= {MatchReservation, SelectionCampaigns}
    muted = []
    for signal in (events.selection_confirmed,):
        for receiver in list(signal.receivers_for(object())):
            signal.disconnect(receiver)
            muted.append((signal, receiver))
    yield
    for signal, receiver in muted:
        signal.connect(receiver, weak=False)

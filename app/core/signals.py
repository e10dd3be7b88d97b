"""The namespace every domain's events.py takes its signals from, and `flask signals`.

Signals are notifications only: whoever cares (mails, audit, reports) may listen, and no
receiver's return value is read. Anything that decides or orders a money movement is a
direct call (or a port, app/core/ports.py), never a signal.
"""

from __future__ import annotations

import sys
import weakref

import click
from blinker import NamedSignal, Namespace

streekfonds_signals = Namespace()


def _name(receiver) -> str:
    if isinstance(receiver, weakref.ref):
        receiver = receiver()
    if receiver is None:
        return "(gone)"
    module = getattr(receiver, "__module__", "?")
    return f"{module}.{getattr(receiver, '__qualname__', repr(receiver))}"


def _doc(signal: NamedSignal) -> str:
    """The `doc=` a signal was made with (blinker keeps it as the instance's __doc__)."""
    doc = signal.__doc__
    return "" if doc is None or doc == type(signal).__doc__ else doc


def inventory() -> list[dict]:
    """Every signal of the namespace: its name, the events module that defines it (the
    sending domain), what its sender is, and its receivers connected in this process."""
    defined: dict[str, str] = {}
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("app.") and module_name.endswith(".events"):
            for attr, value in vars(module).items():
                if isinstance(value, NamedSignal):
                    defined[value.name] = f"{module_name}.{attr}"
    rows = []
    for name in sorted(streekfonds_signals):
        signal = streekfonds_signals[name]
        rows.append(
            {
                "signal": name,
                "defined_in": defined.get(name, "?"),
                "sender": _doc(signal),
                "receivers": sorted(_name(r) for r in signal.receivers.values()),
            }
        )
    return rows


@click.command("signals")
def signals_command() -> None:
    """Print every signal with its sender and receivers, as connected in this app."""
    for row in inventory():
        click.echo(f"{row['signal']}  ({row['defined_in']})")
        if row["sender"]:
            click.echo(f"  {row['sender']}")
        for receiver in row["receivers"] or ["(no receiver)"]:
            click.echo(f"  → {receiver}")

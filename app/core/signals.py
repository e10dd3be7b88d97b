"""The namespace every domain's events.py takes its signals from."""

from blinker import Namespace

streekfonds_signals = Namespace()

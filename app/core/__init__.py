"""What every domain stands on: model base, money, clock, errors, state machines, signals."""

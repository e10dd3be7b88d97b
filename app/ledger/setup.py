from flask import Flask

from app.ledger import models  # noqa: F401 - the journal tables belong to every app


def register(app: Flask) -> None:
    return None

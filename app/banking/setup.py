from flask import Flask

from app.banking import models  # noqa: F401 - the tables belong to every app


def register(app: Flask) -> None:
    pass

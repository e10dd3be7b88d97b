from flask import Flask

from app.privacy import models  # noqa: F401 - the tables belong to the app


def register(app: Flask) -> None:
    return None

"""Secret tokens in paths (reset, confirm, unsubscribe, invitations) stay out of access logs.

gunicorn writes its access log from the WSGI environ after the response; this middleware
puts a redacted path there once the application has routed the request. The query string
is already left out by deploy/gunicorn.conf.py's format; RAW_URI loses it here too.
"""

from __future__ import annotations

import re

# The path prefixes whose next segment is a secret; a domain adds its own with `secret_path`.
SECRET_PATHS = [
    "/account/confirm/",
    "/account/reset/",
    "/unsubscribe/",
    "/jury/invitations/",
    "/privacy/requests/",
]


def redact(path: str) -> str:
    """The path with the token after any secret prefix replaced by `[redacted]`."""
    for prefix in SECRET_PATHS:
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            tail = re.sub(r"^[^/]+", "[redacted]", rest)
            return prefix + tail
    return path


class RedactTokensInLog:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        result = self.wsgi_app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        redacted = redact(path)
        if redacted != path:
            environ["PATH_INFO"] = redacted
        if "RAW_URI" in environ:
            environ["RAW_URI"] = redact(environ["RAW_URI"].split("?", 1)[0])
        return result

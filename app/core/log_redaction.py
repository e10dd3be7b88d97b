"""Secret tokens in paths (reset, confirm, unsubscribe, invitations) stay out of access logs.

gunicorn writes its access log from the WSGI environ after the response; this middleware
puts a redacted path there once the application has routed the request. The query string
is already left out by deploy/gunicorn.conf.py's format; RAW_URI loses it here too.
"""

from __future__ import annotations

import logging
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


def redact_text(text: str) -> str:
    """Every secret path inside a log line (`GET /account/reset/abc HTTP/1.1`) redacted."""
    for prefix in SECRET_PATHS:
        text = re.sub(re.escape(prefix) + r"[^/\s?]+", prefix + "[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    """For the development server's own request log (werkzeug writes the request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_text(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        return True


def install_log_filter() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())


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

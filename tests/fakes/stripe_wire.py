"""What travels on the wire between the ``stripe`` library and the fake Stripe server.

Kept apart from the server so each piece can be tested on its own:

* :func:`parse_form` turns Stripe's bracket-encoded form bodies back into nested data;
* :func:`sign_payload` makes the ``Stripe-Signature`` header of a webhook;
* :class:`FakeStripeError` is an API error with Stripe's JSON error shape;
* :func:`new_id` makes object ids with Stripe's prefixes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import time
from collections.abc import Iterable
from typing import Any

# Version the installed stripe library pins (``stripe._api_version``). Events carry the
# version the client asked for; this is only the fallback before any client has called.
DEFAULT_API_VERSION = "2026-10-28.endive"

_ID_ALPHABET = string.ascii_letters + string.digits
# Key of a form field: a name followed by any number of ``[segment]`` parts.
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
# Dicts under these names map user-chosen keys, so "0", "1" stay keys, not list indexes.
_FREE_FORM = frozenset({"metadata"})


def new_id(prefix: str, length: int = 24) -> str:
    """A random Stripe-looking id such as ``ch_3PgafuB7WZ01zgkWXYmPNZs8``."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


class FakeStripeError(Exception):
    """An API error, answered with Stripe's ``{"error": {...}}`` body and HTTP status.

    The stripe library picks its exception class from the status and ``type``
    (400 ``invalid_request_error`` → ``InvalidRequestError``, 401 →
    ``AuthenticationError``, ``idempotency_error`` → ``IdempotencyError``), so these
    must match what Stripe sends for the application's error handling to be tested.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.param = param

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        if request_id:
            error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        return {"error": error}


def parse_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Rebuild nested params from Stripe's bracket encoding.

    ``metadata[pledge_id]=7`` becomes ``{"metadata": {"pledge_id": "7"}}`` and
    ``line_items[0][price_data][unit_amount]=500`` becomes
    ``{"line_items": [{"price_data": {"unit_amount": "500"}}]}``. The library always
    writes list indexes; the older ``expand[]=a`` form is accepted too. Values stay
    strings, as on the wire: the endpoint decides what is an integer.

    Raises ``ValueError`` for keys that contradict each other (``a=1&a[b]=2``), are
    repeated, or make a list with holes, as Stripe refuses those too.
    """
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if not match:
            raise ValueError(f"Invalid parameter name: {key!r}")
        path = [match.group(1), *_SEGMENT.findall(match.group(2))]
        if "" in path[:-1]:
            raise ValueError(f"Invalid parameter name: {key!r} ('[]' only at the end)")
        node = root
        for segment in path[:-1]:
            child = node.setdefault(segment, {})
            if not isinstance(child, dict):
                raise ValueError(f"Parameter {key!r} conflicts with a plain value")
            node = child
        last = path[-1]
        if last == "":
            # "a[]=x" appends: number the entries so they listify like "a[0]=x".
            last = str(len(node))
        if last in node:
            raise ValueError(f"Parameter {key!r} is given twice or conflicts with another")
        node[last] = value
    return _listify(root, parent="")


def _listify(node: Any, parent: str) -> Any:
    """Turn dicts keyed "0".."n-1" into lists, recursively (except free-form maps)."""
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value, parent=key) for key, value in node.items()}
    if parent in _FREE_FORM or not converted or not all(k.isdigit() for k in converted):
        return converted
    indexes = sorted(int(k) for k in converted)
    if indexes != list(range(len(indexes))):
        raise ValueError(f"Invalid array {parent!r}: indexes must run 0, 1, 2, ... without gaps")
    return [converted[str(i)] for i in indexes]


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header value Stripe would send with ``payload``.

    Stripe signs ``"{t}.{payload}"`` with HMAC-SHA256 keyed by the endpoint's
    ``whsec_...`` secret; receivers reject timestamps older than their tolerance
    (300 s in the stripe library), which is why ``timestamp`` can be set.
    """
    t = int(time.time()) if timestamp is None else int(timestamp)
    signed = f"{t}.".encode() + payload
    signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={t},v1={signature}"

"""A local fake of the Stripe API, for tests that drive the real ``stripe`` library.

Start it, point the library at it, and move payments along from the test::

    from tests.fakes.stripe_server import FakeStripe

    with FakeStripe() as fake:                      # or: fake = FakeStripe().start(); fake.stop()
        # Per client (preferred: nothing global to undo afterwards):
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url})
        session = client.v1.checkout.sessions.create(params={...})
        # Or globally, for code using the module-level API (restore it afterwards,
        # e.g. with pytest's monkeypatch.setattr):
        stripe.api_key = "sk_test_fake"
        stripe.api_base = fake.url
        stripe.checkout.Session.retrieve(session.id)

        event = fake.complete_checkout(session.id)  # the customer pays
        payload, header = fake.signed(event)        # body + Stripe-Signature for the webhook

The stripe library (16.x) does not insist on https nor on a key format: it only
needs *some* key and joins the base address with the path, so ``http://127.0.0.1:port``
and ``sk_test_fake`` work. The fake accepts any ``sk_test_``/``rk_test_`` key (or
only ``api_key`` when given) and refuses live keys, so a misconfigured test can
never look like it talks to the real Stripe.

Endpoints: ``POST /v1/checkout/sessions``, ``GET /v1/checkout/sessions/{id}``,
``POST /v1/checkout/sessions/{id}/expire``, ``POST /v1/refunds``, and ``GET`` of
payment intents, charges, refunds, disputes and events by id; ``expand[]`` works on
all of them. ``GET``/``POST /pay/{id}`` is a tiny hosted-checkout page for browser
tests. POSTs honour ``Idempotency-Key`` as Stripe does: same key, method, path and
params replays the stored answer (header ``Idempotent-Replayed: true``) and creates
nothing; the same key with other params is an ``idempotency_error``; 4xx answers are
not stored, as Stripe stores nothing for requests that failed validation.

Payment methods: the installed library speaks API version 2026-10-28.endive, and since
2026-09-30.endive Stripe refuses ``payment_method_types`` when creating a Checkout
Session; send ``allowed_payment_method_types=["bancontact", "card"]`` (a filter: methods
unfit for the currency are dropped). The fake does the same, and takes the explicit list
only from clients asking for an older ``Stripe-Version``.

Deviations: real Stripe (since API 2022-08-01) creates the session's PaymentIntent only
when the customer pays; here it exists from the start unless
``FakeStripe(eager_payment_intent=False)``. Real Stripe also sends more events than
the one each action here produces (e.g. ``payment_intent.succeeded``,
``refund.created``); the application is expected to ignore those anyway.
"""

from __future__ import annotations

import contextlib
import copy
import html
import json
import re
import socket
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import stripe_objects as objects
from .stripe_account import StripeAccount
from .stripe_wire import FakeStripeError, new_id, parse_form, sign_payload

__all__ = ["FakeStripe", "FakeStripeError", "StripeAccount", "parse_form", "sign_payload"]

# GET /v1/<collection>/<id> → the ``object`` kind it holds.
_COLLECTIONS = {
    "checkout/sessions": "checkout.session",
    "payment_intents": "payment_intent",
    "charges": "charge",
    "refunds": "refund",
    "disputes": "dispute",
    "events": "event",
}
_RETRIEVE = re.compile(rf"^/v1/({'|'.join(_COLLECTIONS)})/([^/]+)$")
_EXPIRE = re.compile(r"^/v1/checkout/sessions/([^/]+)/expire$")
_PAY_PAGE = re.compile(r"^/pay/([^/]+)$")


class FakeStripe(StripeAccount):
    """The fake Stripe API server around a :class:`StripeAccount`.

    Besides the account's ``created`` and ``events``, ``requests`` lists every API
    request as ``(method, path, headers, params)`` and ``errors`` the tracebacks of
    crashes inside the fake (answered 500, without retry), so a test can show them.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        webhook_secret: str = "whsec_test_fake",  # noqa: S107 - a test secret, not a real one
        api_version: str | None = None,
        eager_payment_intent: bool = True,
    ) -> None:
        """``api_key``: the only key accepted (default: any test key). ``api_version``:
        answer as this version whatever the client sends."""
        super().__init__(
            webhook_secret=webhook_secret,
            api_version=api_version,
            eager_payment_intent=eager_payment_intent,
        )
        self.api_key = api_key
        self.requests: list[tuple[str, str, dict[str, str], dict[str, Any]]] = []
        self.errors: list[str] = []
        # (API key, Idempotency-Key) → (request fingerprint, status, body)
        self._idempotent: dict[tuple[str, str], tuple[tuple[Any, ...], int, bytes]] = {}
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeStripe:
        """Serve on a free port of 127.0.0.1; sets ``url``."""
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-stripe",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port (idempotent)."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections()
            self._thread.join(timeout=5)
            self._httpd = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the API ------------------------------------------------------------------------

    def handle_api(self, method: str, target: str, body: bytes, headers: dict[str, str]):
        """Answer one API request: ``(status, json_body, extra_headers)``."""
        headers = {name.title(): value for name, value in headers.items()}
        url = urlsplit(target)
        request_id = new_id("req_", 14)
        out_headers = {"Request-Id": request_id}
        parse_error = None
        try:
            params = parse_form(
                parse_qsl(url.query, keep_blank_values=True)
                + parse_qsl(body.decode(), keep_blank_values=True)
            )
        except (ValueError, UnicodeDecodeError) as exc:
            params, parse_error = {}, FakeStripeError(str(exc))
        key = headers.get("Idempotency-Key") if method == "POST" else None
        with self._lock:
            self.requests.append((method, url.path, headers, params))
            self._seen_version = headers.get("Stripe-Version") or self._seen_version
            fingerprint = (method, url.path, params)
            try:
                scope = self._authenticate(headers.get("Authorization"))
                if parse_error:
                    raise parse_error
                if key:
                    out_headers["Idempotency-Key"] = key
                    stored = self._idempotent.get((scope, key))
                    if stored and stored[0] != fingerprint:
                        raise FakeStripeError(
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with. Try using a key other than "
                            f"'{key}' if you meant to execute a different request.",
                            type="idempotency_error",
                        )
                    if stored:
                        out_headers["Idempotent-Replayed"] = "true"
                        return stored[1], stored[2], out_headers
                status, answer = 200, self._route(method, url.path, params, request_id, key)
            except FakeStripeError as exc:
                status, answer = exc.status, exc.body(request_id)
            except Exception:
                # A bug in the fake: answer like a Stripe outage, but tell the library not
                # to retry (it would retry 500s) and keep the traceback for the test.
                self.errors.append(traceback.format_exc())
                status, answer = (
                    500,
                    FakeStripeError(
                        "The fake Stripe crashed; see FakeStripe.errors.", status=500, type="api_error"
                    ).body(request_id),
                )
                out_headers["Stripe-Should-Retry"] = "false"
            payload = json.dumps(answer, indent=2).encode()
            if key and not 400 <= status < 500:
                self._idempotent[(scope, key)] = (fingerprint, status, payload)
        self._deliver()
        return status, payload, out_headers

    def _authenticate(self, authorization: str | None) -> str:
        scheme, _, key = (authorization or "").partition(" ")
        if not key:
            raise FakeStripeError(
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
                status=401,
            )
        valid = key == self.api_key if self.api_key else key.startswith(("sk_test_", "rk_test_"))
        if scheme != "Bearer" or not valid:
            shown = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:]
            raise FakeStripeError(f"Invalid API Key provided: {shown}", status=401)
        return key  # idempotency keys are scoped to the API key, as on one Stripe account

    def _route(
        self, method: str, path: str, params: dict[str, Any], request_id: str, key: str | None
    ) -> dict[str, Any]:
        request = {"id": request_id, "idempotency_key": key}
        if method == "POST" and path == "/v1/checkout/sessions":
            result = self.create_session(params)
        elif method == "POST" and path == "/v1/refunds":
            result = self.create_refund(params, request)
        elif method == "POST" and (match := _EXPIRE.match(path)):
            result = self.expire(self._find("checkout.session", match[1]), request)[0]
        elif method == "GET" and (match := _RETRIEVE.match(path)):
            result = self._find(_COLLECTIONS[match[1]], match[2])
        else:
            raise FakeStripeError(
                f"Unrecognized request URL ({method}: {path}). Please see "
                "https://stripe.com/docs or we can help at https://support.stripe.com/.",
                status=404,
            )
        result = copy.deepcopy(result)
        paths = params.get("expand") or []
        objects.expand(result, [paths] if isinstance(paths, str) else paths, self._objects.get)
        return result

    # -- the hosted checkout page, for browser tests -----------------------------------

    def handle_page(self, method: str, session_id: str, body: bytes) -> tuple[int, str, str]:
        """``(status, html, redirect_location)`` for GET/POST ``/pay/{id}``."""
        with self._lock:
            session = self._objects.get(session_id)
            if session is None or session["object"] != "checkout.session":
                return 404, "<h1>No such checkout session</h1>", ""
            session = copy.deepcopy(session)
        if method == "POST":
            action = dict(parse_qsl(body.decode())).get("action")
            if action == "cancel":
                return 303, "", session["cancel_url"] or ""
            try:
                self.complete_checkout(session_id)
            except FakeStripeError:  # paid already (e.g. a double click) or expired
                status = self.get(session_id)["status"]
                if status != "complete":
                    return 410, f"<h1>This session is {html.escape(status)}</h1>", ""
            target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
            return 303, "", target
        amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
        page = (
            f"<!doctype html><title>Fake Stripe Checkout</title><h1>Pay {html.escape(amount)}</h1>"
            f"<p id=status>{html.escape(session['status'])}</p>"
            f"<form method=post><button name=action value=pay>Pay</button>"
            f"<button name=action value=cancel>Cancel</button></form>"
        )
        return 200, page, ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 makes 50 simultaneous clients wait for SYN retries.
    request_queue_size = 128
    fake: FakeStripe

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections, whose threads would otherwise idle until timeout."""
        with self._open_lock:
            open_now = list(self._open)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the library's requests session expects
    timeout = 30  # idle keep-alive connections give their thread back eventually
    server: _Server

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_DELETE(self) -> None:
        self._answer("DELETE")

    def _answer(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fake = self.server.fake
        page = _PAY_PAGE.match(urlsplit(self.path).path)
        if page:
            status, text, location = fake.handle_page(method, page[1], body)
            payload = text.encode()
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if location:
                headers["Location"] = location
        else:
            status, payload, headers = fake.handle_api(method, self.path, body, dict(self.headers))
            headers["Content-Type"] = "application/json"
            headers["Stripe-Version"] = fake.effective_api_version
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the test output is no place for an access log; see FakeStripe.requests

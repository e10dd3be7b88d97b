"""A real SMTP server (aiosmtpd) for the tests: it records what arrived, can refuse, and can
hold a message mid-delivery (so a test can kill the sender at that moment)."""

from __future__ import annotations

import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        # "accept", or an SMTP reply such as "451 4.3.0 try later" / "550 5.1.1 no such user"
        self.reply = "accept"
        self.hold_next = False
        self.holding = threading.Event()
        self.release = threading.Event()
        self.delay = 0.0
        # Called with each accepted message right after the "250" went out to the sender
        # (a test kills the sender at that moment).
        self.after_accept = None
        self.at_quit = None
        # Called with the session's last accepted message when the sender says QUIT.
        self.at_quit = None

    async def handle_QUIT(self, server, session, envelope):
        if self.at_quit is not None and getattr(session, "last_accepted", None) is not None:
            self.at_quit(session.last_accepted)
        return "221 Bye"

    async def handle_DATA(self, server, session, envelope):
        if self.hold_next:
            self.hold_next = False
            self.holding.set()
            while not self.release.is_set():  # the sender is killed while we wait
                await _sleep(0.05)
            return "451 4.3.0 aborted by the test"
        if self.delay:
            await _sleep(self.delay)
        if self.reply != "accept":
            return self.reply
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)
        session.last_accepted = msg
        if self.after_accept is not None:
            import asyncio

            # call_soon: runs once this handler returned and the server wrote its "250".
            asyncio.get_running_loop().call_soon(self.after_accept, msg)
        return "250 OK"

    def by_recipient(self) -> dict[str, list]:
        out: dict[str, list] = {}
        with self.lock:
            for m in self.messages:
                out.setdefault(str(m["To"]).lower(), []).append(m)
        return out

    def wait_for(self, count: int, timeout: float = 30.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)

    def clear(self):
        with self.lock:
            self.messages.clear()
        self.reply = "accept"
        self.hold_next = False
        self.holding.clear()
        self.release.clear()
        self.delay = 0.0
        self.after_accept = None
        self.at_quit = None


async def _sleep(seconds: float):
    import asyncio

    await asyncio.sleep(seconds)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink() -> tuple[Sink, Controller]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    controller.start()
    return sink, controller


def sink_port(controller: Controller) -> int:
    return controller.port
